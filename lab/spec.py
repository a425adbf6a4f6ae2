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
    api: bool = True
    sentinel: SentinelTimings = field(default_factory=SentinelTimings)
    redis_conf: dict[str, str] = field(default_factory=dict)  # extra directives for every Redis node
    service_env: dict[str, str] = field(default_factory=dict)  # FAIRBID_* overrides for API/consumers

    def node_names(self) -> list[str]:
        return ([f"redis-{i}" for i in range(1, self.redis + 1)]
                + [f"sentinel-{i}" for i in range(1, self.sentinels + 1)]
                + [f"mysql-{i}" for i in range(1, self.mysql + 1)]
                + [f"consumer-{i}" for i in range(1, self.consumers + 1)]
                + (["api"] if self.api else []))

    def settings(self) -> dict:
        """The settings as run, for summary.json's `config`."""
        return {
            "redis_nodes": self.redis, "sentinels": self.sentinels, "mysql_nodes": self.mysql,
            "consumers": self.consumers,
            "sentinel": vars(self.sentinel) if self.sentinels else None,
            "redis_conf": dict(self.redis_conf), "service_env": dict(self.service_env),
        }
