"""Seeded campaigns: schedules drawn from (seed, i) only, each a valid scenario; the aggregate and
its failed-first order computed from the runs' own summaries."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from errors import ConfigError
from harness import campaign, scenario
from tests.conftest import ROOT


def test_a_schedule_depends_on_the_seed_and_the_run_only():
    kinds = ("kill", "pause", "cut")
    assert campaign.draw(7, 2, kinds, 90) == campaign.draw(7, 2, kinds, 90)
    three = [campaign.draw(7, i, kinds, 90) for i in (1, 2, 3)]
    assert len({json.dumps(s) for s in three}) == 3
    assert campaign.draw(8, 2, kinds, 90) != campaign.draw(7, 2, kinds, 90)
    for s in [campaign.draw(7, i, kinds, 90) for i in range(1, 30)]:
        (f,) = s
        at, duration = float(f["at"][:-1]), float(f["duration"][:-1])
        assert f["action"] in kinds and 0.25 * 90 <= at <= 0.45 * 90 and at + duration <= 80


def test_every_drawn_run_is_a_valid_scenario_with_the_campaign_invariants(tmp_path):
    base = yaml.safe_load((ROOT / "scenarios" / "redis-4.yaml").read_text())
    for i in range(1, 10):
        doc = campaign.run_doc(base, campaign.draw(3, i, ("kill", "cut"), 90))
        path = tmp_path / f"run-{i}.yaml"
        path.write_text(yaml.safe_dump(doc))
        sc = scenario.load(str(path))
        metrics = [c.metric for c in sc.checks]
        assert "failover_s" not in metrics and "faults_failed" in metrics  # invariants, not the fixed checks
        assert ("lost_acked_writes" in metrics) == (sc.faults[0].action == "kill")


def _run(out, i: int, passed: bool, failover: float, kind: str, lost: int = 0) -> None:
    d = out / f"20261202-0000{i:02d}-redis-4"
    d.mkdir(parents=True)
    (out / "schedules").mkdir(exist_ok=True)
    (out / "schedules" / f"run-{i}.yaml").write_text(yaml.safe_dump(
        {"faults": [{"at": "30s", "action": kind, "target": {"role": "master"}, "duration": "10s"}]}))
    (d / "summary.json").write_text(json.dumps({
        "run_id": d.name, "scenario": "redis-4", "passed": passed,
        "not_passed_because": [] if passed else ["check failed: lost_acked_writes (actual 3)"],
        "metrics": {"failover_s": failover, "detect_s": failover - 1, "error_window_s": failover + 0.5,
                    "lost_acked_writes": lost},
        "campaign": {"seed": 7, "run": i, "of": 4, "replay": f"make campaign S=redis-4 SEED=7 RUNS=4 ONLY={i}"}}))


def test_the_aggregate_lists_the_failed_first_and_its_distributions_come_from_the_summaries(tmp_path):
    _run(tmp_path, 1, True, 6.1, "kill")
    _run(tmp_path, 2, False, 7.0, "kill", lost=3)
    _run(tmp_path, 3, True, 5.5, "cut")
    _run(tmp_path, 4, True, 6.6, "kill")
    result = campaign.aggregate(tmp_path)
    assert [r["run"] for r in result["runs"]] == [2, 1, 3, 4] and result["failed"] == 1
    assert result["runs"][0]["replay"].endswith("ONLY=2")
    kill = result["distributions"]["kill master"]["failover_s"]
    assert kill == {"n": 3, "min": 6.1, "p50": 6.6, "p95": 7.0, "max": 7.0}
    assert result["distributions"]["kill master"]["lost_acked_writes"]["max"] == 3
    assert result["distributions"]["cut master"]["failover_s"]["n"] == 1
    md = (tmp_path / "campaign.md").read_text()
    assert md.index("| 2 (") < md.index("| 1 (") and "FAIL: check failed" in md
    assert json.loads((tmp_path / "campaign.json").read_text()) == result


def test_bad_campaign_arguments_fail_before_anything_starts():
    with pytest.raises(ConfigError, match="only one of 1..runs"):
        campaign.campaign("redis-4", 7, 3, ("kill",), 4, "local", "conf/lab.yaml")
    res = subprocess.run([sys.executable, "-m", "harness.cli", "campaign", "redis-4", "--seed", "7", "--faults", "kill,nap"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "nap not one of kill, pause, cut, partition" in res.stderr


def _with_campaign(tmp_path, section: str, base: str = "tests/scenarios/quick-failover.yaml"):
    base = (ROOT / base).read_text().split("\ncampaign:")[0]  # the scenario's own bounds replaced by the test's
    path = tmp_path / "bounded.yaml"
    path.write_text(base.rstrip("\n") + "\n" + section)
    return path, len(base.rstrip("\n").splitlines())


def test_a_scenario_s_campaign_bounds_set_the_draw_and_its_invariants(tmp_path):
    path, _ = _with_campaign(tmp_path, "campaign:\n  faults: [partition, pause]\n  start: {min: 10s, max: 12s}\n"
                                       "  duration: {partition: {min: 6s, max: 7s}, pause: {min: 2s, max: 3s}}\n"
                                       "  master_share: 1\n  invariants:\n    - {metric: error_rate, at_most: 0.5}\n",
                             "scenarios/redis-4.yaml")
    sc = scenario.load(str(path))
    b = sc.campaign
    assert b.faults == ("partition", "pause") and b.start_s == (10, 12) and b.master_share == 1
    drawn = [campaign.draw(5, i, b.faults, sc.load.run_time_s, b)[0] for i in range(1, 40)]
    for f in drawn:
        at, duration = float(f["at"][:-1]), float(f["duration"][:-1])
        assert 10 <= at <= 12 and f["target"] == {"role": "master"}
        kind = campaign.kind_of(f)
        assert (kind, f.get("peers")) in (("partition", "others"), ("pause", None))
        assert (6 <= duration <= 7) if kind == "partition" else (2 <= duration <= 3)
    assert {campaign.kind_of(f) for f in drawn} == {"partition", "pause"}
    base = yaml.safe_load(path.read_text())
    doc = campaign.run_doc(base, [next(f for f in drawn if campaign.kind_of(f) == "partition")], b.invariants)
    assert "campaign" not in doc and doc["checks"] == [{"metric": "faults_failed", "equals": 0},
                                                       {"metric": "error_rate", "at_most": 0.5}]
    run = tmp_path / "run.yaml"
    run.write_text(yaml.safe_dump(doc))
    assert scenario.load(str(run)).faults[0].params.get("peers") == "others"  # a valid cut from its peers


@pytest.mark.parametrize("section, where, why", [
    ("  start: {min: 30s, max: 20s}\n", "campaign.start", "min 30 s is after max 20 s"),
    ("  start: {min: 1s, max: 50s}\n", "campaign.start", "leaves under 10 s of the run"),
    ("  duration: {kill: {min: 5s}}\n", "campaign.duration.kill", "needs both min and max"),
    ("  duration: {nap: {min: 1s, max: 2s}}\n", "campaign.duration.nap", "unknown key"),
    ("  faults: [kill, nap]\n", "campaign.faults", "nap: not a kind a campaign draws"),
    ("  master_share: 2\n", "campaign.master_share", ""),
    ("  invariants:\n    - {metric: no_such_metric, equals: 0}\n", "invariants[0].metric", "unknown metric"),
    ("  shuffle: true\n", "campaign.shuffle", "unknown key"),
])
def test_bad_campaign_bounds_are_refused_by_line_before_any_load(tmp_path, section, where, why):
    path, last = _with_campaign(tmp_path, "campaign:\n" + section)
    with pytest.raises(ConfigError) as exc:
        scenario.load(str(path))
    text = str(exc.value)
    assert where in text and why in text and f"bounded.yaml:{last + 1 + section.count(chr(10))}" in text, text


def test_a_real_campaign_writes_its_aggregate_and_only_replays_the_same_schedule(tmp_path, e2e_lab_down):
    env = {"FAIRBID_HA_RESULTS": str(tmp_path)}
    cmd = [sys.executable, "-m", "harness.cli", "campaign", "tests/scenarios/quick-failover.yaml", "--seed", "7",
           "--runs", "2", "--faults", "kill,pause", "--lab", "tests/lab.e2e.yaml"]
    first = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                           timeout=600)
    out = tmp_path / "campaigns" / "quick-failover-seed7"
    result = json.loads((out / "campaign.json").read_text())
    assert sorted(r["run"] for r in result["runs"]) == [1, 2], first.stdout[-2000:] + first.stderr[-2000:]
    assert first.returncode == (1 if result["failed"] else 0)
    schedule = (out / "schedules" / "run-2.yaml").read_text()
    summaries = [json.loads(p.read_text()) for p in out.glob("*/summary.json")]
    assert all(s["campaign"]["seed"] == 7 for s in summaries) and len(summaries) == 2
    for r in result["runs"]:  # each row is its run's own summary
        s = next(x for x in summaries if x["run_id"] == r["run_id"])
        assert r["passed"] == s["passed"] and r["metrics"]["failover_s"] == s["metrics"]["failover_s"]
    subprocess.run(cmd + ["--only", "2"], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                   text=True, timeout=600)
    assert (out / "schedules" / "run-2.yaml").read_text() == schedule
    assert len(list(out.glob("*/summary.json"))) == 3  # the replay is a run of its own, beside the first
