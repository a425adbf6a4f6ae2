"""Control-plane confounds from a real run (two failovers, then a paused Sentinel), and the exit codes
of a run whose check fails."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, run_scenario

from analysis.load import load_run
from analysis.plots import marked_events


def test_a_paused_sentinel_tilts_and_each_failover_is_marked(tmp_path, e2e_lab_down):
    run, res = run_scenario("tests/scenarios/tilt-two-failovers.yaml", tmp_path)
    s = json.loads((run / "summary.json").read_text())
    m = s["metrics"]
    assert m["switches"] == 2, res.stdout[-2000:]
    assert m["tilt_count"] >= 1 and m["tilt_s"] > 0  # the paused Sentinel's clock jumped 4 s
    assert m["first.failover_s"] is not None and m["second.failover_s"] is not None
    marked = marked_events(load_run(run))
    assert (marked["event"] == "+switch-master").sum() == 2  # the second failover is on the plot too
    assert s["expectation"]["verdict"] in ("holds", "differs")
    assert res.returncode == (0 if s["passed"] else 1)


def test_a_failing_check_exits_non_zero_from_the_runner_and_from_headless_locust(tmp_path, e2e_lab_down):
    run, res = run_scenario("tests/scenarios/check-fails.yaml", tmp_path / "runner")
    assert res.returncode == 1, res.stdout[-2000:] + res.stderr[-2000:]
    assert "FAIL" in res.stdout and "check failed: total_requests >= 1000000000" in res.stdout
    run_dir = tmp_path / "locust-run"
    locust = subprocess.run(
        [sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "--scenario",
         "tests/scenarios/check-fails.yaml", "--lab", "tests/lab.e2e.yaml", "--run-dir", str(run_dir),
         "-u", "2", "-r", "2", "-t", "5s", "--only-summary"], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert locust.returncode == 1, locust.stderr[-2000:]
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["passed"] is False and summary["metrics"]["total_requests"] > 0
