"""Benchmark 4: bids/s end to end (API -> Redis -> stream -> MySQL) on 2 cores as the offered load
steps up; the knee where p95 latency doubles; CPU per process at each step; and, against the same
targets, what wrk (HTTP) and redis-benchmark (Redis) reach, to show how far Locust is from the
machine's limit.

    python -m bench.capacity [--steps 10,25,50,100,150] [--seconds 20]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.common import OUT, ROOT, bids_scenario, cpu_seconds, fresh_lab, locust_cmd, save

RATE_PER_USER = 10


def _rows(lab) -> int:
    conn = lab.mysql_connect(monitor=True)
    with conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM bid")
        n = cur.fetchone()[0]
    conn.close()
    return n


def _step(lab, path: Path, users: int, seconds: int, work: Path) -> dict:
    prefix = Path(tempfile.mkdtemp(dir=work)) / "locust"
    pids = {n: lab.pid(n) for n in lab.node_names()}
    rows0 = _rows(lab)
    cmd = locust_cmd(path, users, seconds, prefix, ["--bare"])
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)  # spawn and warm up, then measure CPU over the steady part
    cpu0 = {n: cpu_seconds(p) for n, p in {**pids, "locust": child.pid}.items()}
    t0 = time.monotonic()
    time.sleep(max(1, seconds - 5))
    cpu1 = {n: cpu_seconds(p) for n, p in {**pids, "locust": child.pid}.items()}
    dt = time.monotonic() - t0
    child.wait(timeout=120)
    time.sleep(2)  # let the consumer catch up before counting rows
    rows1 = _rows(lab)
    stats = pd.read_csv(f"{prefix}_stats.csv")
    agg = stats[stats["Name"] == "Aggregated"].iloc[0]
    cpu = {n: round((cpu1[n] - cpu0[n]) / dt * 100, 1) for n in cpu0}
    return {"users": users, "offered_per_s": users * RATE_PER_USER, "requests_per_s": round(float(agg["Requests/s"]), 1),
            "failures_per_s": round(float(agg["Failures/s"]), 2), "p50_ms": float(agg["50%"]),
            "p95_ms": float(agg["95%"]), "persisted_per_s": round((rows1 - rows0) / seconds, 1),
            "cpu_percent": dict(sorted(cpu.items(), key=lambda kv: -kv[1])[:6])}


def _wrk(lab, seconds: int) -> dict | None:
    if shutil.which("wrk") is None and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if shutil.which("wrk") is None:
        return None
    out = subprocess.run(["wrk", "-t2", "-c50", f"-d{seconds}s", "-s", str(ROOT / "bench" / "bid.lua"),
                          "--latency", lab.url("api")], capture_output=True, text=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests_per_s": float(rps.group(1)) if rps else None, "p99": p99.group(1) if p99 else None,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def _redis_benchmark(lab) -> dict:
    host, port = lab.address(lab.master())
    # redis-benchmark reads no REDISCLI_AUTH (redis-cli does): the lab's generated password goes in -a,
    # seen by this machine's `ps` for the seconds the benchmark runs
    auth = ["-a", lab.secrets.redis] if lab.secrets.redis else []  # (7.0 has no --no-auth-warning)
    out = subprocess.run(["redis-benchmark", "-h", host, "-p", str(port), *auth, "-c", "50", "-n", "200000", "-t", "set",
                          "-q"], capture_output=True, text=True).stdout
    m = re.search(r"SET: ([\d.]+) requests per second", out.replace("\r", "\n"))
    return {"set_per_s": float(m.group(1)) if m else None}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--steps", default="10,25,50,100,150")
    p.add_argument("--seconds", type=int, default=20)
    a = p.parse_args()
    work = OUT / "runs" / "capacity"
    path = bids_scenario(work, "bench-capacity", "Capacity", 10, "20s", RATE_PER_USER)
    lab = fresh_lab(path)
    try:
        steps = [_step(lab, path, int(u), a.seconds, work) for u in a.steps.split(",")]
        for s in steps:
            print(s, flush=True)
        wrk = _wrk(lab, a.seconds)
        rb = _redis_benchmark(lab)
    finally:
        lab.down()
    base = steps[0]["p95_ms"]
    knee = next((s for s in steps if s["p95_ms"] >= 2 * base), None)
    best = max(steps, key=lambda s: s["requests_per_s"])
    save("capacity", {"steps": steps, "knee": knee and {"users": knee["users"], "requests_per_s": knee["requests_per_s"],
                                                         "p95_ms": knee["p95_ms"]},
                      "max_locust_requests_per_s": best["requests_per_s"], "wrk_same_api": wrk,
                      "redis_benchmark_master": rb})


if __name__ == "__main__":
    main()
