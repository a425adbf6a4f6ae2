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

from bench.common import BENCH_LAB, OUT, ROOT, bids_scenario, fresh_lab, save


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
    path = bids_scenario(work, "bench-overhead", "Harness overhead", a.users, f"{a.seconds}s", 40)
    lab = fresh_lab(path)
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
