"""Durations as written in scenario files: 30, 30s, 500ms, 1.5m."""
from __future__ import annotations

import math
import re
import sys

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "": 1.0}
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|)\s*$")


def parse_duration(value: object) -> float:
    """Seconds as a float; raises ValueError with the accepted forms (never returns inf or nan)."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"negative duration: {value!r}")
        seconds = float(value) if value <= sys.float_info.max else math.inf  # refused below
    else:
        match = _RE.match(str(value))
        if not match:
            raise ValueError(f"not a duration: {value!r} (use e.g. 30, 30s, 500ms, 1.5m)")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not math.isfinite(seconds):
        raise ValueError(f"not a finite duration: {str(value)[:40]}")
    return seconds
