"""The fault vocabulary beyond kill/pause/cut, on real servers, each with its undo."""
from __future__ import annotations

import time
import uuid

import pymysql
import pytest

from faults.actions import ACTIONS
from lab import clients
from lab.config import LabConfig
from lab.local import LocalLab
from lab.spec import StackSpec
from lab.wait import Wait
from tests.conftest import ROOT, ack_lags


def test_a_cut_between_groups_isolates_the_master_from_replicas_but_not_from_clients(lab):
    master = lab.master()
    state = ACTIONS["cut"].run(lab, master, {"peers": "replicas"})
    try:
        assert sorted(state["peers"]) == sorted(lab.replicas())
        assert clients.node(lab, master).ping()  # clients (and Sentinels) still reach it
        Wait(timeout_s=15, interval_s=0.2).until("both replica links to go quiet",
                                                 lambda: min(ack_lags(lab, master).values()) >= 3)
    finally:
        ACTIONS["cut"].undo(lab, master, {"peers": "replicas"}, state)
    assert lab.firewall.rules() == []
    Wait(timeout_s=15, interval_s=0.2).until("the links back", lambda: max(ack_lags(lab, master).values()) <= 1)


def test_config_set_is_undone_to_the_previous_value(lab):
    master = lab.master()
    before = clients.node(lab, master).config_get("min-replicas-max-lag")["min-replicas-max-lag"]
    state = ACTIONS["config_set"].run(lab, master, {"param": "min-replicas-max-lag", "value": 3})
    assert clients.node(lab, master).config_get("min-replicas-max-lag")["min-replicas-max-lag"] == "3"
    ACTIONS["config_set"].undo(lab, master, {"param": "min-replicas-max-lag", "value": 3}, state)
    assert clients.node(lab, master).config_get("min-replicas-max-lag")["min-replicas-max-lag"] == before


def test_claim_moves_an_orphan_to_the_named_consumer(lab):
    master = lab.master()
    client = clients.node(lab, master, 5)
    lab.pause("consumer-1")  # it cannot ack what it was handed: an orphan, like a dead consumer's
    try:
        client.xadd("bid-stream", {"bidId": uuid.uuid4().hex, "auctionId": "a", "userId": "u", "amount": "1",
                                   "createdAt": str(int(time.time() * 1000))})
        # the server hands the entry to whichever reader blocks first: the paused consumer or "ghost"
        client.xreadgroup("bid-group", "ghost", {"bid-stream": ">"}, count=1000)
        Wait(timeout_s=5, interval_s=0.05).until("the entry idle for 100 ms", lambda: all(
            p["time_since_delivered"] >= 150 for p in client.xpending_range("bid-stream", "bid-group", "-", "+", 1000)))
        out = ACTIONS["claim"].run(lab, "ghost-2", {"min_idle_ms": 100})
        holders = {k: v for k, v in out["before"].items() if v and k != "ghost-2"}
        assert out["claimed"] >= 1 and holders
        assert all(out["after"].get(k, 0) == 0 for k in holders) and out["after"]["ghost-2"] >= out["claimed"]
        probe = ACTIONS["pending"].run(lab, master, {})
        assert probe["by_consumer"]["ghost-2"] >= 1 and probe["max_deliveries"] >= 2
    finally:
        pending = client.xpending_range("bid-stream", "bid-group", min="-", max="+", count=10000, consumername="ghost-2")
        if pending:
            client.xack("bid-stream", "bid-group", *[p["message_id"] for p in pending])
        for name in ("ghost", "ghost-2"):
            client.xgroup_delconsumer("bid-stream", "bid-group", name)
        lab.resume("consumer-1")


def test_mysql_replica_serves_rows_written_on_the_primary_and_stays_read_only(lab):
    bid_id = uuid.uuid4().hex
    conn = lab.mysql_connect("mysql-1")
    with conn.cursor() as cur:
        cur.execute("INSERT INTO bid (bid_id, auction_id, user_id, amount, created_at_ms, stream_id, consumer) "
                    "VALUES (%s, 'a', 'u', 1, 0, '0-1', 'test')", (bid_id,))
    conn.close()

    def on_replica() -> bool:
        c = lab.mysql_connect("mysql-2")
        try:
            with c.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM bid WHERE bid_id=%s", (bid_id,))
                return cur.fetchone()[0] == 1
        finally:
            c.close()

    Wait(timeout_s=10, interval_s=0.02).until("the row on the replica", on_replica)
    probe = ACTIONS["mysql_rows"].run(lab, "mysql-2", {})
    assert probe["reachable"] and probe["rows"] >= 1 and probe["seconds_behind_master"] is not None
    replica = lab.mysql_connect("mysql-2")
    with pytest.raises(pymysql.MySQLError) as err, replica.cursor() as cur:
        cur.execute("INSERT INTO bid (bid_id, auction_id, user_id, amount, created_at_ms, stream_id, consumer) "
                    "VALUES (%s, 'a', 'u', 1, 0, '0-1', 'test')", (uuid.uuid4().hex,))
    assert err.value.args[0] == 1290  # --read-only
    replica.close()


def test_a_paused_mysql_primary_is_reported_unreachable_within_the_timeout(lab):
    lab.pause("mysql-1")
    try:
        t0 = time.monotonic()
        probe = ACTIONS["mysql_rows"].run(lab, "mysql-1", {"timeout_s": 1})
        assert probe["reachable"] is False and time.monotonic() - t0 < 5
        assert ACTIONS["mysql_rows"].run(lab, "mysql-2", {})["reachable"] is True
    finally:
        lab.resume("mysql-1")


@pytest.fixture
def pair():
    """Two Redis nodes, no Sentinel: what a manual failover works on."""
    config = LabConfig.load(ROOT / "tests" / "lab.unit.yaml")
    if LocalLab(config).is_up():
        LocalLab(config).down()
    lab = LocalLab(config, StackSpec(redis=2, sentinels=0, mysql=0, consumers=0, apis=0))
    lab.up()
    yield lab
    lab.down()


def test_promote_turns_a_replica_into_a_master_and_inspect_sees_it(pair):
    clients.node(pair, "redis-1").set("k", "v")
    Wait(timeout_s=5).until("the key on the replica", lambda: clients.node(pair, "redis-2").get("k") == "v")
    before = ACTIONS["inspect"].run(pair, "redis-2", {})
    assert before["role"] == "slave" and before["follows"] == "redis-1" and before["master_link_status"] == "up"
    out = ACTIONS["promote"].run(pair, "redis-2", {})
    assert out == {"role": "master"}
    after = ACTIONS["inspect"].run(pair, "redis-2", {})
    assert after["role"] == "master" and after["keys"] == 1
    clients.node(pair, "redis-2").set("written-after", "1")  # a promoted replica takes writes
