"""The target backend: a team's own stack, adopted from its target file (lab/target_spec.py).

It builds nothing and owns nothing but the host processes the file gives command lines for. Every
container it acts on is one the file names, found through the Docker SDK (by name, or by Compose
project + service labels) and refused when no container or more than one matches. Adopted containers
are killed, paused, started and cut, never stopped, removed or recreated; a cut is DROP rules in the
container's own network namespace (tagged, so `make heal` removes exactly them after a SIGKILL). Roles
are resolved through the target's Sentinels and mapped to nodes by address.
"""
from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import urllib.parse
from pathlib import Path

import pymysql
import requests

from errors import FaultError, LabError
from lab import cpu_quota, netns, process, service, standin_env, topology
from lab.base import wake
from lab.config import ROOT, LabConfig
from lab.process import Proc
from lab.secrets import LabSecrets
from lab.service import ServiceModel
from lab.service_settings import SETTINGS
from lab.spec import CLIENT_ENV, StackSpec
from lab.target_spec import ProcessSpec, Target, TargetNode
from lab.wait import Wait
from runfiles import BACKENDS

STATE_ROOT = ROOT / ".lab"
LAB_KIND = {"app": "api"}  # the target's kind -> the harness's (scenario files say api)
PLACEHOLDER = re.compile(r"\{(host|port|addr):([^}]+)\}|\{sentinels\}")


def state_dir(target_name: str) -> Path:
    return STATE_ROOT / f"target-{target_name}"


def load_env_file(path: Path | None) -> None:
    """KEY=VALUE lines into this process's environment where a variable is not set already (the
    passwords stay out of the target file and of every run directory)."""
    if path is None:
        return
    for line in path.read_text().splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def _env(var: str | None) -> str | None:
    return os.environ.get(var) or None if var else None


class TargetLab:
    backend_facts = BACKENDS["target"]
    backend = backend_facts.name

    def __init__(self, target: Target, spec: StackSpec | None = None) -> None:
        self.target = target
        self.spec = spec or StackSpec()
        load_env_file(target.env_file)
        url = urllib.parse.urlsplit(target.bid.url)
        self.dir = state_dir(target.name)
        self.config = LabConfig(name=f"target-{target.name}", state_dir=self.dir, redis_hosts=(), redis_port=0,
                                sentinel_hosts=(), sentinel_port=0, mysql_hosts=(), mysql_port=0,
                                api_hosts=(url.hostname or "127.0.0.1",), api_port=url.port or 80,
                                master_name=target.master_name, source=str(target.path))
        self.secrets = LabSecrets(redis=_env(target.redis_password_env), sentinel=_env(target.sentinel_password_env))
        self.state_path = self.dir / "state.json"
        self.nodes: dict[str, dict] = {}
        self._docker = None
        if self.state_path.exists():
            self.nodes = json.loads(self.state_path.read_text())["nodes"]

    # ---- the Docker SDK, only where a container is named ----------------------------------------
    @property
    def docker(self):
        if self._docker is None:
            from lab import engine  # the Docker SDK only where a container is named

            self._docker = engine.connect(f"target {self.target.name} names containers")
        return self._docker

    def find_container(self, node: TargetNode):
        """The one container a node names; refused when none or several match."""
        if node.compose:
            project, svc = node.compose
            found = self.docker.containers.list(all=True, filters={"label": [
                f"com.docker.compose.project={project}", f"com.docker.compose.service={svc}"]})
            what = f"Compose project {project!r}, service {svc!r}"
        else:
            found = [c for c in self.docker.containers.list(all=True, filters={"name": node.container})
                     if c.name == node.container]
            what = f"container name {node.container!r}"
        where = f"{self.target.path}:{node.line}: nodes.{node.key}"
        if not found:
            raise LabError(f"{where}: no container matches {what}")
        if len(found) > 1:
            raise LabError(f"{where}: {len(found)} containers match {what} ({', '.join(c.name for c in found)}); "
                           "name exactly one")
        return found[0]

    # ---- state on disk --------------------------------------------------------------------------
    def _save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"backend": self.backend, "target": str(self.target.path), "nodes": self.nodes},
                                  indent=1))
        tmp.replace(self.state_path)

    def is_up(self) -> bool:
        return self.state_path.exists()

    @property
    def service(self) -> ServiceModel:
        return service.from_target(self.target)

    # ---- adopting ---------------------------------------------------------------------------------
    def _container_facts(self, node: TargetNode) -> dict:
        c = self.find_container(node)
        if c.status != "running":
            raise LabError(f"{self.target.path}:{node.line}: nodes.{node.key}: container {c.name} is {c.status}; "
                           "the harness adopts a running stack (start it first)")
        nets = c.attrs["NetworkSettings"]["Networks"] or {}
        ips = [n["IPAddress"] for _, n in sorted(nets.items()) if n.get("IPAddress")]
        names = {c.name, *(node.compose[1:] if node.compose else ()),
                 *(a for n in nets.values() for a in (n.get("Aliases") or []))}
        return {"container_id": c.id, "container": c.name, "host": ips[0] if ips else None, "ips": ips,
                "names": sorted(names)}

    def _resolve(self) -> dict[str, dict]:
        """Every node the target names, as the engine and the file say it is now (nothing started)."""
        nodes = {}
        for node in self.target.nodes:
            kind = LAB_KIND.get(node.kind, node.kind)
            facts = {"kind": kind, "key": node.key, "port": node.port, "line": node.line}
            if node.process is None:
                facts.update(self._container_facts(node))
            else:
                facts.update(host="127.0.0.1" if node.port else None, owned=True)
            if node.plays == "api":  # clients reach the service where the target's bid URL says
                url = urllib.parse.urlsplit(self.target.bid.url)
                facts.update(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 80))
            nodes[node.plays] = facts
        return nodes

    def _check_addresses(self, nodes: dict[str, dict]) -> None:
        """Loopback, or an address the engine gave an adopted container; any other only with allow_remote."""
        if self.target.allow_remote:
            return
        own = {ip for n in nodes.values() for ip in n.get("ips", [])}
        check = self.target.verify.mysql
        dsn_host = urllib.parse.urlsplit(_env(check.dsn_env) or "").hostname if check and check.dsn_env else None
        for addr in [self.config.api_host, *(h for h, _ in self.sentinel_addrs(nodes)), *([dsn_host] if dsn_host else [])]:
            if addr in own or addr == "localhost":
                continue
            try:
                if ipaddress.ip_address(addr).is_loopback:
                    continue
            except ValueError:
                pass
            raise LabError(f"{self.target.path}: {addr} is neither loopback nor an adopted container's address; "
                           "the harness sends traffic nowhere else unless the target says allow_remote: true")

    def up(self, wait: Wait = Wait(timeout_s=60)) -> None:
        """Adopt the stack: find every named container (running, exactly one each), start the owned
        processes the scenario needs, and return once the Sentinels agree."""
        if self.is_up():
            raise LabError(f"target {self.target.name} is adopted already ({self.state_path}); `make down` first")
        nodes = self._resolve()
        self._check_addresses(nodes)
        # owned consumers: as many as the scenario asks
        self.nodes = {n: f for n, f in nodes.items() if not (f.get("owned") and self._node_kind_index(n) > self.spec.consumers)}
        shutil.rmtree(self.dir / "logs", ignore_errors=True)  # each adoption's logs are its own run's
        (self.dir / "logs").mkdir(parents=True)
        self._save()
        try:
            for name, facts in self.nodes.items():
                if facts.get("owned"):
                    self._spawn(name, self.settings(name))
            wait.until("the target's Sentinels agreeing on one master with its replicas", self.settled)
            for name, facts in self.nodes.items():
                if facts.get("owned"):
                    Wait(timeout_s=10).until(f"{name} running", lambda n=name: self._owned_running(n))
            for name, facts in self.nodes.items():
                if facts.get("owned"):
                    self._wait_ready(name)
        except BaseException:
            self.down()
            raise

    def _wait_ready(self, name: str) -> None:
        """An owned process's own readiness, as its target entry says (nothing said: running is ready)."""
        spec = self.target.node(name).process
        if not spec.ready_path and not spec.ready_port:
            return
        host, port = self.address(name) or ("127.0.0.1", spec.ready_port)

        def ready() -> bool:
            self._owned_running(name)
            if spec.ready_port:
                with contextlib.suppress(OSError), socket.create_connection((host, spec.ready_port), timeout=2):
                    return True
                return False
            try:
                status = requests.get(f"http://{host}:{port}{spec.ready_path}", timeout=2).status_code
            except requests.RequestException:
                return False
            return status in spec.ready_status

        what = f"GET {spec.ready_path} answering {list(spec.ready_status)}" if spec.ready_path else f"port {spec.ready_port}"
        Wait(timeout_s=spec.ready_timeout_s, interval_s=0.5).until(f"{name} ready ({what})", ready)

    def _owned_running(self, name: str) -> bool:
        if not self.alive(name):
            raise LabError(f"{name} exited at start; see {self.log_path(name)}")
        return True

    def current_nodes(self) -> dict[str, dict]:
        """Each node's facts as adopted, or, before adoption, as the engine and the file say it is now
        (nothing started)."""
        return self.nodes or self._resolve()

    def look(self) -> None:
        """Take the nodes as they are now without adopting them (a dry run): nothing started or saved."""
        self.nodes = self.current_nodes()

    def host_processes(self) -> bool:
        return any(n.process for n in self.target.nodes)

    def plan(self) -> list[str]:
        """What each catalog name is acted on as: container id or PID, and address (before any fault)."""
        nodes = self.current_nodes()
        out = []
        for name, f in nodes.items():
            spec = next(n for n in self.target.nodes if n.plays == name)
            how = (f"container {f['container']} ({f['container_id'][:12]})" if f.get("container_id")
                   else f"host process {' '.join(spec.process.command)!r}"
                        + (f" PID {f['proc']['pid']}" if f.get("proc") else self._start_note(name)))
            addr = f"{f['host']}:{f['port']}" if f.get("host") and f.get("port") else "no address"
            out.append(f"{name:<11} <- {spec.key} ({spec.kind}): {how}, {addr}")
            if spec.process:
                out += [f"{'':<11}    {line}" for line in _settings_lines(spec.process, self.settings(name))]
        return out

    def settings(self, name: str | None = None) -> dict[str, str]:
        """The scenario's service settings in the harness's names (stack.service_env and, for an app
        node, its stack.api_env are written in the stand-in's: read through its adapter), for the
        processes the harness starts."""
        return standin_env.as_settings({**self.spec.service_env, **self.spec.api_env.get(name or "", {})})

    def _start_note(self, name: str) -> str:
        if self._node_kind_index(name) > self.spec.consumers:
            return f" (not started: the scenario asks {self.spec.consumers} consumer(s))"
        return " (started by the harness)"

    @staticmethod
    def _node_kind_index(name: str) -> int:
        base, _, index = name.rpartition("-")
        return int(index) if base == "consumer" and index.isdigit() else 0

    def down(self) -> None:
        """Stop the processes the harness started (by PID) and forget the adoption; no container is touched."""
        for name, facts in list(self.nodes.items()):
            if facts.get("proc"):
                proc = Proc(**facts["proc"])
                with contextlib.suppress(ProcessLookupError):
                    if process.paused(proc):
                        process.signal_proc(proc, signal.SIGCONT)
                process.stop(proc)
        with contextlib.suppress(FileNotFoundError):
            self.state_path.unlink()
        self.nodes = {}

    # ---- owned processes --------------------------------------------------------------------------
    def _process_env(self, name: str, settings: dict[str, str]) -> dict[str, str]:
        """The file's env with its placeholders resolved, and the harness's settings through env_map."""
        spec = self.target.node(name).process

        def fill(value: str) -> str:
            def one(m: re.Match) -> str:
                if m.group(0) == "{sentinels}":
                    return ",".join(f"{h}:{p}" for h, p in self.sentinel_addrs())
                ref = self._node_ref(m.group(2))
                host, port = self.address(ref)
                return {"host": host, "port": str(port), "addr": f"{host}:{port}"}[m.group(1)]
            return PLACEHOLDER.sub(one, value)

        env = {**os.environ, **{k: fill(v) for k, v in spec.env.items()}}
        env.update(spec.variables(settings))
        return env

    def _node_ref(self, ref: str) -> str:
        """A catalog name, from a catalog name or the file's own key."""
        if ref in self.nodes:
            return ref
        return next(n.plays for n in self.target.nodes if n.key == ref)

    def _spawn(self, name: str, settings: dict[str, str]) -> None:
        """Start an owned process with the harness's settings (kept, in its names, for a start after a kill)."""
        spec = self.target.node(name).process
        facts = self.nodes[name]
        facts["settings"] = settings
        log = self.dir / "logs" / f"{name}.log"
        proc = process.spawn(list(spec.command), log, env=self._process_env(name, settings), cwd=spec.cwd)
        facts.update(proc=proc.to_dict(), log=str(log))
        self._save()

    def unmapped(self, name: str, env: dict[str, str]) -> list[str]:
        """The variables of a scenario's env (the stand-in's names) an owned process cannot take: its
        target entry maps no variable for the setting they are, or they are no setting of the harness's."""
        return untaken(self.target.node(name).process, env)

    # ---- node facts -------------------------------------------------------------------------------
    def _node(self, name: str) -> dict:
        if name not in self.nodes:
            raise LabError(f"no node {name!r} in target {self.target.name} (nodes: {', '.join(self.nodes)})")
        return self.nodes[name]

    def _container(self, name: str):
        facts = self._node(name)
        if not facts.get("container_id"):
            raise FaultError(f"{name} is a host process, not a container")
        return self.docker.containers.get(facts["container_id"])

    def node_names(self) -> list[str]:
        return list(self.nodes)

    def kind(self, name: str) -> str:
        return self._node(name)["kind"]

    def address(self, name: str) -> tuple[str, int] | None:
        f = self._node(name)
        return (f["host"], f["port"]) if f.get("host") and f.get("port") else None

    def node_by_address(self, host: str, port: int) -> str | None:
        for name, f in self.nodes.items():
            if f.get("port") == port and (f.get("host") == host or host in f.get("ips", [])
                                          or host in f.get("names", [])):
                return name
        return None

    def pid(self, name: str) -> int:
        f = self._node(name)
        if f.get("proc"):
            return f["proc"]["pid"]
        c = self._container(name)
        c.reload()
        return int(c.attrs["State"]["Pid"])

    def alive(self, name: str) -> bool:
        f = self._node(name)
        if f.get("owned"):
            return bool(f.get("proc")) and process.alive(Proc(**f["proc"]))
        return self._container(name).status in ("running", "paused", "restarting")

    def paused(self, name: str) -> bool:
        f = self._node(name)
        if f.get("owned"):
            return bool(f.get("proc")) and process.paused(Proc(**f["proc"]))
        return self._container(name).status == "paused"

    def log_path(self, name: str) -> Path:
        """An owned process's own log; a container's `docker logs`, written beside it."""
        path = self.dir / "logs" / f"{name}.log"
        if not self._node(name).get("owned"):
            with contextlib.suppress(Exception):
                path.write_bytes(self._container(name).logs(stdout=True, stderr=True))
        return path

    # ---- fault operations --------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        f = self._node(name)
        if f.get("owned"):
            process.kill_now(Proc(**f["proc"]))
        else:
            self._container(name).kill()

    def start(self, name: str) -> None:
        f = self._node(name)
        if f.get("owned"):
            if not self.alive(name):
                self._spawn(name, f.get("settings") or {})
            return
        c = self._container(name)
        if c.status not in ("running", "paused"):
            c.start()

    def pause(self, name: str) -> None:
        f = self._node(name)
        if f.get("owned"):
            proc = Proc(**f["proc"])
            if process.signal_proc(proc, signal.SIGSTOP):
                Wait(timeout_s=2, interval_s=0.002).until(f"{name} stopped", lambda: process.paused(proc))
        else:
            self._container(name).pause()

    def resume(self, name: str) -> None:
        f = self._node(name)
        if f.get("owned"):
            process.signal_proc(Proc(**f["proc"]), signal.SIGCONT)
            return
        c = self._container(name)
        if c.status == "paused":
            c.unpause()

    def restart(self, name: str, env: dict[str, str] | None = None) -> None:
        """Owned processes only, with the scenario's settings through the target's env_map: an adopted
        container is never recreated."""
        f = self._node(name)
        if not f.get("owned"):
            raise FaultError(f"{name} is an adopted container; the harness does not restart or recreate it")
        if unmapped := self.unmapped(name, env or {}):
            raise FaultError(f"{name}: the target maps no variable for {', '.join(unmapped)}")
        process.stop(Proc(**f["proc"]))
        self._spawn(name, {**(f.get("settings") or {}), **standin_env.as_settings(env or {})})

    def disconnect(self, name: str, peer: str | None = None, one_way: bool = False) -> None:
        """DROP rules in the container's network namespace: towards one peer, or every address but its own loopback."""
        pid = self._netns_pid(name)
        if peer is None:
            netns.isolate(pid)
        else:
            netns.cut(pid, self._peer_ip(peer), one_way)

    def connect(self, name: str, peer: str | None = None) -> None:
        if not self.alive(name):  # killed and started since: a new namespace, nothing left to remove
            return
        pid = self._netns_pid(name)
        if peer is None:
            netns.rejoin(pid)
        else:
            netns.connect(pid, self._peer_ip(peer))

    def lose(self, name: str, percent: float, peer: str | None = None) -> list[str]:
        return netns.lose(self._netns_pid(name), percent, self._peer_ip(peer) if peer else None)

    def unlose(self, name: str, percent: float, peer: str | None = None) -> None:
        if self.alive(name):  # killed and started since: a new namespace, nothing left to remove
            netns.unlose(self._netns_pid(name), percent, self._peer_ip(peer) if peer else None)

    def throttle(self, name: str, cpu_percent: float) -> dict:
        """A CPU quota: on a container through Docker (its own setting kept to restore), on a host
        process the harness owns through a cgroup of its own."""
        if self._node(name).get("owned"):
            return cpu_quota.limit_node(self.config.name, name, self.pid(name), self.alive(name), cpu_percent)
        from lab import container_cpu

        return container_cpu.throttle(self._container(name), cpu_percent, self.dir)

    def unthrottle(self, name: str, state: dict) -> None:
        if self._node(name).get("owned"):
            cpu_quota.restore_node(self.config.name, name, state)
            return
        from lab import container_cpu

        container_cpu.restore(self._container(name), self.dir)

    def _netns_pid(self, name: str) -> int:
        if self._node(name).get("owned"):
            raise FaultError(f"{name} is a host process with no network of its own; it cannot be cut off")
        return self.pid(name)

    def _peer_ip(self, peer: str) -> str:
        host = self._node(peer).get("host")
        if not host or self._node(peer).get("owned"):
            raise FaultError(f"{peer} has no address of its own; it cannot be cut off")
        return host

    def heal(self) -> list[str]:
        """Undo every fault on what the target names: resume, start, remove the tagged rules, and put
        back every CPU setting the ledger holds."""
        done = cpu_quota.heal_all({cpu_quota.tag(self.config.name, n) for n, f in self.nodes.items() if f.get("owned")})
        if any(not f.get("owned") for f in self.nodes.values()):
            from lab import container_cpu

            done += container_cpu.heal_all(self.docker, self.dir)
        for name, f in self.nodes.items():
            if f.get("owned"):
                done += wake(self, name)
                continue
            c = self._container(name)
            done += wake(self, name, f"{name} ({c.name})")
            c.reload()
            if c.attrs["State"]["Pid"]:
                done += [f"removed cut in {name} ({c.name}): {r}" for r in netns.remove_all(c.attrs["State"]["Pid"])]
        return done

    # ---- roles and the service -------------------------------------------------------------------
    def sentinel_addrs(self, nodes: dict | None = None) -> list[tuple[str, int]]:
        nodes = nodes if nodes is not None else self.nodes
        refs = self.target.sentinel_addresses or tuple(n for n, f in nodes.items() if f["kind"] == "sentinel")
        out = []
        for ref in refs:
            plays = next((n.plays for n in self.target.nodes if ref in (n.key, n.plays)), None)
            if plays in nodes:
                out.append((nodes[plays]["host"], nodes[plays]["port"]))
            else:
                host, _, port = ref.rpartition(":")
                out.append((host, int(port)))
        return out

    def master(self) -> str:
        addr = topology.current_master(self.sentinel_addrs(), self.config.master_name, self.secrets)
        name = self.node_by_address(*addr) if addr else None
        if name is None:
            raise LabError(f"no Sentinel of target {self.target.name} names a node of the target as master "
                           f"(answer: {addr})")
        return name

    def replicas(self) -> list[str]:
        addrs = topology.replicas(self.sentinel_addrs(), self.config.master_name, self.secrets)
        return sorted(n for n in (self.node_by_address(*a) for a in addrs) if n)

    def settled(self) -> bool:
        redis_nodes = sum(1 for f in self.nodes.values() if f["kind"] == "redis")
        return topology.settled(self.sentinel_addrs(), self.config.master_name, redis_nodes - 1, self.secrets)

    def url(self, name: str) -> str:
        """The bid URL for `api`; another app node (api-2, a differently tuned copy) at its own address,
        with the bid URL's scheme."""
        if name == "api":
            return self.target.bid.url.rstrip("/")
        addr = self.address(name) if name in self.current_nodes() else None
        if addr is None or self.current_nodes()[name]["kind"] != "api":
            raise LabError(f"{name!r} is no app node of target {self.target.name} with an address (as: {name}, port:)")
        return f"{urllib.parse.urlsplit(self.target.bid.url).scheme}://{addr[0]}:{addr[1]}"

    def client_settings_urls(self) -> dict[str, str]:
        """The owned apps that report the Redis client settings they run with (process.client_settings):
        node -> the URL to GET."""
        out = {}
        for node in self.target.nodes:
            if node.process and node.process.client_settings and node.plays in self.current_nodes():
                host, port = self.address(node.plays)
                scheme = urllib.parse.urlsplit(self.target.bid.url).scheme
                out[node.plays] = f"{scheme}://{host}:{port}{node.process.client_settings}"
        return out

    def service_env(self) -> dict[str, str]:
        """What the harness's own Redis users need: the target's Sentinels, master name and passwords
        and the scenario's client settings, in the variables of the stand-in's client they run. The
        target's stream is its own (lab.service, lab.protocol.service_settings)."""
        env = {k: v for k, v in os.environ.items() if not standin_env.is_standin(k)}
        env.update({k: v for k, v in self.spec.service_env.items() if k in CLIENT_ENV.values()})
        nodes = self.current_nodes()  # before adoption too: Locust's Redis users are made first
        env.update(standin_env.environment({
            "sentinels": ",".join(f"{h}:{p}" for h, p in self.sentinel_addrs(nodes)),
            "master_name": self.config.master_name, "redis_password": self.secrets.redis or "",
            "sentinel_password": self.secrets.sentinel or ""}))
        return env

    def mysql_connect(self, node: str = "mysql-1", timeout_s: float = 3.0,
                      monitor: bool = False) -> pymysql.connections.Connection:
        """The account the target's verify.mysql gives (one account: monitoring reads with it too)."""
        check = self.target.verify.mysql
        if check is None:
            raise LabError(f"target {self.target.name} gives no verify.mysql account")
        if check.dsn_env:
            dsn = urllib.parse.urlsplit(_env(check.dsn_env) or "")
            if not dsn.hostname:
                raise LabError(f"{check.dsn_env} is not set to mysql://USER:PASSWORD@HOST:PORT/DB")
            host, port, user = dsn.hostname, dsn.port or 3306, urllib.parse.unquote(dsn.username or "")
            password, db = urllib.parse.unquote(dsn.password or ""), dsn.path.lstrip("/")
            if node != "mysql-1":  # a replica: the same account at that node's address
                host, port = self.address(node)
        else:
            host, port = self.address(node)
            user, password, db = check.user, _env(check.password_env) or "", check.database
        return pymysql.connect(host=host, port=port, user=user, password=password, database=db,
                               connect_timeout=timeout_s, read_timeout=timeout_s, write_timeout=timeout_s,
                               autocommit=True)


def untaken(spec: ProcessSpec, env: dict[str, str]) -> list[str]:
    """The variables of a scenario's env (the stand-in's names) this process cannot take, each with the
    harness's name of its setting where it is one: FAIRBID_CLAIM_IDLE_MS (claim_idle_ms)."""
    out = []
    for key in sorted(env):
        setting = standin_env.setting(key)
        if not spec.takes(setting):
            out.append(f"{key} ({setting})" if setting else key)
    return out


def _settings_lines(spec: ProcessSpec, settings: dict[str, str]) -> list[str]:
    """What an owned process is given of the harness's settings, in its own variables and units, and
    what it has no such setting for."""
    given = [f"{spec.env_map[k]}={spec.value(k, v)} ({k}" + (f" {v} {SETTINGS[k].unit})" if k in spec.env_scale else ")")
             for k, v in sorted(settings.items()) if k in spec.env_map]
    dropped = sorted(k for k in settings if k in spec.env_absent)
    return ([f"given as its own: {', '.join(given)}"] if given else []) + (
        [f"not applied (the service has no such setting): {', '.join(dropped)}"] if dropped else [])
