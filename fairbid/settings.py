"""Service settings, read from the environment so that any launcher (lab, Compose, a shell) can set them."""
from __future__ import annotations

import os
from dataclasses import dataclass


def _addrs(value: str) -> tuple[tuple[str, int], ...]:
    """Parse "h1:p1,h2:p2" into ((h1, p1), (h2, p2))."""
    out = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        host, _, port = part.rpartition(":")
        out.append((host, int(port)))
    return tuple(out)


DURABILITY_MODES = ("async", "guard", "wait")


def _durability(value: str) -> str:
    if value not in DURABILITY_MODES:
        raise ValueError(f"FAIRBID_DURABILITY must be one of {', '.join(DURABILITY_MODES)}, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the API and the consumer need to reach their stores, and how hard to try."""

    sentinels: tuple[tuple[str, int], ...]
    master_name: str
    redis_direct: tuple[str, int] | None  # a single Redis without Sentinel (plan step 1)
    cluster: tuple[tuple[str, int], ...]  # Redis Cluster startup nodes; when set, no Sentinel (fairbid.cluster_keys)
    redis_password: str | None  # requirepass of the Redis nodes
    sentinel_password: str | None  # Sentinel's own requirepass (not the same as Redis')
    redis_timeout_s: float
    redis_retries: int
    redis_backoff_cap_s: float
    redis_deadline_s: float | None  # a total budget per operation (every try and wait); None: retries only
    mysql_host: str
    mysql_port: int
    mysql_user: str
    mysql_password: str
    mysql_db: str
    mysql_timeout_s: float
    bind_host: str
    bind_port: int
    stream: str
    group: str
    consumer_name: str
    claim_interval_s: float
    claim_idle_ms: int
    max_deliveries: int
    dead_letter_stream: str
    ack_delay_ms: int  # test-only: widens the window between MySQL commit and XACK
    durability: str  # async | guard | wait (see fairbid.bids)
    wait_replicas: int
    wait_timeout_ms: int

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        e = os.environ if env is None else env
        direct = _addrs(e.get("FAIRBID_REDIS", ""))
        return cls(
            sentinels=_addrs(e.get("FAIRBID_SENTINELS", "")),
            master_name=e.get("FAIRBID_MASTER_NAME", "mymaster"),
            redis_direct=direct[0] if direct else None,
            cluster=_addrs(e.get("FAIRBID_CLUSTER", "")),
            redis_password=e.get("FAIRBID_REDIS_PASSWORD") or None,
            sentinel_password=e.get("FAIRBID_SENTINEL_PASSWORD") or None,
            redis_timeout_s=float(e.get("FAIRBID_REDIS_TIMEOUT_S", "3")),
            redis_retries=int(e.get("FAIRBID_REDIS_RETRIES", "3")),
            redis_backoff_cap_s=float(e.get("FAIRBID_REDIS_BACKOFF_CAP_S", "0.5")),
            redis_deadline_s=float(e["FAIRBID_REDIS_DEADLINE_S"]) if e.get("FAIRBID_REDIS_DEADLINE_S") else None,
            mysql_host=e.get("FAIRBID_MYSQL_HOST", "127.0.0.1"),
            mysql_port=int(e.get("FAIRBID_MYSQL_PORT", "3306")),
            mysql_user=e.get("FAIRBID_MYSQL_USER", "fairbid"),
            mysql_password=e.get("FAIRBID_MYSQL_PASSWORD", "fairbid"),
            mysql_db=e.get("FAIRBID_MYSQL_DB", "fairbid"),
            mysql_timeout_s=float(e.get("FAIRBID_MYSQL_TIMEOUT_S", "3")),
            bind_host=e.get("FAIRBID_BIND_HOST", "127.0.0.1"),
            bind_port=int(e.get("FAIRBID_BIND_PORT", "8080")),
            stream=e.get("FAIRBID_STREAM", "bid-stream"),
            group=e.get("FAIRBID_GROUP", "bid-group"),
            consumer_name=e.get("FAIRBID_CONSUMER_NAME", f"consumer-{os.getpid()}"),
            claim_interval_s=float(e.get("FAIRBID_CLAIM_INTERVAL_S", "30")),
            claim_idle_ms=int(e.get("FAIRBID_CLAIM_IDLE_MS", "60000")),
            max_deliveries=int(e.get("FAIRBID_MAX_DELIVERIES", "5")),
            dead_letter_stream=e.get("FAIRBID_DEAD_LETTER_STREAM", "bid-stream-dead"),
            ack_delay_ms=int(e.get("FAIRBID_ACK_DELAY_MS", "0")),
            durability=_durability(e.get("FAIRBID_DURABILITY", "async")),
            wait_replicas=int(e.get("FAIRBID_WAIT_REPLICAS", "1")),
            wait_timeout_ms=int(e.get("FAIRBID_WAIT_TIMEOUT_MS", "500")),
        )
