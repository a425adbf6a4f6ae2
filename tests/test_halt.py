"""A scenario's halt section: refused before anything starts when malformed; live, a condition that
holds stops the load, heals every fault, still verifies, and the run is marked halted (not passed)."""
from __future__ import annotations

import json
import time

import pytest

from errors import ConfigError
from harness import scenario
from harness.halt import Halt, HaltWatch
from lab.config import LabConfig
from lab.local import LocalLab
from tests.conftest import ROOT, run_scenario

BASE = "id: h\ntitle: t\nload: {users: 1}\nchecks:\n  - {metric: faults_failed, equals: 0}\n"


def _load(tmp_path, text: str):
    path = tmp_path / "h.yaml"
    path.write_text(BASE + text)
    return scenario.load(str(path))


def test_every_bad_halt_entry_is_named_by_its_line(tmp_path):
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, "halt:\n  error_rate: {for: 2s}\n  no_master: {for: soon}\n  node_not_back: {}\n  bogus: 1\n")
    text = str(err.value)
    assert "h.yaml:7: halt.error_rate.above: missing" in text
    assert "h.yaml:8: halt.no_master.for: not a duration" in text
    assert "h.yaml:9: halt.node_not_back.after: missing" in text
    assert "h.yaml:10: halt.bogus: unknown key" in text
    with pytest.raises(ConfigError, match=r"halt.error_rate.above: must be <= 1"):
        _load(tmp_path, "halt:\n  error_rate: {above: 50}\n")


def test_a_scenario_without_halt_has_none_and_one_with_it_keeps_every_condition(tmp_path):
    assert not _load(tmp_path, "").halt
    h = _load(tmp_path, "halt:\n  error_rate: {above: 0.2, for: 5s}\n  no_master: {for: 30s}\n").halt
    assert h == Halt(error_rate_above=0.2, error_rate_for_s=5, no_master_for_s=30)


class _Total:
    def __init__(self, reqs: dict, fails: dict) -> None:
        self.num_reqs_per_sec, self.num_fail_per_sec = reqs, fails


class _Stats:
    def __init__(self, reqs: dict, fails: dict) -> None:
        self.total = _Total(reqs, fails)


def test_the_error_rate_condition_must_hold_for_its_duration(tmp_path):
    now = int(time.time())
    stats = _Stats({s: 10 for s in range(now - 10, now)}, {s: 8 for s in range(now - 10, now)})
    lab = LocalLab(LabConfig.load(ROOT / "tests" / "lab.unit.yaml"))
    watch = HaltWatch(Halt(error_rate_above=0.5, error_rate_for_s=0.3), lab, stats, tmp_path / "none.jsonl",
                      lambda _r: None, max_s=5)
    assert watch.error_rate() == pytest.approx(0.8)
    assert watch.check() is None  # holds, but not yet for 0.3 s
    time.sleep(0.35)
    assert "error rate 0.800 over the last 10 s above 0.5 for 0.3 s" == watch.check()
    stats.total.num_fail_per_sec.clear()
    assert watch.check() is None  # it stopped holding: the clock starts again


def test_a_halt_stops_the_run_heals_every_fault_and_the_run_does_not_pass(tmp_path, e2e_lab_down):
    t0 = time.monotonic()
    run, res = run_scenario("tests/scenarios/halt-on-errors.yaml", tmp_path, timeout_s=240)
    assert res.returncode == 1, res.stdout[-3000:] + res.stderr[-3000:]
    summary = json.loads((run / "summary.json").read_text())
    assert not summary["passed"] and summary["halted"].startswith("error rate")
    assert any(r.startswith("halted: error rate") for r in summary["not_passed_because"])
    meta = json.loads((run / "run.json").read_text())
    # halted long before the 60 s run time: kill at 3 s, the rate over 10 s past 0.5 within seconds, 2 s held
    assert (meta["halted"]["at_ms"] - meta["test_start_ms"]) / 1000 < 20
    assert meta["test_stop_ms"] - meta["halted"]["at_ms"] < 5000
    assert meta["load_as_run"]["stopped_by"] == "halt" and meta["load_as_run"]["duration_s"] < 20
    records = [json.loads(x) for x in (run / "faults.jsonl").read_text().splitlines()]
    applied = [r for r in records if "applied_ms" in r]
    healed = [r for r in records if "healed_ms" in r]
    assert [r["node"] for r in applied] == ["api"] and [r["node"] for r in healed] == ["api"]
    assert healed[0]["outcome"] == "ok"
    assert (run / "verify.json").exists() and "settle_error" not in meta  # verified after the heal
    assert time.monotonic() - t0 < 120
    assert not LocalLab(LabConfig.load(ROOT / "tests" / "lab.e2e.yaml")).is_up()  # the run's lab is down
