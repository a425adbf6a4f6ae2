"""Bids: validation and the one atomic Lua script that stores a bid.

The script stores the bid, keeps the auction's highest bid and appends to the bid stream in one
step, so a failover can never leave a bid stored but not streamed (or the reverse). The
idempotency key is checked inside the same script: a retried request returns the first bid.

Durability modes: `async` acknowledges after the master's reply; `guard` is the same, with the
master configured to refuse writes without a replica (min-replicas-to-write, NOREPLICAS);
`wait` acknowledges only once `WAIT` reports that a replica holds the write (on the same
connection, right after the script: since Redis 7, WAIT does not block inside a script).
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import ResponseError

MAX_AMOUNT = 10**12
MAX_ID_LEN = 64
IDEMPOTENCY_TTL_S = 24 * 3600

STORE_BID = """
local existing = redis.call('GET', KEYS[1])
if existing then
  return {existing, 0, ''}
end
local bid_key = 'bid:' .. ARGV[1]
redis.call('HSET', bid_key, 'bidId', ARGV[1], 'auctionId', ARGV[2], 'userId', ARGV[3],
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


class BidStore:
    """Stores bids in Redis through the one script; the client brings its own retry policy."""

    def __init__(self, client: Redis, stream: str = "bid-stream", durability: str = "async",
                 wait_replicas: int = 1, wait_timeout_ms: int = 500) -> None:
        self.client = client
        self.stream = stream
        self.durability = durability
        self.wait_replicas = wait_replicas
        self.wait_timeout_ms = wait_timeout_ms
        self._script = client.register_script(STORE_BID)

    def place(self, bid: Bid, idempotency_key: str | None = None) -> StoredBid:
        """Store a bid once per idempotency key. Without a key, a fresh one makes the retry of
        this call (inside redis-py) safe too."""
        bid_id = uuid.uuid4().hex
        key = idempotency_key or f"auto:{bid_id}"
        keys = [f"idem:{key}", f"auction:{bid.auction_id}:highest", self.stream]
        args = [bid_id, bid.auction_id, bid.user_id, bid.amount, int(time.time() * 1000), IDEMPOTENCY_TTL_S]
        try:
            return self._place(keys, args)
        except (ResponseError, NotReplicated) as exc:
            if isinstance(exc, NotReplicated) or str(exc).startswith("NOREPLICAS"):
                # no replica follows this master: it may be isolated and already replaced. Drop the
                # pooled connections so the next attempt asks Sentinel where the master is now.
                self.client.connection_pool.disconnect()
            raise

    def _place(self, keys: list[str], args: list) -> StoredBid:
        if self.durability != "wait":
            res = self._script(keys=keys, args=args)
            return StoredBid(bid_id=res[0], created=bool(int(res[1])), stream_id=res[2])
        pipe = self.client.pipeline(transaction=False)  # one connection: WAIT covers the script's write
        self._script(keys=keys, args=args, client=pipe)
        pipe.execute_command("WAIT", self.wait_replicas, self.wait_timeout_ms)
        res, replicas = pipe.execute()
        if int(replicas) < self.wait_replicas:
            raise NotReplicated(res[0], int(replicas))
        return StoredBid(bid_id=res[0], created=bool(int(res[1])), stream_id=res[2])

    def highest(self, auction_id: str) -> dict[str, str]:
        return self.client.hgetall(f"auction:{auction_id}:highest")
