"""A team's own stack as its target file describes it (harness/target_file.py reads and validates it).

The harness acts on nothing a target does not name: each node is an existing container (by name, or
by Compose project + service) or a host process the harness starts from the file's command line and
so owns by PID. Everything the stand-in's conventions decide elsewhere (how a bid is placed, where an
acknowledged bid is looked up, what the consumer logs) is said here; what the file does not give is
not measured.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

KINDS = ("redis", "sentinel", "mysql", "app", "consumer")
# the catalog names a node may play, per kind (scenario files address these)
PLAYS = {"redis": ("redis-1", "redis-2", "redis-3"), "sentinel": ("sentinel-1", "sentinel-2", "sentinel-3"),
         "mysql": ("mysql-1", "mysql-2"), "app": ("api", "api-2", "api-3"),
         "consumer": tuple(f"consumer-{i}" for i in range(1, 9))}
DEFAULT_PORTS = {"redis": 6379, "sentinel": 26379, "mysql": 3306, "app": 8080, "consumer": None}
BODY_PLACEHOLDERS = ("auction", "user", "amount", "key")  # what a bid body template may name


@dataclass(frozen=True)
class ProcessSpec:
    """A host process the harness starts and owns. `env` values may name `{host:NODE}`, `{port:NODE}`,
    `{addr:NODE}` (host:port) and `{sentinels}` (every Sentinel, comma-separated), resolved at start;
    `env_map` maps one of the harness's settings (lab/service_settings.py: ack_delay_ms) to this
    process's own variable, in its own unit."""

    command: tuple[str, ...]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    env_map: dict[str, str] = field(default_factory=dict)  # setting -> the service's variable
    env_scale: dict[str, float] = field(default_factory=dict)  # setting -> factor (seconds given, ms taken)
    env_absent: tuple[str, ...] = ()  # settings the service has no counterpart for: runs go on without them
    ready_path: str | None = None  # a GET on the node's address that answers one of ready_status when ready
    ready_status: tuple[int, ...] = (200,)
    ready_port: int | None = None  # or a port accepting connections on the node's host
    ready_timeout_s: float = 60.0
    client_settings: str | None = None  # a GET answering the Redis client settings the app runs with (JSON)

    def takes(self, setting: str | None) -> bool:
        """The service has this setting (a variable of its own) or says it has none (env_map: null)."""
        return setting is not None and (setting in self.env_map or setting in self.env_absent)

    def variables(self, settings: dict[str, str]) -> dict[str, str]:
        """The harness's settings this process has, as its own variables in its own units."""
        return {self.env_map[k]: self.value(k, v) for k, v in settings.items() if k in self.env_map}

    def value(self, setting: str, value: str) -> str:
        """A setting's value in the service's own unit (the harness's seconds as milliseconds: scale 1000)."""
        scale = self.env_scale.get(setting)
        if scale is None:
            return value
        number = float(value) * scale
        return str(int(number)) if number.is_integer() else str(number)


@dataclass(frozen=True)
class TargetNode:
    key: str  # the file's own name for it (redis-master)
    kind: str  # one of KINDS
    plays: str  # catalog name (redis-1, sentinel-1, mysql-1, api, consumer-1)
    container: str | None = None  # a container by name
    compose: tuple[str, str] | None = None  # or by (Compose project, service)
    process: ProcessSpec | None = None  # or a host process the harness owns
    port: int | None = None  # where clients reach it (default by kind); None for a consumer
    line: int = 0


@dataclass(frozen=True)
class Refusal:
    """A business refusal: the service said no by its own rules (a bid too low, the seller bidding), not
    because it failed. Matched on the status (any where none is given) and, where `code` names a dotted
    path in the JSON reply, on the code found there being one of `codes`. Never a failure."""

    statuses: tuple[int, ...] = ()
    code: str | None = None  # dotted path of the error code in the reply (error.code)
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyField:
    """One field of a write's identity where the reply names no id: where the acknowledgement carries it
    (`reply`, a dotted path) and, for a reply that never came, the template of what the request sent
    (`sent`, e.g. "{amount}"); a field whose placeholders the request did not use cannot be known then."""

    name: str  # the name verification templates use (auction_id)
    reply: str
    sent: str | None = None


@dataclass(frozen=True)
class BodyChoice:
    """One of several bodies a bid may carry (ONE_TOUCH and DIRECT), drawn by weight."""

    weight: int
    body: dict


@dataclass(frozen=True)
class Login:
    """A call each load user makes once at its start: its reply fields fill that user's headers (a token)."""

    path: str
    method: str = "POST"
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    capture: dict = field(default_factory=dict)  # placeholder name -> dotted path in the reply
    expect: tuple[int, ...] = (200, 201)


@dataclass(frozen=True)
class UserPool:
    """The bidders: whole numbers first..last, never one of `exclude` (the seller); each load user is one."""

    first: int
    last: int
    exclude: tuple[int, ...] = ()
    login: Login | None = None

    def size(self) -> int:
        return self.last - self.first + 1 - sum(1 for x in set(self.exclude) if self.first <= x <= self.last)


@dataclass(frozen=True)
class SetupStep:
    """A fixture made once the stack answers and before the load: an HTTP call (or a SQL statement on a
    MySQL node) made `repeat` times, each reply's `capture` fields appended to the pools the load draws
    from. `{n}` in its templates is the repetition (0-based)."""

    name: str
    repeat: int = 1
    path: str | None = None
    method: str = "POST"
    body: dict | None = None
    headers: dict = field(default_factory=dict)
    expect: tuple[int, ...] = (200, 201)
    capture: dict = field(default_factory=dict)  # pool name -> dotted path in the reply
    sql: str | None = None
    node: str | None = None  # the mysql node of the SQL statement
    line: int = 0


@dataclass(frozen=True)
class BidCall:
    """How a bid is placed. Path, query, headers and body are templates: `{name}` is a value of the load's
    draw ({auction}, {user}, {amount}, {key}), of a setup pool or of the user's login; a string that is
    exactly one placeholder keeps the value's type (a number stays a number); `{{` and `}}` are braces.
    `id_field` is a dotted path in the JSON reply; a service whose reply names no id gives `identity`."""

    url: str
    path: str = "/api/bids"
    method: str = "POST"
    body: dict = field(default_factory=lambda: {"auctionId": "{auction}", "userId": "{user}", "amount": "{amount}"})
    id_field: str = "bidId"
    idempotency_header: str | None = None
    error_message: str | None = None  # dotted path of a failed reply's message: it joins the failure's name
    not_stored: tuple[int, ...] = ()  # statuses that mean "nothing was stored" (default: every 4xx)
    headers: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    bodies: tuple[BodyChoice, ...] = ()  # instead of body: several, drawn by weight
    amount: tuple[int, int] = (1, 999_999)  # the range {amount} is drawn from
    refusals: tuple[Refusal, ...] = ()
    identity: tuple[KeyField, ...] = ()

    def to_json(self) -> dict:
        """Plain data for a message to a worker (msgpack); from_json reverses it."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "BidCall":
        d = dict(data)
        d["not_stored"] = tuple(d.get("not_stored", ()))
        d["amount"] = tuple(d.get("amount", cls.amount))
        d["bodies"] = tuple(BodyChoice(**b) for b in d.get("bodies", ()))
        d["refusals"] = tuple(Refusal(statuses=tuple(r["statuses"]), code=r["code"], codes=tuple(r["codes"]))
                              for r in d.get("refusals", ()))
        d["identity"] = tuple(KeyField(**k) for k in d.get("identity", ()))
        return cls(**d)


@dataclass(frozen=True)
class MysqlCheck:
    """`query` returns one row per stored bid row, its first column the bid id; `{ids}` in it is
    replaced by the checked ids as placeholders. The account comes from `dsn_env` (mysql://u:p@h:port/db)
    or from the node plus `user`, `password_env` and `database`."""

    query: str | None = None  # by id: "{ids}"
    count_query: str | None = None  # rows in the table, for the monitor and the mysql_rows probe
    key_query: str | None = None  # by identity: "... WHERE (a, b, c) IN ({keys})", its columns the identity's
    dsn_env: str | None = None
    node: str | None = None  # a mysql node of the target (its address from the container)
    user: str | None = None
    password_env: str | None = None
    database: str | None = None


@dataclass(frozen=True)
class VerifySpec:
    """Where an acknowledged bid is looked up after healing: any of these (what is not given is not measured)."""

    redis_key: str | None = None  # "bid:{id}": EXISTS on the master
    idempotency_key: str | None = None  # "idem:{key}": holds the bid id stored for that key (unknowns, duplicates)
    mysql: MysqlCheck | None = None
    http_path: str | None = None  # "/api/bids/{id}": 200 is there, 404 is not


@dataclass(frozen=True)
class StreamSpec:
    key: str
    group: str
    dead_letter: str | None = None
    id_field: str = "bidId"  # the entry field that carries the bid id
    dead_letter_source_field: str | None = None  # the dead letter's field naming its source entry id
    key_fields: dict = field(default_factory=dict)  # identity field -> entry field, for writes known by identity


@dataclass(frozen=True)
class LogPatterns:
    """Where an adopted consumer reports what the stand-in's consumer logs, as regular expressions over
    its log lines; a first group, where given, is the count the line reports (else 1 a line)."""

    persist_error: str | None = None
    redelivered: str | None = None
    reader_stopped: str | None = None  # a consumer's read loop that ended for good (a subscription cancelled on error)


@dataclass(frozen=True)
class Target:
    name: str
    path: Path
    nodes: tuple[TargetNode, ...]
    master_name: str = "mymaster"
    sentinel_addresses: tuple[str, ...] = ()  # "host:port" or a sentinel node's key/catalog name; () = every sentinel node
    sentinel_password_env: str | None = None
    redis_password_env: str | None = None
    bid: BidCall | None = None
    setup: tuple[SetupStep, ...] = ()
    users: UserPool | None = None
    verify: VerifySpec = field(default_factory=VerifySpec)
    stream: StreamSpec | None = None
    logs: LogPatterns = field(default_factory=LogPatterns)
    env_file: Path | None = None  # KEY=VALUE lines loaded into the environment where a variable is unset
    allow_remote: bool = False  # addresses beyond loopback and the adopted containers' own

    def node(self, plays: str) -> TargetNode | None:
        return next((n for n in self.nodes if n.plays == plays), None)

    def count(self, kind: str) -> int:
        return sum(1 for n in self.nodes if n.kind == kind)
