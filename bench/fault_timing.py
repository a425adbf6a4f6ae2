"""Benchmark 2: delay between a fault's scheduled offset and its applied time, over many faults
under load (a replica paused 300 ms every second). Target: median <= 50 ms, max <= 200 ms.

    python -m bench.fault_timing [--faults 36]
"""
from __future__ import annotations

import argparse

import runfiles as rf
from bench.common import OUT, quantiles, run_scenario, save


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--faults", type=int, default=36)
    a = p.parse_args()
    doc = {
        "id": "bench-fault-timing", "title": "Fault timing under load", "plan_step": "bench",
        "load": {"users": 50, "spawn_rate": 50, "run_time": f"{a.faults + 15}s", "rate_per_user": 5},
        "faults": [{"at": f"{5 + i}s", "action": "pause", "target": "redis-3", "duration": "300ms"}
                   for i in range(a.faults)],
        "checks": [{"metric": "faults_failed", "equals": 0}],
    }
    run = run_scenario(doc, OUT / "runs")
    journal = rf.read_journal(run)
    delays = [e.delay_ms for e in journal if isinstance(e, rf.Applied)]
    healed = {e.fault: e.healed_ms for e in journal if isinstance(e, rf.Healed)}
    applied = {e.fault: e.applied_ms for e in journal if isinstance(e, rf.Applied)}
    held = [healed[f] - applied[f] for f in applied if f in healed]
    q = quantiles(delays)
    summary = rf.Summary.load(run)
    save("fault_timing", {"run": str(run), "faults": len(delays), "delay_ms": q,
                          "target": "median <= 50 ms, max <= 200 ms", "met": q["median"] <= 50 and q["max"] <= 200,
                          "pause_held_ms": quantiles(held), "requests_per_s": summary.metrics["requests_per_s"]})


if __name__ == "__main__":
    main()
