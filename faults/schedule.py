"""Fault schedules: parsed and validated before anything starts.

An entry: `at` (offset from test start), `action` (see faults.actions), `target` (a node name,
or `{role: master|replica}` resolved when the fault fires), optional `duration` (heal after it;
otherwise the fault is healed when the test stops) and the action's own parameters, each read and
bounded as its kind declares (faults/kinds/; a restart's `env` may repoint the service at a node of
the stack, `"@redis-2"`, but not set the lab's addresses or passwords; a `config_set` may not change
what the lab owns). Every problem is reported with the file, the line and the entry, all at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from configfile import validation
from configfile.durations import parse_duration
from configfile.validation import MISSING, Fields, Problems, show
from errors import FaultError
from faults.actions import ACTIONS, require
from faults.params import NAME_RE, Context

ROLES = ("master", "replica")
ENTRY_KEYS = {"at", "action", "target", "duration", "name"}


@dataclass(frozen=True)
class Target:
    node: str | None = None
    role: str | None = None
    shard: int | None = None  # a Redis Cluster's shard (1 owns slot 0); None: the first, or no cluster

    def __str__(self) -> str:
        if self.node:
            return self.node
        return f"role:{self.role}" + (f" shard:{self.shard}" if self.shard else "")


@dataclass(frozen=True)
class FaultSpec:
    index: int
    line: int
    action: str
    target: Target
    at_s: float
    duration_s: float | None = None
    params: dict = field(default_factory=dict)
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or f"{self.action} {self.target}"


def _target(raw: object, nodes: set[str] | None) -> Target:
    if isinstance(raw, str):
        if nodes is not None and raw not in nodes:
            raise ValueError(f"unknown node {raw!r} (this stack has: {', '.join(sorted(nodes))})")
        return Target(node=raw)
    if isinstance(raw, dict) and set(raw) in ({"role"}, {"role", "shard"}):
        if raw["role"] not in ROLES:
            raise ValueError(f"unknown role {raw['role']!r} (known: {', '.join(ROLES)})")
        shard = raw.get("shard")
        if "shard" in raw and (isinstance(shard, bool) or not isinstance(shard, int) or shard < 1):
            raise ValueError(f"shard {shard!r} is not a shard number (1, 2, ...: shard 1 owns slot 0)")
        return Target(role=raw["role"], shard=shard)
    raise ValueError("target must be a node name or {role: master|replica} (a cluster's: {role: ..., shard: N})")


def _before_end(at_s: float, run_time_s: float | None) -> str | None:
    if run_time_s is not None and at_s >= run_time_s:
        return f"{at_s:g} s is not before the end of the run ({run_time_s:g} s)"
    return None


def _entry(i: int, f: Fields, ctx: Context) -> FaultSpec | None:
    """One entry, every field read (so every problem of it is reported), or None when unusable."""
    raw_action = f.data.get("action")
    action = ACTIONS.get(raw_action) if isinstance(raw_action, str) else None
    if action is None:
        f.bad("action", f"unknown action {show(raw_action)} (known: {', '.join(sorted(ACTIONS))})")
        return None
    f.unknown(ENTRY_KEYS | set(action.params))
    at_s = f.read("at", MISSING, parse_duration, lambda v: _before_end(v, ctx.run_time_s))
    duration = None
    if "duration" in f.data and action.heal is None:
        f.bad("duration", f"{action.name} has nothing to heal, so no duration")
    elif "duration" in f.data:
        duration = f.duration("duration", None)
    elif action.needs_duration:
        f.bad("duration", f"{action.name} acts over time: it needs a duration (how long it goes on)")
    try:
        target = _target(f.data.get("target"), ctx.nodes)
    except ValueError as exc:
        f.bad("target", str(exc))
        target = None
    params = {k: action.types[k].read(f, k, ctx) for k in action.params if k in f.data}  # typed by the kind
    try:
        require(params, action)
    except FaultError as exc:
        f.bad("action", str(exc))
    for key, why in action.check(params, duration) if action.check else []:
        f.bad(key, why)
    name = f.text("name", "", NAME_RE, "is not a fault name (letters, digits, _ and -; it prefixes metrics)")
    if name and name in ctx.seen:
        f.bad("name", f"{name!r} already names faults[{ctx.seen[name]}]")
    ctx.seen.setdefault(name, i)
    if at_s is None or target is None:
        return None
    return FaultSpec(index=i, line=f.line(), action=action.name, target=target, at_s=at_s,
                     duration_s=duration, params=params, name=name)


def check_schedule(entries: object, problems: Problems, nodes: set[str] | None = None,
                   run_time_s: float | None = None, line: int = 0) -> list[FaultSpec]:
    """The schedule's entries; each problem goes to `problems` as `file:line: faults[i].field: why`."""
    items = validation.entries(entries, "faults", problems, line)
    names = {f.data["name"] for _, f in items if isinstance(f.data.get("name"), str)}
    ctx = Context(nodes, run_time_s, names)
    specs = [_entry(i, f, ctx) for i, f in items]
    return [s for s in specs if s is not None]


def parse_schedule(entries: object, source: str, nodes: set[str] | None = None,
                   run_time_s: float | None = None) -> list[FaultSpec]:
    """Validate every entry; raise one ConfigError listing each bad entry as `file:line: faults[i]...`."""
    problems = Problems(source)
    out = check_schedule(entries, problems, nodes, run_time_s, getattr(entries, "line", 0))
    problems.check()
    return out
