"""Benchmark 3: what the harness costs the load generator. Locust requests/s against the same API,
same users, as fast as they can go: bare (no per-request log, history, observers, monitor) and
full (a scenario with no fault). Target: full <= 5 % below bare.

    python -m bench.overhead [--seconds 30] [--users 50] [--pairs 2]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from bench.common import BENCH_LAB, OUT, ROOT, save
from harness import scenario as scenarios
from lab.config import LabConfig
from lab.local import LocalLab


def _rps(prefix: Path) -> float:
    stats = pd.read_csv(f"{prefix}_stats.csv")
    agg = stats[stats["Name"] == "Aggregated"].iloc[0]
    return float(agg["Requests/s"])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--pairs", type=int, default=2)
    a = p.parse_args()
    work = OUT / "runs" / "overhead"
    work.mkdir(parents=True, exist_ok=True)
    doc = {"id": "bench-overhead", "title": "Harness overhead", "plan_step": "bench",
           "load": {"users": a.users, "spawn_rate": a.users, "run_time": f"{a.seconds}s", "rate_per_user": 40,
                    "redis_weight": 0},  # bids only: the end-to-end path the harness is there for
           "checks": [{"metric": "faults_failed", "equals": 0}]}
    path = work / "bench-overhead.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    sc = scenarios.load(str(path))
    lab = LocalLab(LabConfig.load(ROOT / BENCH_LAB), sc.stack)
    if lab.is_up():
        lab.down()
    lab.up()
    figures: dict[str, list[float]] = {"bare": [], "full": []}
    try:
        for i in range(a.pairs):
            for mode in ("bare", "full"):
                prefix = Path(tempfile.mkdtemp(dir=work)) / "locust"
                cmd = [sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "--scenario", str(path),
                       "--lab", BENCH_LAB, "-u", str(a.users), "-r", str(a.users), "-t", f"{a.seconds}s",
                       "--csv", str(prefix), "--only-summary"]
                if mode == "bare":
                    cmd.append("--bare")
                env = {**os.environ, "FAIRBID_HA_RESULTS": str(work)}
                subprocess.run(cmd, cwd=ROOT, env=env, timeout=a.seconds + 300, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                figures[mode].append(round(_rps(prefix), 1))
    finally:
        lab.down()
    bare, full = sum(figures["bare"]) / a.pairs, sum(figures["full"]) / a.pairs
    cost = round((bare - full) / bare * 100, 2)
    save("overhead", {"users": a.users, "seconds": a.seconds, "requests_per_s": figures,
                      "mean_bare": round(bare, 1), "mean_full": round(full, 1), "cost_percent": cost,
                      "target_percent": 5, "met": cost <= 5})


if __name__ == "__main__":
    main()
