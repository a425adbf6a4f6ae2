"""A CPU quota on a local process (the `throttle` fault): the process is moved into a cgroup of the
harness's own, made beside the one it is in, with a CFS quota; heal moves it back and removes the
cgroup. cgroup v1's cpu controller where it is mounted (these machines: `cpu.cfs_quota_us`), v2's
`cpu.max` where the unified hierarchy has the controller.

The cgroup's name carries the lab and the node and its parent is the cgroup the process came from,
so `make heal` after a SIGKILL of the orchestrator finds every leftover by name and knows where its
processes go back to, with no state file.
"""
from __future__ import annotations

import os
from pathlib import Path

from errors import FaultError

ROOT = Path("/sys/fs/cgroup")
PREFIX = "fairbid-ha-"
PERIOD_US = 100_000


def _hierarchy() -> tuple[Path, str] | None:
    """(mount point of the cpu controller, "v1" | "v2"), or None where this machine has neither."""
    if (ROOT / "cpu" / "cpu.cfs_period_us").exists() or (ROOT / "cpu" / "tasks").exists():
        return ROOT / "cpu", "v1"
    controllers = ROOT / "cgroup.controllers"
    if controllers.exists() and "cpu" in controllers.read_text().split():
        return ROOT, "v2"
    return None


def available() -> str | None:
    """Why a CPU quota cannot be set here, or None where it can."""
    if _hierarchy() is None:
        return "no cgroup cpu controller is mounted (neither v1's cpu nor v2's cpu.max)"
    return None


def _current(pid: int, version: str) -> str:
    """The process's cgroup path in the cpu hierarchy (`/` at the root)."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if (version == "v1" and "cpu" in controllers.split(",")) or (version == "v2" and controllers == ""):
            return path
    raise FaultError(f"PID {pid} has no cgroup in the cpu hierarchy")


def _write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError as exc:
        raise FaultError(f"writing {value.strip()!r} to {path}: {exc.strerror or exc}") from exc


def limit(pid: int, cpu_percent: float, tag: str) -> dict:
    """Hold the process (every thread) to cpu_percent of one core. Returns what heal needs and
    what the journal shows: the cgroup, where the process was, the period and quota set."""
    found = _hierarchy()
    if found is None:
        raise FaultError(available())
    mount, version = found
    origin = mount / _current(pid, version).lstrip("/")
    if origin.name.startswith(PREFIX):
        raise FaultError(f"PID {pid} is throttled already ({origin})")
    group = origin / f"{PREFIX}{tag}"
    group.mkdir(exist_ok=True)
    quota = max(1000, int(PERIOD_US * cpu_percent / 100))  # the kernel's floor is 1 ms
    if version == "v1":
        _write(group / "cpu.cfs_period_us", str(PERIOD_US))
        _write(group / "cpu.cfs_quota_us", str(quota))
    else:
        _write(group / "cpu.max", f"{quota} {PERIOD_US}")
    _write(group / "cgroup.procs", str(pid))
    return {"cgroup": str(group), "origin": str(origin), "period_us": PERIOD_US, "quota_us": quota,
            "cpu_percent": cpu_percent, "cgroup_version": version, "pid": pid}


def _release(group: Path) -> list[int]:
    """Every process of the cgroup back into its parent, then the cgroup removed; the PIDs moved."""
    moved = []
    procs = group / "cgroup.procs"
    for _ in range(100):  # bounded: a process forking while it is moved shows up on the next read
        pids = [int(p) for p in procs.read_text().split()] if procs.exists() else []
        if not pids:
            break
        for p in pids:
            try:
                (group.parent / "cgroup.procs").write_text(str(p))
                moved.append(p)
            except OSError:  # it exited meanwhile
                pass
    try:
        group.rmdir()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise FaultError(f"removing {group}: {exc.strerror or exc}") from exc
    return moved


def restore(state: dict) -> list[int]:
    """Undo `limit`: the process back where it was (a node killed and started since is there already)."""
    group = Path(state["cgroup"])
    return _release(group) if group.exists() else []


def leftovers(tags: set[str] | None = None, depth: int = 4) -> list[Path]:
    """The harness's cgroups still present (those of `tags`, or any), searched `depth` levels down."""
    found = _hierarchy()
    if found is None:
        return []
    mount, _ = found
    mine = (lambda n: n.startswith(PREFIX)) if tags is None else (lambda n: n in {PREFIX + t for t in tags})
    out, level = [], [mount]
    for _ in range(depth):
        nxt = []
        for d in level:
            try:
                subs = [p for p in d.iterdir() if p.is_dir()]
            except OSError:
                continue
            out += [p for p in subs if mine(p.name)]
            nxt += [p for p in subs if not p.name.startswith(PREFIX)]
        level = nxt
    return out


def tag(lab_name: str, node: str) -> str:
    return f"{lab_name}-{node}"


def heal_all(tags: set[str] | None = None) -> list[str]:
    """Release every leftover cgroup of `tags` (or all of the project's, after a SIGKILL of the
    orchestrator); what was done, as lines."""
    done = []
    for group in leftovers(tags):
        moved = _release(group)
        done.append(f"removed CPU quota {group.name}" + (f" (PIDs {', '.join(map(str, moved))} released)" if moved else ""))
    return done


def quota_of(pid: int) -> float | None:
    """The share of one core (%) the process's cgroup allows, None where it is unlimited."""
    found = _hierarchy()
    if found is None or not os.path.exists(f"/proc/{pid}"):
        return None
    mount, version = found
    group = mount / _current(pid, version).lstrip("/")
    if version == "v1":
        quota, period = int((group / "cpu.cfs_quota_us").read_text()), int((group / "cpu.cfs_period_us").read_text())
    else:
        q, p = (group / "cpu.max").read_text().split()
        quota, period = (-1 if q == "max" else int(q)), int(p)
    return None if quota < 0 else round(quota / period * 100, 3)
