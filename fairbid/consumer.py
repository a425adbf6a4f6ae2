"""The bid-stream consumer: group `bid-group`, persist to MySQL, XACK only after the commit.

Messages a dead consumer leaves pending are taken over by the periodic XAUTOCLAIM of any live
consumer (its own failed ones included). A message delivered more than `max_deliveries` times
that still cannot be parsed is moved to a dead-letter stream, so one poison entry never blocks
the group. Run: `python -m fairbid.consumer` with the FAIRBID_* environment.

In cluster mode (FAIRBID_CLUSTER) there is one stream per bucket (fairbid.cluster_keys), and one
StreamConsumer per stream, sharing the client and the MySQL connection: XREADGROUP over several
streams is refused (CROSSSLOT) unless they share a slot. Each is stepped in turn with a short block,
so a round over all of them waits about ROUND_MS when every stream is empty.
"""
from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass, replace

import pymysql
from redis import Redis
from redis.cluster import RedisCluster
from redis.exceptions import ConnectionError, RedisClusterException, RedisError, ResponseError, TimeoutError

from fairbid import cluster_keys, redis_client
from fairbid.persistence import BidRepository
from fairbid.settings import Settings

log = logging.getLogger("fairbid.consumer")
BID_FIELDS = ("bidId", "auctionId", "userId", "amount", "createdAt")
ROUND_MS = 200  # cluster mode: the longest a round over every bucket stream blocks when all are empty


class PoisonMessage(ValueError):
    """A stream entry that can never become a bid."""


def parse_entry(fields: dict[str, str]) -> dict[str, str]:
    missing = [f for f in BID_FIELDS if not fields.get(f)]
    if missing:
        raise PoisonMessage(f"missing fields {missing}")
    try:
        int(fields["amount"]), int(fields["createdAt"])
    except ValueError as exc:
        raise PoisonMessage(f"bad number: {exc}") from None
    return {f: fields[f] for f in BID_FIELDS}


@dataclass
class ConsumerStats:
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    dead_lettered: int = 0
    claimed: int = 0
    acked: int = 0
    groups_recreated: int = 0


class StreamConsumer:
    """One member of the consumer group. `step()` does one bounded round of work, so tests and
    the process loop drive it the same way."""

    def __init__(self, settings: Settings, redis: Redis | RedisCluster, repo: BidRepository) -> None:
        self.s = settings
        self.redis = redis
        self.repo = repo
        self.stats = ConsumerStats()
        self._last_claim = 0.0

    def ensure_group(self) -> bool:
        """Create the group if it is missing; True if this call created it."""
        try:
            self.redis.xgroup_create(self.s.stream, self.s.group, id="0", mkstream=True)
            return True
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
            return False

    def recover_group(self) -> int | None:
        """After NOGROUP (a failover to a replica that never saw the group, or a group deleted by hand):
        create it again from the stream's start. Every entry is delivered again and the UNIQUE bid_id
        absorbs those already stored; the count of entries to re-read is the gap, logged. None when
        another consumer had recreated it first."""
        if not self.ensure_group():
            return None
        entries = self.redis.xlen(self.s.stream)
        self.stats.groups_recreated += 1
        log.error("group %s recreated from 0 after NOGROUP: %d entries to re-read", self.s.group, entries)
        return entries

    def handle(self, stream_id: str, fields: dict[str, str], deliveries: int = 1) -> None:
        self.handle_batch([(stream_id, fields)], {stream_id: deliveries})

    def handle_batch(self, entries: list[tuple[str, dict[str, str]]], deliveries: dict[str, int] | None = None) -> None:
        """Persist a batch in one MySQL transaction, then XACK it; on a MySQL failure leave it all pending."""
        bids, poison_acks = [], []
        for stream_id, fields in entries:
            try:
                bids.append((stream_id, parse_entry(fields)))
            except PoisonMessage as exc:
                n = (deliveries or {}).get(stream_id, 1)
                if n >= self.s.max_deliveries:
                    self.redis.xadd(self.s.dead_letter_stream, {**fields, "_sourceId": stream_id, "_error": str(exc)})
                    poison_acks.append(stream_id)
                    self.stats.dead_lettered += 1
                    log.error("dead-lettered %s after %d deliveries: %s", stream_id, n, exc)
                else:
                    log.warning("poison message %s (delivery %d): %s", stream_id, n, exc)
        if poison_acks:
            self.redis.xack(self.s.stream, self.s.group, *poison_acks)
        if not bids:
            return
        try:
            inserted = self.repo.save_many(bids, self.s.consumer_name)
        except pymysql.MySQLError as exc:
            self.stats.failed += len(bids)
            log.error("persist failed for %d messages, left pending: %s", len(bids), exc)
            return
        self.stats.stored += inserted
        if inserted < len(bids):
            self.stats.duplicates += len(bids) - inserted
            log.info("%d of %d bids were stored already (redelivery)", len(bids) - inserted, len(bids))
        if self.s.ack_delay_ms:
            time.sleep(self.s.ack_delay_ms / 1000)
        self.redis.xack(self.s.stream, self.s.group, *[sid for sid, _ in bids])
        self.stats.acked += len(bids)

    def read_new(self, block_ms: int = 1000, count: int = 100) -> int:
        reply = self.redis.xreadgroup(self.s.group, self.s.consumer_name, {self.s.stream: ">"},
                                      count=count, block=block_ms)
        entries = [e for _stream, batch in reply or [] for e in batch]
        self.handle_batch(entries)
        return len(entries)

    def recover_own_pending(self, count: int = 100, max_rounds: int = 1000) -> int:
        """Re-handle what this consumer holds unacked: after a restart under the same name, after a
        failed insert, or messages another hand moved to it with XCLAIM/XAUTOCLAIM."""
        start, n = "0", 0
        for _ in range(max_rounds):
            reply = self.redis.xreadgroup(self.s.group, self.s.consumer_name, {self.s.stream: start}, count=count)
            entries = reply[0][1] if reply else []
            if not entries:
                break
            live = [(sid, fields) for sid, fields in entries if fields]
            gone = [sid for sid, fields in entries if not fields]  # deleted from the stream meanwhile
            if gone:
                self.redis.xack(self.s.stream, self.s.group, *gone)
            if live:
                self.handle_batch(live, self._delivery_counts([sid for sid, _ in live]))
            n += len(live)
            start = entries[-1][0]
        return n

    def claim_orphans(self, max_rounds: int = 100) -> int:
        """XAUTOCLAIM every message idle longer than claim_idle_ms, following the cursor (one call
        claims at most COUNT and scans at most COUNT x 10 entries)."""
        cursor, claimed = "0-0", 0
        for _ in range(max_rounds):
            reply = self.redis.xautoclaim(self.s.stream, self.s.group, self.s.consumer_name,
                                          self.s.claim_idle_ms, start_id=cursor, count=100)
            cursor, entries = reply[0], reply[1]
            live = [(sid, fields) for sid, fields in entries if fields]  # deleted meanwhile: no fields
            if live:
                claimed += len(live)
                self.handle_batch(live, self._delivery_counts([sid for sid, _ in live]))
            if cursor == "0-0":
                break
        self.stats.claimed += claimed
        if claimed:
            log.info("claimed %d orphaned messages", claimed)
        return claimed

    def _delivery_counts(self, ids: list[str]) -> dict[str, int]:
        rows = self.redis.xpending_range(self.s.stream, self.s.group, min=ids[0], max=ids[-1],
                                         count=len(ids) + 100)
        return {r["message_id"]: r["times_delivered"] for r in rows}

    def step(self, block_ms: int = 1000) -> int:
        """One round: every claim interval, retry this consumer's own pending messages (a failed
        insert, or messages handed over by XCLAIM) and claim other consumers' orphans; then read new."""
        now = time.monotonic()
        n = 0
        try:
            if now - self._last_claim >= self.s.claim_interval_s:
                self._last_claim = now
                n += self.recover_own_pending()
                n += self.claim_orphans()
            return n + self.read_new(block_ms=block_ms)
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.recover_group()
            return n


def consumers(settings: Settings, redis: Redis | RedisCluster, repo: BidRepository) -> list[StreamConsumer]:
    """One consumer of the stream; in cluster mode one per bucket stream, with its own dead-letter stream."""
    if not settings.cluster:
        return [StreamConsumer(settings, redis, repo)]
    names = zip(cluster_keys.streams(settings.stream), cluster_keys.streams(settings.dead_letter_stream))
    return [StreamConsumer(replace(settings, stream=s, dead_letter_stream=d), redis, repo) for s, d in names]


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    repo = BidRepository(settings)
    client = redis_client.connect(settings)
    members = consumers(settings, client, repo)
    block_ms = max(1, ROUND_MS // len(members)) if settings.cluster else 1000  # BLOCK 0 would wait forever
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("consumer %s starting on %s/%s", settings.consumer_name, settings.stream, settings.group)
    if settings.cluster:
        log.info("cluster mode: %d bucket streams %s", len(members), ", ".join(m.s.stream for m in members))
    starting = list(members)
    while running and starting:
        try:
            starting[0].ensure_group()
            starting[0].recover_own_pending()
            starting.pop(0)
        except (RedisError, RedisClusterException) as exc:
            log.error("cannot create group yet: %s", exc)
            time.sleep(0.5)
    while running:
        for consumer in members:
            try:
                consumer.step(block_ms=block_ms)
            except ResponseError as exc:
                log.error("redis refused: %s", exc)
                time.sleep(0.2)
            except (RedisError, RedisClusterException) as exc:
                log.error("redis error, retrying: %s: %s", type(exc).__name__, exc)
                if settings.cluster and isinstance(exc, (ConnectionError, TimeoutError)):
                    # redis-py finds XREADGROUP's keys (movable keys) by COMMAND GETKEYS on its default node,
                    # outside its retry: a dead default node fails every read until it returns (cluster-1's
                    # first run: no stream read for 50 s after the promotion). Another primary, then.
                    client.replace_default_node()
                time.sleep(0.2)
    repo.close()
    for consumer in members:
        log.info("consumer stopped: %s", consumer.stats)


if __name__ == "__main__":
    main()
