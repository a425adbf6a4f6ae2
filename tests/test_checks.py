"""Checks decide pass or fail; a metric the run could not measure fails its check."""
from __future__ import annotations

import pytest

from analysis.checks import evaluate, parse_checks
from errors import ConfigError


def test_checks_pass_and_fail_on_the_metric_values():
    checks = parse_checks([{"metric": "failover_s", "between": [5, 12]}, {"metric": "lost_acked_writes", "equals": 0},
                           {"metric": "error_rate", "at_most": 0.05}], "s")
    res = evaluate(checks, {"failover_s": 13.1, "lost_acked_writes": 0, "error_rate": 0.01})
    assert [r["passed"] for r in res] == [False, True, True]
    assert res[0] == {"name": "failover_s between 5 and 12", "metric": "failover_s", "expected": "between 5 and 12",
                      "actual": 13.1, "passed": False}


def test_an_unmeasured_metric_fails_its_check():
    res = evaluate(parse_checks([{"metric": "failover_s", "at_most": 100}], "s"), {"failover_s": None})
    assert res[0]["passed"] is False


def test_a_check_needs_exactly_one_operator():
    with pytest.raises(ConfigError, match="exactly one of"):
        parse_checks([{"metric": "failover_s", "at_most": 1, "at_least": 0}], "s")
    with pytest.raises(ConfigError, match="low <= high"):
        parse_checks([{"metric": "failover_s", "between": [5, 1]}], "s")
