"""The observers that sample the stack on their own clock (Sentinel's events, the monitor) in a
process of their own. They write the same files as in Locust's process; there, they took CPU the
load needed (bench/overhead.py).

    python -m harness.sidecar_process --run-dir D --backend B --scenario S (--lab L | --target T) --max-s N

The process rebuilds the lab from the same files the run was started with, prints `ready` once
every observer records (or `not-ready NAMES`), and stops when its stdin closes: the session closes
it to stop it, and a harness that dies closes it too, so the sidecar never outlives its run.
Its entry is the harness's (harness/sidecar_process.py): rebuilding a lab from a run's files is
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

    return [SentinelObserver(lab.sentinel_addrs(), max_s=max_s, password=lab.secrets.sentinel), Monitor(lab, max_s=max_s)]


class Sidecar:
    """The Observer RunSession sees; the observers themselves run in the child process."""

    files = (EVENTS, MONITOR)

    def __init__(self, argv: list[str], stop_timeout_s: float = 20) -> None:
        self.argv = argv
        self.stop_timeout_s = stop_timeout_s
        self.proc: subprocess.Popen | None = None
        self.not_ready: list[str] = []
        self._log = None

    @classmethod
    def for_run(cls, lab, scenario_path: str | Path | None, max_s: float) -> "Sidecar | None":
        """A sidecar when the child can rebuild this lab from files (None: observe in-process)."""
        if scenario_path is None:
            return None
        if lab.target is not None:
            where = ["--target", str(lab.target.path)]
        elif lab.config.source:
            where = ["--lab", str(Path(lab.config.source).resolve())]
        else:
            return None
        return cls(["--backend", lab.backend, "--scenario", str(Path(scenario_path).resolve()), "--max-s", str(max_s), *where])

    def start(self, run_dir: Path) -> None:
        (run_dir / LOGS).mkdir(exist_ok=True)
        self._log = open(run_dir / LOGS / LOG_NAME, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", ENTRY, "--run-dir", str(run_dir), *self.argv],
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
