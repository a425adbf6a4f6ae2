"""The observers' own process: it rebuilds the lab from the run's files, records into the run
directory, and stops when its stdin closes (a session's stop, or a harness that died)."""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from errors import HarnessError
from harness.run_spec import RunSpec
from lab.config import LabConfig
from lab.local import LocalLab
from lab.spec import StackSpec
from observe.sidecar import Sidecar

ROOT = Path(__file__).resolve().parent.parent
UNIT_LAB = ROOT / "tests" / "lab.unit.yaml"
STACK = {"redis": 2, "sentinels": 0, "mysql": 0, "consumers": 0, "apis": 0}
# a scenario has a MySQL and an API; this lab's config offers neither, so the lab has neither
SCENARIO_STACK = {**STACK, "mysql": 1, "apis": 1}


@pytest.fixture
def pair():
    config = LabConfig.load(UNIT_LAB)
    if LocalLab(config).is_up():
        LocalLab(config).down()
    lab = LocalLab(config, StackSpec(**STACK))
    lab.up()
    yield lab
    lab.down()


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "two-nodes.yaml"
    path.write_text(yaml.safe_dump({"id": "two-nodes", "title": "t", "plan_step": "test", "stack": SCENARIO_STACK,
                                    "load": {"users": 1, "run_time": "5s"},
                                    "checks": [{"metric": "faults_failed", "equals": 0}]}))
    return path


def _monitor_rows(run_dir: Path) -> list[dict]:
    with open(run_dir / "monitor.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _run_dir(tmp_path: Path) -> Path:
    """A run directory with its spec, as the CLI or the locustfile leaves it before the observers start."""
    run = tmp_path / "run"
    run.mkdir()
    RunSpec.resolve(str(_scenario(tmp_path)), "local", str(UNIT_LAB)).write(run)
    return run


def test_the_sidecar_samples_the_lab_it_rebuilds_from_the_run_spec_and_stops_when_told(pair, tmp_path):
    sidecar = Sidecar(max_s=60)
    run = _run_dir(tmp_path)
    sidecar.start(run)
    try:
        assert sidecar.ready(timeout_s=10)
        assert sidecar.proc.pid != os.getpid()
        time.sleep(1.5)
    finally:
        t0 = time.monotonic()
        sidecar.stop()
    assert time.monotonic() - t0 < 10 and sidecar.proc.returncode == 0
    up = {(r["source"], r["value"]) for r in _monitor_rows(run) if r["metric"] == "up"}
    assert ("redis-1", "1") in up and ("redis-2", "1") in up
    assert {r["value"] for r in _monitor_rows(run) if r["source"] == "redis-2" and r["metric"] == "role"} == {"slave"}


def test_a_sidecar_whose_run_has_no_spec_says_so_and_its_stop_fails(tmp_path):
    sidecar = Sidecar(max_s=5)
    sidecar.start(tmp_path)
    assert not sidecar.ready(timeout_s=1) and sidecar.not_ready == ["sidecar"]
    with pytest.raises(HarnessError, match="exited"):
        sidecar.stop()
    assert "run-spec.json" in (tmp_path / "logs" / "observers.log").read_text()  # the child's error, kept


def test_the_sidecar_ends_with_a_harness_killed_mid_run(pair, tmp_path):
    """SIGKILL of the process that started it: its stdin closes, and it stops by itself."""
    run = _run_dir(tmp_path)
    code = ("import time; from pathlib import Path\n"
            "from observe.sidecar import Sidecar\n"
            f"s = Sidecar(60); s.start(Path({str(run)!r}))\n"
            "assert s.ready(10); print(s.proc.pid, flush=True); time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=5)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists() and \
            Path(f"/proc/{child}/stat").read_text().split()[2] != "Z":
        time.sleep(0.2)
    gone = not Path(f"/proc/{child}").exists() or Path(f"/proc/{child}/stat").read_text().split()[2] == "Z"
    if not gone:
        os.kill(child, signal.SIGKILL)  # the test's own child: never left behind
    assert gone
