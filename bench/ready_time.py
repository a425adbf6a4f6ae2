"""Benchmark 5: from nothing to every node ready (Sentinels agreeing on master, replicas and each
other; consumers in the group; API healthy). Targets (median of 5): local <= 3 s; Docker <= 30 s
once the images exist (make docker-up builds them).

    python -m bench.ready_time [--runs 5] [--backend local|docker]
"""
from __future__ import annotations

import argparse
import statistics
import time

from bench.common import BENCH_LAB, ROOT, on_backend, quantiles, save
from harness.backends import make_lab
from lab.config import LabConfig
from lab.spec import StackSpec

TARGET_S = {"local": 3, "docker": 30}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--backend", default="local", choices=sorted(TARGET_S))
    a = p.parse_args()
    config = LabConfig.load(ROOT / BENCH_LAB)
    if make_lab(a.backend, config).is_up():
        make_lab(a.backend, config).down()
    times, times_pair = [], []
    for spec, out in ((StackSpec(), times), (StackSpec(mysql=2), times_pair)):
        for _ in range(a.runs):
            lab = make_lab(a.backend, config, spec)
            t = time.perf_counter()
            try:
                lab.up()
                out.append(round(time.perf_counter() - t, 3))
            finally:
                lab.down()
    target = TARGET_S[a.backend]
    save(on_backend("ready_time", a.backend), {
        "backend": a.backend, "target_s": target, "stack": "3 Redis, 3 Sentinels, 1 MariaDB, 1 consumer, 1 API",
        "up_s": quantiles(times), "met": statistics.median(times) <= target,
        "with_mysql_replica_up_s": quantiles(times_pair)})


if __name__ == "__main__":
    main()
