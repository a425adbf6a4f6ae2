"""The local backend: every node a real process (redis-server, redis-sentinel, mariadbd, the
service) on its own loopback address, configs rendered afresh from conf/ for each lab.

Node operations mirror Docker's: kill = SIGKILL (docker kill), pause/resume = SIGSTOP/SIGCONT
(docker pause), disconnect/connect = DROP rules on the node's address (network disconnect, the
process lives on), start = the same command on the same data dir (docker start). State is kept
on disk (state.json) so `down` and `heal` work from any process, also after a crash.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pymysql

from errors import LabError
from lab import cpu_quota, process
from lab.base import APP_USER, DB, MONITOR_USER, BaseLab, address_taken, wake
from lab.clients import redis_at
from lab.config import ROOT, LabConfig
from lab.firewall import Firewall
from lab.process import Proc
from lab.secrets import LabSecrets
from lab.spec import StackSpec
from lab.wait import Wait
from runfiles import BACKENDS

CONF = ROOT / "conf"
REPL_USER = "repl"


class LocalLab(BaseLab):
    backend_facts = BACKENDS["local"]
    backend = backend_facts.name

    def __init__(self, config: LabConfig, spec: StackSpec | None = None) -> None:
        super().__init__(config, spec)
        self.firewall = Firewall(config.name)

    def _proc(self, name: str) -> Proc:
        return Proc(**self.nodes[name]["proc"])

    # ---- node facts ----------------------------------------------------------------------
    def pid(self, name: str) -> int:
        return self._proc(name).pid

    def alive(self, name: str) -> bool:
        return process.alive(self._proc(name))

    def paused(self, name: str) -> bool:
        return process.paused(self._proc(name))

    def log_path(self, name: str) -> Path:
        return Path(self._node(name)["log"])

    # ---- node operations -----------------------------------------------------------------
    def kill(self, name: str) -> None:
        process.kill_now(self._proc(name))

    def pause(self, name: str) -> None:
        """SIGSTOP, returning once the kernel shows the process stopped (delivery is asynchronous)."""
        proc = self._proc(name)
        if process.signal_proc(proc, signal.SIGSTOP):
            Wait(timeout_s=2, interval_s=0.002).until(f"{name} stopped", lambda: process.paused(proc))

    def resume(self, name: str) -> None:
        proc = self._proc(name)
        if process.signal_proc(proc, signal.SIGCONT):
            Wait(timeout_s=2, interval_s=0.002).until(f"{name} running", lambda: not process.paused(proc))

    def start(self, name: str, wait_s: float = 10.0) -> None:
        """Start a stopped node again with its own config and data (AOF, rewritten configs kept)."""
        node = self._node(name)
        if process.alive(self._proc(name)):
            return
        proc = process.spawn(node["argv"], Path(node["log"]), env=node.get("env"), cwd=ROOT)
        node["proc"] = proc.to_dict()
        self._save()
        if node.get("host") and wait_s:
            with contextlib.suppress(LabError):
                Wait(timeout_s=wait_s).until(f"{name} listening", lambda: address_taken(node["host"], node["port"]))

    def restart(self, name: str, env: dict[str, str] | None = None) -> None:
        """Stop (SIGTERM) and start a node again, with environment overrides kept for later starts."""
        node = self._node(name)
        process.stop(self._proc(name))
        if env:
            node["env"] = {**(node.get("env") or {}), **env}
        self.start(name)

    def disconnect(self, name: str, peer: str | None = None, one_way: bool = False) -> None:
        host = self._host(name)
        self.firewall.cut(host, self._host(peer) if peer else None, one_way=one_way)

    def connect(self, name: str, peer: str | None = None) -> None:
        self.firewall.connect(self._host(name), self._host(peer) if peer else None)

    def lose(self, name: str, percent: float, peer: str | None = None) -> list[str]:
        return self.firewall.lose(self._host(name), percent, self._host(peer) if peer else None)

    def unlose(self, name: str, percent: float, peer: str | None = None) -> None:
        self.firewall.unlose(self._host(name), percent, self._host(peer) if peer else None)

    def throttle(self, name: str, cpu_percent: float) -> dict:
        return cpu_quota.limit_node(self.config.name, name, self.pid(name), self.alive(name), cpu_percent)

    def unthrottle(self, name: str, state: dict | None) -> None:
        cpu_quota.restore_node(self.config.name, name, state)

    def _quota_tags(self) -> set[str]:
        return {cpu_quota.tag(self.config.name, n) for n in self.nodes}

    def _host(self, name: str) -> str:
        host = self._node(name).get("host")
        if not host:
            raise LabError(f"{name} has no address of its own; it cannot be cut off")
        return host

    def heal(self) -> list[str]:
        """Undo whatever fault is still in place, whoever applied it: remove every cut, resume every
        paused node, start every node that is down (= docker start). Returns what it did."""
        done = [f"removed cut: {r}" for r in self.firewall.rules()]
        self.firewall.remove()
        done += cpu_quota.heal_all(self._quota_tags())
        for name in self.nodes:
            done += wake(self, name)
        return done

    # ---- up / down -----------------------------------------------------------------------
    def up(self, wait: Wait = Wait(timeout_s=60)) -> None:
        """Render configs and start every node of the spec, waiting for each to be ready.
        Raises LabError if the lab is up already or any of its addresses is taken."""
        if self.is_up():
            raise LabError(f"lab {self.config.name} is up already ({self.state_path}); `make down` first")
        self._check_free()
        if self.dir.exists():
            shutil.rmtree(self.dir)
        (self.dir / "logs").mkdir(parents=True)
        self.nodes = {}
        self._save()
        installs: list[tuple[Path, subprocess.Popen]] = []
        try:
            installs = self._install_mysql()  # MariaDB's data directories are made while Redis starts
            if self.spec.cluster:
                self._start_cluster(wait)
            else:
                self._start_redis(wait)
            self._start_sentinels(wait)
            self._start_mysql(wait, installs)
            self._start_service(wait)
        except BaseException:
            for _cnf, proc in installs:  # not nodes yet: down() does not know them
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=10)
            self.down()
            raise

    def down(self) -> None:
        """Stop every node this lab started (by PID and start time), remove its firewall chain.
        Idempotent; keeps the logs."""
        for name in reversed(list(self.nodes)):
            process.stop(self._proc(name))
        self.firewall.remove()
        cpu_quota.heal_all(self._quota_tags())
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.dir / "nodes")
        with contextlib.suppress(FileNotFoundError):
            self.state_path.unlink()
        self.nodes = {}

    def redis_addrs(self) -> list[tuple[str, int]]:
        """Where this stack's Redis nodes listen: the cluster's addresses for a cluster stack."""
        c, s = self.config, self.spec
        if s.cluster:
            return [(h, c.cluster_port) for h in c.cluster_hosts[: s.redis]]
        return [(h, c.redis_port) for h in c.redis_hosts[: s.redis]]

    def _check_free(self) -> None:
        s, c = self.spec, self.config
        if s.cluster and s.redis > len(c.cluster_hosts):
            raise LabError(f"lab config {c.source} offers {len(c.cluster_hosts)} cluster addresses (cluster: hosts), "
                           f"this stack needs {s.redis}")
        buses = [(h, p + 10000) for h, p in self.redis_addrs()] if s.cluster else []  # the cluster bus
        wanted = (self.redis_addrs() + buses
                  + [(h, c.sentinel_port) for h in c.sentinel_hosts[: s.sentinels]]
                  + [(h, c.mysql_port) for h in c.mysql_hosts[: s.mysql]]
                  + [(h, c.api_port) for h in c.api_hosts[: s.apis]])
        if ((not s.cluster and s.redis > len(c.redis_hosts)) or s.sentinels > len(c.sentinel_hosts)
                or s.mysql > len(c.mysql_hosts) or s.apis > len(c.api_hosts)):
            raise LabError(f"lab config {c.source} has too few addresses for this stack ({s.settings()})")
        taken = [f"{h}:{p}" for h, p in wanted if address_taken(h, p)]
        if taken:
            raise LabError(f"lab {c.name} refuses to start: {', '.join(taken)} already in use "
                           "(another lab, or a server outside this project)")

    def _add(self, name: str, kind: str, argv: list[str], host: str | None, port: int | None,
             env: dict[str, str] | None = None) -> None:
        log = self.dir / "logs" / f"{name}.log"
        proc = process.spawn(argv, log, env=env, cwd=ROOT)
        self.nodes[name] = {"kind": kind, "host": host, "port": port, "argv": argv, "env": env,
                            "log": str(log), "proc": proc.to_dict()}
        self._save()

    def _node_dir(self, name: str) -> Path:
        d = self.dir / "nodes" / name
        d.mkdir(parents=True, exist_ok=True)
        return d

    def _start_redis(self, wait: Wait) -> None:
        c, s = self.config, self.spec
        master = c.redis_hosts[0]
        extra = "".join(f"{k} {v}\n" for k, v in s.redis_conf.items())
        for i, host in enumerate(c.redis_hosts[: s.redis], start=1):
            d = self._node_dir(f"redis-{i}")
            conf = d / "redis.conf"
            lines = [f"bind {host}", f"port {c.redis_port}", f"bind-source-addr {host}", f"dir {d}",
                     f"replica-announce-ip {host}", f"requirepass {self.secrets.redis}",
                     f"masterauth {self.secrets.redis}"]
            if i > 1:
                lines.append(f"replicaof {master} {c.redis_port}")
            conf.write_text((CONF / "redis.conf").read_text() + "\n".join(lines) + "\n" + extra)
            self._add(f"redis-{i}", "redis", ["redis-server", str(conf)], host, c.redis_port)
        for i, host in enumerate(c.redis_hosts[: s.redis], start=1):
            client = redis_at(host, c.redis_port, password=self.secrets.redis)
            wait.until(f"redis-{i} PING", client.ping)
            if i > 1:
                wait.until(f"redis-{i} replication link up",
                           lambda cl=client: cl.info("replication").get("master_link_status") == "up")

    def _start_cluster(self, wait: Wait) -> None:
        """Every node with cluster-enabled, then `redis-cli --cluster create` assigns the slots and the
        replicas (masters and replicas on distinct addresses); ready once every node agrees."""
        s = self.spec
        extra = "".join(f"{k} {v}\n" for k, v in s.redis_conf.items())
        for i, (host, port) in enumerate(self.redis_addrs(), start=1):
            d = self._node_dir(f"redis-{i}")
            conf = d / "redis.conf"
            lines = [f"bind {host}", f"port {port}", f"bind-source-addr {host}", f"dir {d}",
                     f"requirepass {self.secrets.redis}", f"masterauth {self.secrets.redis}",
                     "cluster-enabled yes", "cluster-config-file nodes.conf",
                     f"cluster-node-timeout {s.cluster.node_timeout_ms}", f"cluster-announce-ip {host}"]
            conf.write_text((CONF / "redis.conf").read_text() + "\n".join(lines) + "\n" + extra)
            self._add(f"redis-{i}", "redis", ["redis-server", str(conf)], host, port)
        for i, addr in enumerate(self.redis_addrs(), start=1):
            client = redis_at(*addr, password=self.secrets.redis)
            wait.until(f"redis-{i} PING", client.ping)
            client.close()
        create = subprocess.run(
            ["redis-cli", "--no-auth-warning", "-a", self.secrets.redis, "--cluster", "create",
             *(f"{h}:{p}" for h, p in self.redis_addrs()), "--cluster-replicas", str(s.cluster.replicas),
             "--cluster-yes"], capture_output=True, text=True, timeout=60)
        if create.returncode != 0:
            raise LabError(f"redis-cli --cluster create failed: {(create.stdout + create.stderr)[-2000:]}")
        (self.dir / "logs" / "cluster-create.log").write_text(create.stdout + create.stderr)
        wait.until("every cluster node agreeing on shards and replicas", self.settled)

    def _start_sentinels(self, wait: Wait) -> None:
        c, s = self.config, self.spec
        if not s.sentinels:
            return
        t = s.sentinel
        for i, host in enumerate(c.sentinel_hosts[: s.sentinels], start=1):
            d = self._node_dir(f"sentinel-{i}")
            conf = d / "sentinel.conf"
            lines = [f"bind {host}", f"port {c.sentinel_port}", f"bind-source-addr {host}", f"dir {d}",
                     f"sentinel announce-ip {host}",
                     f"requirepass {self.secrets.sentinel}",  # its own; every Sentinel shares it
                     f"sentinel monitor {c.master_name} {c.redis_hosts[0]} {c.redis_port} {t.quorum}",
                     f"sentinel auth-pass {c.master_name} {self.secrets.redis}",
                     f"sentinel down-after-milliseconds {c.master_name} {t.down_after_ms}",
                     f"sentinel failover-timeout {c.master_name} {t.failover_timeout_ms}",
                     f"sentinel parallel-syncs {c.master_name} {t.parallel_syncs}"]
            conf.write_text((CONF / "sentinel.conf").read_text() + "\n".join(lines) + "\n")
            self._add(f"sentinel-{i}", "sentinel", ["redis-sentinel", str(conf)], host, c.sentinel_port)
        wait.until("Sentinels agreeing on master, replicas and each other", self.settled)

    def _mysql_cnf(self, i: int) -> tuple[Path, str]:
        c, host = self.config, self.config.mysql_hosts[i - 1]
        d = self._node_dir(f"mysql-{i}")
        # a tmpdir of its own: the bootstrap's temporary tables in a shared /tmp were once lost under it
        # (CI: "Could not remove temporary table '/tmp/#sql-temptable-...'", mariadb-install-db aborted)
        lines = [f"datadir={d / 'data'}", f"socket={d / 'mysqld.sock'}", f"pid-file={d / 'mysqld.pid'}", f"tmpdir={d / 'tmp'}",
                 f"bind-address={host}", f"port={c.mysql_port}", f"server-id={i}", f"report-host={host}"]
        if i > 1:
            lines += ["relay-log=relay-bin", "read-only=1"]
        return d / "my.cnf", "\n".join(lines)

    def _install_mysql(self) -> list[tuple[Path, subprocess.Popen]]:
        """Each MySQL node's my.cnf, and its mariadb-install-db started, not waited for (about a second)."""
        out = []
        for i in range(1, len(self.config.mysql_hosts[: self.spec.mysql]) + 1):
            cnf, lines = self._mysql_cnf(i)
            (cnf.parent / "tmp").mkdir(parents=True, exist_ok=True)
            cnf.write_text((CONF / "mariadb.cnf").read_text() + lines + "\n")
            out.append((cnf, subprocess.Popen(
                ["mariadb-install-db", f"--defaults-file={cnf}", f"--datadir={cnf.parent / 'data'}", "--user=root",
                 "--auth-root-authentication-method=normal", "--skip-test-db"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)))
        return out

    def _start_mysql(self, wait: Wait, installs: list[tuple[Path, subprocess.Popen]]) -> None:
        c, s = self.config, self.spec
        for i, (host, (cnf, install)) in enumerate(zip(c.mysql_hosts[: s.mysql], installs), start=1):
            name = f"mysql-{i}"
            d = cnf.parent
            _, err = install.communicate(timeout=120)
            if install.returncode != 0:
                raise LabError(f"mariadb-install-db for {name} failed: {err[-2000:]}")
            self._add(name, "mysql", ["mariadbd", f"--defaults-file={cnf}"], host, c.mysql_port)
            sock = str(d / "mysqld.sock")
            root = wait.until(f"{name} accepting connections",
                              lambda: pymysql.connect(unix_socket=sock, user="root", autocommit=True))
            with root.cursor() as cur:
                _mysql_bootstrap(cur, self.secrets, primary=(i == 1), primary_host=c.mysql_hosts[0], port=c.mysql_port)
            root.close()
        if s.mysql > 1:
            for i in range(2, s.mysql + 1):
                wait.until(f"mysql-{i} replicating the schema",
                           lambda h=c.mysql_hosts[i - 1]: _table_exists(h, c.mysql_port, self.secrets.mysql_app))

    def service_env(self) -> dict[str, str]:
        c, s = self.config, self.spec
        env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRBID_")}
        env.update({"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
                    "FAIRBID_MASTER_NAME": c.master_name,
                    "FAIRBID_MYSQL_HOST": c.mysql_hosts[0] if c.mysql_hosts else "", "FAIRBID_MYSQL_PORT": str(c.mysql_port),
                    "FAIRBID_MYSQL_USER": APP_USER, "FAIRBID_MYSQL_PASSWORD": self.secrets.mysql_app,
                    "FAIRBID_REDIS_PASSWORD": self.secrets.redis, "FAIRBID_SENTINEL_PASSWORD": self.secrets.sentinel,
                    "FAIRBID_MYSQL_DB": DB,
                    "FAIRBID_BIND_HOST": c.api_host, "FAIRBID_BIND_PORT": str(c.api_port)})
        if s.cluster:
            env["FAIRBID_CLUSTER"] = ",".join(f"{h}:{p}" for h, p in self.redis_addrs())
        elif s.sentinels:
            env["FAIRBID_SENTINELS"] = ",".join(f"{h}:{p}" for h, p in c.sentinel_addrs(s.sentinels))
        else:
            env["FAIRBID_REDIS"] = f"{c.redis_hosts[0]}:{c.redis_port}"
        env.update(s.service_env)
        return env

    def _start_service(self, wait: Wait) -> None:
        c, s = self.config, self.spec
        base = self.service_env()
        for i in range(1, s.consumers + 1):
            env = {**base, "FAIRBID_CONSUMER_NAME": f"consumer-{i}"}
            self._add(f"consumer-{i}", "consumer", [sys.executable, "-m", "fairbid.consumer"], None, None, env)
        for name, host in zip(s.api_names(), c.api_hosts):
            env = {**base, "FAIRBID_BIND_HOST": host, **s.api_env.get(name, {})}
            self._add(name, "api", [sys.executable, "-m", "fairbid.api"], host, c.api_port, env)
        for i in range(1, s.consumers + 1):
            wait.until(f"consumer-{i} in the service's group", lambda n=f"consumer-{i}": self.consumer_joined(n))
        for name in s.api_names():
            wait.until(f"{name} /health", lambda n=name: self.api_healthy(n))

def _mysql_bootstrap(cur, secrets: LabSecrets, primary: bool, primary_host: str, port: int) -> None:
    """Root gets its password (it had none: mariadb-install-db); the app may only read and write bids,
    the monitor only read them and the replica status, the replication user only replicate."""
    cur.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY %s", (secrets.mysql_root,))
    if primary:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS {DB}")
        cur.execute(f"CREATE USER IF NOT EXISTS '{APP_USER}'@'%%' IDENTIFIED BY %s", (secrets.mysql_app,))
        cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {DB}.* TO '{APP_USER}'@'%'")
        cur.execute(f"CREATE USER IF NOT EXISTS '{MONITOR_USER}'@'%%' IDENTIFIED BY %s", (secrets.mysql_monitor,))
        cur.execute(f"GRANT SELECT ON {DB}.* TO '{MONITOR_USER}'@'%'")
        cur.execute(f"GRANT SLAVE MONITOR ON *.* TO '{MONITOR_USER}'@'%'")
        cur.execute(f"CREATE USER IF NOT EXISTS '{REPL_USER}'@'%%' IDENTIFIED BY %s", (secrets.mysql_repl,))
        cur.execute(f"GRANT REPLICATION SLAVE ON *.* TO '{REPL_USER}'@'%'")
        cur.execute(f"USE {DB}")
        for statement in schema_statements():
            cur.execute(statement)
    else:
        cur.execute(f"CHANGE MASTER TO MASTER_HOST='{primary_host}', MASTER_PORT={port}, "
                    f"MASTER_USER='{REPL_USER}', MASTER_PASSWORD=%s, "
                    "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1", (secrets.mysql_repl,))
        cur.execute("START SLAVE")


def schema_statements() -> list[str]:
    text = "\n".join(line for line in (CONF / "schema.sql").read_text().splitlines() if not line.startswith("--"))
    return [st.strip() for st in text.split(";") if st.strip()]


def _table_exists(host: str, port: int, app_password: str) -> bool:
    conn = pymysql.connect(host=host, port=port, user=APP_USER, password=app_password, connect_timeout=1)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema=%s AND table_name='bid'",
                        (DB,))
            return cur.fetchone()[0] == 1
    finally:
        conn.close()


