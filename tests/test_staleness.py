"""Committed runs against today's scenario files (harness/staleness.py): the committed stale.json is
what the scenario files say today, and a setting changed since a run is named."""
from __future__ import annotations

import json
import shutil

from harness import staleness
from tests.conftest import ROOT

EDITIONS = ROOT / "docs" / "results"
RUN = EDITIONS / "runs" / "20261207-052257-redis-4-2"


def test_the_committed_list_of_stale_runs_is_what_the_scenario_files_say_today():
    found = staleness.editions(EDITIONS)
    assert EDITIONS in found and EDITIONS / "docker" in found and EDITIONS / "fairbid" in found
    for edition in found:
        committed = json.loads((edition / staleness.FILE).read_text())
        assert committed == staleness.survey(edition), f"{edition}: python -m harness.staleness docs/results"


def test_a_run_recorded_with_the_scenario_files_settings_is_not_stale():
    assert staleness.differences(RUN) == []


def test_a_load_a_check_and_a_fault_changed_since_the_run_are_each_named(tmp_path):
    run = tmp_path / RUN.name
    shutil.copytree(RUN, run)
    meta = json.loads((run / "run.json").read_text())
    meta["config"]["load"]["users"] = 50
    meta["checks"] = [c for c in meta["checks"] if c["metric"] != "kill.failover_s"]
    (run / "run.json").write_text(json.dumps(meta))
    lines = (run / "faults.jsonl").read_text().splitlines()
    first = next(i for i, x in enumerate(lines) if '"scheduled"' in x)
    rec = json.loads(lines[first])
    rec["scheduled_ms"] += 5000
    lines[first] = json.dumps(rec)
    (run / "faults.jsonl").write_text("\n".join(lines) + "\n")
    found = staleness.differences(run)
    assert "load.users: 50 then, 30 now" in found
    assert "check kill.failover_s between [5, 12] now, not then" in found
    assert any(x.startswith("fault 0: kill role:master at 20.0 s") for x in found)


def test_a_run_of_no_catalog_scenario_is_not_judged(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"scenario": "durability-async-kill", "config": {}, "checks": []}))
    assert staleness.differences(run) is None
