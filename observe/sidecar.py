"""The observers that sample the stack on their own clock (Sentinel's events, the monitor) in a
process of their own. They write the same files as in Locust's process; there, they took CPU the
load needed (bench/overhead.py).

    python -m harness.sidecar_process --run-dir D --max-s N

The process rebuilds the lab from the run's spec (D/run-spec.json, harness/run_spec.py), prints `ready` once
every observer records (or `not-ready NAMES`), and stops when its stdin closes: the session closes
it to stop it, and a harness that dies closes it too, so the sidecar never outlives its run.
Its entry is the harness's (harness/sidecar_process.py): rebuilding a lab from a run's spec is
harness work, and observe/ imports nothing of harness; here it is started by name only.
"""
from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from errors import HarnessError
from runfiles import EVENTS, LOGS, MONITOR

ROOT = Path(__file__).resolve().parent.parent
LOG_NAME = "observers.log"
ENTRY = "harness.sidecar_process"  # the child's module (python -m)


def sampling_observers(lab, max_s: float) -> list:
    """The observers that sample the stack on their own clock: here, or in Locust's process where no
    sidecar can be started (harness/session.py)."""
    from observe.monitor import Monitor
    from observe.sentinel_events import SentinelObserver

    if getattr(lab.spec, "cluster", None):  # no Sentinel: the cluster's nodes say who failed and who took over
        from observe.cluster_events import ClusterObserver

        nodes = {n: lab.address(n) for n in lab.node_names() if lab.kind(n) == "redis"}
        return [ClusterObserver(nodes, password=lab.secrets.redis, max_s=max_s), Monitor(lab, max_s=max_s)]
    return [SentinelObserver(lab.sentinel_addrs(), max_s=max_s, password=lab.secrets.sentinel), Monitor(lab, max_s=max_s)]


class Sidecar:
    """The Observer RunSession sees; the observers themselves run in the child process."""

    files = (EVENTS, MONITOR)

    def __init__(self, max_s: float, stop_timeout_s: float = 20) -> None:
        self.max_s = max_s  # the child's bound, should its stdin never close
        self.stop_timeout_s = stop_timeout_s
        self.proc: subprocess.Popen | None = None
        self.not_ready: list[str] = []
        self._log = None

    def start(self, run_dir: Path) -> None:
        """The run directory holds the run's spec by now (the CLI or the locustfile wrote it)."""
        (run_dir / LOGS).mkdir(exist_ok=True)
        self._log = open(run_dir / LOGS / LOG_NAME, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", ENTRY, "--run-dir", str(run_dir), "--max-s", str(self.max_s)],
                                     cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)

    def ready(self, timeout_s: float = 10) -> bool:
        """The child's first line (bounded: its start-up, then the observers' own readiness)."""
        deadline = time.monotonic() + timeout_s + 20  # importing the SDKs takes seconds on a busy machine
        line = b""
        while not line.endswith(b"\n") and time.monotonic() < deadline and self.proc.poll() is None:
            if select.select([self.proc.stdout], [], [], 0.5)[0]:
                chunk = os.read(self.proc.stdout.fileno(), 256)
                if not chunk:
                    break
                line += chunk
        words = line.decode(errors="replace").split()
        if words[:1] == ["ready"]:
            return True
        self.not_ready = words[1].split(",") if words[:1] == ["not-ready"] and len(words) > 1 else ["sidecar"]
        return False

    def stop(self, end=None) -> None:
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()  # the child's signal to stop
            self.proc.wait(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
            raise HarnessError(f"the observers' process did not stop within {self.stop_timeout_s} s: killed") from None
        finally:
            self._log.close()
        if self.proc.returncode != 0:
            raise HarnessError(f"the observers' process exited {self.proc.returncode} (logs/{LOG_NAME})")
