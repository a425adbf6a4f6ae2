"""What a real stack shows, from run files (analysis/stack_findings.py): a setting lost in the failover,
consumption that resumed or never did, Sentinels that disagree; each absent with its reason where its
evidence is missing, never 0."""
from __future__ import annotations

import json

import pandas as pd

import runfiles as rf
from analysis import stack_findings
from analysis.load import Run

T0 = 1_800_000_000_000.0


def _run(tmp_path, monitor: list[tuple], meta: dict | None = None) -> Run:
    mon = pd.DataFrame(monitor, columns=["t_ms", "source", "metric", "value"])
    return Run(dir=tmp_path, meta=rf.RunMeta.from_json(meta or {}), requests=pd.DataFrame(), faults=[],
               events=pd.DataFrame(), history=pd.DataFrame(), verify=None, monitor=mon)


def _group(t_s: float, read: int, last_id: str) -> list[tuple]:
    t = T0 + t_s * 1000
    return [(t, "stream", "entries_read", read), (t, "stream", "last_delivered_id", last_id)]


FAULT = {"applied_ms": T0 + 20_000, "healed_ms": T0 + 40_000}


def test_consumption_resumes_when_the_group_delivers_an_entry_newer_than_before_the_fault(tmp_path):
    rows = [r for i in range(0, 20) for r in _group(i, 100 * i, f"{int(T0) + i * 1000}-0")]  # 100/s before
    rows += [r for i in range(20, 26) for r in _group(i, 1900, f"{int(T0) + 19_000}-0")]  # stalled 6 s
    rows += [r for i in range(26, 60) for r in _group(i, 1900 + 80 * (i - 25), f"{int(T0) + i * 1000}-0")]
    figures, absent = stack_findings.consumption(_run(tmp_path, rows, {"test_stop_ms": T0 + 59_000}), FAULT)
    assert figures == {"consumption_before_per_s": 100.0, "consumption_after_per_s": 80.0,
                       "consumption_resumed_s": 6.0} and absent == {}


def test_consumption_that_never_resumes_is_absent_with_the_span_it_was_watched(tmp_path):
    rows = [r for i in range(0, 20) for r in _group(i, 50 * i, f"{int(T0) + i * 1000}-0")]
    rows += [r for i in range(20, 60) for r in _group(i, 950, f"{int(T0) + 19_000}-0")]
    figures, absent = stack_findings.consumption(_run(tmp_path, rows, {"test_stop_ms": T0 + 59_000}), FAULT)
    assert figures["consumption_resumed_s"] is None and figures["consumption_after_per_s"] == 0.0
    assert "consumption stopped" in absent["consumption_resumed_s"] and "39.0 s" in absent["consumption_resumed_s"]
    idle = rows + [(T0 + i * 1000, "stream", "lag", 0) for i in range(20, 60)]  # nothing written: idle, not stopped
    assert stack_findings.consumption(_run(tmp_path, idle, {"test_stop_ms": T0 + 59_000}), FAULT)[0][
        "consumption_resumed_s"] is None
    none, why = stack_findings.consumption(_run(tmp_path, []), FAULT)
    assert none["consumption_resumed_s"] is None and why["consumption_resumed_s"] == "no monitor samples"


def test_a_setting_on_the_first_masters_command_line_only_is_drift_after_the_failover(tmp_path):
    guard = {"min-replicas-to-write": "1", "min-replicas-max-lag": "10", "appendonly": "no", "appendfsync": "everysec"}
    plain = {**guard, "min-replicas-to-write": "0"}
    (tmp_path / "config.json").write_text(json.dumps({
        "before": {"master": "redis-1", "nodes": {"redis-1": guard, "redis-2": plain}},
        "after": {"master": "redis-2", "values": plain}}))
    figures, absent = stack_findings.config_drift(_run(tmp_path, []))
    assert figures == {"config_drift": 1, "config_drift.min-replicas-to-write": "1 -> 0",
                       "config_drift.master": "redis-1 -> redis-2"} and absent == {}
    (tmp_path / "config.json").write_text(json.dumps({"before": {"master": "redis-1", "nodes": {"redis-1": guard}},
                                                      "after_error": "LabError: no master"}))
    figures, absent = stack_findings.config_drift(_run(tmp_path, []))
    assert figures["config_drift"] is None and "after healing were not read" in absent["config_drift"]


def test_sentinels_agree_only_when_every_one_watched_names_the_same_master(tmp_path):
    meta = {"sentinels": ["a:26379", "b:26379", "c:26379"]}
    votes = [(T0, "sentinel", "master_votes", "redis-1=3"), (T0 + 250, "sentinel", "master_votes", "redis-2=2"),
             (T0 + 250, "sentinel", "master_votes", "redis-1=1")]
    figures, _ = stack_findings.sentinels_agree(_run(tmp_path, votes, meta))
    assert figures == {"sentinels_agree": False, "sentinels_named": "redis-1 by 1, redis-2 by 2"}
    figures, _ = stack_findings.sentinels_agree(_run(tmp_path, votes[:1], meta))
    assert figures["sentinels_agree"] is True


def test_consumption_that_goes_on_after_the_fault_and_stops_later_is_a_stop(tmp_path):
    """A cut master keeps delivering until its guard refuses the consumers' reads (NOREPLICAS, ~10 s later)."""
    rows = [r for i in range(0, 32) for r in _group(i, 30 * i, f"{int(T0) + i * 1000}-0")]  # until 11 s after
    rows += [r for i in range(32, 60) for r in _group(i, 930, f"{int(T0) + 31_000}-0")]
    figures, absent = stack_findings.consumption(_run(tmp_path, rows, {"test_stop_ms": T0 + 59_000}), FAULT)
    assert figures["consumption_resumed_s"] is None
    assert absent["consumption_resumed_s"].startswith("the group delivered nothing new from 11.0 s after the fault")


def test_the_drain_rate_is_what_the_group_read_from_the_heal_until_it_had_drained(tmp_path):
    rows = [r for i in range(0, 60) for r in _group(i, 10 * i if i < 40 else 400 + 150 * (i - 40), f"{int(T0) + i}-0")]
    figures, _ = stack_findings.drain_rate(_run(tmp_path, rows), FAULT, 8.0)  # healed at 40 s, drained 8 s later
    assert figures == {"drain_per_s": 150.0}
    assert stack_findings.drain_rate(_run(tmp_path, rows), FAULT, None)[0] == {"drain_per_s": None}
