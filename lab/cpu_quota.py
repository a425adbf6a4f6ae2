"""A CPU quota on a local process (the `throttle` fault): the process is moved into a cgroup of the
harness's own, made beside the one it is in, with a CFS quota; heal moves it back and removes the
cgroup. cgroup v1's cpu controller (these machines: `cpu.cfs_quota_us`). On a machine with only the
unified hierarchy (v2) a throttle is refused before the load: v2 allows no process in a cgroup whose
children get the cpu controller, so "a cgroup beside the process's" needs a delegated subtree this
module does not set up (not built: these machines have v1 only, so it could not be tested here).

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
    """(mount point of the cpu controller, "v1"), or None where this machine has no v1 cpu controller."""
    if (ROOT / "cpu" / "cpu.cfs_period_us").exists() or (ROOT / "cpu" / "tasks").exists():
        return ROOT / "cpu", "v1"
    return None


def available() -> str | None:
    """Why a CPU quota cannot be set on a local process here, or None where it can."""
    if _hierarchy() is not None:
        return None
    if (ROOT / "cgroup.controllers").exists():
        return ("this machine has only the unified cgroup hierarchy (v2): a throttle of a local process needs "
                "cgroup v1's cpu controller here (a container's quota, through Docker, works on either)")
    return "no cgroup cpu controller is mounted at /sys/fs/cgroup/cpu"


def _current(pid: int) -> str:
    """The process's cgroup path in cgroup v1's cpu hierarchy (`/` at the root)."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(","):
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
    origin = mount / _current(pid).lstrip("/")
    if origin.name.startswith(PREFIX):
        raise FaultError(f"PID {pid} is throttled already ({origin})")
    group = origin / f"{PREFIX}{tag}-{pid}"  # one per process: a node killed and throttled again gets its own
    group.mkdir(exist_ok=True)
    quota = max(1000, int(PERIOD_US * cpu_percent / 100))  # the kernel's floor is 1 ms
    _write(group / "cpu.cfs_period_us", str(PERIOD_US))
    _write(group / "cpu.cfs_quota_us", str(quota))
    _write(group / "cgroup.procs", str(pid))
    return {"cgroup": str(group), "origin": str(origin), "period_us": PERIOD_US, "quota_us": quota,
            "cpu_percent": cpu_percent, "cgroup_version": version, "pid": pid}


def limit_node(lab_name: str, node: str, pid: int, alive: bool, cpu_percent: float) -> dict:
    """`limit` for a lab's node, refused where the node is not running (its recorded PID may be
    another process's by now)."""
    if not alive:
        raise FaultError(f"{node} is not running: there is no process to throttle")
    return limit(pid, cpu_percent, tag(lab_name, node))


def restore_node(lab_name: str, node: str, state: dict | None) -> None:
    """`restore` for a lab's node; with no state (an apply cut short) its cgroup is found by name."""
    if state is None:
        heal_all({tag(lab_name, node)})
    else:
        restore(state)


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


def leftovers(tags: set[str] | None = None, depth: int = 12) -> list[Path]:
    """The harness's cgroups still present (those of the nodes `tags` names, or any), searched
    `depth` levels down (a group's name is PREFIX + tag + "-" + the PID it was made for)."""
    found = _hierarchy()
    if found is None:
        return []
    mount, _ = found
    wanted = tuple(f"{PREFIX}{t}-" for t in tags) if tags is not None else (PREFIX,)
    mine = lambda n: n.startswith(wanted)  # noqa: E731
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
    mount, _ = found
    group = mount / _current(pid).lstrip("/")
    quota, period = int((group / "cpu.cfs_quota_us").read_text()), int((group / "cpu.cfs_period_us").read_text())
    return None if quota < 0 else round(quota / period * 100, 3)
