"""The plan's expectation of a scenario, tested against the metrics instead of paraphrased.

A scenario's `checks` decide PASS/FAIL; its `expectation` quotes the plan and ties it to
conditions, each reported as holds, differs (with the figure) or not tested. A result that
differs from the plan is a finding, not a harness failure.

    expectation: "Automatic failover within 5-10 s"          # a plain string: not tested
    expectation:
      plan: "5-10초 내 자동 failover"
      conditions:
        - {metric: failover_s, between: [5, 10]}
        - {compare: [partition.detect_s, ">", kill.detect_s]}
"""
from __future__ import annotations

import operator
from dataclasses import dataclass

from analysis.checks import OPS, Check, parse_checks
from analysis.evidence import NOT_SEEN
from errors import ConfigError
from runfiles import ConditionResult, ExpectationResult

HOLDS, DIFFERS, NOT_TESTED = "holds", "differs", "not tested"
COMPARE_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
               "!=": operator.ne}


@dataclass(frozen=True)
class Compare:
    """`left OP right`: two metrics of the same run (a kill against a cut, say)."""

    left: str
    op: str
    right: str

    @property
    def name(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Expectation:
    plan: str
    conditions: tuple[Check | Compare, ...] = ()

    def to_json(self) -> dict:
        conds = [{"compare": [c.left, c.op, c.right]} if isinstance(c, Compare)
                 else {"metric": c.metric, "op": c.op, "expected": c.expected} for c in self.conditions]
        return {"plan": self.plan, "conditions": conds}


def parse_expectation(raw: object, source: str, line: int = 0, is_known=None) -> Expectation:
    """A string (not tested) or `{plan, conditions}`; conditions name metrics `is_known` accepts."""
    if raw is None or isinstance(raw, str):
        return Expectation(plan=raw or "")
    if not isinstance(raw, dict) or set(raw) - {"plan", "conditions"} or not isinstance(raw.get("plan"), str):
        raise ConfigError(f"{source}:{line}: expectation: a string, or {{plan: TEXT, conditions: [...]}}")
    raw_conds = raw.get("conditions") or []
    if not isinstance(raw_conds, list):
        raise ConfigError(f"{source}:{getattr(raw, 'line_of', lambda _k: line)('conditions')}: "
                          "expectation.conditions must be a list")
    errors, conds, plain = [], [], []
    for i, c in enumerate(raw_conds):
        where = f"{source}:{getattr(c, 'line', line)}: expectation.conditions[{i}]"
        if isinstance(c, dict) and set(c) == {"compare"}:
            cmp_ = c["compare"]
            if not (isinstance(cmp_, list) and len(cmp_) == 3 and all(isinstance(x, str) for x in cmp_)
                    and cmp_[1] in COMPARE_OPS):
                errors.append(f"{where}.compare: needs [METRIC, OP, METRIC], OP one of {' '.join(COMPARE_OPS)}")
                continue
            unknown = [m for m in (cmp_[0], cmp_[2]) if is_known is not None and not is_known(m)]
            if unknown:
                errors.append(f"{where}.compare: unknown metric {unknown[0]!r}")
                continue
            conds.append((i, Compare(cmp_[0], cmp_[1], cmp_[2])))
        elif isinstance(c, dict) and "metric" in c:
            plain.append((i, c))
        else:
            errors.append(f"{where}: needs `metric` and one of {', '.join(OPS)}, or `compare: [A, OP, B]`")
    try:
        checks = parse_checks([c for _, c in plain], f"{source} (expectation)", is_known) if plain else []
        conds += [(i, chk) for (i, _), chk in zip(plain, checks)]
    except ConfigError as exc:
        errors.append(str(exc).replace("bad checks:\n  ", "").replace("checks[", "expectation.conditions["))
    if errors:
        raise ConfigError("bad expectation:\n  " + "\n  ".join(errors))
    return Expectation(plan=raw["plan"], conditions=tuple(c for _, c in sorted(conds, key=lambda x: x[0])))


def from_json(data: object) -> Expectation:
    """The expectation as run.json keeps it (older runs kept a plain string)."""
    if not isinstance(data, dict):
        return Expectation(plan=str(data or ""))
    conds = []
    for c in data.get("conditions", []):
        if "compare" in c:
            conds.append(Compare(*c["compare"]))
        else:
            conds.append(Check.from_json(c))
    return Expectation(plan=data.get("plan", ""), conditions=tuple(conds))


def _judge_one(cond: Check | Compare, metrics: dict, absent: dict) -> ConditionResult:
    names = [cond.left, cond.right] if isinstance(cond, Compare) else [cond.metric]
    values = [metrics.get(n) for n in names]
    missing = [n for n, v in zip(names, values) if v is None]
    actual = values[0] if len(values) == 1 else dict(zip(names, values))
    if missing:
        reason = absent.get(missing[0]) or NOT_SEEN
        return ConditionResult(condition=cond.name, actual=actual, verdict=NOT_TESTED,
                               reason=f"{missing[0]} not measured: {reason}")
    ok = COMPARE_OPS[cond.op](*values) if isinstance(cond, Compare) else cond.passed(values[0])
    return ConditionResult(condition=cond.name, actual=actual, verdict=HOLDS if ok else DIFFERS)


def judge(exp: Expectation, metrics: dict, absent: dict | None = None) -> ExpectationResult:
    """holds: every condition held; differs: one did not (a finding); not tested: nothing decided it."""
    rows = [_judge_one(c, metrics, absent or {}) for c in exp.conditions]
    verdicts = {r.verdict for r in rows}
    if DIFFERS in verdicts:
        verdict = DIFFERS
    elif rows and verdicts == {HOLDS}:
        verdict = HOLDS
    else:
        verdict = NOT_TESTED
    return ExpectationResult(plan=exp.plan, verdict=verdict, conditions=rows)
