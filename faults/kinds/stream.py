"""Actions and probes on the bid stream's consumer group: a claim by hand (XAUTOCLAIM), the pending
list (XPENDING), and an entry that can never be a bid (poison)."""
from __future__ import annotations

import redis

from bilingual import L, num
from faults import params as p
from faults.kind import Action
from lab import clients
from lab.protocol import Lab, service_settings
from lab.standin_env import StreamNames
from runfiles import BackendFacts


def _pending_by_consumer(client: redis.Redis, s: StreamNames) -> dict[str, int]:
    return {c["name"]: int(c["pending"]) for c in client.xinfo_consumers(s.stream, s.group)}


def _claim(lab: Lab, node: str, *, min_idle_ms: int = 5000) -> dict:
    """XAUTOCLAIM by hand (plan step 2-1): move every message idle over min_idle_ms to consumer `node`,
    following the cursor; the pending list per consumer before and after is the output."""
    client, s = clients.master(lab), service_settings(lab)
    try:
        before = _pending_by_consumer(client, s)
        cursor, claimed = "0-0", 0
        for _ in range(1000):
            # without JUSTID: redis-py drops the cursor from a JUSTID reply
            cursor, entries = client.xautoclaim(s.stream, s.group, node, int(min_idle_ms),
                                                start_id=cursor, count=100)[:2]
            claimed += len(entries)
            if cursor == "0-0":
                break
        return {"claimed": claimed, "before": before, "after": _pending_by_consumer(client, s)}
    finally:
        client.close()


def _pending(lab: Lab, node: str, *, entries: bool = False) -> dict:
    """XPENDING of the group: how many, whose, how often delivered (with entries: true, each one's bid)."""
    client, s = clients.master(lab), service_settings(lab)
    try:
        rows = client.xpending_range(s.stream, s.group, min="-", max="+", count=10000)
        counts = [r["times_delivered"] for r in rows]
        out = {"pending": len(rows), "by_consumer": _pending_by_consumer(client, s),
               "max_deliveries": max(counts, default=0), "redelivered": sum(1 for c in counts if c > 1)}
        if entries:  # which bids they carry, so verification can follow each across a failover
            pipe = client.pipeline(transaction=False)
            for r in rows:
                pipe.xrange(s.stream, min=r["message_id"], max=r["message_id"])
            field = lab.service.stream.id_field if lab.service.stream else "bidId"
            out["entries"] = {r["message_id"]: (got[0][1].get(field, "") if got else "")
                              for r, got in zip(rows, pipe.execute())}
        return out
    finally:
        client.close()


def _inject_poison(lab: Lab, node: str) -> dict:
    """XADD an entry that can never become a bid, to see it moved aside instead of blocking the group."""
    client = clients.master(lab)
    try:
        sid = client.xadd(service_settings(lab).stream, {"poison": "1", "note": "injected by fairbid-ha"})
        return {"stream_id": sid}
    finally:
        client.close()


def _output(rec: dict) -> dict:
    return rec.get("output") if isinstance(rec.get("output"), dict) else {}


def _claimed(rec: dict, backend: BackendFacts) -> L:
    node, claimed = rec.get("node"), num(_output(rec).get("claimed"))
    cmd = f"XAUTOCLAIM bid-stream bid-group {node} {(rec.get('params') or {}).get('min_idle_ms', 5000)} 0-0"
    return L(f"`{cmd}`, following the cursor: {claimed} claimed", f"커서를 따라가며 `{cmd}`: {claimed}건 가져옴")


def _pending_said(rec: dict, backend: BackendFacts) -> L:
    pending = num(_output(rec).get("pending"))
    return L(f"probe: XPENDING of the group ({pending} pending)", f"측정: 그룹의 XPENDING({pending}건 pending)")


def _poisoned(rec: dict, backend: BackendFacts) -> L:
    return L("`XADD` of an entry that can never be a bid (poison)", "입찰이 될 수 없는 항목(poison)을 `XADD`")


KINDS = (
    Action("claim", _claim, types={"min_idle_ms": p.integer(lo=0)}, did=_claimed),
    Action("pending", _pending, types={"entries": p.boolean()}, probe=True, did=_pending_said),
    Action("inject_poison", _inject_poison, did=_poisoned),
)
