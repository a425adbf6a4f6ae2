"""Fault schedules: parsed and validated before anything starts.

An entry: `at` (offset from test start), `action` (see faults.actions), `target` (a node name,
or `{role: master|replica}` resolved when the fault fires), optional `duration` (heal after it;
otherwise the fault is healed when the test stops) and the action's own parameters. Every
problem is reported with the file, the line and the entry, all at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from errors import ConfigError
from faults.actions import ACTIONS, PEER_GROUPS, require
from faults.durations import parse_duration

ROLES = ("master", "replica")
ENTRY_KEYS = {"at", "action", "target", "duration", "name"}


@dataclass(frozen=True)
class Target:
    node: str | None = None
    role: str | None = None

    def __str__(self) -> str:
        return self.node if self.node else f"role:{self.role}"


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
    if isinstance(raw, dict) and set(raw) == {"role"}:
        if raw["role"] not in ROLES:
            raise ValueError(f"unknown role {raw['role']!r} (known: {', '.join(ROLES)})")
        return Target(role=raw["role"])
    raise ValueError("target must be a node name or {role: master|replica}")


def parse_schedule(entries: object, source: str, nodes: set[str] | None = None,
                   run_time_s: float | None = None) -> list[FaultSpec]:
    """Validate every entry; raise one ConfigError listing each bad entry as `file:line: faults[i]...`."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"{source}:{getattr(entries, 'line', 0)}: faults must be a list of entries")
    errors, out = [], []
    for i, entry in enumerate(entries):
        line = getattr(entry, "line", 0)

        def bad(key: str, msg: str, line=line, entry=entry, i=i) -> None:
            at = entry.line_of(key) if hasattr(entry, "line_of") else line
            errors.append(f"{source}:{at}: faults[{i}].{key}: {msg}")

        if not isinstance(entry, dict):
            errors.append(f"{source}:{line}: faults[{i}]: each entry must be a mapping")
            continue
        action = ACTIONS.get(str(entry.get("action")))
        if action is None:
            bad("action", f"unknown action {entry.get('action')!r} (known: {', '.join(ACTIONS)})")
            continue
        unknown = set(entry) - ENTRY_KEYS - set(action.params)
        if unknown:
            bad(sorted(unknown)[0], f"unknown key(s) {sorted(unknown)} for action {action.name}")
        try:
            at_s = parse_duration(entry.get("at"))
        except ValueError as exc:
            bad("at", str(exc))
            continue
        if run_time_s is not None and at_s >= run_time_s:
            bad("at", f"{at_s:g} s is not before the end of the run ({run_time_s:g} s)")
        duration = None
        if "duration" in entry:
            if action.heal is None:
                bad("duration", f"{action.name} has nothing to heal, so no duration")
            try:
                duration = parse_duration(entry["duration"])
            except ValueError as exc:
                bad("duration", str(exc))
        try:
            target = _target(entry.get("target"), nodes)
        except ValueError as exc:
            bad("target", str(exc))
            continue
        params = {k: entry[k] for k in action.params if k in entry}
        try:
            require(params, action)
        except Exception as exc:  # noqa: BLE001 - reported with the entry's line
            bad("action", str(exc))
        if "peers" in params:
            peers = params["peers"] if isinstance(params["peers"], list) else [params["peers"]]
            unknown_peers = [x for x in peers if x not in PEER_GROUPS and (nodes is not None and x not in nodes)]
            if unknown_peers:
                bad("peers", f"unknown peer(s) {unknown_peers} (nodes, or one of {', '.join(PEER_GROUPS)})")
        out.append(FaultSpec(index=i, line=line, action=action.name, target=target, at_s=at_s,
                             duration_s=duration, params=params, name=str(entry.get("name", ""))))
    if errors:
        raise ConfigError("bad fault schedule:\n  " + "\n  ".join(errors))
    return out
