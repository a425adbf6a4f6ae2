"""Benchmark 8: Locust distributed. Bids/s as fast as the users can go with one Locust process and
with 1 and N worker processes side by side, CPU seconds of every process of the load and of the
stack's API and Redis master (on a 2-core machine they share the cores: the figure means nothing
without them), and the message path: rows per second each worker relays to the master.

    python -m bench.distributed [--seconds 30] [--users 50] [--workers 2]

Every run is the harness in full (request log, history, observers, verification), so each one
also checks Locust's own request count against the rows that reached the master.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

import runfiles as rf
from bench.common import OUT, ROOT, bids_scenario, cpu_seconds, fresh_lab, locust_cmd, save
from harness.workers import master_args, worker_command
from lab.local import LocalLab


class _Timed(subprocess.Popen):
    """A Popen whose wait() keeps the child's CPU seconds (os.wait4): /proc loses them at its exit."""

    cpu_s: float | None = None

    def _try_wait(self, wait_flags):
        try:
            pid, sts, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.cpu_s = round(usage.ru_utime + usage.ru_stime, 2)
        return pid, sts


def _cpu_s(proc: _Timed, timeout_s: float) -> float | None:
    proc.wait(timeout=timeout_s)
    return proc.cpu_s


def one(path: Path, work: Path, users: int, seconds: int, workers: int, lab: LocalLab) -> dict:
    host, port = lab.config.locust_master
    prefix = Path(tempfile.mkdtemp(dir=work)) / "locust"
    cmd = locust_cmd(path, users, seconds, prefix, master_args(workers, host, port) if workers else [])
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(work)}
    stack = {name: lab.pid(name) for name in ("api", lab.master())}
    stack_before = {name: cpu_seconds(pid) for name, pid in stack.items()}
    before = set(work.glob("*-bench-distributed"))
    master = _Timed(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [_Timed(worker_command(host, port), cwd=tempfile.mkdtemp(dir=work), stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL) for _ in range(workers)]
    cpu = {"master" if workers else "locust": _cpu_s(master, seconds + 300)}
    for i, proc in enumerate(procs):
        cpu[f"worker {i + 1}"] = _cpu_s(proc, 60)
    cpu.update({f"stack {name}": round(cpu_seconds(pid) - stack_before[name], 2) for name, pid in stack.items()})
    run = next(iter(set(work.glob("*-bench-distributed")) - before))
    summary, meta = rf.Summary.load(run), rf.RunMeta.load(run)
    stats = pd.read_csv(f"{prefix}_stats.csv")
    rps = float(stats[stats["Name"] == "Aggregated"].iloc[0]["Requests/s"])
    span_s = (meta.test_stop_ms - meta.test_start_ms) / 1000
    relay = {name: round((w["received"]["requests"] + w["received"]["history"]) / span_s, 1)
             for name, w in (meta.workers or {}).items()}
    return {"workers": workers, "bids_per_s": round(rps, 1), "cpu_s": cpu, "cpu_percent_of_run": {
        k: round(v / span_s * 100, 1) for k, v in cpu.items()}, "rows_per_s_relayed": relay or None,
        "locust_requests": summary.metrics["locust_requests"], "request_log_gap": summary.metrics["request_log_gap"],
        "workers_complete": (all(w["complete"] for w in meta.workers.values()) if meta.workers else None),
        "run": run.name}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    work = OUT / "runs" / "distributed"
    path = bids_scenario(work, "bench-distributed", "Locust distributed", a.users, f"{a.seconds}s", 40)
    lab = fresh_lab(path)
    try:
        rows = [one(path, work, a.users, a.seconds, n, lab) for n in sorted({0, 1, a.workers})]
    finally:
        lab.down()
    save("distributed", {"users": a.users, "seconds": a.seconds, "cpus": os.cpu_count(), "runs": rows,
                         "gap_target": 0.001, "met": all(r["request_log_gap"] is not None and r["request_log_gap"] <= 0.001
                                                        for r in rows)})


if __name__ == "__main__":
    main()
