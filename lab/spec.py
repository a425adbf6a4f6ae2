"""What a scenario asks of a stack: how many of each node, and the settings that vary by step."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SentinelTimings:
    down_after_ms: int = 5000
    failover_timeout_ms: int = 10000
    quorum: int = 2
    parallel_syncs: int = 1


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
        }
