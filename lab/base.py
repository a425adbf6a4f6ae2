"""The part of the `Lab` protocol (lab/protocol.py) that every backend shares: node facts kept on
disk, roles as Sentinel sees them, readiness of the service, MySQL access. A backend adds how nodes
start, stop, pause and get cut off.
"""
from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

import pymysql
import redis

from errors import LabError
from lab import clients, cluster, service, topology
from lab.config import LabConfig
from lab.protocol import stream_keys
from lab.secrets import LabSecrets
from lab.service import ServiceModel
from lab.spec import ClusterSpec, SentinelTimings, StackSpec
from lab.standin_env import stream_names
from lab.target_spec import Target
from runfiles import BackendFacts

APP_USER, APP_PASSWORD, DB = "fairbid", "fairbid", "fairbid"
MONITOR_USER, MONITOR_PASSWORD = "monitor", "monitor"  # read-only: row counts and replica status


def address_taken(host: str, port: int) -> bool:
    """True if something listens there (SO_REUSEADDR: connections in TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def wake(lab, name: str, label: str | None = None) -> list[str]:
    """The node running again, whatever stopped it: resumed where paused, started where stopped (the
    heal of every backend, through its own resume and start); what was done, the node named `label`."""
    if lab.paused(name):
        lab.resume(name)
        return [f"resumed {label or name}"]
    if not lab.alive(name):
        lab.start(name)
        return [f"started {label or name}"]
    return []


class BaseLab:
    """What every backend shares (lab.protocol.Lab): node facts on disk, roles, the service's health."""

    backend = "?"
    backend_facts: BackendFacts
    target: Target | None = None  # a lab that builds its own stack adopts no target file

    def __init__(self, config: LabConfig, spec: StackSpec | None = None) -> None:
        self.config = config
        self.secrets = LabSecrets.for_lab(config)  # Redis, Sentinel and MySQL run with the lab's passwords
        self.spec = spec or StackSpec()
        self.dir = config.state_dir
        self.state_path = self.dir / "state.json"
        self.nodes: dict[str, dict] = {}
        if self.state_path.exists():
            self._load()

    # ---- state on disk -------------------------------------------------------------------
    def _load(self) -> None:
        state = json.loads(self.state_path.read_text())
        if state.get("backend", "local") != self.backend:
            raise LabError(f"lab {self.config.name} is up on the {state.get('backend')} backend; "
                           f"`make down` it before using the {self.backend} backend")
        self.nodes = state["nodes"]
        self.spec = _spec_from_dict(state["spec"])

    def _save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"backend": self.backend, "lab": self.config.name,
                                   "spec": _spec_to_dict(self.spec), "nodes": self.nodes}, indent=1))
        tmp.replace(self.state_path)

    def is_up(self) -> bool:
        return self.state_path.exists()

    @property
    def service(self) -> ServiceModel:
        """The stand-in's conventions, with the stream names the lab runs it with."""
        s = stream_names(self.service_env())
        return service.standin(s.stream, s.group, s.dead_letter_stream, cluster=self.spec.cluster is not None)

    # ---- node facts ----------------------------------------------------------------------
    def node_names(self) -> list[str]:
        return list(self.nodes)

    def plan(self) -> list[str]:
        """What each catalog name is acted on as: a node of this lab's own, and its address."""
        return [f"{name:<11} <- {self.backend} {node['kind']} node, "
                + (f"{node['host']}:{node['port']}" if node.get("host") else "no address")
                for name, node in self.nodes.items()]

    def host_processes(self) -> bool:
        return self.backend_facts.processes

    def _node(self, name: str) -> dict:
        if name not in self.nodes:
            raise LabError(f"no node {name!r} in lab {self.config.name} (nodes: {', '.join(self.nodes)})")
        return self.nodes[name]

    def address(self, name: str) -> tuple[str, int] | None:
        node = self._node(name)
        return (node["host"], node["port"]) if node.get("host") else None

    def node_by_address(self, host: str, port: int) -> str | None:
        for name, node in self.nodes.items():
            if node.get("host") == host and node.get("port") == port:
                return name
        return None

    def kind(self, name: str) -> str:
        return self._node(name)["kind"]

    def sentinel_addrs(self) -> list[tuple[str, int]]:
        return [self.address(n) for n in self.nodes if self.nodes[n]["kind"] == "sentinel"]

    def url(self, name: str) -> str:
        host, port = self.address(name)
        return f"http://{host}:{port}"

    # ---- roles ---------------------------------------------------------------------------
    def cluster_addrs(self) -> list[tuple[str, int]]:
        return [self.address(n) for n in self.nodes if self.nodes[n]["kind"] == "redis"]

    def shard(self, index: int | None) -> cluster.Shard:
        """A cluster's shard as its nodes say now (shard 1 owns slot 0), read when a fault fires."""
        shards = cluster.shards(self.cluster_addrs(), self.secrets.redis)
        index = index or 1
        if not 1 <= index <= len(shards):
            raise LabError(f"no shard {index} in lab {self.config.name}: its nodes describe {len(shards)}")
        return shards[index - 1]

    def master(self, shard: int | None = None) -> str:
        """The node Sentinel names as master; where no Sentinel runs, the node the service is pointed at
        (after a manual failover and repoint, that is the promoted replica). In a cluster, the master of
        `shard` (the first by default) as the cluster's nodes name it."""
        if self.spec.cluster:
            addr = self.shard(shard).master
            return self.node_by_address(*addr) or f"{addr[0]}:{addr[1]}"
        if not self.spec.sentinels:
            api = self.spec.api_names()[0] if self.spec.apis else None
            direct = ((self.nodes.get(api) or {}).get("env") or {}).get("FAIRBID_REDIS") if api else None
            if direct:
                host, _, port = direct.rpartition(":")
                return self.node_by_address(host, int(port)) or "redis-1"
            return "redis-1"
        addr = topology.current_master(self.sentinel_addrs(), self.config.master_name, self.secrets)
        name = self.node_by_address(*addr) if addr else None
        if name is None:
            raise LabError(f"no Sentinel of lab {self.config.name} names a known master (answer: {addr})")
        return name

    def replicas(self, shard: int | None = None) -> list[str]:
        if self.spec.cluster:
            return sorted(n for n in (self.node_by_address(*a) for a in self.shard(shard).replicas) if n)
        if not self.spec.sentinels:
            return [n for n in self.nodes if self.nodes[n]["kind"] == "redis" and n != self.master()]
        addrs = topology.replicas(self.sentinel_addrs(), self.config.master_name, self.secrets)
        return sorted(n for n in (self.node_by_address(*a) for a in addrs) if n)

    def settled(self) -> bool:
        if self.spec.cluster:
            c = self.spec.cluster
            return cluster.settled(self.cluster_addrs(), self.secrets.redis, c.shards, c.replicas)
        if not self.spec.sentinels:
            return True
        return topology.settled(self.sentinel_addrs(), self.config.master_name, self.spec.redis - 1, self.secrets)

    # ---- the service ---------------------------------------------------------------------
    def consumer_joined(self, name: str) -> bool:
        if not self.alive(name):
            raise LabError(f"{name} exited; see {self.log_path(name)}")
        settings = stream_names(self.service_env())
        stream = stream_keys(self)[-1][0]  # a cluster's consumer reads its bucket streams in order: the last
        try:
            client = clients.master(self, timeout=0.5)
        except redis.RedisError:  # a cluster client that finds no node to learn the slots from yet
            return False
        try:
            return any(x["name"] == name for x in client.xinfo_consumers(stream, settings.group))
        except redis.ResponseError:
            return False
        finally:
            client.close()

    def api_healthy(self, name: str) -> bool:
        if not self.alive(name):
            raise LabError(f"{name} exited; see {self.log_path(name)}")
        with urllib.request.urlopen(f"{self.url(name)}/health", timeout=1) as resp:
            return resp.status == 200

    def mysql_connect(self, node: str = "mysql-1", timeout_s: float = 3.0,
                      monitor: bool = False) -> pymysql.connections.Connection:
        """The app's account, or the read-only monitoring one (row counts, replica status)."""
        host, port = self.address(node)
        user, password = ((MONITOR_USER, self.secrets.mysql_monitor or MONITOR_PASSWORD) if monitor
                          else (APP_USER, self.secrets.mysql_app or APP_PASSWORD))
        return pymysql.connect(host=host, port=port, user=user, password=password, database=DB,
                               connect_timeout=timeout_s, read_timeout=timeout_s, write_timeout=timeout_s,
                               autocommit=True)

    # ---- what a backend provides ------------------------------------------------------------
    def alive(self, name: str) -> bool:
        raise NotImplementedError

    def log_path(self, name: str) -> Path:
        raise NotImplementedError


def _spec_to_dict(spec: StackSpec) -> dict:
    d = dict(vars(spec))
    d["sentinel"] = dict(vars(spec.sentinel))
    d["cluster"] = dict(vars(spec.cluster)) if spec.cluster else None
    return d


def _spec_from_dict(d: dict) -> StackSpec:
    cluster = ClusterSpec(**d["cluster"]) if d.get("cluster") else None
    return StackSpec(**{**d, "sentinel": SentinelTimings(**d["sentinel"]), "cluster": cluster})
