"""Benchmark 9: what each client setting of README's recipe costs in steady state, with no fault:
p50/p99 of SETs through Sentinel at a fixed rate (open loop), for redis-py (the service's client,
fairbid/redis_client.py) and for ioredis 5 (the plan-stack example's client, bench/ioredis_cost.js).
The settings take effect only when something fails; this measures that they cost nothing (or what
they cost) when nothing does. Settings alternate run by run (A B, then B A), the spread is printed.

    python -m bench.client_cost [--seconds 20] [--pairs 3] [--rate 200]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import threading
import time

from redis.exceptions import RedisError

from bench.common import OUT, ROOT, bids_scenario, fresh_lab, open_loop, save
from fairbid import redis_client
from fairbid.settings import Settings

# redis-py: the service's default client against the recipe's (a total deadline per operation)
REDIS_PY = {
    "default (timeout 3 s, 3 retries)": {"FAIRBID_REDIS_TIMEOUT_S": "3", "FAIRBID_REDIS_RETRIES": "3"},
    "recipe (timeout 1 s, 5 retries, deadline 2 s)": {"FAIRBID_REDIS_TIMEOUT_S": "1", "FAIRBID_REDIS_RETRIES": "5",
                                                      "FAIRBID_REDIS_DEADLINE_S": "2"},
}
# ioredis: its defaults against the recipe's options (README, "Client settings that follow a failover")
IOREDIS = {
    "defaults": {},
    "recipe (commandTimeout 1000, maxRetriesPerRequest 1, no offline queue, failoverDetector)": {
        "commandTimeout": 1000, "maxRetriesPerRequest": 1, "enableOfflineQueue": False, "failoverDetector": True,
        "connectTimeout": 1000, "sentinelCommandTimeout": 1000, "retryCapMs": 1000},
}
NODE_MODULES = ROOT / "examples" / "plan-stack" / "node_modules"


def redis_py_run(env: dict, rate: float, seconds: float) -> dict:
    """One run of redis-py SETs: one started every 1/rate s (threads), latency per SET."""
    client = redis_client.connect(Settings.from_env(env))
    client.connection_pool.max_connections = max(client.connection_pool.max_connections, 200)
    times, failed, lock = [], [0], threading.Lock()

    def one(n: int) -> None:
        t0 = time.perf_counter()
        try:
            client.set(f"probe:py:{n}", "1")
            with lock:
                times.append((time.perf_counter() - t0) * 1000)
        except RedisError:
            with lock:
                failed[0] += 1

    open_loop(1 / rate, int(rate * seconds), one, 200)  # bounded by the run's length
    client.close()
    xs = sorted(times)
    pick = lambda q: round(xs[min(len(xs) - 1, round(q * (len(xs) - 1)))], 3) if xs else None  # noqa: E731
    return {"n": len(xs), "failed": failed[0], "p50_ms": pick(0.5), "p99_ms": pick(0.99)}


def ioredis_run(options: dict, rate: float, seconds: float) -> dict:
    res = subprocess.run(["node", str(ROOT / "bench" / "ioredis_cost.js"), json.dumps(options), str(rate), str(seconds)],
                         capture_output=True, text=True, timeout=seconds + 60)
    if res.returncode != 0:
        raise RuntimeError(f"ioredis_cost.js: {res.stderr.strip()[-500:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _spread(runs: list[dict], key: str) -> dict | None:
    xs = [r[key] for r in runs if r.get(key) is not None]
    return {"min": min(xs), "median": round(statistics.median(xs), 3), "max": max(xs)} if xs else None


def compare(settings: dict, run, pairs: int) -> dict:
    """Each setting `pairs` times, alternating (A B, B A, ...); per setting min/median/max of p50 and p99."""
    names = list(settings)
    runs: dict[str, list[dict]] = {n: [] for n in names}
    for i in range(pairs):
        for name in (names if i % 2 == 0 else names[::-1]):
            runs[name].append(run(settings[name]))
            print(name, runs[name][-1], flush=True)
    return {name: {"runs": rs, "p50_ms": _spread(rs, "p50_ms"), "p99_ms": _spread(rs, "p99_ms"),
                   "failed": sum(r["failed"] for r in rs)} for name, rs in runs.items()}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--rate", type=float, default=200)
    a = p.parse_args()
    work = OUT / "runs" / "client_cost"
    lab = fresh_lab(bids_scenario(work, "bench-client-cost", "Client settings' cost", 1, "10s", 1))
    try:
        env = lab.service_env()
        figures = {"rate_per_s": a.rate, "seconds": a.seconds, "pairs": a.pairs,
                   "redis_py": compare(REDIS_PY, lambda o: redis_py_run({**env, **o}, a.rate, a.seconds), a.pairs)}
        if NODE_MODULES.exists():
            base = {"sentinels": [{"host": h, "port": p} for h, p in lab.sentinel_addrs()],
                    "name": lab.config.master_name, "password": lab.secrets.redis or None,
                    "sentinelPassword": lab.secrets.sentinel or None}
            figures["ioredis"] = compare(IOREDIS, lambda o: ioredis_run({**base, **o}, a.rate, a.seconds), a.pairs)
        else:
            figures["ioredis"] = None
            figures["ioredis_absent"] = f"no {NODE_MODULES.relative_to(ROOT)}: `npm ci` there first (make example-up does)"
    finally:
        lab.down()
    save("client_cost", figures)


if __name__ == "__main__":
    main()
