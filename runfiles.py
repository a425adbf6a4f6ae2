"""The run-files contract (README, "Run outputs"): each file of results/RUN_ID/, its columns, and
its records, one dataclass each: run.json (RunMeta), summary.json (Summary), verify.json
(Verification), a line of the fault journal (Scheduled, Applied, ...) and a Sentinel event.

The writers (locustfile, harness, faults, observe, analysis/report.py) and the readers (analysis/,
bench/, harness/campaign.py, ...) take names, columns and records from here; no other module
declares them, so a field added on one side cannot be missed on the other. Users, CI and the report
rely on these names: extend, never rename. A record read from an older file gets its defaults for
the fields it lacks and keeps the fields it has that are not declared (`extra`), so a record read and
written again gives the same JSON, key for key and in the same order.
"""
from __future__ import annotations

import json
import os
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar

# where run directories go: FAIRBID_HA_RESULTS, else results/ of the checkout (the harness writes there,
# the index, compare and an edition read there)
RESULTS = Path(os.environ.get("FAIRBID_HA_RESULTS", Path(__file__).resolve().parent / "results"))

RUN_JSON = "run.json"
STALE = "stale.json"  # an edition's runs recorded with settings their scenario files no longer have (harness/staleness.py)
RUN_SPEC = "run-spec.json"  # what the run was started with: every process of the run reads it (harness/run_spec.py)
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
CLIENT_SETTINGS = "client-settings.json"  # the Redis client settings each started app answered it runs with
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
OUTCOMES = ("ok", "refused", "fail", "unknown", "interrupted_at_stop")
# a write in flight when the load itself stopped (its greenlet ended by Locust's stop): the user saw no
# failure and Locust counts no request, but it may have landed, so it is looked up like an unknown one
INTERRUPTED_AT_STOP = "interrupted_at_stop"
MAYBE_STORED = ("unknown", INTERRUPTED_AT_STOP)  # the outcomes looked up after healing
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


def backend_facts(*records: object) -> BackendFacts:
    """The facts of the backend a run's files say it ran on (run.json, summary.json or a journal line,
    asked in the order given; each its record, RunMeta, Summary, a JournalLine, or, for a journal line
    not yet read as its record, the line itself): as recorded, or, where files from before they were
    recorded only name their backend, that backend's (none named: the default). Raises KeyError for an
    unknown name."""
    def said(record: object, name: str) -> object:
        return record.get(name) if isinstance(record, dict) else getattr(record, name, None)

    for record in records:
        if isinstance(said(record, "backend_facts"), dict):
            return BackendFacts(**said(record, "backend_facts"))
    named = next((said(r, "backend") for r in records if said(r, "backend")), DEFAULT_BACKEND)
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


# ---- the records' JSON --------------------------------------------------------------------------
R = TypeVar("R", bound="JsonRecord")


def _default(f: Field) -> Any:
    return f.default_factory() if f.default_factory is not MISSING else f.default


def _records_of(kind: type[JsonRecord], value: Any) -> Any:
    """A nested JSON value as its record (a list: each item that is a JSON object); anything else as it is."""
    if isinstance(value, list):
        return [kind.from_json(x) if isinstance(x, dict) else x for x in value]
    return kind.from_json(value) if isinstance(value, dict) else value


def _json_of(value: Any) -> Any:
    if isinstance(value, list):
        return [x.to_json() if isinstance(x, JsonRecord) else x for x in value]
    return value.to_json() if isinstance(value, JsonRecord) else value


class JsonRecord:
    """A JSON object of the contract as a dataclass. `from_json` takes what a file holds (declared fields
    missing from an older file get their defaults; undeclared ones are kept in `extra`); `to_json` gives
    it back: a record read gives its own keys in their order, a record built by a writer gives its
    declared fields in their order, leaving out the OPTIONAL ones still at their default."""

    FILE: ClassVar[str] = ""
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()  # written only when set (conditional keys)
    DUMP: ClassVar[dict] = {"indent": 1}  # json.dumps' arguments, as the file has always been written
    NESTED: ClassVar[dict[str, type[JsonRecord]]] = {}  # field -> the record its value (or each item of its list) is

    @classmethod
    def from_json(cls: type[R], data: dict) -> R:
        declared = {f.name for f in fields(cls)}
        rec = cls(**{k: _records_of(cls.NESTED[k], v) if k in cls.NESTED else v for k, v in data.items() if k in declared})
        object.__setattr__(rec, "_keys", tuple(data))
        object.__setattr__(rec, "_extra", {k: v for k, v in data.items() if k not in declared})
        return rec

    @property
    def extra(self) -> dict:
        """What the file held beyond the declared fields (read as it is, written back as it was)."""
        return getattr(self, "_extra", {})

    def to_json(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        unset = {f.name for f in fields(self) if getattr(self, f.name) == _default(f)}
        read = getattr(self, "_keys", None)
        if read is None:
            keys = [k for k in values if k not in self.OPTIONAL or k not in unset]
        else:
            keys = [*read, *(k for k in values if k not in read and k not in unset)]
        return {k: _json_of(values[k]) if k in values else self.extra[k] for k in keys}

    @classmethod
    def load(cls: type[R], run_dir: str | Path) -> R | None:
        """The run directory's record, or None where the file is absent, unreadable or no JSON object."""
        try:
            data = json.loads((Path(run_dir) / cls.FILE).read_text())
        except (OSError, ValueError):
            return None
        return cls.from_json(data) if isinstance(data, dict) else None

    def write(self, run_dir: str | Path) -> None:
        (Path(run_dir) / self.FILE).write_text(json.dumps(self.to_json(), **self.DUMP) + "\n")


# run.json / summary.json load_as_run.stopped_by: who asked the load to stop
TIME_LIMIT, WEB_UI, HALT, QUIT, UNKNOWN = "time_limit", "web_ui", "halt", "quit", "unknown"
STOPPED_BY = {TIME_LIMIT: "its run-time limit", WEB_UI: "the web UI's stop button", HALT: "a halt condition",
              QUIT: "quitting Locust (interrupted)", UNKNOWN: "not known"}


@dataclass(kw_only=True)
class LoadAsRun(JsonRecord):
    """run.json and summary.json `load_as_run`: the load as it ran (harness/load_watch.py), which the
    web UI's form or a stop by hand can make differ from the scenario's (`config.load`)."""

    users: int | None = None  # users reached: the most running at once
    spawn_rate: float | None = None  # users started per second, as asked
    duration_s: float | None = None  # the test's start to its stop
    stopped_by: str = UNKNOWN  # STOPPED_BY
    asked: dict = field(default_factory=dict)  # {users, spawn_rate, run_time_s, source: web_ui | command_line}

    def differs(self, nominal: dict | None) -> list[str]:
        """How it differs from the scenario's load (config.load): users, spawn rate, run time, each as
        "WHAT RAN (the scenario's NOMINAL)"; empty where it ran as the scenario says."""
        n = nominal or {}
        out = []
        if self.users is not None and n.get("users") is not None and self.users != n["users"]:
            out.append(f"{self.users} users (the scenario's {n['users']})")
        if self.spawn_rate is not None and n.get("spawn_rate") is not None \
                and float(self.spawn_rate) != float(n["spawn_rate"]):
            out.append(f"spawn rate {float(self.spawn_rate):g}/s (the scenario's {float(n['spawn_rate']):g}/s)")
        if self.duration_s is not None and n.get("run_time_s") is not None \
                and abs(self.duration_s - float(n["run_time_s"])) > 1:
            out.append(f"{self.duration_s:.1f} s (the scenario's {float(n['run_time_s']):g} s)")
        return out

    def said(self) -> str:
        """One line: "N users reached at R/s, D s, stopped by WHO"."""
        rate = f" at {float(self.spawn_rate):g}/s" if self.spawn_rate is not None else ""
        ran = f"{self.duration_s:.1f} s" if self.duration_s is not None else "duration not recorded"
        return (f"{self.users if self.users is not None else '?'} users reached{rate}, {ran}, "
                f"stopped by {STOPPED_BY.get(self.stopped_by, self.stopped_by)}")


@dataclass(kw_only=True)
class RunMeta(JsonRecord):
    """run.json: what ran (scenario, backend, settings, checks with this backend's bounds) and how the
    run went (times, halt, interruption, what failed to start or stop). harness/session.py writes it,
    first at the start and again as the run goes on."""

    FILE: ClassVar[str] = RUN_JSON
    DUMP: ClassVar[dict] = {"indent": 1, "default": str}
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({
        "backend_facts", "target", "halt", "setup", "campaign", "environment", "environment_error", "observers_not_ready",
        "halted",
        "test_stop_ms", "incomplete_files", "locust_requests", "workers", "settle_s", "settle_error",
        "observer_errors", "interrupted", "interrupt_reason", "load_as_run"})
    NESTED: ClassVar[dict] = {"load_as_run": LoadAsRun}

    run_id: str | None = None
    scenario: str | None = None
    title: str | None = None
    plan_step: str | None = None
    group: str | None = None
    expectation: dict | None = None  # the plan's claim (analysis/expectation.py reads it)
    backend: str | None = None
    backend_facts: dict | None = None  # BackendFacts.to_json (None: a run from before they were recorded)
    lab: str | None = None
    config: dict = field(default_factory=dict)  # the scenario's settings as run (harness/scenario.py)
    sentinels: list | None = None  # host:port the observer watches (None: a run from before it was recorded)
    sentinel_nodes: dict = field(default_factory=dict)  # host:port -> node name
    checks: list = field(default_factory=list)  # analysis.checks.Check.to_json, with this backend's bounds
    service: dict | None = None  # lab/service.py ServiceModel.to_json; absent: the stand-in (service_logs)
    target: dict | None = None  # {name, file, plan} of an adopted target
    halt: dict | None = None
    setup: dict | None = None  # the target's fixtures as made
    campaign: dict | None = None  # a campaign's run: its seed, index and replay command
    test_start_ms: float | None = None
    environment: dict | None = None
    environment_error: str | None = None
    observers_not_ready: list | None = None
    halted: dict | None = None  # {reason, at_ms}
    test_stop_ms: float | None = None
    incomplete_files: dict | None = None  # file -> why
    locust_requests: int | None = None  # what the load itself counted
    workers: dict | None = None  # per worker what it declared and what reached the master
    settle_s: float | None = None
    settle_error: str | None = None
    observer_errors: dict | None = None  # observer -> error
    interrupted: bool = False
    interrupt_reason: str | None = None
    load_as_run: LoadAsRun | None = None  # the load as it ran (config.load is the scenario's)


CLOCK = "all times are this machine's wall clock (time.time), one clock for requests, faults and events"


@dataclass(kw_only=True)
class CheckResult(JsonRecord):
    """One entry of summary.json `checks`: a check of run.json judged on the run's figures
    (analysis/checks.py evaluate)."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"backend_bound_why", "harness", "reason"})

    name: str | None = None  # METRIC OP EXPECTED, the check's name in the report and JUnit
    metric: str | None = None
    expected: str | None = None  # the bound as said: "<= 12", "between 5 and 12"
    actual: Any = None  # the figure (None: absent, see reason)
    passed: bool = False
    backend_bound_why: str | None = None  # why this backend has its own bound
    harness: bool = False  # the harness's check on itself (analysis.checks.SELF_CHECKS)
    reason: str | None = None  # "not measured: WHY" where the figure is absent


@dataclass(kw_only=True)
class ConditionResult(JsonRecord):
    """One condition of the plan's expectation, judged (analysis/expectation.py)."""

    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"reason"})

    condition: str | None = None
    actual: Any = None  # the figure, or {metric: figure} for a comparison of two
    verdict: str | None = None  # holds, differs or not tested
    reason: str | None = None  # why not tested: "METRIC not measured: WHY"


@dataclass(kw_only=True)
class ExpectationResult(JsonRecord):
    """summary.json `expectation`: the plan's claim and its verdict on this run, condition by condition."""

    NESTED: ClassVar[dict] = {"conditions": ConditionResult}

    plan: str = ""
    verdict: str = "not tested"
    conditions: list[ConditionResult] = field(default_factory=list)


@dataclass(kw_only=True)
class Summary(JsonRecord):
    """summary.json (DESIGN.md lists the keys users rely on): the run's figures by name (`metrics`),
    its checks, verdict and the plan's expectation judged. analysis/report.py writes it."""

    FILE: ClassVar[str] = SUMMARY
    DUMP: ClassVar[dict] = {"indent": 2, "default": str}
    OPTIONAL: ClassVar[frozenset[str]] = frozenset({"target", "campaign", "files", "headline_fault", "load_as_run",
                                                    "client_settings"})
    NESTED: ClassVar[dict] = {"checks": CheckResult, "expectation": ExpectationResult, "load_as_run": LoadAsRun}

    run_id: str | None = None
    scenario: str | None = None
    title: str | None = None
    plan_step: str | None = None
    backend: str | None = None
    target: dict | None = None
    config: dict = field(default_factory=dict)
    environment: dict | None = None
    started_ms: float | None = None
    stopped_ms: float | None = None
    interrupted: bool = False
    halted: str | None = None  # the halt's reason
    load_as_run: LoadAsRun | None = None  # run.json's: the load as it ran (config.load is the scenario's)
    campaign: dict | None = None
    metrics: dict = field(default_factory=dict)  # metric name -> value (None: absent, see `absent`)
    faults: list = field(default_factory=list)  # per fault: label, action, node and its metrics
    # the fault whose own figures are the run's headline ones: {fault, label, why} (analysis/metrics.headline_fault)
    headline_fault: dict | None = None
    variants: dict = field(default_factory=dict)  # client variant -> its metrics
    # client variant -> the Redis client settings its app answered it runs with (client-settings.json)
    client_settings: dict | None = None
    checks: list[CheckResult] = field(default_factory=list)
    passed: bool | None = None
    not_passed_because: list = field(default_factory=list)
    absent: dict = field(default_factory=dict)  # metric -> why it is absent
    expectation: ExpectationResult | None = None
    clock: str = CLOCK
    files: list | None = None  # the run directory's files, written last


@dataclass(kw_only=True)
class VerifyResult(JsonRecord):
    """verify.json: every acknowledged write looked up after healing (observe/verify.py). Which keys it
    holds depends on what the service model names, so every field is optional and a verification read
    gives back exactly its own keys."""

    FILE: ClassVar[str] = VERIFY
    DUMP: ClassVar[dict] = {"indent": 1}

    checked: bool = False
    settled: bool | None = None
    acked_bids: int | None = None
    acked_sets: int | None = None
    stores: list | None = None  # the stores the service model names (None: written before they were)
    mysql_expected: bool = True
    not_looked_up: dict = field(default_factory=dict)  # figure -> why the model gives no way to look
    verified_on: str | None = None
    redis_error: str | None = None
    missing_in_redis: list | None = None  # None: Redis was not looked in
    missing_sets: list = field(default_factory=list)
    duplicates_created: int | None = None
    duplicates_by_variant: dict = field(default_factory=dict)
    unknown_unresolved: int | None = None
    unknown_checked: int | None = None
    unknown_landed: list | None = None  # None: the unknown writes were not looked up
    unknown_lost: list | None = None
    drained_in_s: float | None = None
    pending_at_end: int | None = None
    lag_at_end: int | None = None
    backlog_at_end: int | None = None
    xlen: int | None = None
    dead_letters: int | None = None
    keyed: bool = False  # writes known by their identity (observe/verify_keys.py)
    identity: list | None = None
    unknown_unresolvable: int | None = None
    key_collisions: int | None = None
    writes_in_collisions: int | None = None
    mysql_checked: bool = False
    mysql_error: str | None = None
    mysql_rows: int | None = None
    missing_in_mysql: list = field(default_factory=list)
    duplicate_rows: int | None = None
    rows_not_acked: int | None = None
    stream_checked: bool = False
    acked_not_in_mysql_or_stream: list = field(default_factory=list)
    acked_in_stream_only: int | None = None
    pending_before: int | None = None
    pending_before_still_pending: int | None = None
    pending_before_gone: list = field(default_factory=list)
    http_checked: bool = False
    http_error: str | None = None
    missing_in_http: list = field(default_factory=list)
    replica_checked: bool = False
    replica_error: str | None = None
    replica_rows: int | None = None
    replica_missing_rows: int | None = None
    replica_extra_rows: int | None = None
    replica_caught_up_s: float | None = None
    checked_in_s: float | None = None


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

    @classmethod
    def from_json(cls, data: dict) -> SentinelEvent:
        return cls(**{k: data.get(k) for k in EVENT_FIELDS})


def read_events(run_dir: str | Path) -> list[SentinelEvent]:
    """Every Sentinel event of the run, as recorded (events.jsonl)."""
    return [SentinelEvent.from_json(d) for d in _jsonl(Path(run_dir) / EVENTS)]


def _jsonl(path: Path) -> list[dict]:
    """The JSON objects of a JSON-lines file; a line that is no JSON object (cut off by a crash) is skipped."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            data = json.loads(line) if line.strip() else None
        except ValueError:
            continue
        if isinstance(data, dict):
            out.append(data)
    return out


EVENT_FIELDS = tuple(SentinelEvent.__dataclass_fields__)


# ---- faults.jsonl ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class JournalLine:
    """What the journal adds to every record as it writes it (faults/journal.py): when and on which
    backend. A line is {"event", "t_ms", "backend", the record's fields}; the event names the type."""

    t_ms: float | None = field(default=None, kw_only=True)
    backend: str | None = field(default=None, kw_only=True)

    @property
    def event(self) -> str:
        return EVENT_OF[type(self)]

    def to_json(self) -> dict:
        own = {k: v for k, v in asdict(self).items() if k not in ("t_ms", "backend")}
        return {"event": self.event, "t_ms": self.t_ms, "backend": self.backend, **own, **self.extra}

    @property
    def extra(self) -> dict:
        return getattr(self, "_extra", {})


def journal_record(line: dict) -> JournalLine | None:
    """One journal line as its record (None for an event this contract does not know). A field an older
    runner did not write is None (faults/upgrade.py adds the kinds' facts); one it wrote that is no
    longer declared is kept in `extra`."""
    cls = JOURNAL_EVENTS.get(line.get("event"))
    if cls is None:
        return None
    declared = {f.name for f in fields(cls)}
    rec = cls(**{f.name: line[f.name] if f.name in line else None for f in fields(cls)
                 if f.name in line or f.default is MISSING and f.default_factory is MISSING})
    object.__setattr__(rec, "_extra", {k: v for k, v in line.items() if k not in declared and k != "event"})
    return rec


def read_journal(run_dir: str | Path) -> list[JournalLine]:
    """The fault journal (faults.jsonl) as its records, in the order written."""
    return [rec for rec in map(journal_record, _jsonl(Path(run_dir) / FAULTS)) if rec is not None]


@dataclass(frozen=True)
class FaultRecord(JournalLine):
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
class BackstopHeal(JournalLine):
    """What the lab's own heal still found in place after the runner healed its faults."""

    reason: str
    done: list = field(default_factory=list)


JOURNAL_EVENTS = {"scheduled": Scheduled, "applied": Applied, "healed": Healed, "failed": Failed,
                  "heal_failed": HealFailed, "backstop_heal": BackstopHeal}
EVENT_OF = {cls: name for name, cls in JOURNAL_EVENTS.items()}
