"""The run-files contract agrees with what Locust itself writes."""
from __future__ import annotations

from locust.contrib.csv_request_logger import CSV_COLUMNS

import runfiles as rf


def test_request_columns_are_locusts_own():
    assert rf.REQUEST_COLUMNS == CSV_COLUMNS


def test_the_readers_glob_finds_each_kind_of_file_and_only_that_kind():
    from pathlib import PurePath

    for name in (rf.REQUESTS, rf.HISTORY):
        assert PurePath(name).match(rf.all_of(name))
    assert not PurePath(rf.HISTORY).match(rf.all_of(rf.REQUESTS))


# ---- the records: what a writer writes, a reader reads back, and an old file still loads -------------
def _committed(name: str) -> list:
    from tests.conftest import ROOT

    return sorted(p for tree in ("docs", "tests/data") for p in (ROOT / tree).rglob(name))


def test_every_committed_run_and_summary_reads_back_to_the_same_json():
    import json

    for cls in (rf.RunMeta, rf.Summary):
        paths = _committed(cls.FILE)
        assert paths
        for path in paths:
            rec = cls.load(path.parent)
            assert json.dumps(rec.to_json(), **cls.DUMP) + "\n" == path.read_text(), path


def test_every_committed_journal_line_reads_back_as_its_declared_record():
    import json

    for path in _committed(rf.FAULTS):
        for line in filter(str.strip, path.read_text().splitlines()):
            data = json.loads(line)
            rec = rf.journal_record(data)
            assert isinstance(rec, rf.JOURNAL_EVENTS[data["event"]]) and rec.event == data["event"]
            assert {k: v for k, v in rec.to_json().items() if k in data} == data


def test_an_older_file_gets_defaults_and_keeps_what_is_not_declared(tmp_path):
    (tmp_path / rf.RUN_JSON).write_text('{"run_id": "r", "scenario": "redis-4", "from_a_newer_version": 1}')
    meta = rf.RunMeta.load(tmp_path)
    assert (meta.scenario, meta.config, meta.sentinels, meta.interrupted) == ("redis-4", {}, None, False)
    assert meta.extra == {"from_a_newer_version": 1}
    assert meta.to_json() == {"run_id": "r", "scenario": "redis-4", "from_a_newer_version": 1}
    rec = rf.journal_record({"event": "healed", "fault": 0, "action": "kill", "node": "redis-1", "healed_ms": 1.0,
                             "reason": "stop", "old_field": "kept"})
    assert isinstance(rec, rf.Healed) and rec.output is None and rec.extra == {"old_field": "kept"}
    assert rf.journal_record({"event": "no-such-event"}) is None
    assert rf.VerifyResult.load(tmp_path) is None  # no verify.json


def test_a_written_record_leaves_out_the_optional_keys_it_never_set(tmp_path):
    meta = rf.RunMeta(run_id="r", scenario="s", test_start_ms=1.0)
    keys = list(meta.to_json())
    assert "halted" not in keys and "interrupted" not in keys and keys[-1] == "test_start_ms"
    meta.halted = {"reason": "why", "at_ms": 2.0}
    meta.write(tmp_path)
    assert rf.RunMeta.load(tmp_path).halted == {"reason": "why", "at_ms": 2.0}
    summary = rf.Summary(run_id="r")
    assert "target" not in summary.to_json() and summary.to_json()["halted"] is None
