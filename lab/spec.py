"""What a scenario asks of a stack: how many of each node, and the settings that vary by step.

Also what it may not ask: the lab owns where each node listens, the files it writes, the passwords
and the names the harness reads, so a scenario that sets them is refused before anything starts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from configfile.validation import Fields, scalars
from lab import standin_env

# Nodes of each kind a scenario may ask for: the addresses conf/lab.yaml (and the test, e2e and bench
# labs) offer; a consumer has no address, and 8 Python processes are plenty on one machine.
NODE_LIMITS = {"redis": (1, 3), "sentinels": (0, 3), "mysql": (1, 2), "consumers": (0, 8), "apis": (1, 3)}
REDIS_INT_MAX = 2**31 - 1  # Sentinel's timings and counts are C ints

# redis.conf directives the lab writes or depends on: where a node listens, its files, its passwords,
# its replication, its process (a daemonized Redis is lost to the lab). Persistence stays free.
LAB_REDIS_DIRECTIVES = frozenset({
    "bind", "port", "dir", "dbfilename", "appendfilename", "appenddirname", "requirepass", "masterauth",
    "masteruser", "aclfile", "user", "protected-mode", "rename-command", "unixsocket", "unixsocketperm",
    "bind-source-addr", "replica-announce-ip", "replica-announce-port", "replicaof", "slaveof", "include",
    "daemonize", "pidfile", "logfile", "tls-port"})

# Environment the lab sets for the service: addresses, credentials and the names the harness reads
# (stream, group, consumer names). Only a restart's env may repoint the service at a node of the lab.
LAB_ENV = frozenset({
    "FAIRBID_MASTER_NAME", "FAIRBID_MYSQL_HOST", "FAIRBID_MYSQL_PORT", "FAIRBID_MYSQL_USER", "FAIRBID_MYSQL_PASSWORD",
    "FAIRBID_MYSQL_DB", "FAIRBID_BIND_HOST", "FAIRBID_BIND_PORT", "FAIRBID_STREAM", "FAIRBID_GROUP",
    "FAIRBID_DEAD_LETTER_STREAM", "FAIRBID_CONSUMER_NAME", "FAIRBID_CLUSTER"})
# a scenario's `client:` section: the Redis client settings of the stand-in's service (and of Locust's
# Redis users), as the variables they become
CLIENT_ENV = {"timeout_s": "FAIRBID_REDIS_TIMEOUT_S", "retries": "FAIRBID_REDIS_RETRIES",
              "backoff_cap_s": "FAIRBID_REDIS_BACKOFF_CAP_S", "deadline_s": "FAIRBID_REDIS_DEADLINE_S"}
# redis.conf directives of a cluster node the lab writes: the node's identity file and what it announces
LAB_CLUSTER_DIRECTIVES = frozenset({"cluster-enabled", "cluster-config-file", "cluster-announce-ip",
                                    "cluster-announce-port", "cluster-announce-bus-port", "cluster-port",
                                    "cluster-node-timeout"})
REPOINT_ENV = {"FAIRBID_REDIS": "redis", "FAIRBID_SENTINELS": "sentinel"}  # `"@redis-2"`: that node's address
_LAB_LIKE = re.compile(r"PASSWORD|SECRET|TOKEN|_(HOST|PORT|ADDR|ADDRS|DSN|URL)$")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DIRECTIVE = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


@dataclass(frozen=True)
class SentinelTimings:
    down_after_ms: int = 5000
    failover_timeout_ms: int = 10000
    quorum: int = 2
    parallel_syncs: int = 1


@dataclass(frozen=True)
class ClusterSpec:
    """A Redis Cluster instead of one master with Sentinel: `shards` masters, each with `replicas`
    replicas, created by `redis-cli --cluster create`; node_timeout_ms is cluster-node-timeout, the
    cluster's down-after (a node unreachable that long is PFAIL, then FAIL once most masters agree)."""

    shards: int = 3
    replicas: int = 1
    node_timeout_ms: int = 5000

    @property
    def nodes(self) -> int:
        return self.shards * (1 + self.replicas)


@dataclass(frozen=True)
class StackSpec:
    redis: int = 3  # 1 master + (redis - 1) replicas
    sentinels: int = 3  # 0: no Sentinel, the service talks to the first Redis directly
    mysql: int = 1  # 2: primary + replica
    consumers: int = 1
    apis: int = 1  # API nodes: api, api-2, ... (client variants compare differently tuned ones)
    sentinel: SentinelTimings = field(default_factory=SentinelTimings)
    redis_conf: dict[str, str] = field(default_factory=dict)  # extra directives for every Redis node
    service_env: dict[str, str] = field(default_factory=dict)  # FAIRBID_* overrides for API/consumers
    api_env: dict[str, dict[str, str]] = field(default_factory=dict)  # per API node, on top of service_env
    cluster: ClusterSpec | None = None  # a Redis Cluster (then `redis` counts its nodes and no Sentinel runs)

    def api_names(self) -> list[str]:
        return ["api" if i == 1 else f"api-{i}" for i in range(1, self.apis + 1)]

    def node_names(self) -> list[str]:
        return ([f"redis-{i}" for i in range(1, self.redis + 1)]
                + [f"sentinel-{i}" for i in range(1, self.sentinels + 1)]
                + [f"mysql-{i}" for i in range(1, self.mysql + 1)]
                + [f"consumer-{i}" for i in range(1, self.consumers + 1)]
                + self.api_names())

    def settings(self) -> dict:
        """The settings as run, for summary.json's `config`."""
        return {
            "redis_nodes": self.redis, "sentinels": self.sentinels, "mysql_nodes": self.mysql,
            "consumers": self.consumers, "apis": self.apis, "api_env": dict(self.api_env),
            "sentinel": vars(self.sentinel) if self.sentinels else None,
            "redis_conf": dict(self.redis_conf), "service_env": dict(self.service_env),
            "cluster": vars(self.cluster) if self.cluster else None,
        }


def node_kind(name: str) -> str:
    """redis-2 -> redis, api-2 -> api, api -> api."""
    base, _, index = name.rpartition("-")
    return base if base and index.isdigit() else name


def redis_directive_problem(name: str) -> str | None:
    """Why a scenario may not set this redis.conf directive, or None."""
    if not _DIRECTIVE.fullmatch(name):
        return f"{name!r} is not a redis.conf directive"
    if name.lower() in LAB_CLUSTER_DIRECTIVES:
        return f"{name!r} is set by the lab for a cluster stack (stack.cluster: shards, replicas, node_timeout_ms)"
    if name.lower() in LAB_REDIS_DIRECTIVES:
        return (f"{name!r} is set by the lab (addresses, files, passwords, replication); "
                "persistence (appendonly, appendfsync, save) and the like stay free")
    return None


def settings_env() -> frozenset[str]:
    """The variables the stand-in reads (lab/standin_env.py, held to fairbid/settings.py by a test)."""
    return frozenset(standin_env.VARIABLES)


def _repoint_problem(key: str, value: str, nodes: set[str], resolved: bool) -> str | None:
    kind = REPOINT_ENV[key]
    example = f'{key}: "@{kind}-2"'
    if not resolved:
        return f"the lab sets {key}; repoint the service with a restart fault's env ({example})"
    node = value[1:] if value.startswith("@") else None
    if node not in nodes or node_kind(node) != kind:
        known = ", ".join(sorted(f"@{n}" for n in nodes if node_kind(n) == kind)) or "none in this stack"
        return f"{value!r}: the lab's addresses are set by the lab; name a {kind} node of this stack ({known})"
    return None


def env_problem(key: str, value: str, nodes: set[str], resolved: bool = False) -> str | None:
    """Why a scenario may not set this variable of the service's environment, or None. `resolved`:
    a restart's env, where "@node" stands for that node's address."""
    if not _ENV_NAME.fullmatch(key):
        return f"{key!r} is not an environment variable name"
    if key in REPOINT_ENV:
        return _repoint_problem(key, value, nodes, resolved)
    if key in LAB_ENV or _LAB_LIKE.search(key):
        return f"{key} is set by the lab (its addresses, passwords and the names the harness reads)"
    if value.startswith("@"):
        return f"{value!r}: a node's address only stands in {' and '.join(REPOINT_ENV)} of a restart's env"
    if not key.startswith("FAIRBID_"):
        return None
    if key not in settings_env():
        tunable = sorted(settings_env() - LAB_ENV - set(REPOINT_ENV))
        return f"unknown setting {key} (known: {', '.join(tunable)})"
    try:
        standin_env.check(key, value)
    except ValueError as exc:
        return f"{value!r} is not a valid {key}: {exc}"
    return None


def read_env(f: Fields, nodes: set[str], resolved: bool = False) -> dict[str, str]:
    """Environment overrides for the service; each one a scenario may set (env_problem says which).
    `resolved`: a restart's env, where "@node" stands for that node's address."""
    return scalars(f, lambda key, value: env_problem(key, value, nodes, resolved))
