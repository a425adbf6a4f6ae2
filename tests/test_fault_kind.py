"""A fault kind is one declaration (faults/kind.py): a throwaway kind built here, in this test module,
is validated by the schedule reader, journaled with its facts by the runner, and told by the analysis
from the journal alone. No server: the kind acts on a stand-in lab that only records what it was asked."""
from __future__ import annotations

import json

import pytest

from analysis import results_words as T
from analysis.metrics import disruptive
from bilingual import L
from configfile import yaml_lines
from errors import ConfigError
from faults import params as p
from faults.actions import ACTIONS
from faults.journal import Journal, now_ms
from faults.kind import Action
from faults.runner import FaultRunner
from faults.schedule import parse_schedule
from runfiles import BACKENDS, BackendFacts, journal_record


class RecordingLab:
    """What the runner and the kind touch of a lab, and nothing else."""

    backend_facts = BACKENDS["docker"]
    backend = backend_facts.name

    def __init__(self) -> None:
        self.calls: list[tuple] = []


def _drip(lab: RecordingLab, node: str, *, drops: int, burst: bool = False) -> dict:
    """Drop `drops` packets of the node (recorded only)."""
    lab.calls.append(("drip", node, drops, burst))
    return {"dropped": drops}


def _undrip(lab: RecordingLab, node: str, state, *, drops: int, burst: bool = False) -> None:
    lab.calls.append(("undrip", node, state))


def _dripped(rec: dict, backend: BackendFacts) -> L:
    n, node = rec["output"]["dropped"], rec["node"]
    if backend.containers:
        return L(f"{n} packets of the {node} container dropped", f"{node} 컨테이너의 패킷 {n}개 버림")
    return L(f"{n} packets of {node} dropped", f"{node}의 패킷 {n}개 버림")


DRIP = Action("drip", _drip, _undrip, types={"drops": p.integer(lo=1), "burst": p.boolean()}, disruptive=True,
              needs_address=True, did=_dripped, undone=lambda rec, backend: L("dripping stopped", "버리기 멈춤"))


@pytest.fixture
def drip(monkeypatch):
    monkeypatch.setitem(ACTIONS, "drip", DRIP)
    return DRIP


def _schedule(entry: str) -> list:
    raw = yaml_lines.load(f"faults:\n  - {entry}\n", "k.yaml")
    return parse_schedule(raw.get("faults"), "k.yaml", {"redis-1", "redis-2"}, 60)


def test_a_new_kind_is_validated_by_its_own_declaration(drip):
    [spec] = _schedule("{at: 5s, action: drip, target: redis-1, drops: 3, duration: 2s}")
    assert (spec.action, spec.params, spec.duration_s) == ("drip", {"drops": 3}, 2.0)
    with pytest.raises(ConfigError) as err:
        _schedule("{at: 5s, action: drip, target: redis-1, drops: 0, burst: maybe, speed: 2}")
    text = str(err.value)
    assert "k.yaml:2: faults[0].drops: must be >= 1" in text and "faults[0].burst" in text and "speed" in text
    with pytest.raises(ConfigError, match="drip needs drops"):
        _schedule("{at: 5s, action: drip, target: redis-1}")


def test_a_new_kind_is_journaled_with_its_facts_and_told_from_the_journal(drip, tmp_path):
    [spec] = _schedule("{at: 0s, action: drip, target: redis-2, drops: 7, duration: 0.01s}")
    lab, journal = RecordingLab(), Journal(tmp_path / "faults.jsonl", BACKENDS["docker"])
    runner = FaultRunner([spec], lab, journal)
    runner.t0_ms = now_ms()
    runner._run(spec)  # applies, waits its duration, heals
    journal.close()
    assert lab.calls == [("drip", "redis-2", 7, False), ("undrip", "redis-2", {"dropped": 7})]
    records = {r["event"]: r for r in map(json.loads, (tmp_path / "faults.jsonl").read_text().splitlines())}
    applied = records["applied"]
    assert (applied["probe"], applied["undone_by"], disruptive(applied)) == (False, None, True)
    told = journal_record(applied)
    assert T.told(told)("en") == "7 packets of the redis-2 container dropped"
    assert T.told(told)("ko") == "redis-2 컨테이너의 패킷 7개 버림"
    assert T.told(told, "undone")("en") == "dripping stopped" and records["healed"]["reason"] == "duration"


def test_a_journal_from_before_the_facts_says_only_the_action_and_the_node():
    old = {"event": "applied", "action": "kill", "node": "redis-1", "params": {}, "output": None}
    assert T.told(journal_record(old))("en") == "`kill` on redis-1" and not disruptive(journal_record(old))


def test_every_kind_the_catalog_undoes_by_hand_names_a_kind_that_exists():
    assert {a.name: a.undone_by for a in ACTIONS.values() if a.undone_by} == {
        "kill": "start", "pause": "resume", "cut": "connect"}
    assert sorted(a.name for a in ACTIONS.values() if a.probe) == ["compare_replicas", "inspect", "mysql_rows",
                                                                    "pending"]
    assert sorted(a.name for a in ACTIONS.values() if a.needs_address) == ["cut", "flap", "loss"]
