"""Checks decide pass or fail; a metric the run could not measure fails its check."""
from __future__ import annotations

import pytest

from analysis.checks import Check, evaluate, parse_checks
from errors import ConfigError


def test_checks_pass_and_fail_on_the_metric_values():
    checks = parse_checks([{"metric": "failover_s", "between": [5, 12]}, {"metric": "lost_acked_writes", "equals": 0},
                           {"metric": "error_rate", "at_most": 0.05}], "s")
    res = evaluate(checks, {"failover_s": 13.1, "lost_acked_writes": 0, "error_rate": 0.01})
    assert [r.passed for r in res] == [False, True, True]
    assert res[0].to_json() == {"name": "failover_s between 5 and 12", "metric": "failover_s", "expected": "between 5 and 12",
                      "actual": 13.1, "passed": False}


def test_an_unmeasured_metric_fails_its_check():
    res = evaluate(parse_checks([{"metric": "failover_s", "at_most": 100}], "s"), {"failover_s": None})
    assert res[0].passed is False and res[0].to_json()["reason"].startswith("not measured: ")


def test_a_check_needs_exactly_one_operator():
    with pytest.raises(ConfigError, match="exactly one of"):
        parse_checks([{"metric": "failover_s", "at_most": 1, "at_least": 0}], "s")
    with pytest.raises(ConfigError, match="low <= high"):
        parse_checks([{"metric": "failover_s", "between": [5, 1]}], "s")


def test_a_backend_bound_applies_on_that_backend_only_with_its_reason():
    [check] = parse_checks([{"metric": "error_rate_during", "at_least": 0.95,
                             "per_backend": {"docker": {"at_least": 0.7, "why": "silent address"}}}], "s")
    assert check.for_backend("local") == check
    docker = check.for_backend("docker")
    assert (docker.op, docker.expected, docker.why) == ("at_least", 0.7, "silent address")
    [local_row] = evaluate([check.for_backend("local")], {"error_rate_during": 0.8})
    [docker_row] = evaluate([docker], {"error_rate_during": 0.8})
    assert not local_row.passed and docker_row.passed and docker_row.backend_bound_why == "silent address"
    assert "backend_bound_why" not in local_row.to_json() and docker_row.to_json()["backend_bound_why"] == "silent address"
    assert Check.from_json(docker.to_json()) == Check("error_rate_during", "at_least", 0.7, "silent address")


def test_a_backend_bound_needs_a_known_backend_its_reason_and_one_operator():
    for bad in ({"dockr": {"at_least": 0.7, "why": "x"}}, {"docker": {"at_least": 0.7}},
                {"docker": {"at_least": 0.7, "at_most": 1, "why": "x"}}, {"docker": {"at_least": "high", "why": "x"}}, {}):
        with pytest.raises(ConfigError, match="per_backend"):
            parse_checks([{"metric": "failover_s", "at_most": 1, "per_backend": bad}], "s")
