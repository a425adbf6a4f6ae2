"""Locust's distributed mode on the end-to-end lab: a master and worker processes, each worker in a
working directory of its own; every row reaches the master as a message, and a worker lost mid-run
makes the run incomplete, never a pass."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from harness.workers import worker_command
from lab.config import LabConfig

ROOT = Path(__file__).resolve().parent.parent

SCENARIO = "tests/scenarios/quick-failover.yaml"
E2E = "tests/lab.e2e.yaml"


def _runner(results, workers: int, remote: int = 0) -> list[str]:
    return [sys.executable, "-m", "harness.cli", "run", SCENARIO, "--lab", E2E, "--workers", str(workers),
            *(["--remote-workers", str(remote)] if remote else [])]


def _env(results, worker_dirs) -> dict:
    return {**os.environ, "FAIRBID_HA_RESULTS": str(results), "FAIRBID_HA_WORKER_DIRS": str(worker_dirs)}


def _the_run(results):
    runs = sorted(results.glob("*-quick-failover"))
    assert len(runs) == 1, runs
    return runs[0], json.loads((runs[0] / "summary.json").read_text()), json.loads((runs[0] / "run.json").read_text())


def test_every_row_of_two_workers_reaches_the_master(tmp_path, e2e_lab_down):
    results, dirs = tmp_path / "results", tmp_path / "workers"
    res = subprocess.run(_runner(results, 2), cwd=ROOT, env=_env(results, dirs), capture_output=True, text=True,
                         timeout=300)
    run, summary, meta = _the_run(results)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert summary["passed"], summary["not_passed_because"]
    workers = meta["workers"]
    assert sorted(workers) == ["w0", "w1"]
    for name, w in workers.items():
        assert w["complete"], w
        assert w["received"] == w["declared"] and w["received"]["requests"] > 50, (name, w)
    requests = pd.read_csv(run / "requests.csv")
    history = pd.read_csv(run / "history.csv")
    assert set(requests["worker"]) == {"w0", "w1"} and set(history["worker"]) == {"w0", "w1"}
    assert len(requests) == sum(w["received"]["requests"] for w in workers.values())
    m = summary["metrics"]
    assert m["locust_requests"] == len(requests) and m["request_log_gap"] == 0  # Locust's count is the log's
    assert m["workers"] == 2 and m["lost_acked_writes"] == 0 and m["acked_bids"] > 100
    assert any(c["metric"] == "request_log_gap" and c["passed"] for c in summary["checks"])
    # the workers wrote nothing but their own log: no run file passed through their disk
    for d in sorted(dirs.iterdir()):
        assert sorted(p.name for p in d.rglob("*") if p.is_file()) == ["worker.log"], d


def test_a_worker_killed_mid_run_makes_the_run_incomplete_not_a_pass(tmp_path, e2e_lab_down):
    results, dirs = tmp_path / "results", tmp_path / "workers"
    config = LabConfig.load(ROOT / E2E)
    host, port = config.locust_master
    runner = subprocess.Popen(_runner(results, 1, remote=1), cwd=ROOT, env=_env(results, dirs),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    own = tmp_path / "remote-worker"
    own.mkdir()
    worker = subprocess.Popen(worker_command(host, port), cwd=own, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90  # the lab comes up, then the run starts: wait for its rows
        while time.monotonic() < deadline:
            found = list(results.glob("*-quick-failover/requests.csv"))
            if found and len(found[0].read_text().splitlines()) > 100:
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the distributed run never wrote its rows")
        worker.send_signal(signal.SIGKILL)  # mid-run: its last batch and count never come
        out, _ = runner.communicate(timeout=300)
    finally:
        for proc in (worker, runner):
            if proc.poll() is None:
                proc.kill()
    run, summary, meta = _the_run(results)
    assert runner.returncode != 0, out[-3000:]
    assert not summary["passed"]
    incomplete = [w for w in meta["workers"].values() if not w["complete"]]
    assert len(incomplete) == 1 and incomplete[0]["declared"] is None, meta["workers"]
    assert any(why.startswith("incomplete: ") for why in summary["not_passed_because"]), summary["not_passed_because"]
    m, absent = summary["metrics"], summary["absent"]
    for key in ("lost_acked_writes", "acked_bids", "error_window_s"):  # withheld, never 0 for free
        assert m[key] is None and absent[key].startswith("incomplete history: "), (key, m[key], absent.get(key))
