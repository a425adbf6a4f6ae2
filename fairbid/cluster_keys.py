"""The key layout in Redis Cluster mode: every key of one bid's script in one hash slot.

A script may touch keys of one slot only, and each key it touches must be declared in KEYS (the client
routes by them). So a bid falls in one of six buckets by its auction, and the bucket's hash tag `{fbN}`
is in every key the script writes: `idem:{fbN}:KEY`, `auction:{fbN}:ID:highest`, the bid `bid:{fbN}<hex>`
(its id carries the tag, so `bid:<id>` is still the bid's key) and the stream `bid-stream:{fbN}`; the
consumer's dead letters of that stream go to `bid-stream-dead:{fbN}`.

Why a stream per bucket tag: not one per shard, because resharding moves a shard's slots (and the keys
in them) elsewhere while a tag's keys always move together; not one per auction, because the consumer
would then have to discover streams. Six fixed names, `streams(base)`, are read by every consumer.
An idempotency key counts within its auction's bucket: a retry resends the same auction, so it finds it.
The tags are chosen two in each third of the slot space, the ranges `redis-cli --cluster create` gives
three masters, so the buckets spread evenly over a 3-master cluster.
"""
from __future__ import annotations

import uuid
import zlib

from redis.crc import key_slot

THIRDS = ((0, 5461), (5461, 10923), (10923, 16384))  # the slot ranges of 3 masters
PER_THIRD = 2


def _tags() -> tuple[str, ...]:
    """Scanning fb0, fb1, ...: the first PER_THIRD tags whose slot lies in each third, in scan order."""
    kept: list[str] = []
    per_third = [0] * len(THIRDS)
    i = 0
    while len(kept) < PER_THIRD * len(THIRDS):
        tag = f"fb{i}"
        slot = key_slot(tag.encode())
        third = next(n for n, (lo, hi) in enumerate(THIRDS) if lo <= slot < hi)
        if per_third[third] < PER_THIRD:
            per_third[third] += 1
            kept.append(tag)
        i += 1
    return tuple(kept)


CLUSTER_TAGS = _tags()


def bucket(auction_id: str) -> str:
    """The hash tag of an auction's bucket: every bid of one auction lands in the same one."""
    return CLUSTER_TAGS[zlib.crc32(auction_id.encode()) % len(CLUSTER_TAGS)]


def tagged(base: str, tag: str) -> str:
    """A bucket's own copy of a shared name: bid-stream -> bid-stream:{fb3}."""
    return f"{base}:{{{tag}}}"


def streams(base: str) -> list[str]:
    """Every bucket's stream (or dead-letter stream) of one base name, in CLUSTER_TAGS order."""
    return [tagged(base, tag) for tag in CLUSTER_TAGS]


def highest_key(auction_id: str) -> str:
    return f"auction:{{{bucket(auction_id)}}}:{auction_id}:highest"


def bid_keys(auction_id: str, idempotency_key: str | None, stream: str) -> tuple[str, list[str]]:
    """A new bid id, which carries its bucket's tag, and the store script's KEYS: idempotency key, the
    auction's highest bid, the bucket's stream, the bid. Without an idempotency key, `auto:<bid id>`."""
    tag = bucket(auction_id)
    bid_id = f"{{{tag}}}{uuid.uuid4().hex}"
    key = idempotency_key or f"auto:{bid_id}"
    return bid_id, [f"idem:{{{tag}}}:{key}", highest_key(auction_id), tagged(stream, tag), f"bid:{bid_id}"]
