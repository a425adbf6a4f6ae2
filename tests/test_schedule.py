"""A malformed schedule or scenario is refused before anything starts, naming file and line."""
from __future__ import annotations

import pytest

from configfile import yaml_lines
from errors import ConfigError
from faults.schedule import parse_schedule
from harness import scenario as scenarios

NODES = {"redis-1", "redis-2", "redis-3", "sentinel-1"}


def _parse(text: str, run_time_s: float | None = 60):
    raw = yaml_lines.load(text, "s.yaml")
    return parse_schedule(raw.get("faults"), "s.yaml", NODES, run_time_s)


def test_valid_schedule_parses_offsets_roles_and_durations():
    faults = _parse("faults:\n  - {at: 30s, action: kill, target: {role: master}}\n"
                    "  - {at: 500ms, action: cut, target: redis-2, duration: 1.5m}\n")
    assert [f.at_s for f in faults] == [30.0, 0.5]
    assert str(faults[0].target) == "role:master" and faults[1].target.node == "redis-2"
    assert faults[1].duration_s == 90.0 and faults[0].duration_s is None


def test_unknown_action_is_named_with_its_line():
    with pytest.raises(ConfigError) as err:
        _parse("faults:\n  - at: 1s\n    action: kil\n    target: redis-1\n")
    assert "s.yaml:3: faults[0].action: unknown action 'kil'" in str(err.value)


def test_every_bad_entry_is_reported_at_once():
    with pytest.raises(ConfigError) as err:
        _parse("faults:\n  - {at: soon, action: kill, target: redis-1}\n"
               "  - {at: 1s, action: pause, target: redis-9}\n"
               "  - {at: 1s, action: pause, target: {role: leader}}\n")
    msg = str(err.value)
    assert "s.yaml:2: faults[0].at: not a duration: 'soon'" in msg
    assert "s.yaml:3: faults[1].target: unknown node 'redis-9'" in msg
    assert "s.yaml:4: faults[2].target: unknown role 'leader'" in msg


def test_fault_after_the_end_of_the_run_is_refused():
    with pytest.raises(ConfigError, match=r"faults\[0\].at: 90 s is not before the end of the run \(60 s\)"):
        _parse("faults:\n  - {at: 90s, action: kill, target: redis-1}\n")


def test_duration_on_an_action_without_undo_is_refused():
    with pytest.raises(ConfigError, match="start has nothing to heal"):
        _parse("faults:\n  - {at: 1s, action: start, target: redis-1, duration: 2s}\n")


def test_unknown_key_in_an_entry_is_refused():
    with pytest.raises(ConfigError, match=r"s.yaml:2: faults\[0\].heal_after: unknown key"):
        _parse("faults:\n  - {at: 1s, action: kill, target: redis-1, heal_after: 3s}\n")


def test_scenario_with_unknown_top_key_names_the_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("id: x\ntitle: t\nfautls: []\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:3: unknown key 'fautls'"):
        scenarios.load(str(p))


def test_scenario_check_on_unknown_metric_is_refused(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("id: x\ntitle: t\nchecks:\n  - {metric: failover_ms, at_most: 3}\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:4: checks\[0\].metric: unknown metric 'failover_ms'"):
        scenarios.load(str(p))


def test_invalid_yaml_names_the_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("id: x\ntitle: t\nfaults:\n  - at: [1\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+: not valid YAML"):
        scenarios.load(str(p))


@pytest.mark.parametrize("path", [str(p) for p in scenarios.catalog()], ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_catalog_scenario_is_valid(path):
    sc = scenarios.load(path)
    assert sc.checks, "a scenario without checks decides nothing"
