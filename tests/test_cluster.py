"""A Redis Cluster stack on real nodes: roles by shard across a failover, the heal after a SIGKILLed
orchestrator, and the cluster observer's events under the evidence rules."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab import firewall, process
from lab.config import LabConfig
from lab.local import LocalLab
from lab.process import Proc
from lab.spec import ClusterSpec, StackSpec
from lab.wait import Wait
from tests.conftest import ROOT, run_scenario, wait_for_text

E2E_LAB = "tests/lab.e2e.yaml"
CLUSTER = StackSpec(redis=9, sentinels=0, mysql=1, consumers=1, apis=1,
                    cluster=ClusterSpec(shards=3, replicas=2, node_timeout_ms=1000),
                    service_env={"FAIRBID_REDIS_TIMEOUT_S": "1"})


@pytest.fixture
def cluster_lab(e2e_lab_down):
    lab = LocalLab(e2e_lab_down, CLUSTER)
    lab.up()
    yield lab
    lab.down()


def test_roles_by_shard_follow_a_failover_and_the_old_master_rejoins_as_replica(cluster_lab):
    lab = cluster_lab
    masters = [lab.master(i) for i in (1, 2, 3)]
    assert len(set(masters)) == 3 and all(len(lab.replicas(i)) == 2 for i in (1, 2, 3))
    old = lab.master(2)
    lab.kill(old)
    Wait(timeout_s=20, interval_s=0.1).until("shard 2 to promote a replica", lambda: lab.master(2) != old)
    promoted = lab.master(2)
    assert promoted in set(lab.node_names()) - set(masters)  # one of shard 2's own replicas
    assert lab.master(1) == masters[0] and lab.master(3) == masters[2]  # the other shards untouched
    lab.start(old)
    Wait(timeout_s=30, interval_s=0.2).until("the cluster to settle", lab.settled)
    assert lab.master(2) == promoted and old in lab.replicas(2)


def test_a_shard_a_cluster_does_not_have_is_refused_when_the_fault_fires(cluster_lab):
    from errors import LabError

    with pytest.raises(LabError, match="no shard 4"):
        cluster_lab.master(4)


def _state_pids(config: LabConfig) -> list[Proc]:
    state = json.loads((config.state_dir / "state.json").read_text())
    return [Proc(**n["proc"]) for n in state["nodes"].values()]


def test_heal_after_a_sigkilled_orchestrator_restores_every_shard(e2e_lab_down, tmp_path):
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(tmp_path)}
    child = subprocess.Popen([sys.executable, "-m", "locust", "-f", "locustfile.py", "--headless", "--scenario",
                              "tests/scenarios/cluster-faults.yaml", "--lab", E2E_LAB], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob("*-cluster-faults/faults.jsonl")) and time.monotonic() < deadline:
            time.sleep(0.2)
        journal = next(tmp_path.glob("*-cluster-faults/faults.jsonl"))
        wait_for_text(journal, '"applied"', times=3, timeout_s=60)
    finally:
        child.kill()  # SIGKILL: no hook runs, the faults stay in place
        child.wait(timeout=30)
    lab = LocalLab(e2e_lab_down)
    pids = _state_pids(e2e_lab_down)
    assert any(process.paused(p) for p in pids) and firewall.Firewall("e2e").rules()
    assert not all(lab.alive(n) for n in lab.node_names())
    heal = subprocess.run([sys.executable, "-m", "harness.cli", "heal", "--lab", E2E_LAB], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert heal.returncode == 0, heal.stderr
    assert "resumed" in heal.stdout and "removed cut" in heal.stdout and "started redis-" in heal.stdout
    lab = LocalLab(e2e_lab_down)  # the heal started a node again: its process is in the state on disk
    assert not any(process.paused(Proc(**lab.nodes[n]["proc"])) for n in lab.node_names())
    assert firewall.Firewall("e2e").rules() == [] and all(lab.alive(n) for n in lab.node_names())
    Wait(timeout_s=60, interval_s=0.5).until("every shard whole again", lab.settled)
    down = subprocess.run([sys.executable, "-m", "harness.cli", "down", "--lab", E2E_LAB], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stderr
    assert not any(process.alive(p) for p in _pids_of(lab) + pids)


def _pids_of(lab: LocalLab) -> list[Proc]:
    return [Proc(**n["proc"]) for n in lab.nodes.values()]


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    config = LabConfig.load(ROOT / E2E_LAB)
    if LocalLab(config).is_up():
        LocalLab(config).down()
    return run_scenario("tests/scenarios/cluster-failover.yaml", tmp_path_factory.mktemp("cluster-run"))


def test_a_cluster_failover_is_seen_by_the_observer_and_measured(cluster_run):
    run_dir, res = cluster_run
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    summary = json.loads((run_dir / "summary.json").read_text())
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    names = {e["event"] for e in events}
    assert {"observer-connected", "+pfail", "+fail", "+promoted"} <= names
    kill = summary["faults"][0]
    assert 0.5 < kill["detect_s"] <= kill["odown_s"] <= kill["failover_s"] < 8  # PFAIL, then FAIL, then promotion
    assert summary["metrics"]["failovers"] == 1 and summary["metrics"]["lost_acked_writes"] == 0
    run = json.loads((run_dir / "run.json").read_text())
    assert len(run["sentinels"]) == 9  # the observer watched every cluster node


def test_without_the_observer_record_the_cluster_figures_are_absent_and_their_checks_fail(cluster_run, tmp_path):
    run_dir, _ = cluster_run
    copy = tmp_path / run_dir.name
    shutil.copytree(run_dir, copy)
    (copy / "events.jsonl").unlink()
    res = subprocess.run([sys.executable, "analysis/report.py", str(copy)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    summary = json.loads((copy / "summary.json").read_text())
    assert summary["faults"][0]["failover_s"] is None and summary["faults"][0]["detect_s"] is None
    failed = {c["metric"]: c for c in summary["checks"] if not c["passed"]}
    assert "kill.failover_s" in failed and "not measured" in json.dumps(failed["kill.failover_s"])
    assert res.returncode != 0


def test_an_observer_cut_from_an_untouched_node_withholds_the_figures(cluster_run, tmp_path):
    """Every node but the killed one must stay watched through the window: a disconnect from a node no
    fault touched means events may be missing, so the figures are withheld rather than read as seen."""
    run_dir, _ = cluster_run
    copy = tmp_path / run_dir.name
    shutil.copytree(run_dir, copy)
    run = json.loads((copy / "run.json").read_text())
    fault = next(json.loads(x) for x in (copy / "faults.jsonl").read_text().splitlines() if '"applied"' in x)
    watched = [a for a, n in run["sentinel_nodes"].items() if n != fault["node"]][0]
    with open(copy / "events.jsonl", "a") as fh:
        fh.write(json.dumps({"t_ms": fault["applied_ms"] + 100, "sentinel": watched, "event": "observer-disconnected",
                             "data": "test: lost"}) + "\n")
    subprocess.run([sys.executable, "analysis/report.py", str(copy)], cwd=ROOT, capture_output=True, timeout=120)
    summary = json.loads((copy / "summary.json").read_text())
    assert summary["faults"][0]["failover_s"] is None


def test_a_cluster_client_whose_default_node_died_reads_streams_again_once_it_takes_another(cluster_lab):
    """redis-py asks its default node (COMMAND GETKEYS) where XREADGROUP's keys are, outside its retry:
    with that node dead every read fails, whichever shard the stream is on, until the client takes
    another default node (what the stand-in's consumer does on a connection error)."""
    from redis.exceptions import ConnectionError

    from lab import clients

    lab = cluster_lab
    client = clients.cluster(lab, timeout=1)
    try:
        stream = "test-stream:{fb0}"  # shard 3's (slot 13008)
        client.xgroup_create(stream, "g", id="0", mkstream=True)
        client.xadd(stream, {"n": "1"})
        victim = client.get_node(*lab.address(lab.master(1)))
        client.set_default_node(victim)
        lab.kill(lab.master(1))
        with pytest.raises(ConnectionError):
            client.xreadgroup("g", "c", {stream: ">"}, count=1)
        client.replace_default_node()
        Wait(timeout_s=20, interval_s=0.2).until("a live default node", lambda: client.get_default_node() != victim
                                                 or client.replace_default_node())
        assert client.xreadgroup("g", "c", {stream: ">"}, count=1)[0][1][0][1] == {"n": "1"}
    finally:
        client.close()
