"""The evidence rules on real run files: a copy of a real failover run with one piece of evidence
removed never passes, and each absent metric says why; the untouched copy still passes."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analysis import report
from analysis.load import load_run
from analysis.metrics import measure


@pytest.fixture
def copy_of_run(failover_run, tmp_path):
    """A fresh copy of the shared run for each test, which may then damage it."""
    src, res = failover_run
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    return dst


def _header_only(path: Path) -> None:
    path.write_text(path.read_text().splitlines()[0] + "\n")


def _rebuild(run: Path) -> dict:
    summary = report.build(run).to_json()  # what summary.json holds
    assert json.loads((run / "summary.json").read_text())["passed"] is summary["passed"]
    return summary


def test_the_untouched_copy_passes_with_every_family_measured(copy_of_run):
    s = _rebuild(copy_of_run)
    assert s["passed"] is True and s["not_passed_because"] == []
    m = s["metrics"]
    assert m["failovers"] == 1 and m["failover_s"] is not None and m["lost_acked_writes"] == 0
    for family in ("failover_s", "lost_acked_writes", "error_rate", "lost_acked_during"):
        assert family not in s["absent"]


def test_without_sentinel_events_no_failover_figure_and_no_pass(copy_of_run):
    (copy_of_run / "events.jsonl").write_text("")
    s = _rebuild(copy_of_run)
    m = s["metrics"]
    assert m["failovers"] is None and m["failover_s"] is None and m["detect_s"] is None
    assert s["passed"] is False
    check = next(c for c in s["checks"] if c["metric"] == "failover_s")
    assert check["passed"] is False and check["reason"].startswith("not measured: the observer was not connected")
    assert s["faults"][0]["failovers"] is None


def test_an_observer_that_lost_a_sentinel_during_the_run_withholds_sentinel_metrics(copy_of_run):
    events = copy_of_run / "events.jsonl"
    first = json.loads(events.read_text().splitlines()[0])
    applied = next(json.loads(x) for x in (copy_of_run / "faults.jsonl").read_text().splitlines() if '"applied"' in x)
    with events.open("a") as fh:
        fh.write(json.dumps({"t_ms": applied["applied_ms"] + 500, "sentinel": first["sentinel"],
                             "event": "observer-disconnected", "data": "ConnectionError"}) + "\n")
    s = _rebuild(copy_of_run)
    assert s["metrics"]["failover_s"] is None and s["passed"] is False
    assert "lost Sentinel" in s["absent"]["failover_s"]


def test_a_history_cut_to_its_header_measures_no_loss(copy_of_run):
    _header_only(copy_of_run / "history.csv")
    s = _rebuild(copy_of_run)
    m = s["metrics"]
    assert m["lost_acked_writes"] is None and m["lost_acked_during"] is None
    assert m["loss_before_fault_s"] is None and m["loss_after_fault_s"] is None
    assert s["faults"][0]["lost_acked_during"] is None and s["faults"][0]["loss_after_fault_s"] is None
    assert "the history holds 0 acknowledged bids" in s["absent"]["lost_acked_writes"]
    assert s["passed"] is False


@pytest.mark.parametrize("damage, reason", [
    (lambda v: None, "no verification"),
    (lambda v: {**v, "settled": False}, "had not settled"),
    (lambda v: {**v, "checked": False, "redis_error": "ConnectionError: gone"}, "did not run to the end"),
])
def test_loss_needs_a_verification_that_ran_and_settled(copy_of_run, damage, reason):
    path = copy_of_run / "verify.json"
    changed = damage(json.loads(path.read_text()))
    if changed is None:
        path.unlink()
    else:
        path.write_text(json.dumps(changed))
    s = _rebuild(copy_of_run)
    assert s["metrics"]["lost_acked_writes"] is None and reason in s["absent"]["lost_acked_writes"]
    assert s["passed"] is False


def test_a_run_with_no_measured_load_has_no_verdict_and_exits_1(copy_of_run):
    _header_only(copy_of_run / "requests.csv")
    assert report.main([str(copy_of_run)]) == 1
    s = json.loads((copy_of_run / "summary.json").read_text())
    assert s["passed"] is False
    assert s["not_passed_because"][0].startswith("not measured: no request")
    assert s["metrics"]["error_rate"] is None and s["metrics"]["total_requests"] is None


def test_unknown_outcomes_are_resolved_after_the_kill(copy_of_run):
    """Every write the client could not know the fate of is looked up and classified; a landed bid
    that was never acknowledged is exactly a MySQL row no acknowledgement names (no retries here)."""
    metrics, _ = measure(load_run(copy_of_run))
    v = json.loads((copy_of_run / "verify.json").read_text())
    assert metrics["unknown_writes"] > 0  # a SIGKILL of the master under load leaves some in flight
    # the writes in flight at the load's stop are looked up with them (counted apart: interrupted_at_stop)
    looked_up = metrics["unknown_writes"] + metrics["interrupted_at_stop"]
    assert metrics["unknown_landed"] + metrics["unknown_lost"] == looked_up
    assert metrics["refused_writes"] is not None
    landed_bids = [k for k in v["unknown_landed"] if not k.startswith("probe:")]
    assert v["rows_not_acked"] == len(landed_bids)


def test_a_worker_short_of_rows_withholds_what_rests_on_them(copy_of_run):
    """run.json as a distributed master writes it: one worker whose rows fell short of its own count."""
    meta = json.loads((copy_of_run / "run.json").read_text())
    meta["workers"] = {
        "w0": {"client_id": "a", "received": {"requests": 900, "history": 700},
               "declared": {"requests": 900, "history": 700}, "complete": True},
        "w1": {"client_id": "b", "received": {"requests": 880, "history": 690},
               "declared": {"requests": 900, "history": 700}, "complete": False,
               "problem": "worker w1 is short (requests: 880 of 900 rows; history: 690 of 700 rows)"}}
    (copy_of_run / "run.json").write_text(json.dumps(meta))
    summary = _rebuild(copy_of_run)
    assert not summary["passed"]
    assert "incomplete: worker w1 is short (requests: 880 of 900 rows; history: 690 of 700 rows)" in \
        summary["not_passed_because"]
    for key in ("lost_acked_writes", "acked_bids", "error_window_s", "total_requests"):
        assert summary["metrics"][key] is None and summary["absent"][key].startswith("incomplete history: w")


def test_the_harness_checks_itself_against_locusts_request_count(copy_of_run):
    meta = json.loads((copy_of_run / "run.json").read_text())
    rows = len((copy_of_run / "requests.csv").read_text().splitlines()) - 1
    assert meta["locust_requests"] == rows  # what the real run recorded: Locust's count is the log's
    meta["locust_requests"] = int(rows * 1.01)  # a log that missed 1 % of Locust's requests
    (copy_of_run / "run.json").write_text(json.dumps(meta))
    summary = _rebuild(copy_of_run)
    check = next(c for c in summary["checks"] if c["metric"] == "request_log_gap")
    assert not check["passed"] and check["harness"] and summary["metrics"]["request_log_gap"] > 0.001
    assert not summary["passed"]
