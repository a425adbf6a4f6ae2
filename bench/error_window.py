"""Benchmark 1: the error window of a master kill, three ways, in one run: from the per-request log
(what the reports use), from Locust's 1 s CSV history, and from an independent prober process
writing every 5 ms with the same client settings. Target: report within 50 ms of the prober.

    python -m bench.error_window [--workers N] [--scenario redis-4]

With --workers the load is Locust distributed (a master and N worker processes); with --scenario a
catalog scenario runs instead of the bench's own (the prober takes its client settings).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

import runfiles as rf
from bench.common import BENCH_LAB, OUT, ROOT, run_scenario, save
from harness import scenario as scenarios
from lab.config import LabConfig
from lab.secrets import LabSecrets


def window(fails: pd.DataFrame, start: str, end: str) -> float | None:
    return round(float(fails[end].max() - fails[start].min()) / 1000, 3) if len(fails) else None


def figures(run: Path, probe_csv: Path) -> dict:
    """The three windows from the files of one run (the prober's own file beside them)."""
    summary, meta = rf.Summary.load(run), rf.RunMeta.load(run)
    fault = next(r for r in rf.read_journal(run) if isinstance(r, rf.Applied))
    t0, stop = fault.applied_ms, meta.test_stop_ms  # the prober also ran before and after the test
    probe = pd.read_csv(probe_csv)
    probe_fails = probe[(probe["ok"] == 0) & (probe["t_end_ms"] >= t0) & (probe["t_start_ms"] < stop)]
    hist = pd.read_csv(run / "locust_stats_history.csv")
    redis_rows = hist[(hist["Type"] == "redis") & (hist["Name"] == "SET")].sort_values("Timestamp")
    failed_seconds = redis_rows[redis_rows["Total Failure Count"].diff() > 0]["Timestamp"]
    csv_window = float(failed_seconds.max() - failed_seconds.min() + 1) if len(failed_seconds) else None
    ours = summary.metrics["error_window_redis_s"]
    prober_window = window(probe_fails, "t_start_ms", "t_end_ms")
    diff_ms = round(abs(ours - prober_window) * 1000, 1) if ours is not None and prober_window is not None else None
    return {**edges(run, t0, stop, probe_fails),
        "run": str(run), "failover_s": summary.metrics["failover_s"],
        "window_from_request_log_s": ours, "window_from_prober_s": prober_window,
        "window_from_locust_1s_csv_s": csv_window, "difference_ms": diff_ms, "target_ms": 50,
        "met": bool(diff_ms is not None and diff_ms <= 50), "prober_writes": len(probe),
        "prober_failures_in_test": len(probe_fails), "http_window_s": summary.metrics["error_window_bids_s"],
    }


def edges(run: Path, t0: float, stop: float, probe_fails: pd.DataFrame) -> dict:
    """Each edge of the window from both sides (ms after the fault), and how finely the load's own
    Redis SETs sample it: the gap to the SET started just before the first failure and just after
    the last failing one. No measurement from the load's requests is finer than that gap."""
    req = pd.read_csv(run / "requests.csv", keep_default_na=False, na_values=[""])
    sets = req[(req["request_type"] == "redis") & (req["name"] == "SET")].copy()
    sets["start"] = sets["timestamp"] * 1000
    sets["end"] = sets["start"] + sets["response_time_ms"]
    sets = sets.sort_values("start", ignore_index=True)
    fails = sets[sets["exception"].notna() & (sets["end"] >= t0) & (sets["start"] < stop)]
    if not len(fails) or not len(probe_fails):
        return {}
    first, last = fails.index.min(), fails["end"].idxmax()
    log_first, log_last = sets.at[first, "start"] - t0, sets.at[last, "end"] - t0
    probe_first, probe_last = probe_fails["t_start_ms"].min() - t0, probe_fails["t_end_ms"].max() - t0
    return {
        "first_failure_ms": {"request_log": round(log_first, 1), "prober": round(probe_first, 1)},
        "last_failure_end_ms": {"request_log": round(log_last, 1), "prober": round(probe_last, 1)},
        "request_log_sampling_gap_ms": {
            "first": round(sets.at[first, "start"] - sets.at[first - 1, "start"], 1) if first > 0 else None,
            "last": round(sets.at[last + 1, "start"] - sets.at[last, "start"], 1) if last + 1 < len(sets) else None},
    }


def _passwords(config: LabConfig) -> dict[str, str]:
    """The lab's Redis and Sentinel passwords, for the prober (it reads them from its environment)."""
    secrets = LabSecrets.for_lab(config)
    return {"FAIRBID_REDIS_PASSWORD": secrets.redis, "FAIRBID_SENTINEL_PASSWORD": secrets.sentinel}


DOC = {
    "id": "bench-error-window", "title": "Error window, three ways", "plan_step": "bench",
    "stack": {"sentinel": {"down_after_ms": 2000, "failover_timeout_ms": 10000}},
    "client": {"timeout_s": 1, "retries": 0},
    # 40 Redis users: their SETs start about every 5 ms, so the log samples each edge as finely as the
    # prober (8 users left 40-65 ms gaps at the edges, and the window could not be checked to 50 ms)
    "load": {"users": 80, "spawn_rate": 80, "run_time": "40s", "rate_per_user": 5, "bid_weight": 1, "redis_weight": 1},
    "faults": [{"at": "15s", "action": "kill", "target": {"role": "master"}}],
    "checks": [{"metric": "faults_failed", "equals": 0}],
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--from-run", default=None, help="figures again from a run's files")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--scenario", default=None, help="a catalog scenario instead of the bench's own")
    a = p.parse_args()
    name = "error_window" + (f"_{a.scenario}" if a.scenario else "") + (f"_workers{a.workers}" if a.workers else "")
    if a.from_run:  # figures again from a run's own files (the prober's is kept in the run)
        run = Path(a.from_run)
        save(name, record(run, run / "prober.csv", a.workers, a.scenario))
        return
    config = LabConfig.load(ROOT / BENCH_LAB)
    if a.scenario:
        sc = scenarios.load(a.scenario)
        client, run_s, what = sc.redis_client, sc.load.run_time_s, str(sc.path)
    else:
        client, run_s, what = DOC["client"], 40, DOC
    probe_csv = OUT / "runs" / f"prober-{name}.csv"
    probe_csv.parent.mkdir(parents=True, exist_ok=True)
    sentinels = ",".join(f"{h}:{config.sentinel_port}" for h in config.sentinel_hosts)
    prober = subprocess.Popen([sys.executable, "-m", "bench.prober", "--sentinels", sentinels, "--out", str(probe_csv),
                               "--interval-ms", "5", "--duration-s", str(run_s + 45),
                               "--timeout-s", str(client.get("timeout_s", 3)), "--retries", str(client.get("retries", 3)),
                               "--backoff-cap-s", str(client.get("backoff_cap_s", 0.5))],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, **_passwords(config)})
    try:
        run = run_scenario(what, OUT / "runs", extra=("--workers", str(a.workers)) if a.workers else ())
    finally:
        prober.wait(timeout=run_s + 120)
    shutil.copy(probe_csv, run / "prober.csv")
    save(name, record(run, run / "prober.csv", a.workers, a.scenario))


def record(run: Path, probe_csv: Path, workers: int, scenario: str | None) -> dict:
    summary = rf.Summary.load(run)
    load = yaml.safe_load((run / "scenario.yaml").read_text())["load"]
    bids, redis = load.get("bid_weight", 4), load.get("redis_weight", 1)
    return {**figures(run, probe_csv), "workers": workers, "scenario": scenario or DOC["id"],
            "redis_users": round(load["users"] * redis / (bids + redis)),
            "passed": summary.passed, "lost_acked_writes": summary.metrics["lost_acked_writes"],
            "locust_requests": summary.metrics.get("locust_requests"),
            "request_log_gap": summary.metrics.get("request_log_gap")}


if __name__ == "__main__":
    main()
