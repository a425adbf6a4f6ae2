"""Real servers for the suite: one session lab on its own loopback addresses (conf/lab.test.yaml)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import locust  # noqa: F401 - it patches gevent on import: before any test module imports ssl (the Docker SDK)
import pytest

from lab.config import LabConfig
from lab.local import LocalLab
from lab.spec import SentinelTimings, StackSpec

ROOT = Path(__file__).resolve().parent.parent

TEST_SPEC = StackSpec(redis=3, sentinels=3, mysql=2, consumers=1, apis=1,
                      sentinel=SentinelTimings(down_after_ms=2000, failover_timeout_ms=5000),
                      service_env={"FAIRBID_REDIS_TIMEOUT_S": "1"})


@pytest.fixture(scope="session")
def lab_config() -> LabConfig:
    return LabConfig.load(ROOT / "conf" / "lab.test.yaml")


@pytest.fixture(scope="session")
def lab(lab_config):
    stale = LocalLab(lab_config)
    if stale.is_up():  # a previous run died: its processes are ours to stop
        stale.down()
    lab = LocalLab(lab_config, TEST_SPEC)
    lab.up()
    yield lab
    lab.down()


@pytest.fixture
def master_client(lab):
    from lab import clients

    client = clients.node(lab, lab.master(), 5)
    yield client
    client.close()


@pytest.fixture
def e2e_lab_down():
    """The end-to-end lab (tests/lab.e2e.yaml) is down before and after: a stale one from a killed run
    is stopped first, so each test starts, and checks the cleanup of, its own lab."""
    config = LabConfig.load(ROOT / "tests" / "lab.e2e.yaml")
    if LocalLab(config).is_up():
        LocalLab(config).down()
    yield config
    if LocalLab(config).is_up():
        LocalLab(config).down()


def run_scenario(scenario: str, results: Path, timeout_s: float = 300) -> tuple[Path, subprocess.CompletedProcess]:
    """A whole run through the scenario runner on the end-to-end lab, into `results`."""
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(results)}
    res = subprocess.run([sys.executable, "-m", "harness.cli", "run", scenario, "--lab", "tests/lab.e2e.yaml"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s)
    stem = Path(scenario).stem
    runs = sorted(results.glob(f"*-{stem}"))
    assert runs, res.stdout[-3000:] + res.stderr[-3000:]
    return runs[-1], res


@pytest.fixture(scope="session")
def failover_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One real Sentinel failover run (tests/scenarios/quick-failover.yaml), shared by the tests that read
    its files: the end-to-end figures, and the evidence rules on copies with evidence removed."""
    config = LabConfig.load(ROOT / "tests" / "lab.e2e.yaml")
    if LocalLab(config).is_up():
        LocalLab(config).down()
    return run_scenario("tests/scenarios/quick-failover.yaml", tmp_path_factory.mktemp("failover-run"))


def ack_lags(lab, master: str) -> dict[str, int]:
    """Seconds since each replica last acknowledged, as the master sees it (INFO replication lag):
    a cut shows here within seconds, long before the replica's own link times out (repl-timeout 60 s)."""
    from lab import clients

    info = clients.node(lab, master).info("replication")
    return {lab.node_by_address(v["ip"], int(v["port"])): v["lag"] for k, v in info.items()
            if k.startswith("slave") and isinstance(v, dict)}


def wait_for_text(path: Path, text: str, times: int = 1, timeout_s: float = 60, sleep=None) -> None:
    """Wait, bounded, until a file holds `text` at least `times` times (a journal line, a log line).
    `sleep=gevent.sleep` where the writer is a greenlet of this process."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count(text) >= times:
            return
        (sleep or time.sleep)(0.05)
    raise AssertionError(f"{text!r} never appeared {times} time(s) in {path}")
