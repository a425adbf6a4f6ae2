"""The Docker backend: the stack of compose/sentinel.yml (or compose/cluster.yml for a Redis Cluster
stack), brought up with Compose (v2 `docker compose` where present, v1 `docker-compose` otherwise), its
nodes operated through the Docker SDK.

Containers are found by the labels Compose sets (project, service), never by generated names, and
only containers of this lab's project are ever touched. Node operations are Docker's own: kill,
pause/unpause, start, network disconnect/connect (reconnected at the same fixed address, since
Sentinel hands out the addresses it sees). The host reaches every node at its address on the
project network; that is the address roles, probes and the load use.
"""
from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import docker
from docker.errors import DockerException, NotFound

from errors import FaultError, LabError
from lab import container_cpu, engine, netns
from lab.base import BaseLab, address_taken, wake
from lab.clients import redis_at
from lab.config import ROOT, LabConfig
from lab.spec import StackSpec
from lab.wait import Wait
from runfiles import BACKENDS

COMPOSE_FILE = ROOT / "compose" / "sentinel.yml"
CLUSTER_FILE = ROOT / "compose" / "cluster.yml"  # stack.cluster: nine cluster nodes, no Sentinel
CLUSTER_CREATE = "cluster-create"  # cluster.yml's one-shot container that runs `redis-cli --cluster create`
LOCAL_IMAGES = {"REDIS_IMAGE": "fairbid-ha/redis:local", "MYSQL_IMAGE": "fairbid-ha/mariadb:local",
                "SERVICE_IMAGE": "fairbid-ha/service:local"}
OFFSETS = {"redis-1": 11, "redis-2": 12, "redis-3": 13, "redis-4": 14, "redis-5": 15, "redis-6": 16, "redis-7": 17,
           "redis-8": 18, "redis-9": 19, "sentinel-1": 21, "sentinel-2": 22, "sentinel-3": 23,
           "mysql-1": 31, "mysql-2": 32, "consumer-1": 41, "consumer-2": 42, "api": 51, "api-2": 52, "api-3": 53}  # .1: gateway
PORTS = {"redis": 6379, "sentinel": 26379, "mysql": 3306, "api": 8080, "consumer": None}


def compose_command() -> list[str]:
    """`docker compose` (v2) where the plugin is there, else `docker-compose` (v1)."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise LabError("neither `docker compose` nor `docker-compose` is installed")


def _kind(name: str) -> str:
    return name.split("-")[0] if name != "api" else "api"


class DockerLab(BaseLab):
    backend_facts = BACKENDS["docker"]
    backend = backend_facts.name

    def __init__(self, config: LabConfig, spec: StackSpec | None = None) -> None:
        super().__init__(config, spec)
        self.project = f"fairbid-{config.name}"
        # one /24 per lab, so two labs' networks never overlap (Docker refuses overlapping pools)
        octet = zlib.crc32(config.name.encode()) % 200 + 20
        self.subnet_prefix = os.environ.get("FAIRBID_DOCKER_SUBNET_PREFIX") or f"172.28.{octet}"
        self._docker: docker.DockerClient | None = None

    @property
    def docker(self) -> docker.DockerClient:
        if self._docker is None:
            self._docker = engine.connect("the Docker backend runs its stack there")
        return self._docker

    # ---- containers of this project only ---------------------------------------------------
    def _container(self, name: str):
        self._node(name)
        return self._service_container(name)

    def _service_container(self, service: str):
        """The container of one Compose service of this project (a node's, or cluster-create's)."""
        found = self.docker.containers.list(all=True, filters={"label": [
            f"com.docker.compose.project={self.project}", f"com.docker.compose.service={service}"]})
        if not found:
            raise LabError(f"no container for {service} in Compose project {self.project}")
        return found[0]

    @property
    def compose_file(self) -> Path:
        """compose/cluster.yml for a cluster stack, compose/sentinel.yml for every other."""
        return CLUSTER_FILE if self.spec.cluster else COMPOSE_FILE

    def _network(self):
        nets = self.docker.networks.list(filters={"label": [f"com.docker.compose.project={self.project}"]})
        if not nets:
            raise LabError(f"no network of Compose project {self.project}")
        return nets[0]

    def network_name(self) -> str:
        """The project network's name (containers joining the lab, such as Locust workers, attach to it)."""
        return self._network().name

    def _services(self) -> list[str]:
        """The services of the compose file this spec needs: the Sentinel stack, or without Sentinel
        a single Redis (plan step 1) or a master with two replicas (step 2), or a Redis Cluster of 3, 6
        or 9 nodes (compose/cluster.yml); a MySQL primary and optionally its replica, 0-2 consumers,
        1-3 APIs."""
        s = self.spec
        shapes = {(3, 3), (1, 0), (3, 0)}
        c = s.cluster
        cluster_ok = c is None or (s.redis == c.nodes <= 9 and s.sentinels == 0)
        if (((s.redis, s.sentinels) not in shapes and not c) or not cluster_ok or s.mysql not in (1, 2)
                or s.consumers > 2 or s.apis > 3):
            raise LabError("the Docker backend runs the topologies of compose/sentinel.yml and compose/cluster.yml: "
                           "3 Redis with 3 Sentinels, 1 Redis, 3 Redis without Sentinel, or a cluster of up to 9 nodes; "
                           f"1-2 MySQL, 1-3 APIs, 0-2 consumers (this scenario asks {s.settings()}); "
                           "use the local backend")
        return ([f"redis-{i}" for i in range(1, s.redis + 1)] + [f"sentinel-{i}" for i in range(1, s.sentinels + 1)]
                + [f"mysql-{i}" for i in range(1, s.mysql + 1)] + [f"consumer-{i}" for i in range(1, s.consumers + 1)]
                + s.api_names())

    def _env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """Compose's variables; `extra` goes into the service env file of this one call (a restart with env)."""
        s = self.spec
        env_file = self.dir / ("service.restart.env" if extra else "service.env")
        service_env = {**s.service_env, **(extra or {})}
        if not s.sentinels and not s.cluster:  # the service talks to the first Redis directly (FAIRBID_REDIS wins)
            service_env.setdefault("FAIRBID_REDIS", f"{self._ip('redis-1')}:6379")
        env_file.write_text("".join(f"{k}={v}\n" for k, v in service_env.items()))
        api_files = {}
        for var, api in (("API_ENV_FILE", "api"), ("API2_ENV_FILE", "api-2"), ("API3_ENV_FILE", "api-3")):
            path = self.dir / f"{api}.env"
            path.write_text("".join(f"{k}={v}\n" for k, v in s.api_env.get(api, {}).items()))
            api_files[var] = str(path)
        extra = " ".join(f"--{k} {v}" for k, v in s.redis_conf.items())
        env = {**os.environ, "SUBNET_PREFIX": self.subnet_prefix, "DOWN_AFTER_MS": str(s.sentinel.down_after_ms),
               "FAILOVER_TIMEOUT_MS": str(s.sentinel.failover_timeout_ms), "QUORUM": str(s.sentinel.quorum),
               "REDIS_EXTRA": extra, "SERVICE_ENV_FILE": str(env_file),
               **self._cluster_vars(),
               "API_BIND": self.config.api_host, "API_PORT": str(self.config.api_port),  # the lab's own address
               **{f"API{i}_BIND": self.config.api_hosts[min(i, len(self.config.api_hosts)) - 1] for i in (2, 3)},
               **api_files,
               **self.secrets.as_env()}  # passwords reach Compose as variables, never its files
        for var, image in LOCAL_IMAGES.items():  # offline machines: the images built from Debian packages
            if var not in os.environ and self._has_image(image):
                env[var] = image
        return env

    def _cluster_vars(self) -> dict[str, str]:
        """compose/cluster.yml's variables: the nodes of this shape (the service's startup nodes and what
        cluster-create joins), the replicas per master, cluster-node-timeout."""
        c = self.spec.cluster
        if not c:
            return {}
        return {"CLUSTER_NODES": ",".join(f"{h}:{p}" for h, p in self._cluster_node_addrs()),
                "CLUSTER_REPLICAS": str(c.replicas), "NODE_TIMEOUT_MS": str(c.node_timeout_ms)}

    def _cluster_node_addrs(self) -> list[tuple[str, int]]:
        return [(self._ip(f"redis-{i}"), PORTS["redis"]) for i in range(1, self.spec.redis + 1)]

    def _ip(self, name: str) -> str:
        return str(ipaddress.ip_network(f"{self.subnet_prefix}.0/24").network_address + OFFSETS[name])

    def _has_image(self, image: str) -> bool:
        try:
            self.docker.images.get(image)
            return True
        except NotFound:
            return False

    def _compose(self, *args: str, check: bool = True, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        cmd = [*compose_command(), "-p", self.project, "-f", str(self.compose_file), *args]
        res = subprocess.run(cmd, env=self._env(env_extra), capture_output=True, text=True, cwd=ROOT)
        if check and res.returncode != 0:
            raise LabError(f"{' '.join(cmd[:3])} {' '.join(args)} failed: {res.stderr[-3000:]}")
        return res

    # ---- up / down -----------------------------------------------------------------------
    def up(self, wait: Wait = Wait(timeout_s=180)) -> None:
        if self.is_up():
            raise LabError(f"lab {self.config.name} is up already ({self.state_path}); `make down` first")
        services = self._services()
        if self.docker.containers.list(all=True, filters={"label": f"com.docker.compose.project={self.project}"}):
            raise LabError(f"Compose project {self.project} has containers already: refusing to start over them")
        if self.spec.apis > len(self.config.api_hosts):  # each API is published on an address of its own
            raise LabError(f"lab config {self.config.source} has too few API addresses for {self.spec.apis} APIs")
        for host in self.config.api_hosts[: self.spec.apis]:
            if address_taken(host, self.config.api_port):
                raise LabError(f"lab {self.config.name} refuses to start: {host}:{self.config.api_port} "
                               "(where an API is published) is already in use")
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "logs").mkdir(exist_ok=True)
        self.nodes = {n: {"kind": _kind(n), "host": self._ip(n) if PORTS[_kind(n)] else None,
                          "port": PORTS[_kind(n)], "env": {}} for n in services}
        if not self.spec.sentinels and not self.spec.cluster:
            self.nodes["api"]["env"] = {"FAIRBID_REDIS": f"{self._ip('redis-1')}:6379"}  # what master() follows
        self._save()
        try:
            # a cluster's consumers and APIs wait in Compose for cluster-create to succeed (depends_on)
            res = self._compose("up", "-d", "--no-build", *services, *([CLUSTER_CREATE] if self.spec.cluster else []),
                                check=False)
            if self.spec.cluster:
                self._cluster_created()  # redis-cli's own words where it failed, rather than Compose's
            if res.returncode != 0:
                raise LabError(f"{' '.join(compose_command())} up failed: {res.stderr[-3000:]}")
            for n in services:
                if self.nodes[n]["kind"] == "redis":
                    client_addr = self.address(n)
                    Wait(timeout_s=60).until(f"{n} PING", lambda a=client_addr: _ping(*a, self.secrets.redis))
            if self.spec.cluster:
                wait.until("every cluster node agreeing on shards and replicas", self.settled)
            else:
                for n in [n for n in services if self.nodes[n]["kind"] == "redis" and n != "redis-1"]:
                    Wait(timeout_s=60).until(f"{n} replicating",
                                             lambda n=n: _linked(*self.address(n), self.secrets.redis))
                wait.until("Sentinels agreeing on master, replicas and each other", self.settled)
            for n in services:
                if self.nodes[n]["kind"] == "consumer":
                    wait.until(f"{n} in the service's group", lambda n=n: self.consumer_joined(n))
            for api in self.spec.api_names():
                wait.until(f"{api} /health", lambda a=api: self.api_healthy(a))
            if self.spec.mysql > 1:
                wait.until("mysql-2 replicating the schema", self._replica_has_schema)
        except BaseException:
            self.down()
            raise

    def _cluster_created(self) -> None:
        """cluster-create has exited 0 (Compose started the consumers and APIs only then); its output is
        kept in the logs as the local backend keeps redis-cli's."""
        try:
            c = self._service_container(CLUSTER_CREATE)
        except LabError:  # never created: Compose failed before it, and says why
            return
        Wait(timeout_s=150, interval_s=0.25).until(f"{CLUSTER_CREATE} to finish",
                                                   lambda: c.reload() or c.status in ("exited", "dead"))
        out = c.logs(stdout=True, stderr=True).decode(errors="replace")
        (self.dir / "logs" / f"{CLUSTER_CREATE}.log").write_text(out)
        code = c.attrs["State"]["ExitCode"]
        if code != 0:
            raise LabError(f"redis-cli --cluster create failed (exit {code}): {out[-2000:]}")

    def down(self) -> None:
        """Remove this project's containers, network and volumes (compose down); keep the logs. Idempotent."""
        with contextlib.suppress(LabError):
            for n in list(self.nodes):
                self.log_path(n)
        with contextlib.suppress(LabError):
            self._compose("down", "-v", "--remove-orphans", "-t", "3", check=False)
        with contextlib.suppress(FileNotFoundError):
            self.state_path.unlink()
        self.nodes = {}

    def _replica_has_schema(self) -> bool:
        conn = self.mysql_connect("mysql-2", timeout_s=1)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM bid")
                return True
        finally:
            conn.close()

    def service_env(self) -> dict[str, str]:
        """What a client on the host needs: the Sentinels (or a cluster's nodes) at their addresses on the
        project network."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRBID_")}
        env.update({"FAIRBID_SENTINELS": ",".join(f"{h}:{p}" for h, p in self.sentinel_addrs()),
                    "FAIRBID_MASTER_NAME": self.config.master_name, "FAIRBID_REDIS_PASSWORD": self.secrets.redis,
                    "FAIRBID_SENTINEL_PASSWORD": self.secrets.sentinel, **self.spec.service_env})
        if not self.nodes:  # before up: the addresses the stack will have
            env["FAIRBID_SENTINELS"] = ",".join(f"{self._ip(f'sentinel-{i}')}:26379" for i in (1, 2, 3))
        if self.spec.cluster:  # the cluster's nodes as startup nodes; no Sentinel runs
            env.pop("FAIRBID_SENTINELS", None)
            env["FAIRBID_CLUSTER"] = ",".join(f"{h}:{p}" for h, p in (self.cluster_addrs() or self._cluster_node_addrs()))
        elif not self.spec.sentinels:
            env.pop("FAIRBID_SENTINELS", None)
            env["FAIRBID_REDIS"] = f"{self._ip('redis-1')}:6379"
        return env

    # ---- node facts and operations ---------------------------------------------------------
    def alive(self, name: str) -> bool:
        try:
            return self._container(name).status in ("running", "paused", "restarting")
        except LabError:
            return False

    def paused(self, name: str) -> bool:
        return self._container(name).status == "paused"

    def pid(self, name: str) -> int:
        return int(self._container(name).attrs["State"]["Pid"])

    def log_path(self, name: str) -> Path:
        """`docker logs` of the node, written where the local backend keeps its logs."""
        path = self.dir / "logs" / f"{name}.log"
        with contextlib.suppress(LabError, DockerException):
            path.write_bytes(self._container(name).logs(stdout=True, stderr=True))
        return path

    def kill(self, name: str) -> None:
        self._container(name).kill()

    def pause(self, name: str) -> None:
        self._container(name).pause()

    def resume(self, name: str) -> None:
        c = self._container(name)
        c.reload()
        if c.status == "paused":
            c.unpause()

    def start(self, name: str, wait_s: float = 10.0) -> None:
        c = self._container(name)
        c.reload()
        if c.status not in ("running", "paused"):
            c.start()

    def restart(self, name: str, env: dict[str, str] | None = None) -> None:
        """Without env: docker restart. With env (service nodes): the container recreated by Compose with
        the overrides in its env file, at the same address; the other containers keep theirs."""
        if not env:
            self._container(name).restart(timeout=3)
            return
        if self.nodes[name]["kind"] not in ("api", "consumer"):
            raise FaultError(f"restart with env acts on service nodes (api, consumer), not {name}")
        overrides = {**self.nodes[name].get("env", {}), **env}
        self._compose("up", "-d", "--no-deps", "--no-build", "--force-recreate", name, env_extra=overrides)
        self.nodes[name]["env"] = overrides
        self._save()

    def disconnect(self, name: str, peer: str | None = None, one_way: bool = False) -> None:
        """Without peer: docker network disconnect. With peer: DROP rules in the node's own network
        namespace for the peer's address (one_way: only what the node sends to it)."""
        if peer is not None:
            netns.cut(self.pid(name), self._peer_ip(peer), one_way)
            return
        with contextlib.suppress(DockerException):
            self._network().disconnect(self._container(name))

    def _peer_ip(self, peer: str) -> str:
        host = self._node(peer).get("host")
        if not host:
            raise FaultError(f"{peer} has no address of its own; it cannot be cut off")
        return host

    def connect(self, name: str, peer: str | None = None) -> None:
        if peer is not None:
            pid = self.pid(name)
            if pid:  # a container killed and started since has a new namespace: nothing left to remove
                netns.connect(pid, self._peer_ip(peer))
            return
        net, c = self._network(), self._container(name)
        net.reload()
        if c.id not in [x.id for x in net.containers]:
            net.connect(c, ipv4_address=self.nodes[name]["host"])

    def lose(self, name: str, percent: float, peer: str | None = None) -> list[str]:
        """DROP rules with the statistic match in the node's own network namespace."""
        return netns.lose(self.pid(name), percent, self._peer_ip(peer) if peer else None)

    def unlose(self, name: str, percent: float, peer: str | None = None) -> None:
        pid = self.pid(name)
        if pid:  # killed and started since: a new namespace, nothing left to remove
            netns.unlose(pid, percent, self._peer_ip(peer) if peer else None)

    def throttle(self, name: str, cpu_percent: float) -> dict:
        return container_cpu.throttle(self._container(name), cpu_percent, self.dir)

    def unthrottle(self, name: str, state: dict) -> None:
        container_cpu.restore(self._container(name), self.dir)

    def heal(self) -> list[str]:
        done = container_cpu.heal_all(self.docker, self.dir)
        net = self._network()
        net.reload()
        members = {c.id for c in net.containers}
        for name in self.nodes:
            done += wake(self, name)
            c = self._container(name)
            if c.id not in members:
                net.connect(c, ipv4_address=self.nodes[name]["host"])
                done.append(f"reconnected {name}")
            c.reload()
            if c.attrs["State"]["Pid"]:
                done += [f"removed cut in {name}: {r}" for r in netns.remove_all(c.attrs["State"]["Pid"])]
        return done


def _ping(host: str, port: int, password: str | None) -> bool:
    client = redis_at(host, port, password=password)
    try:
        return client.ping()
    finally:
        client.close()


def _linked(host: str, port: int, password: str | None) -> bool:
    client = redis_at(host, port, password=password)
    try:
        return client.info("replication").get("master_link_status") == "up"
    finally:
        client.close()
