"""Benchmark 3b: the harness's own work in Locust's process, as instructions per bid, bare against full.

    python -m bench.instructions [--pairs 2] [--seconds 45]

CPU seconds per request (bench/overhead.py) move by up to 40 % from one run to the next on these 2 shared
cores, and `perf stat` has no hardware counters here; callgrind counts the instructions a process
executes, the same for the same work whatever else the machine does. Locust runs under it (about 50
times slower, so at 20 users x 2 bids/s), instrumented only over a window inside the steady load
(`callgrind_control -i on/off`), and the bids in that window are counted by Redis itself (EVALSHA on
the master). The extra instructions of the full run are grouped by the C functions that executed
them (float formatting, the csv module, ...), which is how the cost of the run files was found.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import OUT, ROOT, bids_scenario, fresh_lab, locust_cmd, save
from bench.overhead import alternating, bids_stored, compare, wait_for_first_bid

USERS, RATE = 20, 2  # 40 bids/s: what Locust keeps up with under callgrind on one core
WARMUP_S = 8
# the C function's file (or name) decides its group; the rest is "interpreter and other"
GROUPS = (("dtoa.c", "float rounding and repr (dtoa)"), ("_csv.c", "csv module"), ("FindChar", "csv module"),
          ("fastsearch.h", "csv module"), ("malloc", "malloc/free"), ("vfprintf", "printf"),
          ("printf-", "printf"), ("pickle", "pickle"))


def _group(function: str) -> str:
    return next((name for marker, name in GROUPS if marker in function), "interpreter and other")


def by_group(out_file: Path) -> dict[str, int]:
    """Instructions executed in the window per group of C functions (callgrind_annotate's self cost)."""
    text = subprocess.run(["callgrind_annotate", "--threshold=100", str(out_file)], capture_output=True, text=True,
                          check=True, timeout=300).stdout
    groups: collections.Counter = collections.Counter()
    for line in text.split("file:function", 1)[-1].splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.+)", line)
        if m:
            groups[_group(m.group(2))] += int(m.group(1).replace(",", ""))
    return dict(groups)


def one_run(path: Path, mode: str, seconds: int, work: Path, master) -> dict:
    run = Path(tempfile.mkdtemp(dir=work))
    out = run / "callgrind.out"
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
           *locust_cmd(path, USERS, seconds + WARMUP_S + 30, run / "locust", ["--bare"] if mode == "bare" else [])]
    with open(run / "valgrind.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "FAIRBID_HA_RESULTS": str(work)},
                                stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_for_first_bid(master, 300)  # bounded: Locust starts slowly under valgrind
        time.sleep(WARMUP_S)
        subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, timeout=60, stdout=subprocess.DEVNULL)
        b0 = bids_stored(master)
        time.sleep(seconds)
        subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True, timeout=60, stdout=subprocess.DEVNULL)
        bids = bids_stored(master) - b0
    finally:
        proc.wait(timeout=seconds + 900)
    groups = by_group(out)
    total = sum(groups.values())
    return {"mode": mode, "bids": bids, "instructions": total,
            "instructions_per_bid": round(total / bids) if bids else None,
            "per_bid_by_group": {k: round(v / bids) for k, v in sorted(groups.items())} if bids else {}}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", type=int, default=2)
    p.add_argument("--seconds", type=int, default=45)
    a = p.parse_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        raise SystemExit("valgrind is not installed (scripts/install-system-deps.sh installs it)")
    work = OUT / "runs" / "instructions"
    path = bids_scenario(work, "bench-instructions", "Instructions per bid", USERS, "60s", RATE)
    lab = fresh_lab(path)

    def run(mode: str, master) -> dict:
        print(out := one_run(path, mode, a.seconds, work, master), flush=True)
        return out

    try:
        runs = alternating(lab, a.pairs, run)
    finally:
        lab.down()
    per_bid = compare(runs, "instructions_per_bid", higher_is_worse=True)
    med = lambda g, mode: statistics.median(r["per_bid_by_group"].get(g, 0) for r in runs if r["mode"] == mode)  # noqa: E731
    extra = {g: round(med(g, "full") - med(g, "bare")) for g in sorted({g for r in runs for g in r["per_bid_by_group"]})}
    save("instructions", {"users": USERS, "rate_per_user": RATE, "seconds": a.seconds, "pairs": a.pairs, "runs": runs,
                          "instructions_per_bid": per_bid, "more_percent": per_bid["worse_by_percent"],
                          "extra_per_bid_by_group": extra, "target_more_percent_max": 5,
                          "met": per_bid["worse_by_percent"] is not None and per_bid["worse_by_percent"] <= 5})


if __name__ == "__main__":
    main()
