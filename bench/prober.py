"""An independent prober: one write every few ms to Redis through Sentinel, each outcome recorded
with its own clock reading. A separate process, so it shares nothing with Locust.

    python -m bench.prober --sentinels h:p,h:p --out probe.csv --interval-ms 5 --duration-s 60 [--loops N]

With a retrying client one loop is blind while an operation retries (a failing SET can take the
whole retry budget), so it sees a later first and an earlier last failure than many clients would:
--loops N runs N loops side by side, each writing every N x interval, one write every interval in all.
"""
from __future__ import annotations

import argparse
import csv
import os
import threading
import time

from redis.exceptions import RedisError

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
    p.add_argument("--loops", type=int, default=1)
    a = p.parse_args()
    passwords = {k: v for k, v in os.environ.items() if k in ("FAIRBID_REDIS_PASSWORD", "FAIRBID_SENTINEL_PASSWORD")}
    settings = Settings.from_env({"FAIRBID_SENTINELS": a.sentinels, "FAIRBID_REDIS_TIMEOUT_S": str(a.timeout_s),
                                  "FAIRBID_REDIS_RETRIES": str(a.retries),
                                  "FAIRBID_REDIS_BACKOFF_CAP_S": str(a.backoff_cap_s), **passwords})
    client = redis_client.connect(settings)
    end = time.monotonic() + a.duration_s
    period_s = a.interval_ms * a.loops / 1000
    lock = threading.Lock()
    with open(a.out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t_start_ms", "t_end_ms", "ok", "error"])

        def loop(i: int) -> None:
            time.sleep(i * a.interval_ms / 1000)  # staggered: the loops' writes interleave
            n = 0
            while time.monotonic() < end:  # bounded by --duration-s
                t0 = time.time()
                try:
                    client.set(f"probe:{i}:{n}", "1")
                    ok, err = 1, ""
                except RedisError as exc:
                    ok, err = 0, f"{type(exc).__name__}: {exc}"
                t1 = time.time()
                with lock:
                    w.writerow([round(t0 * 1000, 3), round(t1 * 1000, 3), ok, err])
                n += 1
                time.sleep(max(0.0, period_s - (t1 - t0)))

        threads = [threading.Thread(target=loop, args=(i,)) for i in range(a.loops)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=a.duration_s + 120)


if __name__ == "__main__":
    main()
