"""Benchmark 5: from nothing to every node ready (Sentinels agreeing on master, replicas and each
other; consumers in the group; API healthy), local backend. Target: <= 5 s.

    python -m bench.ready_time [--runs 5]
"""
from __future__ import annotations

import argparse
import time

from bench.common import BENCH_LAB, ROOT, quantiles, save
from lab.config import LabConfig
from lab.local import LocalLab
from lab.spec import StackSpec


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    config = LabConfig.load(ROOT / BENCH_LAB)
    if LocalLab(config).is_up():
        LocalLab(config).down()
    times, times_pair = [], []
    for spec, out in ((StackSpec(), times), (StackSpec(mysql=2), times_pair)):
        for _ in range(a.runs):
            lab = LocalLab(config, spec)
            t = time.perf_counter()
            lab.up()
            out.append(round(time.perf_counter() - t, 3))
            lab.down()
    save("ready_time", {"target_s": 5, "stack": "3 Redis, 3 Sentinels, 1 MariaDB, 1 consumer, 1 API",
                        "up_s": quantiles(times), "met": max(times) <= 5,
                        "with_mysql_replica_up_s": quantiles(times_pair)})


if __name__ == "__main__":
    main()
