"""One run of a scenario: its directory, fault runner, observers, and the end (heal, verify, analyse).

Started from Locust's hooks on the master/local runner only. `finish` is the normal end; `abort`
(quit, SIGINT, SIGTERM) heals and stops observers without verifying. Both are idempotent. `phase`
says where the run is (PHASES), for the web UI's end of run: the verdict comes some seconds after
the load's stop.
"""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import runfiles as rf
from analysis import report
from analysis.checks import SELF_CHECKS
from faults.journal import Journal, now_ms
from faults.runner import FaultRunner
from harness import target_file
from harness.run_spec import RunSpec
from harness.scenario import Scenario
from lab.protocol import Lab
from lab.wait import Wait
from observe import environment
from observe.base import Observer, RunEnd
from observe.client_settings import ClientSettings
from observe.config_snapshot import ConfigSnapshot
from observe.history import History
from observe.row_writer import RowWriterError
from observe.sidecar import Sidecar, sampling_observers
from observe.verify import Verification

log = logging.getLogger("session")
RESULTS = rf.RESULTS
# RunSession.phase: begun, load running; after the stop: healing (and Sentinel settling), verifying
# (the observers stop: every acknowledged write looked up), analysing (summary, report, plots); done
PHASES = ("starting", "running", "healing", "verifying", "analysing", "done", "interrupted")


def new_run_dir(scenario_id: str, base: Path = RESULTS) -> Path:
    run_id = time.strftime("%Y%m%d-%H%M%S") + f"-{scenario_id}"
    d = base / run_id
    n = 1
    while d.exists():
        n += 1
        d = base / f"{run_id}-{n}"
    d.mkdir(parents=True)
    return d


def standard_observers(lab: Lab, history: History, max_s: float, spec: RunSpec | None = None) -> list[Observer]:
    """Every run's observers, in the order they stop: the history is closed before the verification
    reads it, and Sentinel events and the monitor go on recording through the verification. Those
    two run in a process of their own where it can rebuild the lab from the run's spec (observe/sidecar.py;
    a lab built in memory, as tests do, has none: they run here)."""
    sampling = Sidecar(max_s) if spec is not None else None
    asked = [ClientSettings(lab)] if getattr(lab, "client_settings_urls", None) else []  # apps that report them
    return [history, Verification(lab), ConfigSnapshot(lab), *asked,
            *([sampling] if sampling else sampling_observers(lab, max_s))]


class RunSession:
    def __init__(self, scenario: Scenario, lab: Lab, run_dir: Path, observers: list[Observer],
                 setup: dict | None = None, campaign: dict | None = None) -> None:
        self.scenario = scenario
        self.campaign = campaign  # a campaign's run: its seed, index and replay command (the run spec's)
        self.setup = setup  # the target's fixtures as made: their pools, in run.json
        self.lab = lab
        self.dir = run_dir
        self.observers = observers
        self.meta = rf.RunMeta()
        self.journal: Journal | None = None
        self.runner: FaultRunner | None = None
        self.done = False
        self.phase = PHASES[0]

    def begin(self) -> None:
        s = self.scenario
        self.dir.mkdir(parents=True, exist_ok=True)
        if s.path:
            shutil.copy(s.path, self.dir / rf.SCENARIO_COPY)
        self.meta = rf.RunMeta(
            run_id=self.dir.name, scenario=s.id, title=s.title, plan_step=s.plan_step,
            group=s.group, expectation=s.expectation.to_json(), backend=self.lab.backend,
            backend_facts=self.lab.backend_facts.to_json(),
            lab=self.lab.config.name, config=s.settings(),
            sentinels=[f"{host}:{port}" for host, port in self._watched()],  # what the observer watches
            sentinel_nodes={f"{h}:{p}": self.lab.node_by_address(h, p) for h, p in self._watched()},
            checks=[c.for_backend(self.lab.backend).to_json() for c in (*s.checks, *SELF_CHECKS)],  # this backend's bounds
            service=self.lab.service.to_json(),
            target=({"name": self.lab.target.name, "file": target_file.source(self.lab.target.path),
                     "plan": self.lab.plan()}
                    if self.lab.target is not None else None),  # the log patterns and stores the analysis reads with
            halt=s.halt.to_json() if s.halt else None,
            setup=self.setup or None,
            # a run of a campaign (harness/campaign.py): its seed, index and replay command
            campaign=self.campaign or None,
            test_start_ms=now_ms(),
        )
        try:
            self.meta.environment = environment.describe(self.lab)
        except Exception as exc:  # recorded: the results document then says the environment is unknown
            self.meta.environment_error = f"{type(exc).__name__}: {exc}"
        self._write_meta()
        self.journal = Journal(self.dir / rf.FAULTS, self.lab.backend_facts)
        for observer in self.observers:
            observer.start(self.dir)
        not_ready = [name for o in self.observers if not o.ready(timeout_s=10)
                     for name in (getattr(o, "not_ready", None) or [type(o).__name__])]
        if not_ready:  # the run goes on; the analysis withholds what they did not see
            log.warning("observers not ready before the first fault: %s", ", ".join(not_ready))
            self.meta.observers_not_ready = not_ready
        self.runner = FaultRunner(s.faults, self.lab, self.journal)
        self.runner.start()
        self.phase = "running"

    def _watched(self) -> list[tuple[str, int]]:
        """Whom the event observer listens to: the Sentinels, or a cluster's own nodes."""
        if getattr(self.lab.spec, "cluster", None):
            return [self.lab.address(n) for n in self.lab.node_names() if self.lab.kind(n) == "redis"]
        return self.lab.sentinel_addrs()

    def halted(self, reason: str) -> None:
        """A halt condition held (harness/halt.py): recorded now; the load's stop then heals and verifies."""
        if self.meta.halted is None:
            self.meta.halted = {"reason": reason, "at_ms": now_ms()}
            self._write_meta()

    def _write_meta(self) -> None:
        self.meta.write(self.dir)

    def _heal(self, reason: str) -> None:
        if self.runner is not None:
            self.runner.heal_all(reason)
        leftovers = self.lab.heal()
        if leftovers and self.journal is not None:
            self.journal.write(rf.BackstopHeal(reason=reason, done=leftovers))

    def finish(self, flush_logs=(), load_record=None) -> rf.Summary | None:
        """Heal, let Sentinel settle, stop the observers (the verification looks up every acknowledged
        write then), analyse. Returns the summary. `flush_logs` get the load's last rows in (a
        distributed run's workers are drained there); `load_record` then says what the load itself
        counted (Locust's request count, the workers' rows, the load as it ran), recorded in run.json."""
        if self.done:
            return None
        self.done = True
        self.phase = "healing"
        self.meta.test_stop_ms = now_ms()
        for flush in flush_logs:
            try:
                flush()
            except RowWriterError as exc:  # that file is incomplete: the analysis withholds what rests on it
                self._incomplete(exc)
        if load_record is not None:
            for name, value in load_record().items():  # locust_requests, workers, load_as_run
                setattr(self.meta, name, value)
        self._heal("stop")
        t0 = time.monotonic()
        try:
            Wait(timeout_s=60, interval_s=0.25).until("Sentinel to settle after healing", self.lab.settled)
            self.meta.settle_s = round(time.monotonic() - t0, 3)
        except Exception as exc:  # an unsettled stack is a finding, recorded
            self.meta.settle_error = str(exc)
        self.phase = "verifying"
        self._stop_observers(RunEnd(interrupted=False, settled=self.meta.settle_error is None))
        self._copy_logs()
        self._write_meta()
        self.phase = "analysing"
        try:
            return report.build(self.dir)
        finally:
            self.phase = "done"

    def abort(self, reason: str, load_record=None) -> None:
        """Interrupted: heal everything, stop observers, mark the run; no verification. `load_record`
        as for finish."""
        if self.done:
            return
        self.done = True
        self.phase = "healing"
        if load_record is not None:
            for name, value in load_record().items():
                setattr(self.meta, name, value)
        self._heal(reason)
        self._stop_observers(RunEnd(interrupted=True, settled=None))
        self._copy_logs()
        self.meta.interrupted, self.meta.test_stop_ms, self.meta.interrupt_reason = True, now_ms(), reason
        self._write_meta()
        self.phase = "interrupted"

    def _stop_observers(self, end: RunEnd) -> None:
        """Each observer stops once; one that fails is recorded (its evidence is then missing, and the
        analysis says so) and the others still stop."""
        for observer in self.observers:
            try:
                observer.stop(end)
            except Exception as exc:  # recorded in run.json
                log.exception("observer %s failed to stop", type(observer).__name__)
                if isinstance(exc, RowWriterError):
                    self._incomplete(exc)
                self.meta.observer_errors = {**(self.meta.observer_errors or {}),
                                             type(observer).__name__: f"{type(exc).__name__}: {exc}"}
        if self.journal is not None:
            self.journal.close()

    def _incomplete(self, exc: RowWriterError) -> None:
        log.error("%s", exc)
        self.meta.incomplete_files = {**(self.meta.incomplete_files or {}), exc.file: str(exc)}

    def _copy_logs(self) -> None:
        logs = self.dir / rf.LOGS
        logs.mkdir(exist_ok=True)
        for name in self.lab.node_names():
            src = self.lab.log_path(name)
            if src.exists():
                shutil.copy(src, logs / src.name)
