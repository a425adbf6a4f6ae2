"""Each fault action declares its own facts: parameters from its signature, its undo, whether it is
disruptive; a schedule is checked against those declarations."""
from __future__ import annotations

import pytest

from configfile import yaml_lines
from errors import ConfigError
from faults.actions import ACTIONS
from faults.kind import Action
from faults.schedule import parse_schedule


def test_parameters_come_from_the_signature():
    assert ACTIONS["cut"].params == ("peers", "one_way") and ACTIONS["cut"].required == ()
    assert ACTIONS["config_set"].required == ("param", "value")
    assert ACTIONS["mysql_rows"].params == ("timeout_s", "compare_to")  # `outputs` is the runner's, not a key
    assert ACTIONS["kill"].params == () and ACTIONS["kill"].heal is not None


def test_only_the_failures_open_a_fault_window():
    assert sorted(name for name, a in ACTIONS.items() if a.disruptive) == ["cut", "flap", "kill", "loss", "pause",
                                                                           "throttle"]
    assert ACTIONS["flap"].params == ("period", "cut_share", "peers")  # duration_s is the runner's
    assert ACTIONS["loss"].required == ("percent",) and ACTIONS["throttle"].required == ("cpu_percent",)


@pytest.mark.parametrize("entry, where, why", [
    ("{at: 1s, action: loss, target: redis-1, percent: 130, duration: 5s}", "percent", "must be <= 100"),
    ("{at: 1s, action: loss, target: redis-1, percent: 0, duration: 5s}", "percent", "must be >= 0.01"),
    ("{at: 1s, action: throttle, target: redis-1, cpu_percent: 0.5, duration: 5s}", "cpu_percent", "must be >= 1"),
    ("{at: 1s, action: flap, target: redis-1, period: 4s}", "duration", "needs a duration"),
    ("{at: 1s, action: flap, target: redis-1, period: 10s, duration: 5s}", "period", "not one cycle"),
    ("{at: 1s, action: flap, target: redis-1, period: 4s, cut_share: 1, duration: 8s}", "cut_share", "must be <= 0.95"),
])
def test_gray_failure_parameters_are_refused_with_their_line(entry, where, why):
    raw = yaml_lines.load(f"faults:\n  - {entry}\n", "g.yaml")
    with pytest.raises(ConfigError) as err:
        parse_schedule(raw.get("faults"), "g.yaml", {"redis-1"}, 60)
    assert "g.yaml:2" in str(err.value) and f"faults[0].{where}" in str(err.value) and why in str(err.value), err.value


def test_a_missing_required_parameter_is_refused_with_its_line():
    raw = yaml_lines.load("faults:\n  - {at: 1s, action: config_set, target: redis-1, param: maxmemory}\n", "v.yaml")
    with pytest.raises(ConfigError) as err:
        parse_schedule(raw.get("faults"), "v.yaml", {"redis-1"}, 60)
    assert "v.yaml:2" in str(err.value) and "value" in str(err.value)


def test_every_parameter_of_every_action_is_typed_by_its_kind():
    untyped = {f"{name}.{p}" for name, a in ACTIONS.items() for p in a.params if p not in a.types}
    assert untyped == set()  # faults/kind.py refuses a declaration whose signature and types differ


def test_a_kind_whose_parameter_has_no_declared_type_is_refused_where_it_is_declared():
    def _apply(lab, node, *, speed: float) -> None:
        """A parameter the schedule could not read."""

    with pytest.raises(TypeError, match="speed"):
        Action("untyped", _apply)
