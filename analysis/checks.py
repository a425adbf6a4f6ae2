"""A scenario's checks: `{metric: NAME, between: [lo, hi] | equals: X | at_most: X | at_least: X}`.

A check on a metric the run could not measure fails (actual None): a check that cannot fail is
not a check. Where one backend's mechanics put a bound out of reach (a container starts slower than a
process), the check carries that backend's bound and the reason beside it, never a dropped check:

    - {metric: error_rate_during, at_least: 0.95,
       per_backend: {docker: {at_least: 0.7, why: "a killed container's address goes silent ..."}}}
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis.evidence import NOT_SEEN
from errors import ConfigError
from runfiles import BACKENDS, CheckResult

OPS = ("between", "equals", "at_most", "at_least")
BACKEND_NAMES = tuple(BACKENDS)  # a per_backend bound names one of them


@dataclass(frozen=True)
class Check:
    metric: str
    op: str
    expected: object
    why: str = ""  # set where this bound is one backend's own: the reason it differs
    per_backend: tuple = ()  # ((backend, Check), ...): the bound a backend's mechanics allow instead
    harness: bool = False  # the harness's check on itself (SELF_CHECKS), added to every run

    @classmethod
    def from_json(cls, d: dict) -> "Check":
        """A check as run.json keeps it ({metric, op, expected[, why]})."""
        return cls(d["metric"], d["op"], tuple(d["expected"]) if d["op"] == "between" else d["expected"],
                   d.get("why", ""), harness=bool(d.get("harness")))

    def to_json(self) -> dict:
        return {"metric": self.metric, "op": self.op, "expected": self.expected, **({"why": self.why} if self.why else {}),
                **({"harness": True} if self.harness else {})}

    def for_backend(self, backend: str) -> "Check":
        """The check as it applies on one backend: its own bound where the scenario gives one."""
        return dict(self.per_backend).get(backend, self)

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
        metric = str(entry["metric"])
        if is_known is not None and not is_known(metric):
            errors.append(f"{source}:{line}: checks[{i}].metric: unknown metric {metric!r}")
            continue
        check = _bound(entry, metric, f"{source}:{line}: checks[{i}]", errors, {"metric", "per_backend"})
        if check is None:
            continue
        overrides = []
        per = entry.get("per_backend", {})
        if "per_backend" in entry and (not isinstance(per, dict) or not per):
            errors.append(f"{source}:{line}: checks[{i}].per_backend: a mapping of backend to its bound and why")
            continue
        for backend, bound in per.items():
            where = f"{source}:{getattr(bound, 'line', line)}: checks[{i}].per_backend.{backend}"
            if backend not in BACKEND_NAMES:
                errors.append(f"{where}: unknown backend (known: {', '.join(BACKEND_NAMES)})")
            elif not isinstance(bound, dict) or not str(bound.get("why") or "").strip():
                errors.append(f"{where}: needs its bound and `why`, the reason this backend differs")
            elif (b := _bound(bound, metric, where, errors, {"why"})) is not None:
                overrides.append((backend, Check(metric, b.op, b.expected, str(bound["why"]).strip())))
        out.append(Check(metric, check.op, check.expected, per_backend=tuple(overrides)))
    if errors:
        raise ConfigError("bad checks:\n  " + "\n  ".join(errors))
    return out


def _bound(entry: dict, metric: str, where: str, errors: list[str], allowed: set[str]) -> Check | None:
    """The one operator and its value of a check (or of one backend's bound), or None with the error noted."""
    ops = [op for op in OPS if op in entry]
    extra = set(entry) - {*allowed, *OPS}
    if len(ops) != 1 or extra:
        errors.append(f"{where}: exactly one of {', '.join(OPS)} (got {sorted(entry)})")
        return None
    op, expected = ops[0], entry[ops[0]]
    numeric = (int, float)
    if op == "between" and not (isinstance(expected, list) and len(expected) == 2
                                and all(isinstance(x, numeric) for x in expected) and expected[0] <= expected[1]):
        errors.append(f"{where}.between: needs [low, high] numbers, low <= high")
        return None
    if op in ("at_most", "at_least") and (isinstance(expected, bool) or not isinstance(expected, numeric)):
        errors.append(f"{where}.{op}: needs a number")
        return None
    return Check(metric, op, tuple(expected) if op == "between" else expected)


def evaluate(checks: list[Check], metrics: dict, absent: dict[str, str] | None = None) -> list[CheckResult]:
    """Each check with its actual figure; one on an absent metric fails, saying why it is absent."""
    out = []
    for c in checks:
        actual = metrics.get(c.metric)
        out.append(CheckResult(
            name=c.name, metric=c.metric, expected=c.describe(), actual=actual, passed=c.passed(actual),
            backend_bound_why=c.why or None, harness=bool(c.harness),
            reason="not measured: " + ((absent or {}).get(c.metric) or NOT_SEEN) if actual is None else None))
    return out


# Every run's check of the harness on itself: Locust's own request count and the per-request log's rows
# agree within 0.1 % (in a distributed run the rows crossed from the workers in messages)
SELF_CHECKS = (Check("request_log_gap", "at_most", 0.001, harness=True),)
