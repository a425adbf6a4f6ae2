"""Metrics of one run, by name (DESIGN.md), from the run files only.

One wall clock: the fault journal, the Sentinel events and the request log are all stamped by
time.time() on this machine, so their differences need no clock alignment.
"""
from __future__ import annotations

import pandas as pd

from analysis.load import Run

DISRUPTIVE = ("kill", "pause", "cut")

METRICS = (
    "failover_s", "detect_s", "odown_s", "error_window_s", "recovery_s", "error_rate", "failed_requests",
    "total_requests", "requests_per_s", "p50_ms", "p95_ms", "p99_ms", "acked_writes", "acked_bids",
    "acked_sets", "unknown_writes", "lost_acked_writes", "lost_in_redis", "lost_in_mysql", "lost_sets",
    "duplicate_rows", "pending_at_end", "dead_letters", "fault_delay_ms", "faults_applied", "faults_failed",
    "faults_unhealed", "settled_after_heal", "first_error_s", "last_error_s", "error_window_bids_s",
    "error_window_redis_s",
)


def primary_fault(run: Run) -> dict | None:
    """The first disruptive fault that was really applied: the zero of every time metric."""
    applied = [f for f in run.faults if f.get("event") == "applied" and f.get("action") in DISRUPTIVE]
    return min(applied, key=lambda f: f["applied_ms"]) if applied else None


def _first_event(events: pd.DataFrame, name: str, after_ms: float, master_only: bool = False) -> float | None:
    sel = events[(events["event"] == name) & (events["t_ms"] >= after_ms)]
    if master_only:
        sel = sel[sel["data"].astype(str).str.startswith("master ")]
    return float(sel["t_ms"].min()) if len(sel) else None


def error_window(req: pd.DataFrame, fault_ms: float) -> dict:
    """From the per-request log: failures of requests still running at or after the fault."""
    fails = req[(~req["ok"]) & (req["end_ms"] >= fault_ms)]
    if not len(fails):
        return {"error_window_s": 0.0, "recovery_s": 0.0, "first_error_s": None, "last_error_s": None}
    first, last_start, last_end = fails["start_ms"].min(), fails["start_ms"].max(), fails["end_ms"].max()
    after = req[req["ok"] & (req["start_ms"] >= last_start)]
    recovered = after["end_ms"].min() if len(after) else None
    return {
        "error_window_s": round((last_end - first) / 1000, 3),
        "recovery_s": round((recovered - fault_ms) / 1000, 3) if recovered is not None else None,
        "first_error_s": round((first - fault_ms) / 1000, 3),
        "last_error_s": round((last_end - fault_ms) / 1000, 3),
    }


def compute(run: Run) -> dict:
    req, m = run.requests, {}
    total = len(req)
    m["total_requests"] = total
    m["failed_requests"] = int((~req["ok"]).sum())
    m["error_rate"] = round(m["failed_requests"] / total, 5) if total else None
    span_s = (req["end_ms"].max() - req["start_ms"].min()) / 1000 if total else 0
    m["requests_per_s"] = round(total / span_s, 1) if span_s > 0 else None
    lat = req["response_time_ms"].astype(float)
    for q in (50, 95, 99):
        m[f"p{q}_ms"] = round(float(lat.quantile(q / 100)), 1) if total else None

    fault = primary_fault(run)
    applied = [f for f in run.faults if f.get("event") == "applied"]
    m["faults_applied"] = len(applied)
    m["faults_failed"] = sum(1 for f in run.faults if f.get("event") in ("failed", "heal_failed"))
    healed = {f["fault"] for f in run.faults if f.get("event") == "healed"}
    m["faults_unhealed"] = sum(1 for f in applied if f["fault"] not in healed and f["action"] in DISRUPTIVE)
    m["fault_delay_ms"] = round(max(f["delay_ms"] for f in applied), 1) if applied else None
    if fault is not None:
        t0 = fault["applied_ms"]
        ev = run.events
        for key, name, master_only in (("detect_s", "+sdown", True), ("odown_s", "+odown", True),
                                       ("failover_s", "+switch-master", False)):
            t = _first_event(ev, name, t0, master_only)
            m[key] = round((t - t0) / 1000, 3) if t is not None else None
        m.update(error_window(req, t0))
        for kind, label in (("POST", "bids"), ("redis", "redis")):
            sub = req[req["request_type"] == kind] if kind == "POST" else req[req["request_type"] != "POST"]
            m[f"error_window_{label}_s"] = error_window(sub, t0)["error_window_s"] if len(sub) else None
    else:
        for key in ("detect_s", "odown_s", "failover_s", "error_window_s", "recovery_s", "first_error_s",
                    "last_error_s", "error_window_bids_s", "error_window_redis_s"):
            m[key] = None

    h = run.history
    ok = h[h["outcome"] == "ok"] if len(h) else h
    m["acked_bids"] = int((ok["op"] == "bid").sum()) if len(h) else 0
    m["acked_sets"] = int((ok["op"] == "set").sum()) if len(h) else 0
    m["acked_writes"] = m["acked_bids"] + m["acked_sets"]
    m["unknown_writes"] = int((h["outcome"] == "unknown").sum()) if len(h) else 0

    v = run.verify
    if v.get("checked"):
        lost_redis, lost_mysql = set(v.get("missing_in_redis", [])), set(v.get("missing_in_mysql", []))
        m["lost_in_redis"] = len(lost_redis)
        m["lost_in_mysql"] = len(lost_mysql) if v.get("mysql_checked") else None
        m["lost_sets"] = len(v.get("missing_sets", []))
        m["lost_acked_writes"] = len(lost_redis | lost_mysql) + m["lost_sets"]
        m["duplicate_rows"] = v.get("duplicate_rows")
        m["pending_at_end"] = v.get("pending_at_end")
        m["dead_letters"] = v.get("dead_letters")
        m["settled_after_heal"] = v.get("settled")
    else:
        for key in ("lost_in_redis", "lost_in_mysql", "lost_sets", "lost_acked_writes", "duplicate_rows",
                    "pending_at_end", "dead_letters", "settled_after_heal"):
            m[key] = None
    return {k: m.get(k) for k in METRICS}
