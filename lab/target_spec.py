"""A team's own stack as its target file describes it (harness/target_file.py reads and validates it).

The harness acts on nothing a target does not name: each node is an existing container (by name, or
by Compose project + service) or a host process the harness starts from the file's command line and
so owns by PID. Everything the stand-in's conventions decide elsewhere (how a bid is placed, where an
acknowledged bid is looked up, what the consumer logs) is said here; what the file does not give is
not measured.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("redis", "sentinel", "mysql", "app", "consumer")
# the catalog names a node may play, per kind (scenario files address these)
PLAYS = {"redis": ("redis-1", "redis-2", "redis-3"), "sentinel": ("sentinel-1", "sentinel-2", "sentinel-3"),
         "mysql": ("mysql-1", "mysql-2"), "app": ("api", "api-2"),
         "consumer": tuple(f"consumer-{i}" for i in range(1, 9))}
DEFAULT_PORTS = {"redis": 6379, "sentinel": 26379, "mysql": 3306, "app": 8080, "consumer": None}
BODY_PLACEHOLDERS = ("auction", "user", "amount", "key")  # what a bid body template may name


@dataclass(frozen=True)
class ProcessSpec:
    """A host process the harness starts and owns. `env` values may name `{host:NODE}`, `{port:NODE}`,
    `{addr:NODE}` (host:port) and `{sentinels}` (every Sentinel, comma-separated), resolved at start;
    `env_map` maps a scenario's service setting (FAIRBID_ACK_DELAY_MS) to this process's variable."""

    command: tuple[str, ...]
    cwd: Path
    env: dict[str, str] = field(default_factory=dict)
    env_map: dict[str, str] = field(default_factory=dict)


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
class BidCall:
    """How a bid is placed. `body` is a template: strings holding {auction}, {user}, {amount}, {key}
    (a string that is exactly "{amount}" becomes a number). `id_field` is a dotted path in the JSON reply."""

    url: str
    path: str = "/api/bids"
    method: str = "POST"
    body: dict = field(default_factory=lambda: {"auctionId": "{auction}", "userId": "{user}", "amount": "{amount}"})
    id_field: str = "bidId"
    idempotency_header: str | None = None
    refused: tuple[int, ...] = ()  # statuses that mean "refused for sure" (default: every 4xx)
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class MysqlCheck:
    """`query` returns one row per stored bid row, its first column the bid id; `{ids}` in it is
    replaced by the checked ids as placeholders. The account comes from `dsn_env` (mysql://u:p@h:port/db)
    or from the node plus `user`, `password_env` and `database`."""

    query: str
    count_query: str | None = None  # rows in the table, for the monitor and the mysql_rows probe
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


@dataclass(frozen=True)
class LogPatterns:
    """Where an adopted consumer reports what the stand-in's consumer logs, as regular expressions over
    its log lines; a first group, where given, is the count the line reports (else 1 a line)."""

    persist_error: str | None = None
    redelivered: str | None = None


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
    verify: VerifySpec = field(default_factory=VerifySpec)
    stream: StreamSpec | None = None
    logs: LogPatterns = field(default_factory=LogPatterns)
    env_file: Path | None = None  # KEY=VALUE lines loaded into the environment where a variable is unset
    allow_remote: bool = False  # addresses beyond loopback and the adopted containers' own

    def node(self, plays: str) -> TargetNode | None:
        return next((n for n in self.nodes if n.plays == plays), None)

    def count(self, kind: str) -> int:
        return sum(1 for n in self.nodes if n.kind == kind)
