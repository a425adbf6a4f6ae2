"""An independent prober: one write started every few ms to Redis through Sentinel, each outcome
recorded with its own clock reading. A separate process, so it shares nothing with Locust.

    python -m bench.prober --sentinels h:p,h:p --out probe.csv --interval-ms 5 --duration-s 60 [--concurrency N]

Open loop: a write starts every interval however long earlier ones take (up to --concurrency in
flight), so the prober samples the outage's edges every interval. A closed loop is blind while an
operation retries: with a retrying client, a failing SET takes the whole retry budget (0.7 s seen
with redis-4's client), the loops fail and restart together, and the last failure it saw came
0.4-0.5 s before the one Locust's spread-out users saw.
"""
from __future__ import annotations

import argparse
import csv
import os
import threading
import time

from redis.exceptions import RedisError

from bench.common import open_loop
from fairbid import redis_client
from fairbid.settings import Settings


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sentinels", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--interval-ms", type=float, default=5)
    p.add_argument("--duration-s", type=float, default=60)
    p.add_argument("--timeout-s", type=float, default=1)
    p.add_argument("--retries", type=int, default=0)
    p.add_argument("--backoff-cap-s", type=float, default=0.5)
    p.add_argument("--concurrency", type=int, default=400, help="writes in flight at most (threads)")
    a = p.parse_args()
    passwords = {k: v for k, v in os.environ.items() if k in ("FAIRBID_REDIS_PASSWORD", "FAIRBID_SENTINEL_PASSWORD")}
    settings = Settings.from_env({"FAIRBID_SENTINELS": a.sentinels, "FAIRBID_REDIS_TIMEOUT_S": str(a.timeout_s),
                                  "FAIRBID_REDIS_RETRIES": str(a.retries),
                                  "FAIRBID_REDIS_BACKOFF_CAP_S": str(a.backoff_cap_s), **passwords})
    client = redis_client.connect(settings)
    # redis-py 8 caps a pool at 100 connections: as many as writes in flight, or the prober fails itself
    client.connection_pool.max_connections = max(client.connection_pool.max_connections, a.concurrency)
    lock = threading.Lock()
    with open(a.out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t_start_ms", "t_end_ms", "ok", "error"])

        def write(n: int) -> None:
            t0 = time.time()
            try:
                client.set(f"probe:{n}", "1")
                ok, err = 1, ""
            except RedisError as exc:
                ok, err = 0, f"{type(exc).__name__}: {exc}"
            t1 = time.time()
            with lock:
                w.writerow([round(t0 * 1000, 3), round(t1 * 1000, 3), ok, err])

        period = a.interval_ms / 1000
        open_loop(period, int(a.duration_s / period), write, a.concurrency)  # bounded by --duration-s


if __name__ == "__main__":
    main()
