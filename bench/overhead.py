"""Benchmark 3: what the harness costs the load generator, bare Locust (no per-request log, history,
observers, monitor) against the full harness (a scenario with no fault), same API, same users.

    python -m bench.overhead [--seconds 30] [--pairs 4]

Two regimes. At Locust's maximum rate (50 users as fast as they can go) the cost is the requests/s
lost. At the scenarios' rate (40 users x 5 bids/s = 200/s), where both reach the offered rate, it is
Locust-process CPU per 1,000 requests and the latency (p50/p99). A figure one can quote: the modes
alternate (bare first in one pair, full first in the next), every run starts from the same stack
state (the bids of the runs before removed from Redis, the stream and MySQL), and each figure is
read over the same steady window of the load (CPU from /proc and Locust's count, both sampled in
the bench, so start-up and the full run's analysis afterwards are outside it). min/median/max are
printed; the difference counts only where it is larger than the spread of either mode.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.common import OUT, ROOT, bids_scenario, cpu_seconds, fresh_lab, locust_cmd, save
from lab import clients
from lab.protocol import Lab, nodes_of, service_settings

REGIMES = {"max_rate": {"users": 50, "rate_per_user": 40}, "scenario_rate": {"users": 40, "rate_per_user": 5},
           "trickle": {"users": 4, "rate_per_user": 1}}
WARMUP_S = 4  # after Locust's first stats row: every user spawned and past its first requests


def reset_state(lab: Lab) -> None:
    """Every run starts where the first did: no bids in Redis, an empty stream, an empty table."""
    master = clients.master(lab, timeout=10)
    stream = service_settings(lab).stream
    for pattern in ("bid:*", "idem:*", "auction:*"):
        batch = []
        for key in master.scan_iter(match=pattern, count=5000):
            batch.append(key)
            if len(batch) >= 5000:
                master.unlink(*batch)
                batch = []
        if batch:
            master.unlink(*batch)
    master.xtrim(stream, maxlen=0, approximate=False)
    with lab.mysql_connect(timeout_s=10) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM bid")
        conn.commit()
    master.wait(len(nodes_of(lab, "redis")) - 1, 5000)  # the replicas have the deletes before the next run


def _total(history: Path) -> tuple[float, int] | None:
    """Locust's newest (timestamp, total request count) from its stats history, or None yet."""
    if not history.exists():
        return None
    rows = pd.read_csv(history)
    rows = rows[rows["Name"] == "Aggregated"]
    return (float(rows["Timestamp"].iloc[-1]), int(rows["Total Request Count"].iloc[-1])) if len(rows) else None


def one_run(path: Path, mode: str, users: int, seconds: int, work: Path) -> dict:
    """One Locust process; CPU and request count sampled at two instants inside its steady load."""
    prefix = Path(tempfile.mkdtemp(dir=work)) / "locust"
    cmd = locust_cmd(path, users, seconds, prefix, ["--bare"] if mode == "bare" else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "FAIRBID_HA_RESULTS": str(work)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    history = Path(f"{prefix}_stats_history.csv")
    try:
        deadline = time.monotonic() + 120
        while _total(history) is None and time.monotonic() < deadline:  # bounded: Locust's start
            time.sleep(0.2)
        time.sleep(WARMUP_S)
        cpu0, t0, n0 = cpu_seconds(proc.pid), time.monotonic(), _total(history)[1]
        time.sleep(seconds - WARMUP_S - 4)  # ends before Locust's own stop
        cpu1, t1, n1 = cpu_seconds(proc.pid), time.monotonic(), _total(history)[1]
    finally:
        proc.wait(timeout=seconds + 300)
    stats = pd.read_csv(f"{prefix}_stats.csv")
    agg = stats[stats["Name"] == "Aggregated"].iloc[0]
    requests = n1 - n0  # Locust's count moves once a second: the window is read as whole seconds
    return {"mode": mode, "requests_per_s": round(requests / (t1 - t0), 1),
            "cpu_s_per_1000": round((cpu1 - cpu0) / requests * 1000, 4) if requests else None,
            "cpu_percent": round((cpu1 - cpu0) / (t1 - t0) * 100, 1),
            "p50_ms": float(agg["50%"]), "p99_ms": float(agg["99%"]), "failures": int(agg["Failure Count"])}


def spread(values: list[float]) -> dict:
    return {"min": min(values), "median": round(statistics.median(values), 4), "max": max(values)}


def compare(runs: list[dict], key: str, higher_is_worse: bool) -> dict:
    """Full against bare on one figure: the medians' difference and whether it exceeds the spread."""
    bare = [r[key] for r in runs if r["mode"] == "bare"]
    full = [r[key] for r in runs if r["mode"] == "full"]
    b, f = spread(bare), spread(full)
    worse = (f["median"] - b["median"]) if higher_is_worse else (b["median"] - f["median"])
    noise = max(b["max"] - b["min"], f["max"] - f["min"])
    return {"bare": b, "full": f, "worse_by_percent": round(worse / b["median"] * 100, 2) if b["median"] else None,
            "spread": round(noise, 4), "beyond_spread": worse > noise}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--pairs", type=int, default=4)
    p.add_argument("--regimes", default=",".join(REGIMES), help="a subset of " + ", ".join(REGIMES))
    a = p.parse_args()
    regimes = {r: REGIMES[r] for r in a.regimes.split(",")}
    work = OUT / "runs" / "overhead"
    figures: dict = {"seconds": a.seconds, "pairs": a.pairs, "regimes": REGIMES}
    path = bids_scenario(work, "bench-overhead", "Harness overhead", 50, f"{a.seconds}s", 40)
    lab = fresh_lab(path)
    try:
        for regime, load in regimes.items():
            path = bids_scenario(work, "bench-overhead", "Harness overhead", load["users"], f"{a.seconds}s",
                                 load["rate_per_user"])
            runs = []
            for i in range(a.pairs):
                for mode in (("bare", "full") if i % 2 == 0 else ("full", "bare")):
                    reset_state(lab)
                    runs.append(one_run(path, mode, load["users"], a.seconds, work))
                    print(regime, runs[-1], flush=True)
            figures[regime] = {"runs": runs,
                               "requests_per_s": compare(runs, "requests_per_s", higher_is_worse=False),
                               "cpu_s_per_1000": compare(runs, "cpu_s_per_1000", higher_is_worse=True),
                               "p50_ms": compare(runs, "p50_ms", higher_is_worse=True),
                               "p99_ms": compare(runs, "p99_ms", higher_is_worse=True),
                               "cpu_percent": compare(runs, "cpu_percent", higher_is_worse=True)}
    finally:
        lab.down()
    if "trickle" in figures and "scenario_rate" in figures:
        figures["fixed_cost"] = fixed_cost(figures["trickle"], figures["scenario_rate"])
    if set(regimes) != set(REGIMES):
        save("overhead_" + "_".join(regimes), figures)  # a part of the bench: no target is judged on it
        return
    top, rated = figures["max_rate"], figures["scenario_rate"]
    figures["cost_percent"] = top["requests_per_s"]["worse_by_percent"]
    figures["cpu_more_percent"] = rated["cpu_s_per_1000"]["worse_by_percent"]
    figures["latency_beyond_spread"] = [k for k in ("p50_ms", "p99_ms") if rated[k]["beyond_spread"]]
    figures["targets"] = {"throughput_cost_percent_max": 5, "cpu_more_percent_max": 5,
                          "latency": "no p50/p99 difference beyond the spread"}
    figures["met"] = bool(figures["cost_percent"] <= 5 and figures["cpu_more_percent"] <= 5
                          and not figures["latency_beyond_spread"])
    save("overhead", figures)


def fixed_cost(trickle: dict, rated: dict) -> dict:
    """How much of the extra CPU at the scenarios' rate is paid per second whatever the load (the full
    harness's timers and observers' share of Locust's process), read at a trickle of 4 requests/s where
    the per-request part is all but gone: its extra CPU share, and that share spread over the rated
    run's requests, against the extra CPU per 1,000 requests measured there."""
    extra_cpu_s_per_s = (trickle["cpu_percent"]["full"]["median"] - trickle["cpu_percent"]["bare"]["median"]) / 100
    rate = statistics.median(r["requests_per_s"] for r in rated["runs"])
    extra_per_1000 = rated["cpu_s_per_1000"]["full"]["median"] - rated["cpu_s_per_1000"]["bare"]["median"]
    fixed_per_1000 = extra_cpu_s_per_s / rate * 1000
    return {"extra_cpu_s_per_s_at_trickle": round(extra_cpu_s_per_s, 4), "rated_requests_per_s": rate,
            "as_cpu_s_per_1000_at_rate": round(fixed_per_1000, 4), "extra_cpu_s_per_1000_at_rate": round(extra_per_1000, 4),
            "fixed_share_of_extra": round(fixed_per_1000 / extra_per_1000, 3) if extra_per_1000 > 0 else None}

if __name__ == "__main__":
    main()
