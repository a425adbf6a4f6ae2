"""Lab configuration: addresses, ports and state directory, so a test lab and a demo lab never collide."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

import yaml

from errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LabConfig:
    name: str
    state_dir: Path
    redis_hosts: tuple[str, ...]
    redis_port: int
    sentinel_hosts: tuple[str, ...]
    sentinel_port: int
    mysql_hosts: tuple[str, ...]
    mysql_port: int
    api_hosts: tuple[str, ...]
    api_port: int
    master_name: str = "mymaster"
    source: str = ""
    # a Redis Cluster stack's nodes (stack.cluster): nine addresses of their own, port and bus port + 10000
    cluster_hosts: tuple[str, ...] = ()
    cluster_port: int = 7000
    # where a distributed run's Locust master listens for its workers (default: the first API
    # address, port 5557: each lab's own, so a test lab and a demo lab never collide)
    locust_master_host: str = ""
    locust_master_port: int = 5557

    @classmethod
    def load(cls, path: str | Path) -> "LabConfig":
        path = Path(path)
        try:
            raw = yaml.safe_load(path.read_text())
            cfg = cls(
                name=str(raw["name"]),
                state_dir=(ROOT / raw["state_dir"]).resolve(),
                redis_hosts=tuple(raw["redis"]["hosts"]),
                redis_port=int(raw["redis"]["port"]),
                sentinel_hosts=tuple(raw["sentinel"]["hosts"]),
                sentinel_port=int(raw["sentinel"]["port"]),
                mysql_hosts=tuple(raw["mysql"]["hosts"]),
                mysql_port=int(raw["mysql"]["port"]),
                api_hosts=tuple(raw["api"].get("hosts") or [raw["api"]["host"]]),
                api_port=int(raw["api"]["port"]),
                master_name=str(raw.get("master_name", "mymaster")),
                source=str(path),
                locust_master_host=str((raw.get("locust_master") or {}).get("host") or ""),
                locust_master_port=int((raw.get("locust_master") or {}).get("port") or 5557),
                cluster_hosts=tuple((raw.get("cluster") or {}).get("hosts") or ()),
                cluster_port=int((raw.get("cluster") or {}).get("port") or 7000),
            )
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{path}: not a lab config: {type(exc).__name__}: {exc}") from None
        for host in cfg.all_hosts():
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                raise ConfigError(f"{path}: {host} is not a loopback address; a lab only ever uses 127.0.0.0/8")
        return cfg

    def all_hosts(self) -> list[str]:
        return [*self.redis_hosts, *self.sentinel_hosts, *self.mysql_hosts, *self.api_hosts, *self.cluster_hosts,
                *([self.locust_master_host] if self.locust_master_host else [])]

    @property
    def locust_master(self) -> tuple[str, int]:
        return self.locust_master_host or self.api_hosts[0], self.locust_master_port

    @property
    def api_host(self) -> str:
        return self.api_hosts[0]

    @property
    def api_url(self) -> str:
        """The first API node's URL (the one every single-API scenario uses)."""
        return f"http://{self.api_host}:{self.api_port}"

    def sentinel_addrs(self, n: int | None = None) -> list[tuple[str, int]]:
        return [(h, self.sentinel_port) for h in self.sentinel_hosts[: n or len(self.sentinel_hosts)]]
