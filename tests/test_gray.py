"""Gray failures on the real lab: a share of packets lost, a CPU quota, a cut that comes and goes;
each undone exactly, by its heal and by `make heal` after a SIGKILL of the orchestrator."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import gevent
import redis

from faults.journal import Journal
from faults.runner import FaultRunner
from faults.schedule import FaultSpec, Target
from lab import clients, cpu_quota, firewall
from lab.wait import Wait
from runfiles import BACKENDS
from tests.conftest import ROOT, wait_for_text

BUSY = "local i = 0 while i < 4000000 do i = i + 1 end return i"  # CPU only: a read-only script


def _ping_times(client, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        client.ping()
        out.append(time.perf_counter() - t0)
    return out


def test_a_loss_drops_a_share_of_packets_and_its_heal_removes_exactly_its_rules(lab):
    replica = lab.replicas()[0]
    client = clients.node(lab, replica, 15)  # connected before the loss: a lost SYN is not what is measured
    try:
        assert max(_ping_times(client, 20)) < 0.15  # loopback: no retransmission without loss
        rules = lab.lose(replica, 30)
        try:
            assert len(rules) == 2 and all("--probability 0.3000" in r for r in rules)
            assert len(lab.firewall.rules()) == 2 and all("statistic" in r for r in lab.firewall.rules())
            slow = [t for t in _ping_times(client, 30) if t >= 0.15]  # TCP's retransmission timeout is 200 ms
            assert len(slow) >= 3, slow  # lost packets are retransmitted, not refused: slow, not gone
        finally:
            lab.unlose(replica, 30)
        assert lab.firewall.rules() == []
        assert max(_ping_times(client, 20)) < 0.15
    finally:
        client.close()


def test_a_throttle_holds_the_node_to_its_quota_and_its_heal_restores_it(lab):
    replica = lab.replicas()[0]
    client = clients.node(lab, replica, 60)
    try:
        t0 = time.perf_counter()
        client.eval(BUSY, 0)
        free = time.perf_counter() - t0
        state = lab.throttle(replica, 5)
        try:
            assert cpu_quota.quota_of(lab.pid(replica)) == 5.0
            assert state["quota_us"] == 5000 and state["period_us"] == 100_000 and state["origin"]
            t0 = time.perf_counter()
            client.eval(BUSY, 0)
            held = time.perf_counter() - t0
        finally:
            lab.unthrottle(replica, state)
        assert held > 5 * free, (free, held)  # 5 % of a core: many times slower for the same work
        assert cpu_quota.quota_of(lab.pid(replica)) is None and cpu_quota.leftovers() == []
    finally:
        client.close()


def test_a_flap_cuts_and_reconnects_on_its_period_and_the_journal_has_each_cut(lab, tmp_path):
    replica = lab.replicas()[0]
    spec = FaultSpec(0, 1, "flap", Target(node=replica), at_s=0.0, duration_s=3.0,
                     params={"period": 1.0, "cut_share": 0.4})
    journal = Journal(tmp_path / "faults.jsonl", BACKENDS["local"])
    runner = FaultRunner([spec], lab, journal)
    runner.start()
    wait_for_text(tmp_path / "faults.jsonl", '"event": "healed"', timeout_s=15, sleep=gevent.sleep)
    runner.heal_all()
    journal.close()
    events = [json.loads(x) for x in (tmp_path / "faults.jsonl").read_text().splitlines()]
    applied = next(e for e in events if e["event"] == "applied")
    healed = next(e for e in events if e["event"] == "healed")
    assert applied["output"]["cycles"] == 3 and applied["output"]["cut_s"] == 0.4
    cuts = healed["output"]["cuts"]
    assert len(cuts) == 3
    for i, (a, b) in enumerate(cuts):
        assert 0.35 <= (b - a) / 1000 <= 0.8  # each cut lasts about its share of the period
        assert abs((a - cuts[0][0]) / 1000 - i) < 0.3  # one per period
    assert lab.firewall.rules() == []
    clients.node(lab, replica, 2).ping()


def test_heal_after_a_sigkill_restores_every_quota_and_removes_every_loss_rule(e2e_lab_down, tmp_path):
    """What `make heal` does after a SIGKILL of the orchestrator mid-fault: quota and rules found and undone."""
    run_dir = tmp_path / "killed"
    child = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "--scenario",
         "tests/scenarios/gray-heal.yaml", "--lab", "tests/lab.e2e.yaml", "--run-dir", str(run_dir), "-u", "4",
         "-r", "4", "-t", "60s", "--only-summary"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_text(run_dir / "faults.jsonl", '"event": "applied"', times=2)
    finally:
        child.kill()  # SIGKILL: no hook runs, the faults stay in place
        child.wait(timeout=30)
    assert cpu_quota.leftovers() and any("statistic" in r for r in firewall.Firewall("e2e").rules())
    heal = subprocess.run([sys.executable, "-m", "harness.cli", "heal", "--lab", "tests/lab.e2e.yaml"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert heal.returncode == 0, heal.stderr
    assert "removed CPU quota" in heal.stdout and "statistic" in heal.stdout, heal.stdout
    assert cpu_quota.leftovers() == [] and firewall.Firewall("e2e").rules() == []
    down = subprocess.run([sys.executable, "-m", "harness.cli", "down", "--lab", "tests/lab.e2e.yaml"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stderr


def test_a_throttled_node_that_was_killed_meanwhile_heals_cleanly(lab):
    """The quota's cgroup is left empty by a kill; the heal removes it and the restarted node runs free."""
    replica = lab.replicas()[0]
    state = lab.throttle(replica, 10)
    lab.kill(replica)
    lab.start(replica)
    lab.unthrottle(replica, state)
    assert cpu_quota.leftovers() == [] and cpu_quota.quota_of(lab.pid(replica)) is None
    Wait(timeout_s=30, interval_s=0.2).until("the replica to answer", lambda: _answers(lab, replica))


def _answers(lab, node) -> bool:
    try:
        return clients.node(lab, node, 1).ping()
    except redis.RedisError:
        return False
