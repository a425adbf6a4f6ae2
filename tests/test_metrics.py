"""The analysis from run files alone: times are differences of journal, event and request stamps."""
from __future__ import annotations

import csv
import json

import pytest

from analysis.load import load_run
from analysis.metrics import compute
from analysis.report import build

T0 = 1_700_000_000_000.0  # ms


def _write_run(d, requests, faults, events, history=(), verify=None):
    (d / "run.json").write_text(json.dumps({
        "run_id": d.name, "scenario": "synthetic", "title": "t", "plan_step": "p", "backend": "local",
        "config": {"stack": {"sentinel": {"down_after_ms": 1000}}, "load": {}},
        "checks": [{"metric": "failover_s", "op": "between", "expected": [1, 3]},
                   {"metric": "lost_acked_writes", "op": "equals", "expected": 0}],
        "test_start_ms": T0}))
    with open(d / "requests.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "request_type", "name", "response_time_ms", "response_length", "status_code",
                    "exception"])
        for start_ms, rt, exc in requests:
            w.writerow([start_ms / 1000, "POST", "/api/bids", rt, 10, 0 if exc else 201, exc])
    (d / "faults.jsonl").write_text("".join(json.dumps(f) + "\n" for f in faults))
    (d / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    with open(d / "history.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t_start_ms", "t_end_ms", "op", "key", "value", "bid_id", "outcome", "status", "error"])
        w.writerows(history)
    if verify is not None:
        (d / "verify.json").write_text(json.dumps(verify))


@pytest.fixture
def run_dir(tmp_path):
    d = tmp_path / "run"
    d.mkdir()
    fault_ms = T0 + 10_000
    requests = [(T0 + i * 100, 5, "") for i in range(100)]  # 0..9.9 s fine
    requests += [(fault_ms + 200, 30, "HTTP 503: refused"), (fault_ms + 900, 1000, "HTTP 504: timeout")]
    requests += [(fault_ms + 2500 + i * 100, 5, "") for i in range(20)]
    faults = [{"event": "scheduled", "fault": 0, "action": "kill", "target": "role:master", "scheduled_ms": fault_ms,
               "disruptive": True},
              {"event": "applied", "fault": 0, "action": "kill", "target": "role:master", "node": "redis-1",
               "scheduled_ms": fault_ms - 12, "applied_ms": fault_ms, "delay_ms": 12.0, "disruptive": True}]
    events = [{"t_ms": T0, "sentinel": "s1", "event": "observer-connected"},
              {"t_ms": T0, "sentinel": "s2", "event": "observer-connected"},
              {"t_ms": fault_ms - 5000, "sentinel": "s1", "event": "+sdown", "data": "slave x"},
              {"t_ms": fault_ms + 1040, "sentinel": "s1", "event": "+sdown", "data": "master mymaster 127.0.10.1 6379"},
              {"t_ms": fault_ms + 1150, "sentinel": "s2", "event": "+odown", "data": "master mymaster 127.0.10.1 6379"},
              {"t_ms": fault_ms + 2230, "sentinel": "s2", "event": "+switch-master", "data": "mymaster a 1 b 1"},
              {"t_ms": fault_ms + 2231, "sentinel": "s1", "event": "+switch-master", "data": "mymaster a 1 b 1"}]
    history = [(T0, T0 + 5, "bid", "k1", "", "b1", "ok", 201, ""), (T0, T0 + 5, "bid", "k2", "", "b2", "ok", 201, ""),
               (T0, T0 + 5, "set", "p1", "v", "", "ok", "", ""), (T0, T0 + 5, "bid", "k3", "", "", "unknown", 504, "")]
    verify = {"checked": True, "mysql_checked": True, "acked_bids": 2, "acked_sets": 1, "missing_in_redis": ["b2"],
              "missing_in_mysql": ["b2", "b1"],
              "missing_sets": [], "duplicate_rows": 0, "pending_at_end": 3, "dead_letters": 0, "settled": True}
    _write_run(d, requests, faults, events, history, verify)
    return d


def test_failover_is_switch_master_minus_applied_time(run_dir):
    m = compute(load_run(run_dir))
    assert m["failover_s"] == 2.23
    assert m["detect_s"] == 1.04  # the +sdown of the master, not the earlier one of a replica
    assert m["odown_s"] == 1.15
    assert m["fault_delay_ms"] == 12.0


def test_error_window_comes_from_the_per_request_log(run_dir):
    m = compute(load_run(run_dir))
    assert m["error_window_s"] == 1.7  # first failure starts at +0.2 s, last ends at +1.9 s
    assert m["first_error_s"] == 0.2 and m["last_error_s"] == 1.9
    assert m["recovery_s"] == 2.505  # the first success started after the last failure ends at +2.505 s
    assert m["failed_requests"] == 2 and m["total_requests"] == 122


def test_losses_come_from_the_history_check(run_dir):
    m = compute(load_run(run_dir))
    assert m["acked_writes"] == 3 and m["acked_bids"] == 2 and m["unknown_writes"] == 1
    assert m["lost_in_redis"] == 1 and m["lost_in_mysql"] == 2
    assert m["lost_acked_writes"] == 2  # b1 and b2, each counted once
    assert m["pending_at_end"] == 3


def test_report_recreates_summary_report_and_plot_from_files(run_dir):
    summary = build(run_dir)
    assert summary.passed is False  # two acknowledged bids lost
    assert [c.passed for c in summary.checks] == [True, False]
    on_disk = json.loads((run_dir / "summary.json").read_text())
    for key in ("scenario", "backend", "config", "metrics", "checks"):
        assert key in on_disk
    for key in ("failover_s", "detect_s", "error_window_s", "recovery_s", "error_rate", "failed_requests",
                "acked_writes", "lost_acked_writes", "duplicate_rows", "pending_at_end"):
        assert key in on_disk["metrics"]
    report = (run_dir / "report.md").read_text()
    assert "## Results (결과)" in report and "| failover_s | 2.23 |" in report
    assert (run_dir / "timeline.png").stat().st_size > 10_000


def test_no_fault_means_no_failover_figure(tmp_path):
    d = tmp_path / "quiet"
    d.mkdir()
    _write_run(d, [(T0 + i * 10, 5, "") for i in range(10)], [], [])
    m = compute(load_run(d))
    assert m["failover_s"] is None and m["error_window_s"] is None and m["lost_acked_writes"] is None


def test_a_write_the_load_stop_interrupted_is_counted_apart_and_is_no_user_visible_failure(run_dir):
    """Three intents of the `tuned` variant: one acknowledged, one failed for the user, one cut short by
    the load's own stop (no Locust request): only the failed one is a user-visible error."""
    with open(run_dir / "requests.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "request_type", "name", "response_time_ms", "response_length", "status_code",
                    "exception"])
        w.writerow([(T0 + 100) / 1000, "POST", "/api/bids [tuned]", 5, 10, 201, ""])
        w.writerow([(T0 + 200) / 1000, "POST", "/api/bids [tuned]", 5, 10, 503, "HTTP 503: store unavailable"])
    with open(run_dir / "history.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t_start_ms", "t_end_ms", "op", "key", "value", "bid_id", "outcome", "status", "error", "intent",
                    "variant", "attempt"])
        w.writerow([T0 + 100, T0 + 105, "bid", "k1", "", "b1", "ok", 201, "", "i1", "tuned", 1])
        w.writerow([T0 + 200, T0 + 205, "bid", "k2", "", "", "fail", 503, "store unavailable", "i2", "tuned", 1])
        w.writerow([T0 + 300, T0 + 900, "bid", "k3", "", "", "interrupted_at_stop", "",
                    "interrupted: the load stopped before the reply", "i3", "tuned", 1])
    m = compute(load_run(run_dir))
    assert m["interrupted_at_stop"] == 1 and m["unknown_writes"] == 0
    assert m["tuned.user_errors"] == 1 and m["tuned.failed_requests"] == 1


def test_writes_lost_after_a_heal_are_measured_against_the_heal_and_the_old_masters_conversion(tmp_path):
    """A cut healed at +5 s: the old master went on acknowledging until Sentinel converted it (+9 s);
    the last acknowledged write found lost ended at +8 s, 3 s after the heal."""
    d = tmp_path / "cut"
    d.mkdir()
    fault_ms = T0 + 10_000
    faults = [{"event": "applied", "fault": 0, "action": "cut", "target": "role:master", "node": "redis-1",
               "scheduled_ms": fault_ms, "applied_ms": fault_ms, "delay_ms": 0.0, "disruptive": True},
              {"event": "healed", "fault": 0, "action": "cut", "node": "redis-1", "healed_ms": fault_ms + 5000}]
    events = [{"t_ms": T0, "sentinel": "s1", "event": "observer-connected"},
              {"t_ms": fault_ms + 9000, "sentinel": "s1", "event": "+convert-to-slave", "data": "slave 127.0.10.1:6379"}]
    history = [(fault_ms + 7000, fault_ms + 8000, "bid", "k1", "", "b1", "ok", 201, ""),
               (fault_ms + 1000, fault_ms + 1100, "bid", "k2", "", "b2", "ok", 201, ""),
               (fault_ms + 9500, fault_ms + 9600, "bid", "k3", "", "b3", "ok", 201, "")]
    verify = {"checked": True, "mysql_checked": True, "acked_bids": 3, "acked_sets": 0, "missing_in_redis": ["b1", "b2"],
              "missing_in_mysql": ["b1", "b2"], "missing_sets": [], "duplicate_rows": 0, "pending_at_end": 0,
              "dead_letters": 0, "settled": True}
    _write_run(d, [(T0 + i * 100, 5, "") for i in range(150)], faults, events, history, verify)
    m = compute(load_run(d))
    assert m["lost_acked_writes"] == 2 and m["loss_after_heal_s"] == 3.0
    assert m["convert_after_heal_s"] == 4.0


def test_a_fault_never_healed_has_no_figure_after_its_heal(run_dir):
    m = compute(load_run(run_dir))  # a kill with no heal in the journal
    assert m["loss_after_heal_s"] is None and m["convert_after_heal_s"] is None


def test_the_headline_figures_are_those_of_the_fault_whose_effect_holds_the_errors(tmp_path):
    """redis-6's shape: a replica paused (no error, no failover), then the master killed 20 s later
    (errors and a failover): the run's failover and error window are the kill's, not the pause's."""
    d = tmp_path / "two"
    d.mkdir()
    pause_ms, kill_ms = T0 + 5_000, T0 + 25_000
    faults = [{"event": "applied", "fault": 0, "action": "pause", "target": "role:replica", "node": "redis-2",
               "scheduled_ms": pause_ms, "applied_ms": pause_ms, "delay_ms": 0.0, "disruptive": True},
              {"event": "healed", "fault": 0, "action": "pause", "node": "redis-2", "healed_ms": pause_ms + 5000},
              {"event": "applied", "fault": 1, "action": "kill", "target": "role:master", "node": "redis-1",
               "scheduled_ms": kill_ms, "applied_ms": kill_ms, "delay_ms": 0.0, "disruptive": True, "name": "master_kill"}]
    events = [{"t_ms": T0, "sentinel": "s1", "event": "observer-connected"},
              {"t_ms": kill_ms + 5000, "sentinel": "s1", "event": "+sdown", "data": "master mymaster 127.0.10.1 6379"},
              {"t_ms": kill_ms + 6255, "sentinel": "s1", "event": "+switch-master", "data": "mymaster a 1 b 1"}]
    requests = [(T0 + i * 100, 5, "") for i in range(400)]
    requests += [(kill_ms + 1000 + i * 500, 20, "HTTP 503: MasterNotFoundError") for i in range(10)]
    _write_run(d, requests, faults, events)
    m = compute(load_run(d))
    assert m["failover_s"] == 6.255 and m["detect_s"] == 5.0
    assert m["error_window_s"] == 4.52 and m["master_kill.failover_s"] == 6.255
    summary = build(d)
    assert summary.headline_fault["label"] == "master_kill" and "10 of the run's failed requests" in summary.headline_fault["why"]
    assert "after the fault of master_kill" in (d / "report.md").read_text()


def test_the_last_error_is_told_by_its_kind_and_what_came_just_before_it(run_dir):
    """The fixture's last failure (a 504 timeout) ended at +1.9 s: after the fault, before the switch."""
    m = compute(load_run(run_dir))
    assert m["last_error_kind"] == "timeout"
    assert m["last_error_follows"] == "the fault" and m["last_error_follows_s"] == 1.9


def test_an_error_after_the_old_masters_conversion_follows_the_conversion(tmp_path):
    d = tmp_path / "convert"
    d.mkdir()
    fault_ms = T0 + 10_000
    faults = [{"event": "applied", "fault": 0, "action": "cut", "target": "role:master", "node": "redis-1",
               "scheduled_ms": fault_ms, "applied_ms": fault_ms, "delay_ms": 0.0, "disruptive": True},
              {"event": "healed", "fault": 0, "action": "cut", "node": "redis-1", "healed_ms": fault_ms + 20_000}]
    events = [{"t_ms": T0, "sentinel": "s1", "event": "observer-connected"},
              {"t_ms": fault_ms + 7_000, "sentinel": "s1", "event": "+switch-master", "data": "mymaster a 1 b 1"},
              {"t_ms": fault_ms + 30_000, "sentinel": "s1", "event": "+convert-to-slave", "data": "slave a:6379"}]
    requests = [(T0 + i * 100, 5, "") for i in range(500)]
    requests += [(fault_ms + 30_010, 40, "HTTP 503: READONLY You can't write against a read only replica.")]
    _write_run(d, requests, faults, events)
    m = compute(load_run(d))
    assert m["last_error_kind"] == "demoted master" and m["last_error_follows"] == "+convert-to-slave"
    assert m["last_error_follows_s"] == 0.05


def test_a_variant_is_measured_against_the_switch_by_kind_of_error(run_dir):
    # the fixture's requests as two variants: one failing until after the switch (+2.23 s), one never failing
    import pandas as pd

    from analysis.metrics import against_switch, errors_by_kind
    run = load_run(run_dir)
    fault = {"applied_ms": T0 + 10_000, "until_ms": float("inf")}
    late = against_switch(run.requests, run.events, fault)
    assert late == {"last_error_after_switch_s": -0.33, "first_ok_after_switch_s": 0.275}  # 504 ended at +1.9 s
    clean = run.requests[run.requests["ok"]]
    assert against_switch(clean, run.events, fault)["last_error_after_switch_s"] == -2.23  # none: ended at the fault
    assert errors_by_kind(run.requests, fault) == {"refused": 1, "timeout": 1}
    no_switch = run.events[run.events["event"] != "+switch-master"]
    assert against_switch(run.requests, no_switch, fault) == {"last_error_after_switch_s": None,
                                                               "first_ok_after_switch_s": None}
    assert errors_by_kind(run.requests.iloc[0:0].assign(exception=pd.Series(dtype=str)), fault) == {}


def test_writes_known_by_identity_are_lost_by_multiplicity_the_earliest_first():
    import pandas as pd

    from analysis.metrics import by_identity
    key, other = json.dumps(["1", "7", "12000"]), json.dumps(["2", "8", "13000"])
    ok = pd.DataFrame({"op": ["bid"] * 4, "write_key": [key, key, key, other], "t_end_ms": [1.0, 3.0, 2.0, 4.0],
                       "outcome": ["ok"] * 4})
    lost = by_identity(ok, ['["1", "7", "12000"]', '["1", "7", "12000"]'])  # 3 written, 1 stored: 2 lost
    assert sorted(lost["t_end_ms"]) == [1.0, 2.0]  # a rewind loses the earlier writes; the last one stands
    assert by_identity(ok, []).empty and len(by_identity(ok, [other.replace(" ", "")])) == 1
