"""Typed, range-checked reading of a YAML file, every problem collected before one ConfigError.

A refused file costs seconds; an accepted bad one costs a lab start, a full run and a verdict that
means nothing. So each reader returns a usable value (the default when the field is bad) and the
reading goes on, and the user gets every problem at once, each as `FILE:LINE: path.to.field: why`.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable

from configfile.durations import parse_duration
from configfile.yaml_lines import LineDict, LineList, empty, line_of
from errors import ConfigError

MISSING = object()
MAX_MAGNITUDE = 1e15  # past any count, rate or time a scenario means; float and int agree below it


class Problems:
    """The problems of one file, in the order found; `failed` names the fields that had one."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []
        self.failed: set[str] = set()

    def add(self, line: int, path: str, message: str) -> None:
        self.failed.add(path)
        self.items.append(f"{self.source}:{line}: {path}: {message}" if path else f"{self.source}:{line}: {message}")

    def absorb(self, exc: ConfigError) -> None:
        """Fold in another parser's ConfigError (one problem a line, under a header line or not)."""
        lines = [x.strip() for x in str(exc).splitlines()]
        own = [x for x in lines if x.startswith(self.source)]
        self.items += own or [str(exc)]

    def check(self) -> None:
        """Raise one ConfigError listing every problem, in the file's order, if there is any."""
        items = sorted(self.items, key=self._line)
        if len(items) == 1:
            raise ConfigError(items[0])
        if items:
            raise ConfigError(f"{self.source}: {len(items)} problems, nothing was started:\n  " + "\n  ".join(items))

    def _line(self, item: str) -> int:
        found = re.match(r"[^:]*:(\d+):", item[len(self.source):])
        return int(found.group(1)) if found else 0


# ---- conversions: a value as written -> the value used, or ValueError saying what was expected ---------------
def _kind(value: object) -> str:
    kinds = {bool: "a boolean", str: "text", LineDict: "a mapping", LineList: "a list", type(None): "nothing"}
    return kinds.get(type(value), type(value).__name__)


def as_number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, not {_kind(value)} {show(value)}")
    if abs(value) > MAX_MAGNITUDE or not math.isfinite(value):
        raise ValueError(f"must be a finite number no larger than {MAX_MAGNITUDE:.0e}, not {show(value)}")
    return float(value)


def as_int(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, not {_kind(value)} {show(value)}")
    as_number(value)  # refuses the too large
    return value


def as_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_kind(value)} {show(value)}")
    return value


def show(value: object) -> str:
    """The value as written, cut short: a message names it, it does not reprint the file."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _quote(value: object) -> str:
    return "" if isinstance(value, (dict, list)) else " (quote it)"


def as_text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_kind(value)} {show(value)}{_quote(value)}")
    return value


def as_scalar(value: object) -> str:
    """Text or a number, as the text a config file or an environment variable gets."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"must be text or a number, not {_kind(value)} {show(value)}{_quote(value)}")
    if "\n" in str(value) or "\r" in str(value):
        raise ValueError("must be one line")
    return str(value)


def in_range(value: float, lo: float | None = None, hi: float | None = None, above: bool = False,
             unit: str = "") -> str | None:
    """Why value is out of [lo, hi] ((lo, hi] when `above`), or None."""
    if lo is not None and (value <= lo if above else value < lo):
        return f"must be {'>' if above else '>='} {lo:g}{unit} (got {value:g}{unit})"
    if hi is not None and value > hi:
        return f"must be <= {hi:g}{unit} (got {value:g}{unit})"
    return None


class Fields:
    """One mapping of the file, read field by field under its dotted path (`stack.sentinel`)."""

    def __init__(self, data: object, path: str, problems: Problems, line: int = 0) -> None:
        self.data = data if isinstance(data, dict) else empty(line)
        self.path, self.problems = path, problems

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def line(self, key: object = None) -> int:
        return line_of(self.data, key, getattr(self.data, "line", 0))

    def bad(self, key: str, message: str) -> None:
        self.problems.add(self.line(key), self.where(key), message)

    def unknown(self, allowed: set[str] | dict) -> None:
        """Refuse keys the section does not know (a typo would otherwise be a silent default)."""
        known = f"(known: {', '.join(sorted(allowed))})"
        for key in sorted(set(self.data) - set(allowed), key=str):
            if self.path:
                self.bad(key, f"unknown key {known}")
            else:
                self.problems.add(self.line(key), "", f"unknown key {key!r} {known}")

    def read(self, key: str, default: object, convert: Callable[[object], object],
             check: Callable[[object], str | None] = lambda _v: None) -> object:
        """The converted value of `key`, or `default` when it is absent (MISSING: required) or bad."""
        if key not in self.data:
            if default is MISSING:
                self.bad(key, "missing")
            return None if default is MISSING else default
        try:
            value = convert(self.data[key])
        except ValueError as exc:
            self.bad(key, str(exc))
            return None if default is MISSING else default
        why = check(value)
        if why:
            self.bad(key, why)
            return None if default is MISSING else default
        return value

    def integer(self, key: str, default: object, lo: int | None = None, hi: int | None = None) -> int:
        return self.read(key, default, as_int, lambda v: in_range(v, lo, hi))

    def number(self, key: str, default: object, lo: float | None = None, hi: float | None = None,
               above: bool = False) -> float:
        return self.read(key, default, as_number, lambda v: in_range(v, lo, hi, above))

    def duration(self, key: str, default: object, lo: float = 0, hi: float | None = None, above: bool = True) -> float:
        return self.read(key, default, parse_duration, lambda v: in_range(v, lo, hi, above, " s"))

    def boolean(self, key: str, default: object) -> bool:
        return self.read(key, default, as_bool)

    def text(self, key: str, default: object, pattern: str | None = None, hint: str = "") -> str:
        def matches(v: str) -> str | None:
            if default is MISSING and not v.strip():
                return "must not be empty"
            if pattern and not re.fullmatch(pattern, v):
                return f"{show(v)} {hint or 'is not allowed'}"
            return None
        return self.read(key, default, as_text, matches)

    def section(self, key: str, allowed: set[str] | dict | None = None) -> Fields:
        """A nested mapping (empty when absent); refused when it is something else."""
        value = self.data.get(key)
        sub = Fields(value, self.where(key), self.problems, self.line(key))
        if value is not None and not isinstance(value, dict):
            self.bad(key, f"must be a mapping, not {_kind(value)} {show(value)}")
        elif allowed is not None:
            sub.unknown(allowed)
        return sub

    def items(self, key: str) -> list[tuple[int, Fields]]:
        """The entries of a non-empty list of mappings under `key`."""
        return entries(self.data.get(key), self.where(key), self.problems, self.line(key), nonempty=True)


def entries(value: object, path: str, problems: Problems, line: int, nonempty: bool = False) -> list[tuple[int, Fields]]:
    """(index, Fields at `path[i]`) of each mapping of a list; an absent list is empty, anything else refused."""
    if value is None:
        return []
    if not isinstance(value, list) or (nonempty and not value):
        problems.add(line, path, f"must be a {'non-empty ' if nonempty else ''}list of mappings")
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            out.append((i, Fields(item, f"{path}[{i}]", problems)))
        else:
            problems.add(line_of(value, i, line), f"{path}[{i}]", f"must be a mapping, not {_kind(item)} {show(item)}")
    return out


def scalars(f: Fields, why: Callable[[str, str], str | None]) -> dict[str, str]:
    """Each key of a mapping with its value as one line of text; refused where `why(key, text)` says."""
    out = {}
    for key in f.data:
        value = f.read(key, None, as_scalar, lambda v, k=key: why(str(k), v))
        if value is not None:
            out[key] = value
    return out
