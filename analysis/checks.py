"""A scenario's checks: `{metric: NAME, between: [lo, hi] | equals: X | at_most: X | at_least: X}`.

A check on a metric the run could not measure fails (actual None): a check that cannot fail is
not a check.
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis.evidence import NOT_SEEN
from errors import ConfigError

OPS = ("between", "equals", "at_most", "at_least")


@dataclass(frozen=True)
class Check:
    metric: str
    op: str
    expected: object

    @classmethod
    def from_json(cls, d: dict) -> "Check":
        """A check as run.json keeps it ({metric, op, expected})."""
        return cls(d["metric"], d["op"], tuple(d["expected"]) if d["op"] == "between" else d["expected"])

    @property
    def name(self) -> str:
        return f"{self.metric} {self.describe()}"

    def describe(self) -> str:
        if self.op == "between":
            return f"between {self.expected[0]} and {self.expected[1]}"
        return {"equals": "==", "at_most": "<=", "at_least": ">="}[self.op] + f" {self.expected}"

    def passed(self, actual: object) -> bool:
        if actual is None:
            return False
        if self.op == "equals":
            return actual == self.expected
        if self.op == "between":
            return self.expected[0] <= actual <= self.expected[1]
        if self.op == "at_most":
            return actual <= self.expected
        return actual >= self.expected


def parse_checks(raw: object, source: str, is_known=None) -> list[Check]:
    """`is_known(metric) -> bool` refuses checks on metrics no run of this scenario can have."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ConfigError(f"{source}:{getattr(raw, 'line', 0)}: checks must be a list")
    out, errors = [], []
    for i, entry in enumerate(raw):
        line = getattr(entry, "line", 0)
        if not isinstance(entry, dict) or "metric" not in entry:
            errors.append(f"{source}:{line}: checks[{i}]: needs `metric` and one of {', '.join(OPS)}")
            continue
        ops = [op for op in OPS if op in entry]
        extra = set(entry) - {"metric", *OPS}
        if len(ops) != 1 or extra:
            errors.append(f"{source}:{line}: checks[{i}]: exactly one of {', '.join(OPS)} (got {sorted(entry)})")
            continue
        metric, op, expected = str(entry["metric"]), ops[0], entry[ops[0]]
        if is_known is not None and not is_known(metric):
            errors.append(f"{source}:{line}: checks[{i}].metric: unknown metric {metric!r}")
            continue
        numeric = (int, float)
        if op == "between" and not (isinstance(expected, list) and len(expected) == 2
                                    and all(isinstance(x, numeric) for x in expected) and expected[0] <= expected[1]):
            errors.append(f"{source}:{line}: checks[{i}].between: needs [low, high] numbers, low <= high")
            continue
        if op in ("at_most", "at_least") and (isinstance(expected, bool) or not isinstance(expected, numeric)):
            errors.append(f"{source}:{line}: checks[{i}].{op}: needs a number")
            continue
        out.append(Check(metric, op, tuple(expected) if op == "between" else expected))
    if errors:
        raise ConfigError("bad checks:\n  " + "\n  ".join(errors))
    return out


def evaluate(checks: list[Check], metrics: dict, absent: dict[str, str] | None = None) -> list[dict]:
    """Each check with its actual figure; one on an absent metric fails, saying why it is absent."""
    out = []
    for c in checks:
        actual = metrics.get(c.metric)
        row = {"name": c.name, "metric": c.metric, "expected": c.describe(), "actual": actual,
               "passed": c.passed(actual)}
        if actual is None:
            row["reason"] = "not measured: " + ((absent or {}).get(c.metric) or NOT_SEEN)
        out.append(row)
    return out
