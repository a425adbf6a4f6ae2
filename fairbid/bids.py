"""Bids: validation and the one atomic Lua script that stores a bid.

The script stores the bid, keeps the auction's highest bid and appends to the bid stream in one
step, so a failover can never leave a bid stored but not streamed (or the reverse). The
idempotency key is checked inside the same script: a retried request returns the first bid.

Durability modes: `async` acknowledges after the master's reply; `guard` is the same, with the
master configured to refuse writes without a replica (min-replicas-to-write, NOREPLICAS);
`wait` acknowledges only once `WAIT` reports that a replica holds the write (on the same
connection, right after the script: since Redis 7, WAIT does not block inside a script).

With a RedisCluster client (FAIRBID_CLUSTER) the keys carry the bucket's hash tag (fairbid.cluster_keys)
and `wait` sends script and WAIT straight to the master of the bid's slot, retrying there itself.
"""
from __future__ import annotations

import copy
import time
import uuid
from dataclasses import dataclass

from redis import Redis
from redis.cluster import RedisCluster
from redis.exceptions import (
    AskError,
    ClusterDownError,
    ConnectionError,
    RedisClusterException,
    RedisError,
    ResponseError,
    SlotNotCoveredError,
    TimeoutError,
    TryAgainError,
)

from fairbid import cluster_keys

# what sends the cluster `wait` pipeline again: redirections (MOVED is an AskError), a cluster without
# a master for the slot, a lost node; the script is idempotent by its key, so a second run is safe
OWNER_RETRYABLE = (ConnectionError, TimeoutError, AskError, TryAgainError, ClusterDownError, SlotNotCoveredError)
MAX_AMOUNT = 10**12
MAX_ID_LEN = 64
IDEMPOTENCY_TTL_S = 24 * 3600

# KEYS: idempotency key, the auction's highest bid, the stream, the bid; every key it touches, as a
# cluster requires (the client routes by them). ARGV: bid id, auction, user, amount, created ms, TTL.
STORE_BID = """
local existing = redis.call('GET', KEYS[1])
if existing then
  return {existing, 0, ''}
end
redis.call('HSET', KEYS[4], 'bidId', ARGV[1], 'auctionId', ARGV[2], 'userId', ARGV[3],
           'amount', ARGV[4], 'createdAt', ARGV[5])
local top = tonumber(redis.call('HGET', KEYS[2], 'amount') or '-1')
if tonumber(ARGV[4]) > top then
  redis.call('HSET', KEYS[2], 'amount', ARGV[4], 'bidId', ARGV[1], 'userId', ARGV[3])
end
local sid = redis.call('XADD', KEYS[3], '*', 'bidId', ARGV[1], 'auctionId', ARGV[2],
                       'userId', ARGV[3], 'amount', ARGV[4], 'createdAt', ARGV[5])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[6])
return {ARGV[1], 1, sid}
"""


class NotReplicated(Exception):
    """The bid reached the master but no replica confirmed it in time: not acknowledged, outcome unknown."""

    def __init__(self, bid_id: str, replicas: int) -> None:
        super().__init__(f"bid {bid_id} not confirmed by a replica within the timeout ({replicas} confirmed)")
        self.bid_id = bid_id


class InvalidBid(ValueError):
    """A bid the service refuses as malformed: answered with 4xx, never stored."""


@dataclass(frozen=True)
class Bid:
    auction_id: str
    user_id: str
    amount: int


@dataclass(frozen=True)
class StoredBid:
    bid_id: str
    created: bool  # False: the idempotency key had been seen, this is the first bid's id
    stream_id: str


def _ident(body: dict, field: str) -> str:
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidBid(f"{field} must be a string or an integer")
    text = str(value).strip()
    if not text or len(text) > MAX_ID_LEN or not all(c.isalnum() or c in "-_." for c in text):
        raise InvalidBid(f"{field} must be 1-{MAX_ID_LEN} characters of letters, digits, '-', '_', '.'")
    return text


def parse_bid(body: object) -> Bid:
    """Validate a JSON body into a Bid; raises InvalidBid naming the bad field."""
    if not isinstance(body, dict):
        raise InvalidBid("body must be a JSON object")
    amount = body.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidBid("amount must be an integer")
    if not 0 < amount <= MAX_AMOUNT:
        raise InvalidBid(f"amount must be between 1 and {MAX_AMOUNT}")
    return Bid(auction_id=_ident(body, "auctionId"), user_id=_ident(body, "userId"), amount=amount)


def parse_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip()
    if not key or len(key) > 128 or not key.isascii() or not key.isprintable():
        raise InvalidBid("Idempotency-Key must be 1-128 printable ASCII characters")
    return key


def _stored(res: list) -> StoredBid:
    return StoredBid(bid_id=res[0], created=bool(int(res[1])), stream_id=res[2])


class BidStore:
    """Stores bids in Redis through the one script; the client brings its own retry policy."""

    def __init__(self, client: Redis | RedisCluster, stream: str = "bid-stream", durability: str = "async",
                 wait_replicas: int = 1, wait_timeout_ms: int = 500) -> None:
        self.client = client
        self.stream = stream
        self.durability = durability
        self.wait_replicas = wait_replicas
        self.wait_timeout_ms = wait_timeout_ms
        self.cluster = isinstance(client, RedisCluster)
        self._script = client.register_script(STORE_BID)
        if self.cluster:  # the count and backoff connect() gave the cluster client, for the `wait` pipeline
            self._owner_retry = copy.deepcopy(client.retry)
            self._owner_retry.update_supported_errors(OWNER_RETRYABLE)

    def _keys(self, bid: Bid, idempotency_key: str | None) -> tuple[str, list[str]]:
        """A new bid id and the script's KEYS. Without an idempotency key a fresh one makes the retry of
        this call (inside redis-py) safe too."""
        if self.cluster:
            return cluster_keys.bid_keys(bid.auction_id, idempotency_key, self.stream)
        bid_id = uuid.uuid4().hex
        key = idempotency_key or f"auto:{bid_id}"
        return bid_id, [f"idem:{key}", f"auction:{bid.auction_id}:highest", self.stream, f"bid:{bid_id}"]

    def place(self, bid: Bid, idempotency_key: str | None = None) -> StoredBid:
        """Store a bid once per idempotency key."""
        bid_id, keys = self._keys(bid, idempotency_key)
        args = [bid_id, bid.auction_id, bid.user_id, bid.amount, int(time.time() * 1000), IDEMPOTENCY_TTL_S]
        try:
            return self._place(keys, args)
        except (ResponseError, NotReplicated) as exc:
            if isinstance(exc, NotReplicated) or str(exc).startswith("NOREPLICAS"):
                # no replica follows this master: it may be isolated and already replaced
                self._find_master_again()
            raise

    def _find_master_again(self) -> None:
        """Drop the pooled connections, so the next attempt asks Sentinel where the master is now; in a
        cluster, read the slot map again."""
        if not self.cluster:
            self.client.connection_pool.disconnect()
            return
        try:
            self.client.nodes_manager.initialize()
        except (RedisError, RedisClusterException):
            pass  # no node answered: the old map stays, and the next try is redirected or fails by itself

    def _place(self, keys: list[str], args: list) -> StoredBid:
        if self.durability != "wait":
            return _stored(self._script(keys=keys, args=args))
        if self.cluster:
            return self._place_on_owner(keys, args)
        return self._place_waited(self.client, keys, args)

    def _place_waited(self, redis: Redis, keys: list[str], args: list, asking: bool = False) -> StoredBid:
        with redis.pipeline(transaction=False) as pipe:  # one connection: WAIT covers the script's write
            if asking:
                pipe.execute_command("ASKING")  # the slot is moving to this node: let the next command in
            self._script(keys=keys, args=args, client=pipe)
            pipe.execute_command("WAIT", self.wait_replicas, self.wait_timeout_ms)
            *_, res, replicas = pipe.execute()
        if int(replicas) < self.wait_replicas:
            raise NotReplicated(res[0], int(replicas))
        return _stored(res)

    def _place_on_owner(self, keys: list[str], args: list) -> StoredBid:
        """Cluster `wait`: WAIT counts the replicas of the node it runs on, for what its connection wrote,
        and the cluster client would send it to a node of its own choosing. So script and WAIT go in one
        pipeline on the client of the master that owns the bid's slot. On a redirection, a lost node or
        CLUSTERDOWN the slot map is read again (an ASK goes once to the node it names), then again,
        FAIRBID_REDIS_RETRIES times at most; the last error is raised."""
        asked: list = []  # the node an ASK named, for the next try only

        def attempt() -> StoredBid:
            ask = asked.pop() if asked else None
            node = ask or self.client.get_node_from_key(keys[0])
            return self._place_waited(self.client.get_redis_connection(node), keys, args, asking=ask is not None)

        def failed(error: Exception) -> None:
            if type(error) is AskError and (node := self.client.get_node(host=error.host, port=error.port)):
                asked.append(node)
            elif not isinstance(error, TryAgainError):  # TRYAGAIN: the map is right, the keys are mid-move
                self._find_master_again()

        return self._owner_retry.call_with_retry(attempt, failed)

    def highest(self, auction_id: str) -> dict[str, str]:
        if self.cluster:
            return self.client.hgetall(cluster_keys.highest_key(auction_id))
        return self.client.hgetall(f"auction:{auction_id}:highest")

    def ping(self) -> bool:
        """Is the store reachable: the master, or in a cluster every master (each owns buckets; a bare
        ping would go to one chosen node)."""
        if self.cluster:
            return self.client.ping(target_nodes=RedisCluster.PRIMARIES)
        return self.client.ping()
