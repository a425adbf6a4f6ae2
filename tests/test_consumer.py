"""The stream consumer on real Redis and MariaDB: idempotent persistence, orphan claim, poison messages."""
from __future__ import annotations

import time
import uuid

import pytest

from fairbid import redis_client
from fairbid.consumer import StreamConsumer
from fairbid.persistence import BidRepository
from fairbid.settings import Settings
from lab.wait import Wait


@pytest.fixture
def make_consumer(lab):
    stream = f"test-stream-{uuid.uuid4().hex[:8]}"
    made = []

    def make(name: str, **env) -> StreamConsumer:
        base = {**lab.service_env(), "FAIRBID_STREAM": stream, "FAIRBID_GROUP": "g", "FAIRBID_CONSUMER_NAME": name,
                "FAIRBID_CLAIM_IDLE_MS": "200", "FAIRBID_CLAIM_INTERVAL_S": "0", "FAIRBID_MAX_DELIVERIES": "3",
                "FAIRBID_DEAD_LETTER_STREAM": stream + "-dead", **env}
        s = Settings.from_env(base)
        c = StreamConsumer(s, redis_client.connect(s), BidRepository(s))
        c.ensure_group()
        made.append(c)
        return c

    yield make
    for c in made:
        c.repo.close()
        c.redis.close()


def _bid_fields() -> dict[str, str]:
    return {"bidId": uuid.uuid4().hex, "auctionId": "a1", "userId": "u1", "amount": "42",
            "createdAt": str(int(time.time() * 1000))}


def _rows(lab, bid_id: str) -> int:
    conn = lab.mysql_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM bid WHERE bid_id=%s", (bid_id,))
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_the_same_message_twice_gives_one_row(lab, make_consumer):
    c = make_consumer("c1")
    fields = _bid_fields()
    sid = c.redis.xadd(c.s.stream, fields)
    c.handle(sid, fields)
    c.handle(sid, fields)  # a redelivery after a crash between commit and ack
    assert _rows(lab, fields["bidId"]) == 1
    assert c.stats.stored == 1 and c.stats.duplicates == 1


def test_an_orphan_is_claimed_by_a_second_consumer(lab, make_consumer):
    a, b = make_consumer("dead-one"), make_consumer("survivor")
    fields = _bid_fields()
    sid = a.redis.xadd(a.s.stream, fields)
    # "dead-one" reads and dies before XACK: the message stays pending under its name
    a.redis.xreadgroup("g", "dead-one", {a.s.stream: ">"}, count=10)
    before = a.redis.xpending_range(a.s.stream, "g", min="-", max="+", count=10)
    assert [(p["message_id"], p["consumer"]) for p in before] == [(sid, "dead-one")]
    assert b.read_new(block_ms=10) == 0  # the survivor does not see it as new
    # claimed once idle longer than the claim idle time (200 ms)
    Wait(timeout_s=5, interval_s=0.1).until("the orphan claimed by the survivor", lambda: b.claim_orphans() == 1)
    assert _rows(lab, fields["bidId"]) == 1
    assert b.redis.xpending_range(b.s.stream, "g", min="-", max="+", count=10) == []


def test_a_poison_message_is_dead_lettered_after_max_deliveries(make_consumer):
    c = make_consumer("c1")
    sid = c.redis.xadd(c.s.stream, {"garbage": "1"})
    good = _bid_fields()
    c.redis.xadd(c.s.stream, good)
    c.read_new(block_ms=10)  # delivery 1: poison left pending, good one stored
    assert c.stats.stored == 1 and c.stats.dead_lettered == 0
    # deliveries 2, 3 by claim once it has idled 200 ms: the third moves it aside
    Wait(timeout_s=10, interval_s=0.25).until("the poison entry dead-lettered",
                                              lambda: c.claim_orphans() >= 0 and c.stats.dead_lettered == 1)
    dead = c.redis.xrange(c.s.stream + "-dead")
    assert len(dead) == 1 and dead[0][1]["_sourceId"] == sid and "missing fields" in dead[0][1]["_error"]
    assert c.redis.xpending(c.s.stream, "g")["pending"] == 0


def test_a_mysql_failure_leaves_the_message_pending(lab, make_consumer):
    c = make_consumer("c1", FAIRBID_MYSQL_PORT="1")  # nothing listens there: every insert fails
    fields = _bid_fields()
    c.redis.xadd(c.s.stream, fields)
    c.read_new(block_ms=10)
    assert c.stats.failed == 1 and c.stats.acked == 0
    assert c.redis.xpending(c.s.stream, "g")["pending"] == 1


def test_a_consumer_killed_between_commit_and_ack_leaves_no_duplicate(lab, make_consumer):
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    survivor = make_consumer("survivor")
    stream = survivor.s.stream
    env = {**lab.service_env(), "FAIRBID_STREAM": stream, "FAIRBID_GROUP": "g", "FAIRBID_CONSUMER_NAME": "doomed",
           "FAIRBID_ACK_DELAY_MS": "5000", "FAIRBID_CLAIM_INTERVAL_S": "600"}
    doomed = subprocess.Popen([sys.executable, "-m", "fairbid.consumer"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        Wait(timeout_s=10).until("the doomed consumer in the group", lambda: any(
            c["name"] == "doomed" for c in survivor.redis.xinfo_consumers(stream, "g")))
        fields = _bid_fields()
        sid = survivor.redis.xadd(stream, fields)
        Wait(timeout_s=5, interval_s=0.02).until("the doomed consumer's commit", lambda: _rows(lab, fields["bidId"]) == 1)
        doomed.send_signal(signal.SIGKILL)  # committed to MySQL, not yet acknowledged (5 s delay)
        doomed.wait(timeout=5)
    finally:
        if doomed.poll() is None:
            doomed.kill()
    pending = survivor.redis.xpending_range(stream, "g", min="-", max="+", count=10)
    assert [(p["message_id"], p["consumer"]) for p in pending] == [(sid, "doomed")]
    Wait(timeout_s=5, interval_s=0.1).until("the orphan claimed once idle", lambda: survivor.claim_orphans() == 1)
    assert _rows(lab, fields["bidId"]) == 1 and survivor.stats.duplicates == 1 and survivor.stats.stored == 0
    assert survivor.redis.xpending(stream, "g")["pending"] == 0


def test_a_deleted_group_is_recreated_and_its_redeliveries_absorbed(make_consumer, lab):
    """What a failover to a replica that never saw the group does (NOGROUP): the consumer creates the
    group again from the stream's start; every entry comes again and the UNIQUE bid_id stores each once."""
    c = make_consumer("c1")
    bids = [_bid_fields() for _ in range(5)]
    for fields in bids:
        c.redis.xadd(c.s.stream, fields)
    assert c.step(block_ms=100) == 5 and c.stats.stored == 5
    c.redis.xgroup_destroy(c.s.stream, "g")
    c.step(block_ms=100)  # NOGROUP, answered by recreating the group
    assert c.stats.groups_recreated == 1
    assert any(g["name"] == "g" for g in c.redis.xinfo_groups(c.s.stream))
    c.step(block_ms=100)
    assert c.stats.duplicates == 5 and c.stats.stored == 5  # delivered twice, stored once
    assert [_rows(lab, f["bidId"]) for f in bids] == [1] * 5
    assert c.redis.xpending(c.s.stream, "g")["pending"] == 0
