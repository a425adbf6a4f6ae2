"""The run-files contract (README, "Run outputs"): each file of results/RUN_ID/, its columns, and
the records of the fault journal and the Sentinel events, one dataclass each.

The writers (locustfile, harness, faults) and the reader (analysis/load.py) take names and
columns from here; no other module declares them, so a column added on one side cannot be
missed on the other. Users, CI and the report rely on these names: extend, never rename.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

# where run directories go: FAIRBID_HA_RESULTS, else results/ of the checkout (the harness writes there,
# the index, compare and an edition read there)
RESULTS = Path(os.environ.get("FAIRBID_HA_RESULTS", Path(__file__).resolve().parent / "results"))

RUN_JSON = "run.json"
SCENARIO_COPY = "scenario.yaml"
REQUESTS = "requests.csv"
HISTORY = "history.csv"
FAULTS = "faults.jsonl"
EVENTS = "events.jsonl"
MONITOR = "monitor.csv"
VERIFY = "verify.json"
SUMMARY = "summary.json"
REPORT = "report.md"
CONFIG = "config.json"  # Redis settings per node before the first fault, the master's after healing
CONFIG_SETTINGS = ("min-replicas-to-write", "min-replicas-max-lag", "appendonly", "appendfsync")
JUNIT = "junit.xml"  # the run as a JUnit testsuite, one testcase per check (analysis/junit.py)
LOGS = "logs"
LOCUST_CSV_PREFIX = "locust"  # --csv: locust_stats.csv, locust_stats_history.csv, ...

# Locust's CsvRequestLogger writes these (locust.contrib.csv_request_logger.CSV_COLUMNS; a test
# holds the two equal, so that the analysis need not import Locust)
REQUEST_COLUMNS = ("timestamp", "request_type", "name", "response_time_ms", "response_length", "status_code",
                   "exception")
HISTORY_COLUMNS = ("t_start_ms", "t_end_ms", "op", "key", "value", "bid_id", "outcome", "status", "error", "intent",
                   "variant", "attempt", "write_key")
HISTORY_TEXT = ("op", "key", "value", "bid_id", "outcome", "error", "intent", "variant", "write_key")  # never numbers
# history.csv's outcomes (DESIGN.md, "Evidence rules"): acknowledged, refused by the service's own rule (a
# business refusal: not a failure), failed with nothing stored, unknown (looked up after healing: landed,
# not landed, or unresolvable where it has no identity; a write in flight at the load's stop is unknown too)
OUTCOMES = ("ok", "refused", "fail", "unknown")
MONITOR_COLUMNS = ("t_ms", "source", "metric", "value")
# a distributed run's requests.csv and history.csv end with this column: the worker (w0, w1, ...) that
# made the row; run.json "workers" says per worker what it declared and what reached the master
WORKER_COLUMN = "worker"


# ---- run.json "backend" and "backend_facts": what the backend is -----------------------------------
@dataclass(frozen=True)
class BackendFacts:
    """What a backend is, as far as running, telling and repeating a run depend on it. Each lab
    declares its own (lab/*.py `backend_facts`), the session writes them into run.json beside the
    backend's name, and the harness, the fault kinds' wording and the analysis ask these facts, never
    the name."""

    name: str
    containers: bool  # every node a container of the lab's own Compose project (its own network namespace)
    processes: bool  # every node a process the lab started on this host (signals, cgroups, rules on `lo`)
    adopted: bool  # a team's own stack, adopted from a target file: the harness built none of it
    make_args: str  # what selects it on a `make scenario` line ("" for the backend used when none is said)

    @property
    def default(self) -> bool:
        """The backend used when none is said: its commands need no argument, its files no suffix."""
        return not self.make_args

    def to_json(self) -> dict:
        return asdict(self)


# the backends there are, the one list of their names (harness/backends.py makes a lab of each); a run
# file written before run.json carried the facts names only its backend: backend_facts maps that here
BACKENDS = {f.name: f for f in (
    BackendFacts("local", containers=False, processes=True, adopted=False, make_args=""),
    BackendFacts("docker", containers=True, processes=False, adopted=False, make_args="BACKEND=docker"),
    BackendFacts("target", containers=False, processes=False, adopted=True, make_args="TARGET=<the target file>"),
)}
DEFAULT_BACKEND = next(name for name, f in BACKENDS.items() if f.default)


def backend_facts(*records: dict | None) -> BackendFacts:
    """The facts of the backend a run's files say it ran on (run.json, summary.json or a journal line,
    asked in the order given): as recorded, or, where files from before they were recorded only name
    their backend, that backend's (none named: the default). Raises KeyError for an unknown name."""
    for record in records:
        if record and isinstance(record.get("backend_facts"), dict):
            return BackendFacts(**record["backend_facts"])
    named = next((r["backend"] for r in records if r and r.get("backend")), DEFAULT_BACKEND)
    return BACKENDS[str(named)]


# ---- run.json "service": how the run's service was read (lab/service.py ServiceModel.to_json writes it) ----
# the stand-in's consumer (fairbid/consumer.py): "persist failed for N bids", "N of M bids were stored
# already (redelivery)"; a run.json without "service" is from before targets existed: the stand-in's
STANDIN_LOG_PATTERNS = {"persist_error": r"persist failed for (\d+)",
                        "redelivered": r"(\d+) of \d+ bids were stored already \(redelivery\)"}
LOG_PATTERN_KEYS = ("persist_error", "redelivered", "reader_stopped")  # lab.target_spec.LogPatterns' fields


def service_logs(service: dict | None) -> tuple[dict[str, str | None], bool]:
    """The log patterns a run's consumer logs were read with (None: the target gives none), and whether
    its service was the stand-in (whose log lines also report group recreation)."""
    if not service:
        return {**dict.fromkeys(LOG_PATTERN_KEYS), **STANDIN_LOG_PATTERNS}, True
    logs = service.get("logs", {})
    return {k: logs.get(k) for k in LOG_PATTERN_KEYS}, bool(service.get("standin"))


def all_of(name: str) -> str:
    """The glob that finds every file of one kind (runs of versions that wrote one per process too)."""
    stem, ext = name.rsplit(".", 1)
    return f"{stem}*.{ext}"


# ---- events.jsonl ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SentinelEvent:
    """One pub/sub message of a Sentinel, or the observer's own observer-connected / -disconnected."""

    t_ms: float
    sentinel: str  # host:port
    event: str
    data: str | None = None

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


EVENT_FIELDS = tuple(SentinelEvent.__dataclass_fields__)


# ---- faults.jsonl ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FaultRecord:
    """What every record of one fault carries: its index in the schedule and its action."""

    fault: int
    action: str


@dataclass(frozen=True)
class Scheduled(FaultRecord):
    line: int
    target: str
    scheduled_ms: float
    duration_s: float | None
    params: dict
    name: str
    disruptive: bool


@dataclass(frozen=True)
class Applied(FaultRecord):
    """In effect from applied_ms; a probe's `output` becomes metrics NAME.field. The kind's facts
    (faults/kinds/) come with it, so the analysis needs nothing of faults/: whether it only read
    state (`probe`), the one-shot kind a schedule undoes it with by hand (`undone_by`), and how it is
    told on this backend (`said`: {"did": {"en", "ko"}, "undone": {"en", "ko"} or None})."""

    target: str
    node: str
    scheduled_ms: float
    applied_ms: float
    delay_ms: float
    params: dict
    output: object
    name: str | None
    disruptive: bool  # opens a fault window: failover and error-window metrics are measured from it
    outcome: str = "ok"
    probe: bool = False
    undone_by: str | None = None
    said: dict | None = None  # absent in journals written before the kinds' facts were (faults/upgrade.py)


@dataclass(frozen=True)
class Healed(FaultRecord):
    """Undone: after its duration, at the test's stop, or on quit (`reason`)."""

    node: str
    healed_ms: float
    reason: str
    outcome: str = "ok"
    output: dict | None = None  # what the heal reports of the fault as it ran (a flap's cuts, wall clock ms)


@dataclass(frozen=True)
class Failed(FaultRecord):
    """Applying failed (or its target could not be resolved): no fault window opens."""

    target: str
    scheduled_ms: float
    error: str
    node: str | None = None
    outcome: str = "error"


@dataclass(frozen=True)
class HealFailed(FaultRecord):
    """The undo failed: the fault may still be in place until `make heal`."""

    node: str
    reason: str
    error: str
    outcome: str = "error"


@dataclass(frozen=True)
class BackstopHeal:
    """What the lab's own heal still found in place after the runner healed its faults."""

    reason: str
    done: list = field(default_factory=list)


JOURNAL_EVENTS = {"scheduled": Scheduled, "applied": Applied, "healed": Healed, "failed": Failed,
                  "heal_failed": HealFailed, "backstop_heal": BackstopHeal}
EVENT_OF = {cls: name for name, cls in JOURNAL_EVENTS.items()}
