"""Locust workers for a distributed run: started by the scenario runner on this machine, or by
`python -m harness.cli worker --master-host H` on any other.

A worker gets everything from the master (harness/relay.py), so it needs this checkout and the
master's address only; each one started here runs in a working directory of its own, to show that
nothing of the run passes through a shared disk. They are ended by their PID, never by name.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from errors import ConfigError
from lab.base import address_taken
from lab.config import ROOT

EXPECT_WORKERS_MAX_WAIT_S = 60  # a headless master waits this long for its workers, then gives up
WORKER_EXIT_S = 20  # after the master is gone, a worker has this long to quit by itself


def worker_command(master_host: str, master_port: int, processes: int = 1) -> list[str]:
    return [sys.executable, "-m", "locust", "-f", str(ROOT / "locustfile.py"), "--worker",
            "--master-host", master_host, "--master-port", str(master_port),
            *(["--processes", str(processes)] if processes > 1 else [])]


def master_args(expect: int, bind_host: str, bind_port: int) -> list[str]:
    return ["--master", "--expect-workers", str(expect), "--expect-workers-max-wait", str(EXPECT_WORKERS_MAX_WAIT_S),
            "--master-bind-host", bind_host, "--master-bind-port", str(bind_port)]


def check_free(host: str, port: int) -> None:
    """A master that cannot bind would fail after the lab is up: refuse before anything starts."""
    if address_taken(host if host not in ("*", "") else "0.0.0.0", port):
        raise ConfigError(f"the Locust master cannot listen on {host}:{port} (taken, or not an address of this "
                          "machine); set locust_master in the lab config")


class LocalWorkers:
    """N worker processes on this machine, each in its own working directory (its log is there too)."""

    def __init__(self, n: int, master_host: str, master_port: int, base: Path | None = None) -> None:
        self.n, self.master = n, (master_host, master_port)
        where = base or os.environ.get("FAIRBID_HA_WORKER_DIRS")  # default: a new temporary directory
        self.base = Path(where) if where else Path(tempfile.mkdtemp(prefix="fairbid-ha-workers-"))
        self.procs: list[subprocess.Popen] = []
        self.dirs: list[Path] = []

    def start(self) -> None:
        for i in range(self.n):
            cwd = self.base / f"worker-{i + 1}"
            cwd.mkdir(parents=True, exist_ok=True)
            out = open(cwd / "worker.log", "w")
            self.procs.append(subprocess.Popen(worker_command(*self.master), cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL, start_new_session=True))
            out.close()
            self.dirs.append(cwd)

    def stop(self) -> list[int]:
        """Wait, bounded, for each worker to quit (the master tells them); end the rest by PID.
        Returns the PIDs that had to be killed."""
        deadline = time.monotonic() + WORKER_EXIT_S
        killed = []
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
                killed.append(proc.pid)
        return killed


class ComposeWorkers:
    """N workers as containers of compose/locust.yml on a Docker lab's network (`--scale worker=N`),
    connecting to the master on the network's gateway. Removed with their Compose project after the run."""

    FILE = ROOT / "compose" / "locust.yml"

    def __init__(self, n: int, lab, master_port: int) -> None:
        from lab.docker_lab import compose_command

        self.n, self.lab, self.master_port = n, lab, master_port
        self.project = f"{lab.project}-load"
        self.cmd = [*compose_command(), "-p", self.project, "-f", str(self.FILE)]

    @property
    def master_host(self) -> str:
        return f"{self.lab.subnet_prefix}.1"  # the host's side of the lab's bridge

    def _env(self) -> dict:
        return {**os.environ, "MASTER_HOST": self.master_host, "MASTER_PORT": str(self.master_port),
                "LAB_NETWORK": self.lab.network_name()}

    def start(self) -> None:
        res = subprocess.run([*self.cmd, "up", "-d", "--no-build", "--scale", f"worker={self.n}"], env=self._env(),
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
        if res.returncode != 0:
            raise ConfigError(f"the worker containers did not start: {res.stderr[-2000:]}")

    def stop(self) -> list[int]:
        subprocess.run([*self.cmd, "down", "-t", "5"], env=self._env(), capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
        return []
