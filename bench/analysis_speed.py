"""Benchmark 7: report.py on a run of 1,000,000 request rows (target: <= 10 s).

    python -m bench.analysis_speed [--rows 1000000]
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from pathlib import Path

import runfiles as rf
from analysis.report import build
from bench.common import save


def synthesize(d: Path, rows: int) -> None:
    """A run directory shaped like a real one: a kill at 40 % of the run, errors for 6 s."""
    t0 = 1_800_000_000.0
    span = rows / 250.0  # 250 requests/s
    fault = t0 + span * 0.4
    (d / "run.json").write_text(json.dumps({
        "run_id": d.name, "scenario": "synthetic", "title": "analysis speed", "plan_step": "bench",
        "backend": "local", "config": {"stack": {"sentinel": {"down_after_ms": 5000}}, "load": {}},
        "checks": [{"metric": "failover_s", "op": "between", "expected": [5, 12]}], "test_start_ms": t0 * 1000}))
    rnd = random.Random(1)
    with open(d / "requests.csv", "w", newline="") as fh, open(d / "history.csv", "w", newline="") as hh:
        w, hw = csv.writer(fh), csv.writer(hh)
        w.writerow(rf.REQUEST_COLUMNS)
        hw.writerow(rf.HISTORY_COLUMNS)
        for i in range(rows):
            ts = t0 + i * span / rows
            failed = fault <= ts < fault + 6
            rt = rnd.uniform(1, 30)
            w.writerow([f"{ts:.6f}", "POST", "/api/bids", f"{rt:.2f}", 40, 503 if failed else 201,
                        "HTTP 503: store unavailable" if failed else ""])
            if not failed:
                key = f"{i:032x}"
                hw.writerow([f"{ts * 1000:.3f}", f"{ts * 1000 + rt:.3f}", "bid", key, "", key, "ok", 201, "", key,
                             "", 1, ""])
    (d / "faults.jsonl").write_text(json.dumps({"event": "applied", "fault": 0, "action": "kill", "target": "role:master",
                                                "node": "redis-1", "scheduled_ms": fault * 1000 - 5,
                                                "applied_ms": fault * 1000, "delay_ms": 5.0, "disruptive": True}) + "\n")
    (d / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in [
        {"t_ms": fault * 1000 + 5050, "sentinel": "s1", "event": "+sdown", "data": "master mymaster 127.0.10.1 6379"},
        {"t_ms": fault * 1000 + 6300, "sentinel": "s1", "event": "+switch-master", "data": "mymaster a 1 b 1"}]))
    (d / "verify.json").write_text(json.dumps({"checked": True, "mysql_checked": True, "missing_in_redis": [],
                                               "missing_in_mysql": [], "missing_sets": [], "duplicate_rows": 0,
                                               "pending_at_end": 0}))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "run"
        d.mkdir()
        t = time.perf_counter()
        synthesize(d, a.rows)
        made = time.perf_counter() - t
        t = time.perf_counter()
        summary = build(d)
        took = time.perf_counter() - t
    save("analysis_speed", {"rows": a.rows, "report_s": round(took, 2), "target_s": 10, "met": took <= 10,
                            "synthesis_s": round(made, 2), "failover_s": summary.metrics["failover_s"],
                            "error_window_s": summary.metrics["error_window_s"]})


if __name__ == "__main__":
    main()
