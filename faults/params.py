"""How a fault kind's parameters are read from a scenario: each kind declares, beside its code, a
`Param` per keyword of its apply function, and the schedule reader (faults/schedule.py) asks them.

A wrong type or an out-of-range value would otherwise fail when the fault fires, mid-run; read here,
it is refused with the file and line before anything starts.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from configfile.validation import Fields, as_scalar, as_text
from lab.spec import read_env, redis_directive_problem

PEER_GROUPS = ("replicas", "sentinels", "others")
NAME_RE = r"[A-Za-z][A-Za-z0-9_-]*"  # a fault's name prefixes its metrics (NAME.failover_s): no dots


@dataclass
class Context:
    """What an entry is checked against: the stack's nodes, the run's length, the schedule's names."""

    nodes: set[str] | None
    run_time_s: float | None
    names: set[str]
    seen: dict[str, int] = field(default_factory=dict)  # name -> the first entry using it


@dataclass(frozen=True)
class Param:
    """One parameter: `read(fields, key, context)` gives its value (the default where it is bad,
    after naming the problem), as configfile.validation's readers do."""

    read: Callable[[Fields, str, Context], object]


def number(lo: float | None = None, hi: float | None = None, above: bool = False) -> Param:
    return Param(lambda f, k, c: f.number(k, None, lo=lo, hi=hi, above=above))


def integer(lo: int | None = None) -> Param:
    return Param(lambda f, k, c: f.integer(k, None, lo=lo))


def duration(lo: float = 0) -> Param:
    return Param(lambda f, k, c: f.duration(k, None, lo=lo))


def boolean() -> Param:
    return Param(lambda f, k, c: f.boolean(k, False))


def text(pattern: str, why: str) -> Param:
    return Param(lambda f, k, c: f.text(k, None, pattern, why))


def scalar() -> Param:
    """A value written as one line of text (a number or a word), as CONFIG SET takes it."""
    return Param(lambda f, k, c: f.read(k, None, as_scalar))


def _peers(value: object, nodes: set[str] | None) -> object:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(x, str) for x in items):
        raise ValueError(f"must be a node name, a list of them, or one of {', '.join(PEER_GROUPS)}")
    unknown = [x for x in items if x not in PEER_GROUPS and nodes is not None and x not in nodes]
    if unknown:
        raise ValueError(f"unknown peer(s) {unknown} (nodes, or one of {', '.join(PEER_GROUPS)})")
    return value


def peers() -> Param:
    """Node names of the stack, or one of the groups replicas / sentinels / others."""
    return Param(lambda f, k, c: f.read(k, None, lambda v: _peers(v, c.nodes)))


def _directive(value: object) -> str:
    name = as_text(value)
    why = redis_directive_problem(name)
    if why:
        raise ValueError(why)
    return name


def directive() -> Param:
    """A redis.conf directive the lab does not own."""
    return Param(lambda f, k, c: f.read(k, None, _directive))


def service_env() -> Param:
    """Environment overrides for the service; "@node" stands for that node's address."""
    return Param(lambda f, k, c: read_env(f.section(k), c.nodes or set(), resolved=True))


def fault_name() -> Param:
    """The name of another fault of the same schedule."""
    return Param(lambda f, k, c: f.read(k, None, as_text, lambda v: None if v in c.names else
                                        f"{v!r} names no fault of this schedule"))
