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
    kill = result["distributions"]["kill"]["failover_s"]
    assert kill == {"n": 3, "min": 6.1, "p50": 6.6, "p95": 7.0, "max": 7.0}
    assert result["distributions"]["kill"]["lost_acked_writes"]["max"] == 3
    assert result["distributions"]["cut"]["failover_s"]["n"] == 1
    md = (tmp_path / "campaign.md").read_text()
    assert md.index("| 2 (") < md.index("| 1 (") and "FAIL: check failed" in md
    assert json.loads((tmp_path / "campaign.json").read_text()) == result


def test_bad_campaign_arguments_fail_before_anything_starts():
    with pytest.raises(ConfigError, match="only one of 1..runs"):
        campaign.campaign("redis-4", 7, 3, ("kill",), 4, "local", "conf/lab.yaml")
    res = subprocess.run([sys.executable, "-m", "harness.cli", "campaign", "redis-4", "--seed", "7", "--faults", "kill,nap"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "nap not one of kill, pause, cut" in res.stderr


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
