"""The bid script on a real Redis master: atomic under concurrency, idempotent by key."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from fairbid.bids import Bid, BidStore


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
