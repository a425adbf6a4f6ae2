"""The stand-in's Redis Cluster mode without a cluster: the bucket tags, the key layout (every key of one
bid in one slot, by redis-py's own CRC16), the settings, the client's arguments, the consumers per bucket
stream and the API's answer to the cluster client's errors."""
from __future__ import annotations

import inspect
import random
import re
import string
from types import SimpleNamespace

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.cluster import REDIS_ALLOWED_KEYS, RedisCluster
from redis.connection import Encoder
from redis.crc import key_slot
from redis.exceptions import (
    AskError,
    ClusterDownError,
    ClusterError,
    ConnectionError,
    MovedError,
    RedisClusterException,
    SlotNotCoveredError,
)
from redis.retry import Retry

from fairbid import cluster_keys
from fairbid.bids import STORE_BID, Bid, BidStore, NotReplicated
from fairbid.consumer import consumers
from fairbid.persistence import BidRepository
from fairbid.redis_client import cluster_kwargs
from fairbid.settings import Settings

ID_CHARS = string.ascii_letters + string.digits + "-_."
KEY_CHARS = "".join(map(chr, range(32, 127)))  # what an Idempotency-Key may hold, braces included


def _slot(key: str) -> int:
    return key_slot(key.encode())


def _third(slot: int) -> int:
    return next(n for n, (lo, hi) in enumerate(cluster_keys.THIRDS) if lo <= slot < hi)


def test_six_tags_two_in_each_third_of_the_slot_space_in_scan_order():
    tags = cluster_keys.CLUSTER_TAGS
    assert tags == ("fb0", "fb1", "fb2", "fb3", "fb4", "fb5")  # the rule's outcome: a change of rule moves every key
    assert sorted(_third(_slot(t)) for t in tags) == [0, 0, 1, 1, 2, 2]
    assert cluster_keys._tags() == tags


def test_every_key_of_a_bid_shares_its_auctions_bucket_slot():
    rng = random.Random(7)
    for n in range(2000):
        auction = "".join(rng.choices(ID_CHARS, k=rng.randint(1, 64)))
        idem = None if n % 5 == 0 else "".join(rng.choices(KEY_CHARS, k=rng.randint(1, 128)))
        bid_id, keys = cluster_keys.bid_keys(auction, idem, "bid-stream")
        tag = cluster_keys.bucket(auction)
        assert {_slot(k) for k in keys} == {_slot(tag)}, (auction, idem, keys)
        assert re.fullmatch(r"\{fb\d\}[0-9a-f]{32}", bid_id) and bid_id.startswith(f"{{{tag}}}")
        assert keys[3] == f"bid:{bid_id}" and keys[2] == f"bid-stream:{{{tag}}}"
        assert keys[1] == cluster_keys.highest_key(auction) == f"auction:{{{tag}}}:{auction}:highest"


def test_the_key_layout_is_the_documented_one():
    bid_id, keys = cluster_keys.bid_keys("a1", "k1", "bid-stream")
    tag = cluster_keys.bucket("a1")
    assert keys == [f"idem:{{{tag}}}:k1", f"auction:{{{tag}}}:a1:highest", f"bid-stream:{{{tag}}}", f"bid:{bid_id}"]
    _, auto = cluster_keys.bid_keys("a1", None, "bid-stream")
    assert auto[0].startswith(f"idem:{{{tag}}}:auto:{{{tag}}}")


def test_auctions_spread_over_all_six_buckets():
    seen = {cluster_keys.bucket(f"auction-{i}") for i in range(200)}
    assert seen == set(cluster_keys.CLUSTER_TAGS)


def test_streams_names_one_stream_per_bucket_in_its_bucket_slot():
    names = cluster_keys.streams("bid-stream")
    assert names == [f"bid-stream:{{{t}}}" for t in cluster_keys.CLUSTER_TAGS]
    assert [_slot(n) for n in names] == [_slot(t) for t in cluster_keys.CLUSTER_TAGS]


def test_the_script_touches_only_keys_it_declares():
    touched = re.findall(r"redis\.call\('\w+', ([^,)]+)", STORE_BID)
    assert touched and all(re.fullmatch(r"KEYS\[\d\]", k) for k in touched), touched


def test_sentinel_mode_keeps_its_keys_and_bid_ids():
    store = BidStore(Redis(), "bid-stream")  # never connects: only the keys are asked for
    bid_id, keys = store._keys(Bid("a1", "u1", 5), "k1")
    assert re.fullmatch(r"[0-9a-f]{32}", bid_id)
    assert keys == ["idem:k1", "auction:a1:highest", "bid-stream", f"bid:{bid_id}"]


def test_settings_read_the_cluster_startup_nodes():
    s = Settings.from_env({"FAIRBID_CLUSTER": "10.0.0.1:7000, 10.0.0.2:7001,"})
    assert s.cluster == (("10.0.0.1", 7000), ("10.0.0.2", 7001))
    assert Settings.from_env({}).cluster == ()


def test_the_cluster_clients_arguments_are_all_taken_by_redis_cluster():
    s = Settings.from_env({"FAIRBID_CLUSTER": "10.0.0.1:7000,10.0.0.2:7001", "FAIRBID_REDIS_PASSWORD": "pw",
                           "FAIRBID_REDIS_TIMEOUT_S": "2", "FAIRBID_REDIS_RETRIES": "4"})
    kwargs = cluster_kwargs(s)
    assert [(n.host, n.port) for n in kwargs["startup_nodes"]] == [("10.0.0.1", 7000), ("10.0.0.2", 7001)]
    assert kwargs["password"] == "pw" and kwargs["decode_responses"] is True
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (2.0, 1.0)
    assert kwargs["retry"].get_retries() == 4
    # RedisCluster drops unknown keyword arguments silently: each is a parameter of its own or a node's
    named = set(inspect.signature(RedisCluster.__init__).parameters)
    assert all(k in named or k in REDIS_ALLOWED_KEYS for k in kwargs), set(kwargs) - named - set(REDIS_ALLOWED_KEYS)


def test_the_consumer_reads_every_bucket_stream_in_cluster_mode():
    s = Settings.from_env({"FAIRBID_CLUSTER": "10.0.0.1:7000", "FAIRBID_STREAM": "s", "FAIRBID_DEAD_LETTER_STREAM": "d"})
    repo, client = BidRepository(s), object()  # neither connects here
    members = consumers(s, client, repo)
    assert [(m.s.stream, m.s.dead_letter_stream) for m in members] == list(zip(cluster_keys.streams("s"),
                                                                                cluster_keys.streams("d")))
    assert all(m.repo is repo and m.redis is client and m.s.group == s.group for m in members)
    single = consumers(Settings.from_env({"FAIRBID_STREAM": "s"}), client, repo)
    assert [m.s.stream for m in single] == ["s"]


class _Node:
    """A cluster node and its client: each pipeline it runs takes the next scripted outcome (an error, or
    how many replicas WAIT counted) and is recorded as (node, commands)."""

    def __init__(self, cluster: "_Cluster", name: str) -> None:
        self.cluster, self.name, self.sent = cluster, name, []

    def pipeline(self, transaction: bool):
        assert transaction is False
        self.sent = []
        return self

    def __enter__(self):
        return self

    def __exit__(self, *_):
        return None

    def execute_command(self, *args):
        self.sent.append(args[0])

    def evalsha(self, *_):
        self.sent.append("EVALSHA")

    def execute(self):
        self.cluster.sent.append((self.name, self.sent))
        outcome = self.cluster.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return ["OK"] * (self.sent[0] == "ASKING") + [["{fb1}ab", 1, "1-0"], outcome]


class _Cluster(RedisCluster):
    """RedisCluster's routing surface without its constructor, which would connect."""

    def __init__(self, outcomes: list, retries: int = 2) -> None:  # no super().__init__(): it would connect
        self.encoder = Encoder("utf-8", "strict", True)
        self.retry = Retry(NoBackoff(), retries)
        self.outcomes, self.sent, self.refreshes = outcomes, [], 0
        self.owner = _Node(self, "owner:7000")
        self.nodes_manager = SimpleNamespace(initialize=self._refresh)

    def _refresh(self):
        self.refreshes += 1

    def get_node_from_key(self, key, replica=False):
        return self.owner

    def get_node(self, host=None, port=None, node_name=None):
        return _Node(self, f"{host}:{port}")

    def get_redis_connection(self, node):
        return node


def _wait_store(cluster: _Cluster) -> BidStore:
    return BidStore(cluster, durability="wait", wait_replicas=1)


def test_cluster_wait_runs_script_and_wait_on_the_slots_master_and_follows_moved():
    cluster = _Cluster([MovedError("3999 10.0.0.2:7001"), 1])
    stored = _wait_store(cluster).place(Bid("a1", "u1", 5), "k1")
    assert stored.created and cluster.refreshes == 1
    assert cluster.sent == [("owner:7000", ["EVALSHA", "WAIT"])] * 2


def test_cluster_wait_sends_one_try_to_the_node_an_ask_names_with_asking():
    cluster = _Cluster([AskError("3999 10.0.0.3:7002"), 1])
    assert _wait_store(cluster).place(Bid("a1", "u1", 5), "k1").created
    assert cluster.sent == [("owner:7000", ["EVALSHA", "WAIT"]), ("10.0.0.3:7002", ["ASKING", "EVALSHA", "WAIT"])]
    assert cluster.refreshes == 0


def test_cluster_wait_without_a_replica_is_not_acknowledged_and_rereads_the_map():
    cluster = _Cluster([0])
    with pytest.raises(NotReplicated):
        _wait_store(cluster).place(Bid("a1", "u1", 5), "k1")
    assert cluster.refreshes == 1


def test_cluster_wait_gives_up_after_the_retries_with_the_last_error():
    cluster = _Cluster([ConnectionError("gone")] * 3, retries=2)
    with pytest.raises(ConnectionError):
        _wait_store(cluster).place(Bid("a1", "u1", 5), "k1")
    assert len(cluster.sent) == 3 and cluster.refreshes == 3


class _FailingStore:
    """A store whose every call raises the given error, as the cluster client would."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def place(self, *_):
        raise self.error

    def highest(self, _):
        raise self.error

    def ping(self):
        raise self.error


@pytest.mark.parametrize("error, stored", [
    (ClusterDownError("CLUSTERDOWN The cluster is down"), False),
    (ClusterError("TTL exhausted."), False),
    (MovedError("3999 10.0.0.2:7001"), False),
    (SlotNotCoveredError('Slot "3999" is not covered by the cluster.'), "unknown"),
    (RedisClusterException("Redis Cluster cannot be connected."), "unknown"),
])
def test_the_cluster_clients_errors_are_503_never_500(error, stored):
    from fairbid.api import create_app

    client = create_app(_FailingStore(error)).test_client()
    bid = client.post("/api/bids", json={"auctionId": "a1", "userId": "u1", "amount": 5})
    assert bid.status_code == 503 and bid.get_json()["stored"] == stored
    assert client.get("/api/auctions/a1").status_code == 503
    assert client.get("/health").status_code == 503
