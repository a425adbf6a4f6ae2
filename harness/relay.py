"""Distributed load without a shared disk: workers send their rows to the master as Locust messages.

The master sends each worker the run's load plan at test start (and to a worker that joins later);
the worker sends its per-request rows and write-history rows back in batches, and at its stop a last
batch and the count of rows it sent. The master writes requests.csv and history.csv with a `worker`
column, and records per worker what it declared and what arrived (run.json "workers"): a worker
missing or short makes the analysis withhold what rests on its rows (analysis/evidence.py).
Locust's own stats travel the same socket and are flushed before the count, so at the end
Locust's request count and the log's rows can be held equal (a check of the harness on itself).
"""
from __future__ import annotations

import csv
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import gevent
from locust.contrib.csv_request_logger import CsvRequestLogger
from locust.runners import STATE_MISSING, STATE_STOPPED, MasterRunner, WorkerRunner

import runfiles as rf
from harness.load_plan import LoadPlan
from observe.base import RunEnd

log = logging.getLogger("relay")

PLAN, STOP, ROWS, DONE = "fairbid_ha:plan", "fairbid_ha:stop", "fairbid_ha:rows", "fairbid_ha:done"
KINDS = ("requests", "history")
BATCH_ROWS = 500
BATCH_INTERVAL_S = 0.5
DRAIN_TIMEOUT_S = 30.0


# ---- worker side ---------------------------------------------------------------------------------
class WorkerRelay:
    """Collects this worker's rows and sends them in batches; nothing is written to the worker's disk."""

    def __init__(self, runner: WorkerRunner, on_plan: Callable[[LoadPlan], None],
                 batch_rows: int = BATCH_ROWS, interval_s: float = BATCH_INTERVAL_S) -> None:
        self.runner = runner
        self.on_plan = on_plan
        self.batch_rows, self.interval_s = batch_rows, interval_s
        self.plan: LoadPlan | None = None
        self.worker = ""
        self._buffers: dict[str, list] = {k: [] for k in KINDS}
        self.sent: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.batches = 0
        self.done = False
        self._flusher: gevent.Greenlet | None = None
        runner.register_message(PLAN, self._on_plan)
        runner.register_message(STOP, self._on_stop)

    def _on_plan(self, environment, msg, **_kw) -> None:
        self.plan = LoadPlan.from_json(msg.data["plan"])
        self.worker = msg.data["worker"]
        self._buffers = {k: [] for k in KINDS}
        self.sent, self.batches, self.done = dict.fromkeys(KINDS, 0), 0, False
        self.on_plan(self.plan)
        if self._flusher is None or self._flusher.dead:
            self._flusher = self.runner.greenlet.spawn(self._flush_loop, self.plan.load.run_time_s + 600)
        log.info("worker %s: plan of run %s (%s) received", self.worker, self.plan.run_id, self.plan.scenario)

    def add(self, kind: str, row: list) -> None:
        if self.plan is None or self.done or not self.plan.record:
            return
        buf = self._buffers[kind]
        buf.append(row)
        if len(buf) >= self.batch_rows:
            self._send(kind)

    def _send(self, kind: str) -> None:
        rows, self._buffers[kind] = self._buffers[kind], []
        if rows:
            self.runner.send_message(ROWS, {"run_id": self.plan.run_id, "kind": kind, "rows": rows})
            self.sent[kind] += len(rows)
            self.batches += 1

    def _flush_loop(self, max_s: float) -> None:
        deadline = time.monotonic() + max_s  # bounded: a worker whose master vanished stops sending
        while not self.done and time.monotonic() < deadline:
            gevent.sleep(self.interval_s)
            for kind in KINDS:
                self._send(kind)

    def finish(self) -> None:
        """At this worker's test stop (its users are stopped): the last rows, Locust's stats of them,
        then the count. One socket carries all three in order, so the master has the rows and the
        stats when the count arrives."""
        if self.plan is None or self.done:
            return
        for kind in KINDS:
            self._send(kind)
        self.runner._send_stats()  # Locust's own final report (its `quit` path does the same)
        self.done = True
        self._send_done()

    def _send_done(self) -> None:
        self.runner.send_message(DONE, {"run_id": self.plan.run_id, "sent": dict(self.sent), "batches": self.batches})

    def _on_stop(self, environment, msg, **_kw) -> None:
        """The master asks for the last batch: stop the users (this worker's test_stop then finishes)."""
        if self.plan is None:
            return
        if self.runner.state != STATE_STOPPED:
            self.runner.stop()
        if not self.done:
            self.finish()
        else:
            self._send_done()  # asked again (a master that missed it): the same count


class RelayedRequestLog(CsvRequestLogger):
    """Locust's per-request rows, in its own format and columns, handed to the relay instead of a file."""

    def __init__(self, relay: WorkerRelay) -> None:
        super().__init__("", flush_interval=2 ** 62)  # never flushes a file: there is none
        self.relay = relay

    def _open(self) -> None:
        self.close()
        self._writer = _RowSink(self.relay, "requests")

    def _on_quitting(self, **_kw) -> None:
        self._writer = None


@dataclass
class _RowSink:
    relay: WorkerRelay
    kind: str

    def writerow(self, row: list) -> None:
        self.relay.add(self.kind, list(row))


# ---- master side ---------------------------------------------------------------------------------
@dataclass
class WorkerRecord:
    name: str  # w0, w1, ...: Locust's worker index, stable while the master lives
    client_id: str
    received: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    declared: dict | None = None  # the worker's own count, from its last message
    batches: int = 0
    gone: bool = False  # Locust lost its heartbeat

    def problem(self) -> str | None:
        if self.declared is None:
            return f"worker {self.name} ({self.client_id}) never sent its last batch" + \
                (" (it stopped answering Locust's heartbeat)" if self.gone else "")
        short = [f"{k}: {self.received[k]} of {self.declared.get(k, 0)} rows" for k in KINDS
                 if self.received[k] != self.declared.get(k, 0)]
        return f"worker {self.name} is short ({'; '.join(short)})" if short else None

    def to_json(self) -> dict:
        problem = self.problem()
        return {"client_id": self.client_id, "received": self.received, "declared": self.declared,
                "batches": self.batches, "complete": problem is None, **({"problem": problem} if problem else {})}


class RowCollector:
    """The master's side: an observer of the session that owns requests.csv and history.csv."""

    files = (rf.REQUESTS, rf.HISTORY)

    def __init__(self, runner: MasterRunner) -> None:
        self.runner = runner
        self.plan: LoadPlan | None = None
        self.workers: dict[str, WorkerRecord] = {}
        self.stray = 0  # rows of another run, or of a worker this run never sent a plan to
        self._files: dict[str, tuple] = {}
        runner.register_message(ROWS, self._on_rows)
        runner.register_message(DONE, self._on_done)
        runner.environment.events.worker_connect.add_listener(self._on_connect)

    def begin(self, run_dir: Path | None, plan: LoadPlan) -> None:
        """Open the run's files and send every connected worker the plan (before Locust's spawn message).
        Without a run dir (a bare run, load only) the workers get the plan and nothing is written."""
        self.close()
        self.plan, self.workers, self.stray = plan, {}, 0
        for kind, name, columns in (("requests", rf.REQUESTS, rf.REQUEST_COLUMNS),
                                    ("history", rf.HISTORY, rf.HISTORY_COLUMNS)) if run_dir else ():
            fh = open(run_dir / name, "w", newline="", encoding="utf-8")
            writer = csv.writer(fh)
            writer.writerow([*columns, rf.WORKER_COLUMN])
            self._files[kind] = (fh, writer)
        for client in list(self.runner.clients.all):
            self._send_plan(client.id)

    def _send_plan(self, client_id: str) -> None:
        name = f"w{self.runner.get_worker_index(client_id)}"
        self.workers[client_id] = WorkerRecord(name=name, client_id=client_id)
        self.runner.send_message(PLAN, {"plan": self.plan.to_json(), "worker": name}, client_id=client_id)

    def _on_connect(self, client_id: str, **_kw) -> None:
        if self.plan is not None and client_id not in self.workers:
            self._send_plan(client_id)  # joined mid-run: Locust sends it a spawn message after this

    def _on_rows(self, environment, msg, **_kw) -> None:
        w = self.workers.get(msg.node_id)
        data = msg.data
        if w is None or self.plan is None or data.get("run_id") != self.plan.run_id or not self._files:
            self.stray += len(data.get("rows") or ())
            return
        _fh, writer = self._files[data["kind"]]
        for row in data["rows"]:
            writer.writerow([*row, w.name])
        w.received[data["kind"]] += len(data["rows"])
        w.batches += 1

    def _on_done(self, environment, msg, **_kw) -> None:
        w = self.workers.get(msg.node_id)
        if w is not None and self.plan is not None and msg.data.get("run_id") == self.plan.run_id:
            w.declared = dict(msg.data["sent"])

    def drain(self, timeout_s: float = DRAIN_TIMEOUT_S) -> None:
        """Ask every worker of the run for its last batch and wait, bounded, for each one's count; a
        worker Locust has lost (no heartbeat) is not waited for."""
        for client_id, w in self.workers.items():
            if w.declared is None:
                self.runner.send_message(STOP, {}, client_id=client_id)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            live = {c.id: c for c in self.runner.clients.all}
            for client_id, w in self.workers.items():
                w.gone = client_id not in live or live[client_id].state == STATE_MISSING
            if all(w.declared is not None or w.gone for w in self.workers.values()):
                break
            gevent.sleep(0.1)
        for _fh, _w in self._files.values():
            _fh.flush()

    def record(self) -> dict:
        """run.json "workers": per worker what it declared and what arrived."""
        return {w.name: w.to_json() for w in sorted(self.workers.values(), key=lambda w: w.name)}

    # ---- Observer -------------------------------------------------------------------------------
    def start(self, run_dir: Path) -> None:  # begin() opened the files: it needs the plan
        pass

    def ready(self, timeout_s: float = 0) -> bool:
        return True

    def stop(self, end: RunEnd | None = None) -> None:
        self.close()

    def close(self) -> None:
        for fh, _w in self._files.values():
            fh.close()
        self._files = {}
