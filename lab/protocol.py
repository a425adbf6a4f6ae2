"""The one interface every backend offers (local processes, Docker, an adopted target).

faults/, harness/ and the locustfile see a stack only through `Lab`, so a backend is one module
that implements it, and a scenario runs unchanged on any of them. Each operation says what it
promises; the tests hold both backends to it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pymysql

from lab.config import LabConfig
from lab.secrets import LabSecrets
from lab.service import ServiceModel
from lab.spec import StackSpec
from lab.standin_env import StreamNames, cluster_streams, stream_names
from lab.target_spec import Target
from runfiles import BackendFacts


class Lab(Protocol):
    backend: str  # its name (runfiles.BACKENDS), for messages and run files; never compared
    backend_facts: BackendFacts  # what the backend is: asked where behaviour or wording differs
    target: Target | None  # the target file whose stack the lab adopted (None: it builds its own)
    config: LabConfig  # addresses, ports, state directory
    spec: StackSpec  # what the scenario asked of the stack
    secrets: LabSecrets  # the passwords its servers run with (none set where a backend runs without)
    service: ServiceModel  # how bids are placed and where what the service stored is looked up

    # ---- the stack as a whole ----------------------------------------------------------------
    def up(self) -> None:
        """Start every node of `spec` and return once each answers; refuses addresses already taken."""

    def down(self) -> None:
        """Stop every node this lab started (by PID or container) and forget its state; safe to repeat."""

    def is_up(self) -> bool:
        """True while this lab's state says it runs (also from another process: the state is on disk)."""

    def heal(self) -> list[str]:
        """Undo every fault still in place (cut rules, paused or stopped nodes), also after the
        orchestrator was SIGKILLed; return what was done. Safe to run twice."""

    def settled(self) -> bool:
        """Every Sentinel agrees on one master with all its replicas linked (True without Sentinels)."""

    # ---- nodes ---------------------------------------------------------------------------------
    def node_names(self) -> list[str]:
        """Catalog names (redis-1.., sentinel-1.., mysql-1.., consumer-1.., api, api-2)."""

    def kind(self, name: str) -> str:
        """redis, sentinel, mysql, consumer or api."""

    def address(self, name: str) -> tuple[str, int] | None:
        """Where clients reach the node (None for a node that listens nowhere: a consumer)."""

    def node_by_address(self, host: str, port: int) -> str | None:
        """The node at an address (Sentinel names masters by address), or None."""

    def pid(self, name: str) -> int:
        """The node's process id on this host (a container's init process on Docker): the way into
        its network namespace."""

    def alive(self, name: str) -> bool:
        """The node's process exists (a paused one is alive)."""

    def paused(self, name: str) -> bool:
        """The node is stopped by SIGSTOP / docker pause."""

    def log_path(self, name: str) -> Path:
        """The node's log, copied into each run's logs/."""

    def plan(self) -> list[str]:
        """What each catalog name is acted on as (process, container, address), one line each, before
        any fault: said before a run against a team's stack and kept in its run.json."""

    def host_processes(self) -> bool:
        """Some node is a process on this host (a throttle of it takes a cgroup: lab/cpu_quota.py)."""

    # ---- fault operations ------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL (= docker kill): no shutdown, data on disk as the kernel had it. Undone by start."""

    def start(self, name: str) -> None:
        """Start a killed node again with the same data and address; returns once it answers."""

    def pause(self, name: str) -> None:
        """SIGSTOP (= docker pause): process alive, sockets open, nothing answered. Undone by resume."""

    def resume(self, name: str) -> None:
        """SIGCONT (= docker unpause)."""

    def restart(self, name: str, env: dict[str, str] | None = None) -> None:
        """Stop and start the node at the same address, with environment overrides (service nodes)."""

    def disconnect(self, name: str, peer: str | None = None, one_way: bool = False) -> None:
        """Cut: traffic dropped both ways (or only from the node to `peer` with one_way), process
        alive. With `peer`, only between the two. Undone by connect at the same address."""

    def connect(self, name: str, peer: str | None = None) -> None:
        """Remove exactly the rules disconnect added for this node (and peer)."""

    def lose(self, name: str, percent: float, peer: str | None = None) -> list[str]:
        """Drop a random `percent` % of the node's packets both ways (with `peer` only, where given),
        process alive; returns the rules as applied, for the journal. Undone by unlose."""

    def unlose(self, name: str, percent: float, peer: str | None = None) -> None:
        """Remove exactly the rules lose added for this node (and peer)."""

    def throttle(self, name: str, cpu_percent: float) -> dict:
        """Hold the node to `cpu_percent` % of one core (a CFS quota); returns what it had before and
        what was set, for the journal and for unthrottle."""

    def unthrottle(self, name: str, state: dict) -> None:
        """Restore the CPU setting the node had before throttle."""

    # ---- roles and the service -----------------------------------------------------------------
    def master(self, shard: int | None = None) -> str:
        """The node Sentinel names as master now (without Sentinel: the node the service uses)."""

    def replicas(self, shard: int | None = None) -> list[str]:
        """The replicas Sentinel lists for the master now."""

    def sentinel_addrs(self) -> list[tuple[str, int]]:
        """Every Sentinel's address, for the observer and the clients."""

    def url(self, name: str) -> str:
        """An API node's base URL."""

    def service_env(self) -> dict[str, str]:
        """The FAIRBID_* environment of the stand-in's code: the stand-in service a lab runs, and the
        stand-in's Redis client the harness's Redis users run with (against a target too: the
        target's Sentinels and passwords). A target's own settings are never named so."""

    def mysql_connect(self, node: str = "mysql-1", timeout_s: float = 3.0,
                      monitor: bool = False) -> pymysql.connections.Connection:
        """The app's account, or the read-only monitoring one."""


def service_settings(lab: Lab) -> StreamNames:
    """The stream, group and dead-letter names of the service as the lab runs it, from its service
    model (a target's in its own file's words; the stand-in's from the environment it runs with), so a
    scenario that renames the stream is watched on the right key."""
    stream = lab.service.stream
    if stream is None:  # a target that names no stream: the stand-in's names
        return stream_names({})
    return StreamNames(stream=stream.key, group=stream.group, dead_letter_stream=stream.dead_letter or "")


def stream_keys(lab: Lab) -> list[tuple[str, str]]:
    """(stream, dead-letter stream) of every stream the service writes: its one stream, or, for the
    stand-in on a cluster, one per hash-tag bucket (lab/standin_env.py cluster_streams)."""
    s = service_settings(lab)
    if getattr(lab.spec, "cluster", None) and lab.service.standin:
        return list(zip(cluster_streams(s.stream), cluster_streams(s.dead_letter_stream)))
    return [(s.stream, s.dead_letter_stream)]


def nodes_of(lab: Lab, kind: str) -> list[str]:
    """The lab's nodes of one kind, in catalog order."""
    return [n for n in lab.node_names() if lab.kind(n) == kind]
