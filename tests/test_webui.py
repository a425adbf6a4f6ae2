"""The same scenario from Locust's web UI: started there, the fault fires at its offset, the Faults tab
shows it, stopping the test heals and writes the record, quitting stops the lab."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from lab.config import LabConfig

ROOT = Path(__file__).resolve().parent.parent
E2E_LAB = "tests/lab.e2e.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


def _post(url: str, fields: dict) -> int:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as resp:
        return resp.status


def _until(what: str, probe, timeout_s: float = 90, errors: tuple = (OSError,), interval_s: float = 0.25):
    """The probe's first true value; `errors` count as not yet."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except errors:
            pass
        time.sleep(interval_s)
    raise AssertionError(f"timed out waiting for {what}")


def rows_of(ui: str) -> list[dict]:
    return [r for tab in _get(f"{ui}/stats/requests").get("extended_stats", []) for r in tab["data"]
            if r["what"].startswith("applied: ")]


def test_a_scenario_runs_from_the_web_ui(tmp_path, monkeypatch, e2e_lab_down):
    monkeypatch.setenv("FAIRBID_HA_RESULTS", str(tmp_path))
    port = _free_port()
    ui = f"http://127.0.0.1:{port}"
    child = subprocess.Popen([sys.executable, "-m", "locust", "-f", "locustfile.py", "--scenario",
                              "tests/scenarios/pause-master.yaml", "--lab", E2E_LAB, "--web-host", "127.0.0.1",
                              "--web-port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _until("the web UI", lambda: _get(f"{ui}/stats/requests"))
        assert _post(f"{ui}/swarm", {"user_count": 4, "spawn_rate": 4}) == 200
        # the schedule's first fault fires 2 s after the start and shows in the Faults tab
        rows = _until("both faults in the Faults tab", lambda: len(rows_of(ui)) == 2 and rows_of(ui))
        assert [r["what"].split()[1] for r in rows] == ["pause", "cut"]
        # the runner's clock starts once every observer is ready (the sidecar process takes 1.0-1.3 s here, more
        # on a loaded CI machine: 3.6-3.7 s seen), and the tab counts from the test's start
        assert all(1.9 <= float(r["t"]) <= 5.0 for r in rows)
        assert _post(f"{ui}/stop", {}) == 200
        run = _until("the run's summary", lambda: next(iter(tmp_path.glob("*/summary.json")), None), 120).parent
        summary = json.loads((run / "summary.json").read_text())
        assert summary["scenario"] == "pause-master" and summary["metrics"]["faults_applied"] == 2
        assert summary["metrics"]["faults_unhealed"] == 0
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
    assert not (LabConfig.load(ROOT / E2E_LAB).state_dir / "state.json").exists()
