"""Whole runs through Locust on their own lab (tests/lab.e2e.yaml): outputs, figures, and cleanup
after a normal end, a Ctrl-C and a SIGKILL of the orchestrator."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from harness.run_spec import RunSpec
from lab import firewall, process
from lab.config import LabConfig
from lab.process import Proc
from tests.conftest import wait_for_text

ROOT = Path(__file__).resolve().parent.parent
E2E_LAB = "tests/lab.e2e.yaml"
RUN_FILES = ("locust_stats.csv", "locust_stats_history.csv", "locust_failures.csv", "locust_exceptions.csv",
             "requests.csv", "faults.jsonl", "events.jsonl", "monitor.csv", "summary.json", "report.md",
             "timeline.png", "history.csv", "verify.json", "run-spec.json")


@pytest.fixture
def results(tmp_path, monkeypatch, e2e_lab_down):
    monkeypatch.setenv("FAIRBID_HA_RESULTS", str(tmp_path))
    return tmp_path


def _state_pids() -> list[Proc]:
    state = LabConfig.load(ROOT / E2E_LAB).state_dir / "state.json"
    return [Proc(**n["proc"]) for n in json.loads(state.read_text())["nodes"].values()]


def _assert_nothing_left(pids: list[Proc]) -> None:
    assert not (LabConfig.load(ROOT / E2E_LAB).state_dir / "state.json").exists()
    assert [p.pid for p in pids if process.alive(p)] == []
    assert firewall.chain_name("e2e") not in firewall.leftover_chains()


def test_a_failover_run_writes_every_output_with_consistent_figures(failover_run):
    run, res = failover_run
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    for name in RUN_FILES:
        assert (run / name).exists(), name
    summary = json.loads((run / "summary.json").read_text())
    assert summary["passed"] and summary["backend"] == "local"
    spec = RunSpec.read(run)  # what the CLI resolved once; the Locust process and the sidecar read it there
    assert (spec.backend, Path(spec.lab), Path(spec.scenario).name) == ("local", ROOT / E2E_LAB, "quick-failover.yaml")
    assert "sidecar" not in json.loads((run / "run.json").read_text()).get("observers_not_ready", [])
    # the load as it ran: the scenario's (the CLI passes its -u, -r, -t), ended by its time limit
    as_run = json.loads((run / "run.json").read_text())["load_as_run"]
    assert (as_run["users"], as_run["stopped_by"], as_run["asked"]["source"]) == (10, "time_limit", "command_line")
    assert as_run["duration_s"] == pytest.approx(20, abs=1.5) and summary["load_as_run"] == as_run
    m = summary["metrics"]
    # failover_s is the first +switch-master minus the fault's applied time, from the raw files
    applied = next(json.loads(x) for x in (run / "faults.jsonl").read_text().splitlines() if '"applied"' in x)
    switch = min(json.loads(x)["t_ms"] for x in (run / "events.jsonl").read_text().splitlines()
                 if '"+switch-master"' in x)
    assert m["failover_s"] == round((switch - applied["applied_ms"]) / 1000, 3)
    # error_window_s is the span of failed requests in requests.csv after the fault
    req = pd.read_csv(run / "requests.csv", keep_default_na=False)
    fails = req[req["exception"] != ""]
    start, end = fails["timestamp"] * 1000, fails["timestamp"] * 1000 + fails["response_time_ms"]
    after = end >= applied["applied_ms"]
    assert len(fails[after]) == m["failed_requests"] > 0
    assert m["error_window_s"] == pytest.approx((end[after].max() - start[after].min()) / 1000, abs=0.002)
    assert m["acked_writes"] > 100 and m["lost_acked_writes"] == 0
    assert (run.parent / "index.md").read_text().count("quick-failover") >= 1
    assert firewall.chain_name("e2e") not in firewall.leftover_chains()
    assert not (LabConfig.load(ROOT / E2E_LAB).state_dir / "state.json").exists()


def _start_locust(run_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "--scenario",
         "tests/scenarios/pause-master.yaml", "--lab", E2E_LAB, "--run-dir", str(run_dir), "-u", "4", "-r", "4",
         "-t", "60s", "--only-summary"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _both_faults_applied(run_dir: Path) -> None:
    wait_for_text(run_dir / "faults.jsonl", '"event": "applied"', times=2)


def test_ctrl_c_mid_fault_heals_and_stops_the_lab(results):
    run_dir = results / "interrupted"
    child = _start_locust(run_dir)
    try:
        _both_faults_applied(run_dir)
        pids = _state_pids()
        assert any(process.paused(p) for p in pids) and firewall.Firewall("e2e").rules()
        child.send_signal(signal.SIGINT)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    journal = (run_dir / "faults.jsonl").read_text()
    assert journal.count('"healed"') == 2
    assert json.loads((run_dir / "run.json").read_text())["interrupted"] is True
    _assert_nothing_left(pids)


def test_heal_and_down_clean_up_after_the_orchestrator_is_sigkilled(results):
    run_dir = results / "killed"
    child = _start_locust(run_dir)
    try:
        _both_faults_applied(run_dir)
    finally:
        child.kill()  # SIGKILL: no hook runs, the faults stay in place
        child.wait(timeout=30)
    pids = _state_pids()
    assert any(process.paused(p) for p in pids) and firewall.Firewall("e2e").rules()
    env = {**os.environ}
    heal = subprocess.run([sys.executable, "-m", "harness.cli", "heal", "--lab", E2E_LAB], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert heal.returncode == 0, heal.stderr
    assert "resumed" in heal.stdout and "removed cut" in heal.stdout
    assert not any(process.paused(p) for p in pids) and firewall.Firewall("e2e").rules() == []
    again = subprocess.run([sys.executable, "-m", "harness.cli", "heal", "--lab", E2E_LAB], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "resumed" not in again.stdout  # safe to run twice
    down = subprocess.run([sys.executable, "-m", "harness.cli", "down", "--lab", E2E_LAB], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stderr
    _assert_nothing_left(pids)


def test_ctrl_c_to_the_scenario_runner_heals_and_stops_the_lab(results):
    """What `make scenario` / `make demo` get on Ctrl-C: the runner passes it to Locust once."""
    child = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", "tests/scenarios/pause-master.yaml", "--lab",
                              E2E_LAB], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_run_dir = lambda: next(iter(results.glob("*-pause-master")), None)
        deadline = time.monotonic() + 60
        while _wait_for_run_dir() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        run_dir = _wait_for_run_dir()
        _both_faults_applied(run_dir)
        pids = _state_pids()
        assert any(process.paused(p) for p in pids)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=90) != 0
    finally:
        if child.poll() is None:
            child.kill()
    assert (run_dir / "faults.jsonl").read_text().count('"healed"') == 2
    _assert_nothing_left(pids)
