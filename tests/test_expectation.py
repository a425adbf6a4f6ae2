"""The plan's expectation, judged from metrics: holds, differs (a finding) or not tested."""
from __future__ import annotations

import pytest

from analysis.expectation import Expectation, from_json, judge, parse_expectation
from configfile import yaml_lines
from errors import ConfigError

KNOWN = {"failover_s", "kill.detect_s", "partition.detect_s"}.__contains__


def _parse(text: str) -> Expectation:
    raw = yaml_lines.load(text, "e.yaml")
    return parse_expectation(raw.get("expectation"), "e.yaml", raw.line_of("expectation"), KNOWN)


PLAN = ('expectation:\n  plan: "5-10초 내 자동 failover"\n  conditions:\n'
        '    - {metric: failover_s, between: [5, 10]}\n'
        '    - {compare: [partition.detect_s, ">", kill.detect_s]}\n')


def test_a_plain_string_is_not_tested():
    e = _parse('expectation: "Automatic failover within 5-10 s"\n')
    assert judge(e, {"failover_s": 6.0}).verdict == "not tested"


def test_conditions_hold_or_differ_with_the_figure():
    e = from_json(_parse(PLAN).to_json())  # as run.json keeps it
    held = judge(e, {"failover_s": 6.2, "partition.detect_s": 5.6, "kill.detect_s": 5.0})
    assert held.verdict == "holds" and [c.verdict for c in held.conditions] == ["holds", "holds"]
    differs = judge(e, {"failover_s": 11.4, "partition.detect_s": 5.6, "kill.detect_s": 5.0})
    assert differs.verdict == "differs" and differs.conditions[0].actual == 11.4
    assert differs.to_json()["conditions"][1] == {"condition": "partition.detect_s > kill.detect_s",
                                                  "actual": {"partition.detect_s": 5.6, "kill.detect_s": 5.0},
                                                  "verdict": "holds"}  # summary.json's keys, in its order


def test_an_absent_metric_leaves_the_expectation_not_tested_with_the_reason():
    e = _parse(PLAN)
    out = judge(e, {"failover_s": 6.0, "partition.detect_s": None, "kill.detect_s": 5.0},
                {"partition.detect_s": "the observer lost Sentinel x"})
    assert out.verdict == "not tested"
    assert out.conditions[1].reason == "partition.detect_s not measured: the observer lost Sentinel x"


@pytest.mark.parametrize("text, message", [
    ('expectation: {plan: "x", conditions: [{metric: nope, equals: 1}]}\n', "unknown metric 'nope'"),
    ('expectation: {plan: "x", conditions: [{compare: [failover_s, "~", failover_s]}]}\n', "needs [METRIC, OP, METRIC]"),
    ('expectation: {plan: "x", extra: 1}\n', "e.yaml:1: expectation: a string, or"),
])
def test_a_bad_expectation_is_refused_naming_the_file(text, message):
    with pytest.raises(ConfigError) as err:
        _parse(text)
    assert message in str(err.value)
