"""The bid-stream consumer: group `bid-group`, persist to MySQL, XACK only after the commit.

Messages a dead consumer leaves pending are taken over by the periodic XAUTOCLAIM of any live
consumer (its own failed ones included). A message delivered more than `max_deliveries` times
that still cannot be parsed is moved to a dead-letter stream, so one poison entry never blocks
the group. Run: `python -m fairbid.consumer` with the FAIRBID_* environment.
"""
from __future__ import annotations

import contextlib
import logging
import signal
import time
from dataclasses import dataclass

import pymysql
from redis import Redis
from redis.exceptions import RedisError, ResponseError

from fairbid import redis_client
from fairbid.persistence import BidRepository
from fairbid.settings import Settings

log = logging.getLogger("fairbid.consumer")
BID_FIELDS = ("bidId", "auctionId", "userId", "amount", "createdAt")


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


class StreamConsumer:
    """One member of the consumer group. `step()` does one bounded round of work, so tests and
    the process loop drive it the same way."""

    def __init__(self, settings: Settings, redis: Redis, repo: BidRepository) -> None:
        self.s = settings
        self.redis = redis
        self.repo = repo
        self.stats = ConsumerStats()
        self._last_claim = 0.0

    def ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(self.s.stream, self.s.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def handle(self, stream_id: str, fields: dict[str, str], deliveries: int = 1) -> None:
        """Persist then ack one message; leave it pending if MySQL fails."""
        try:
            bid = parse_entry(fields)
        except PoisonMessage as exc:
            if deliveries >= self.s.max_deliveries:
                self.redis.xadd(self.s.dead_letter_stream, {**fields, "_sourceId": stream_id, "_error": str(exc)})
                self.redis.xack(self.s.stream, self.s.group, stream_id)
                self.stats.dead_lettered += 1
                log.error("dead-lettered %s after %d deliveries: %s", stream_id, deliveries, exc)
            else:
                log.warning("poison message %s (delivery %d): %s", stream_id, deliveries, exc)
            return
        try:
            inserted = self.repo.save(bid, stream_id, self.s.consumer_name)
        except pymysql.MySQLError as exc:
            self.stats.failed += 1
            log.error("persist failed for %s, left pending: %s", stream_id, exc)
            return
        if inserted:
            self.stats.stored += 1
        else:
            self.stats.duplicates += 1
            log.info("bid %s already stored (redelivery of %s)", bid["bidId"], stream_id)
        if self.s.ack_delay_ms:
            time.sleep(self.s.ack_delay_ms / 1000)
        self.redis.xack(self.s.stream, self.s.group, stream_id)
        self.stats.acked += 1

    def read_new(self, block_ms: int = 1000, count: int = 100) -> int:
        reply = self.redis.xreadgroup(self.s.group, self.s.consumer_name, {self.s.stream: ">"},
                                      count=count, block=block_ms)
        n = 0
        for _stream, entries in reply or []:
            for stream_id, fields in entries:
                self.handle(stream_id, fields)
                n += 1
        return n

    def recover_own_pending(self, count: int = 100, max_rounds: int = 1000) -> int:
        """After a restart under the same name: re-handle what this consumer read but never acked."""
        start, n = "0", 0
        for _ in range(max_rounds):
            reply = self.redis.xreadgroup(self.s.group, self.s.consumer_name, {self.s.stream: start}, count=count)
            entries = reply[0][1] if reply else []
            if not entries:
                break
            for stream_id, fields in entries:
                if fields:
                    self.handle(stream_id, fields)
                    n += 1
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
            if entries:
                counts = self._delivery_counts([e[0] for e in entries])
                for stream_id, fields in entries:
                    if fields is None:  # deleted meanwhile
                        continue
                    claimed += 1
                    self.handle(stream_id, fields, counts.get(stream_id, 1))
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
        now = time.monotonic()
        n = 0
        if now - self._last_claim >= self.s.claim_interval_s:
            self._last_claim = now
            n += self.claim_orphans()
        return n + self.read_new(block_ms=block_ms)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    consumer = StreamConsumer(settings, redis_client.connect(settings), BidRepository(settings))
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("consumer %s starting on %s/%s", settings.consumer_name, settings.stream, settings.group)
    while running:
        try:
            consumer.ensure_group()
            consumer.recover_own_pending()
            break
        except RedisError as exc:
            log.error("cannot create group yet: %s", exc)
            time.sleep(0.5)
    while running:
        try:
            consumer.step()
        except ResponseError as exc:
            log.error("redis refused: %s", exc)
            if "NOGROUP" in str(exc):  # a failover to a replica that never saw the group
                with contextlib.suppress(RedisError):
                    consumer.ensure_group()
            time.sleep(0.2)
        except RedisError as exc:
            log.error("redis error, retrying: %s: %s", type(exc).__name__, exc)
            time.sleep(0.2)
    consumer.repo.close()
    log.info("consumer stopped: %s", consumer.stats)


if __name__ == "__main__":
    main()
