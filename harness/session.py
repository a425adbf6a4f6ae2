"""One run of a scenario: its directory, fault runner, observers, and the end (heal, verify, analyse).

Started from Locust's hooks on the master/local runner only. `finish` is the normal end; `abort`
(quit, SIGINT, SIGTERM) heals and stops observers without verifying. Both are idempotent.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

from analysis import report
from faults.journal import Journal, now_ms
from faults.runner import FaultRunner
from harness.monitor import Monitor
from harness.scenario import Scenario
from harness.sentinel_events import SentinelObserver
from harness.verify import verify
from lab.wait import Wait

log = logging.getLogger("session")
RESULTS = Path(os.environ.get("FAIRBID_HA_RESULTS", Path(__file__).resolve().parent.parent / "results"))


def new_run_dir(scenario_id: str, base: Path = RESULTS) -> Path:
    run_id = time.strftime("%Y%m%d-%H%M%S") + f"-{scenario_id}"
    d = base / run_id
    n = 1
    while d.exists():
        n += 1
        d = base / f"{run_id}-{n}"
    d.mkdir(parents=True)
    return d


class RunSession:
    def __init__(self, scenario: Scenario, lab, run_dir: Path) -> None:
        self.scenario = scenario
        self.lab = lab
        self.dir = run_dir
        self.meta: dict = {}
        self.journal: Journal | None = None
        self.runner: FaultRunner | None = None
        self.observer: SentinelObserver | None = None
        self.monitor: Monitor | None = None
        self.done = False

    def begin(self) -> None:
        s = self.scenario
        self.dir.mkdir(parents=True, exist_ok=True)
        if s.path:
            shutil.copy(s.path, self.dir / "scenario.yaml")
        self.meta = {
            "run_id": self.dir.name, "scenario": s.id, "title": s.title, "plan_step": s.plan_step,
            "group": s.group, "expectation": s.expectation.to_json(), "backend": self.lab.backend,
            "lab": self.lab.config.name, "config": s.settings(),
            "sentinels": [f"{host}:{port}" for host, port in self.lab.sentinel_addrs()],  # what the observer watches
            "checks": [{"metric": c.metric, "op": c.op, "expected": c.expected} for c in s.checks],
            "test_start_ms": now_ms(),
        }
        self._write_meta()
        max_s = s.load.run_time_s + 600
        self.journal = Journal(self.dir / "faults.jsonl", self.lab.backend)
        self.observer = SentinelObserver(self.lab.sentinel_addrs(), self.dir / "events.jsonl", max_s=max_s)
        self.observer.start()
        self.monitor = Monitor(self.lab, self.dir / "monitor.csv", max_s=max_s)
        self.monitor.start()
        self.runner = FaultRunner(s.faults, self.lab, self.journal)
        self.runner.start()

    def _write_meta(self) -> None:
        (self.dir / "run.json").write_text(json.dumps(self.meta, indent=1, default=str) + "\n")

    def _heal(self, reason: str) -> None:
        if self.runner is not None:
            self.runner.heal_all(reason)
        leftovers = self.lab.heal()
        if leftovers and self.journal is not None:
            self.journal.write("backstop_heal", reason=reason, done=leftovers)

    def finish(self, flush_logs=()) -> dict | None:
        """Heal, let Sentinel settle, verify every acknowledged write, analyse. Returns the summary."""
        if self.done:
            return None
        self.done = True
        self.meta["test_stop_ms"] = now_ms()
        for flush in flush_logs:
            flush()
        self._heal("stop")
        t0 = time.monotonic()
        try:
            Wait(timeout_s=60, interval_s=0.25).until("Sentinel to settle after healing", self.lab.settled)
            self.meta["settle_s"] = round(time.monotonic() - t0, 3)
        except Exception as exc:  # noqa: BLE001 - an unsettled stack is a finding, recorded
            self.meta["settle_error"] = str(exc)
        try:
            verify(self.lab, self.dir, settled="settle_error" not in self.meta)
        except Exception as exc:  # noqa: BLE001 - the record says the verification failed; losses stay unknown
            log.exception("verification failed")
            self.meta["verify_error"] = f"{type(exc).__name__}: {exc}"
        self._stop_observers()
        self._copy_logs()
        self._write_meta()
        return report.build(self.dir)

    def abort(self, reason: str) -> None:
        """Interrupted: heal everything, stop observers, mark the run; no verification."""
        if self.done:
            return
        self.done = True
        self._heal(reason)
        self._stop_observers()
        self._copy_logs()
        self.meta.update(interrupted=True, test_stop_ms=now_ms(), interrupt_reason=reason)
        self._write_meta()

    def _stop_observers(self) -> None:
        for part in (self.observer, self.monitor):
            if part is not None:
                part.stop()
        if self.journal is not None:
            self.journal.close()

    def _copy_logs(self) -> None:
        logs = self.dir / "logs"
        logs.mkdir(exist_ok=True)
        for name in self.lab.node_names():
            src = self.lab.log_path(name)
            if src.exists():
                shutil.copy(src, logs / src.name)
