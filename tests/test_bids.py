"""The bid script on a real Redis master: atomic under concurrency, idempotent by key."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from fairbid.bids import Bid, BidStore
from lab.wait import Wait


def _all_replicas(lab) -> list[str]:
    """Every Redis node but the master (not Sentinel's list, which may lag behind)."""
    master = lab.master()
    return [n for n in lab.node_names() if lab.kind(n) == "redis" and n != master]


def test_concurrent_bids_keep_the_highest_and_stream_every_bid(master_client):
    stream = f"test-stream-{uuid.uuid4().hex[:8]}"
    auction = f"auc-{uuid.uuid4().hex[:8]}"
    store = BidStore(master_client, stream)
    amounts = list(range(1, 401))
    with ThreadPoolExecutor(max_workers=16) as pool:
        stored = list(pool.map(lambda a: store.place(Bid(auction, f"u{a}", a)), amounts))
    assert len({s.bid_id for s in stored}) == 400 and all(s.created for s in stored)
    top = store.highest(auction)
    assert int(top["amount"]) == 400 and top["userId"] == "u400"
    assert master_client.xlen(stream) == 400
    entries = master_client.xrange(stream)
    assert {e[1]["bidId"] for e in entries} == {s.bid_id for s in stored}
    assert all(master_client.exists(f"bid:{s.bid_id}") for s in stored[:50])


def test_one_idempotency_key_stores_one_bid_however_often_it_is_sent(master_client):
    stream = f"test-stream-{uuid.uuid4().hex[:8]}"
    store = BidStore(master_client, stream)
    key = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: store.place(Bid("auc-idem", "u1", 10), key), range(40)))
    assert len({r.bid_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert master_client.xlen(stream) == 1


def test_wait_mode_acknowledges_only_what_a_replica_holds(lab, master_client):
    from fairbid.bids import NotReplicated

    stream = f"test-stream-{uuid.uuid4().hex[:8]}"
    store = BidStore(master_client, stream, durability="wait", wait_replicas=1, wait_timeout_ms=300)
    stored = store.place(Bid("auc-wait", "u1", 5))
    assert stored.created
    replicas = _all_replicas(lab)
    for r in replicas:
        lab.pause(r)
    try:
        with pytest.raises(NotReplicated) as err:
            store.place(Bid("auc-wait", "u2", 6))
        # not acknowledged, yet on the master: the outcome is unknown to the client, not "failed"
        assert master_client.exists(f"bid:{err.value.bid_id}")
    finally:
        for r in replicas:
            lab.resume(r)


def test_an_isolated_master_refuses_bids_with_noreplicas_under_the_guard(lab, master_client):
    from redis.exceptions import ResponseError

    store = BidStore(master_client, f"test-stream-{uuid.uuid4().hex[:8]}")
    master_client.config_set("min-replicas-max-lag", 1)
    master_client.config_set("min-replicas-to-write", 1)
    replicas = _all_replicas(lab)
    for r in replicas:
        lab.pause(r)
    try:
        def refused() -> bool:  # once no replica has acknowledged for over max-lag (1 s)
            try:
                store.place(Bid("auc-guard", "u1", 5))
            except ResponseError as exc:
                return str(exc).startswith("NOREPLICAS")
            return False

        Wait(timeout_s=10, interval_s=0.25, transient=()).until("the master to refuse with NOREPLICAS", refused)
    finally:
        for r in replicas:
            lab.resume(r)
        master_client.config_set("min-replicas-to-write", 0)
        master_client.config_set("min-replicas-max-lag", 10)
    assert store.place(Bid("auc-guard", "u1", 6)).created  # and takes bids again once they are back
