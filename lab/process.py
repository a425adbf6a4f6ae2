"""Local processes of a lab, known by PID *and* start time so a recycled PID is never signalled."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

_children: dict[int, subprocess.Popen] = {}


@dataclass
class Proc:
    pid: int
    start_ticks: int  # field 22 of /proc/PID/stat: distinguishes this process from a later one

    def to_dict(self) -> dict:
        return asdict(self)


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces: split after its closing parenthesis
    return [raw[: raw.index(" ")]] + raw[raw.rindex(")") + 2 :].split()


def state(proc: Proc) -> str | None:
    """'R', 'S', 'T' (stopped), ... or None when the process is gone (or is another process)."""
    fields = _stat(proc.pid)
    if fields is None or int(fields[20]) != proc.start_ticks:
        return None
    if fields[1] == "Z":
        reap(proc.pid)
        return None
    return fields[1]


def alive(proc: Proc) -> bool:
    return state(proc) is not None


def paused(proc: Proc) -> bool:
    return state(proc) in ("T", "t")


def reap(pid: int) -> None:
    child = _children.pop(pid, None)
    if child is not None:
        child.poll()
    else:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def spawn(argv: list[str], log_path: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> Proc:
    """Start a node in its own session, so a Ctrl-C meant for the harness does not reach it."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        child = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env=env, cwd=cwd, start_new_session=True)
    _children[child.pid] = child
    fields = None
    for _ in range(100):
        fields = _stat(child.pid)
        if fields:
            break
        time.sleep(0.01)
    return Proc(pid=child.pid, start_ticks=int(fields[20]) if fields else -1)


def signal_proc(proc: Proc, sig: int) -> bool:
    """Send sig if proc is still the process we started; False if it is gone."""
    if not alive(proc):
        return False
    try:
        os.kill(proc.pid, sig)
    except ProcessLookupError:
        return False
    return True


def kill_now(proc: Proc) -> bool:
    """SIGKILL and reap (= docker kill)."""
    sent = signal_proc(proc, signal.SIGKILL)
    if sent:
        _wait_gone(proc, 5.0)
    return sent


def stop(proc: Proc, grace_s: float = 5.0) -> None:
    """Resume if paused, SIGTERM, then SIGKILL after grace_s: a clean stop that never hangs."""
    if not alive(proc):
        return
    signal_proc(proc, signal.SIGCONT)
    signal_proc(proc, signal.SIGTERM)
    if not _wait_gone(proc, grace_s):
        signal_proc(proc, signal.SIGKILL)
        _wait_gone(proc, 5.0)


def _wait_gone(proc: Proc, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        reap(proc.pid)
        if not alive(proc):
            return True
        time.sleep(0.02)
    return not alive(proc)
