"""Fault actions on the real lab, and the runner's heal on stop."""
from __future__ import annotations

import json

import gevent
import redis

from faults.journal import Journal
from faults.runner import FaultRunner
from faults.schedule import FaultSpec, Target
from lab import clients
from lab.wait import Wait
from runfiles import BACKENDS
from tests.conftest import wait_for_text


def _link(lab, node) -> str:
    return clients.node(lab, node, 2).info("replication").get("master_link_status")


def test_a_cut_drops_both_directions_and_connect_restores_them(lab):
    replica = lab.replicas()[0]
    lab.disconnect(replica)
    try:
        # inbound: a client's PING to the cut node gets no answer
        try:
            clients.node(lab, replica, 0.3).ping()
            reached = True
        except redis.RedisError:
            reached = False
        assert not reached
        # outbound: the replica's own packets are dropped too, so the master stops getting its
        # REPLCONF ACKs (sent every second): the lag the master sees for it grows
        master, host = lab.master(), lab.address(replica)[0]

        def ack_lag() -> int:
            info = clients.node(lab, master, 1).info("replication")
            return next(v["lag"] for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)
                        and v.get("ip") == host)

        Wait(timeout_s=15, interval_s=0.2).until("the master to stop hearing from the cut replica",
                                                 lambda: ack_lag() >= 3)
    finally:
        lab.connect(replica)
    assert lab.firewall.rules() == []
    Wait(timeout_s=30, interval_s=0.2).until("the replica link back up", lambda: _link(lab, replica) == "up")


def test_pause_and_kill_are_undone_by_resume_and_start(lab):
    replica = lab.replicas()[0]
    lab.pause(replica)
    assert lab.paused(replica)
    lab.resume(replica)
    assert not lab.paused(replica) and lab.alive(replica)
    lab.kill(replica)
    assert not lab.alive(replica)
    lab.start(replica)
    assert lab.alive(replica)
    Wait(timeout_s=30, interval_s=0.2).until("the restarted replica to resync", lambda: _link(lab, replica) == "up")


def test_runner_heals_every_applied_fault_on_stop(lab, tmp_path):
    # a replica restarted by the test before is linked again before Sentinel lists it as up again
    Wait(timeout_s=30, interval_s=0.25).until("Sentinel to see every replica up", lab.settled)
    replicas = lab.replicas()
    schedule = [FaultSpec(0, 1, "pause", Target(node=replicas[0]), at_s=0.0),
                FaultSpec(1, 2, "cut", Target(node=replicas[1]), at_s=0.1),
                FaultSpec(2, 3, "kill", Target(node=replicas[1]), at_s=60.0)]  # never fires: cancelled by the stop
    journal = Journal(tmp_path / "faults.jsonl", BACKENDS["local"])
    runner = FaultRunner(schedule, lab, journal)
    runner.start()
    wait_for_text(tmp_path / "faults.jsonl", '"event": "applied"', 2, timeout_s=10, sleep=gevent.sleep)
    assert lab.paused(replicas[0]) and lab.firewall.rules()
    runner.heal_all("stop")
    journal.close()
    assert not lab.paused(replicas[0]) and lab.firewall.rules() == [] and lab.alive(replicas[1])
    events = [json.loads(x) for x in (tmp_path / "faults.jsonl").read_text().splitlines()]
    kinds = [(e["event"], e["fault"]) for e in events]
    assert ("applied", 0) in kinds and ("applied", 1) in kinds and ("healed", 0) in kinds and ("healed", 1) in kinds
    assert ("applied", 2) not in kinds
    applied = [e for e in events if e["event"] == "applied"]
    assert all(e["applied_ms"] >= e["scheduled_ms"] - 1 and e["backend"] == "local" for e in applied)
    assert all(e["disruptive"] is True for e in applied)  # the action's declaration, carried to the analysis


def test_a_fault_that_fails_is_journaled_not_swallowed(lab, tmp_path):
    journal = Journal(tmp_path / "faults.jsonl", BACKENDS["local"])
    runner = FaultRunner([FaultSpec(0, 1, "cut", Target(node="consumer-1"), at_s=0.0)], lab, journal)
    runner.start()
    wait_for_text(tmp_path / "faults.jsonl", '"event": "failed"', timeout_s=10, sleep=gevent.sleep)
    runner.heal_all()
    journal.close()
    events = [json.loads(x) for x in (tmp_path / "faults.jsonl").read_text().splitlines()]
    failed = [e for e in events if e["event"] == "failed"]
    assert len(failed) == 1 and "no address of its own" in failed[0]["error"]
