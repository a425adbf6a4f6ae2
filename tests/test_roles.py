"""Role targets are resolved when the fault fires: after a failover, `role: master` is the new master."""
from __future__ import annotations

import gevent

from faults.journal import Journal
from faults.runner import FaultRunner, resolve
from faults.schedule import FaultSpec, Target
from lab import clients
from lab.wait import Wait
from runfiles import BACKENDS


def _role(lab, node) -> str:
    return clients.node(lab, node, 1).info("replication")["role"]


def test_role_master_follows_a_failover_and_the_old_master_rejoins_as_replica(lab, tmp_path):
    old = lab.master()
    journal = Journal(tmp_path / "faults.jsonl", BACKENDS["local"])
    runner = FaultRunner([FaultSpec(0, 1, "kill", Target(role="master"), at_s=0.0)], lab, journal)
    runner.start()
    for _ in range(100):  # at most 5 s; gevent.sleep lets the runner's greenlet apply the kill
        if not lab.alive(old):
            break
        gevent.sleep(0.05)
    assert not lab.alive(old)
    Wait(timeout_s=20, interval_s=0.1).until("Sentinel to promote a replica", lambda: lab.master() != old)
    new = resolve(lab, Target(role="master"))
    assert new != old and _role(lab, new) == "master"
    assert old not in lab.replicas()
    runner.heal_all("stop")  # starts the old master again
    journal.close()
    Wait(timeout_s=60, interval_s=0.25).until("the old master to rejoin", lab.settled)
    assert lab.master() == new
    assert old in lab.replicas() and _role(lab, old) == "slave"
