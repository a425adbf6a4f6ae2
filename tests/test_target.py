"""The target backend on a real engine: a stack the harness did not build (containers started here with
the Docker SDK, named in a target file), adopted, faulted and healed; a host process the target gives
a command line for, owned by PID; a container the target does not name left untouched; unknown and
ambiguous names refused before anything acts; heal after a SIGKILL of the orchestrator."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from errors import FaultError, LabError
from lab import clients, netns
from lab.wait import Wait
from tests import docker_stacks
from tests.conftest import ROOT

docker = pytest.importorskip("docker")
from lab import engine  # noqa: E402 - after the skip: it imports the Docker SDK

pytestmark = pytest.mark.skipif(not engine.answers(), reason="no Docker engine (scripts/docker-engine.sh start)")
IMAGE = "fairbid-ha/redis:local"
NET = "fairbid-target-test"
PW, SPW = "tt-redis-secret", "tt-sentinel-secret"
NAMES = ("tt-redis-a", "tt-redis-b", "tt-sentinel", "tt-bystander", "tt-dup-1", "tt-dup-2")


def _redis_cmd(extra: str = "") -> list[str]:
    return ["sh", "-c", f"mkdir -p /data && exec redis-server --dir /data --requirepass {PW} --masterauth {PW} {extra}"]


def _remove_all(client) -> None:
    docker_stacks.remove(client, NAMES, NET)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A team's stack, as far as the harness knows: containers it did not start through any lab."""
    client = docker.from_env()
    _remove_all(client)
    client.networks.create(NET, driver="bridge")
    run = dict(image=IMAGE, detach=True, network=NET)
    a = client.containers.run(name="tt-redis-a", command=_redis_cmd(), **run)
    a.reload()
    ip_a = a.attrs["NetworkSettings"]["Networks"][NET]["IPAddress"]
    client.containers.run(name="tt-redis-b", command=_redis_cmd(f"--replicaof {ip_a} 6379"), **run)
    conf = "\\n".join([f"requirepass {SPW}", f"sentinel monitor tt {ip_a} 6379 1", f"sentinel auth-pass tt {PW}",
                       "sentinel down-after-milliseconds tt 2000", "sentinel failover-timeout tt 5000"])
    client.containers.run(name="tt-sentinel", command=["sh", "-c", f"mkdir -p /data && printf '{conf}\\n' > /data/s.conf "
                                                                    "&& exec redis-sentinel /data/s.conf"], **run)
    client.containers.run(name="tt-bystander", command=_redis_cmd(), **run)
    for i in (1, 2):  # two containers answering to one Compose service: ambiguous
        client.containers.run(name=f"tt-dup-{i}", command=["sleep", "600"], labels={
            "com.docker.compose.project": "ttdup", "com.docker.compose.service": "redis"}, **run)
    folder = tmp_path_factory.mktemp("target")
    (folder / "worker.py").write_text('import os, time\nprint("delay", os.environ.get("ACK"), os.environ.get("MASTER"))\n'
                                      "time.sleep(600)\n")
    yield folder
    _remove_all(client)


def _target_file(folder, extra_nodes: str = "", name: str = "tt") -> str:
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: {name}
        nodes:
          redis-a: {{kind: redis, as: redis-1, container: tt-redis-a}}
          redis-b: {{kind: redis, as: redis-2, container: tt-redis-b}}
          sentinel: {{kind: sentinel, as: sentinel-1, container: tt-sentinel}}
          app: {{kind: app, as: api, process: {{command: "{sys.executable} -m http.server --bind 127.0.0.1 18999"}}}}
          worker:
            kind: consumer
            as: consumer-1
            process:
              command: "{sys.executable} -u worker.py"
              env: {{MASTER: "{{addr:redis-a}}"}}
              env_map: {{FAIRBID_ACK_DELAY_MS: ACK}}
        {textwrap.indent(extra_nodes, "  ") if extra_nodes else ""}
        sentinel: {{master_name: tt, password_env: TT_SENTINEL_PASSWORD}}
        redis: {{password_env: TT_REDIS_PASSWORD}}
        bid: {{url: "http://127.0.0.1:18999"}}
        """))
    return str(path)


@pytest.fixture
def adopted(stack, monkeypatch):
    from harness import target_file
    from lab.spec import StackSpec
    from lab.target import TargetLab

    monkeypatch.setenv("TT_REDIS_PASSWORD", PW)
    monkeypatch.setenv("TT_SENTINEL_PASSWORD", SPW)
    lab = TargetLab(target_file.load(_target_file(stack)), StackSpec(redis=2, sentinels=1, consumers=1))
    if lab.is_up():
        lab.heal()
        lab.down()
    lab.up(Wait(timeout_s=60))
    yield lab
    lab.heal()
    lab.down()


def _status(name: str) -> tuple[str, str, int]:
    c = docker.from_env().containers.get(name)
    return c.status, c.attrs["State"]["StartedAt"], c.attrs["State"]["Pid"]


def _answers(lab, name: str, timeout: float = 0.5) -> bool:
    client = clients.redis_at(*lab.address(name), timeout=timeout, password=PW)
    try:
        return client.ping()
    except Exception:  # refused or timed out: the point of the probe
        return False
    finally:
        client.close()


def test_the_plan_names_each_container_and_the_harness_finds_roles_through_sentinel(adopted):
    plan = "\n".join(adopted.plan())
    for name in ("tt-redis-a", "tt-redis-b", "tt-sentinel"):
        assert f"container {name} (" in plan
    assert "tt-bystander" not in plan and "host process" in plan
    assert adopted.master() == "redis-1" and adopted.replicas() == ["redis-2"]
    assert clients.node(adopted, "redis-2").info("replication")["role"] == "slave"


def test_faults_on_adopted_containers_leave_an_unnamed_container_untouched(adopted):
    bystander = _status("tt-bystander")
    adopted.kill("redis-2")
    Wait(timeout_s=10).until("redis-2 killed", lambda: not adopted.alive("redis-2"))
    adopted.start("redis-2")
    Wait(timeout_s=10).until("redis-2 back", lambda: _answers(adopted, "redis-2"))
    adopted.pause("redis-2")
    assert adopted.paused("redis-2") and not _answers(adopted, "redis-2")
    adopted.resume("redis-2")
    assert _answers(adopted, "redis-2")
    adopted.disconnect("redis-2")  # full cut: its namespace drops all but loopback, the address kept
    assert not _answers(adopted, "redis-2") and adopted.alive("redis-2")
    adopted.connect("redis-2")
    assert _answers(adopted, "redis-2")
    adopted.disconnect("redis-1", "redis-2")  # a cut between two nodes only
    pid = adopted.pid("redis-1")
    assert len(netns.tagged_rules(pid)) == 2 and _answers(adopted, "redis-1")
    adopted.connect("redis-1", "redis-2")
    assert netns.tagged_rules(pid) == []
    with pytest.raises(FaultError, match="never|does not restart"):
        adopted.restart("redis-2", {"FAIRBID_ACK_DELAY_MS": "5"})
    assert _status("tt-bystander") == bystander and netns.tagged_rules(bystander[2]) == []


def test_an_owned_process_is_started_killed_paused_and_restarted_with_mapped_settings(adopted):
    log = adopted.log_path("consumer-1")
    first = adopted.pid("consumer-1")
    host, port = adopted.address("redis-1")
    Wait(timeout_s=10).until("its first line", lambda: f"delay None {host}:{port}" in log.read_text())
    adopted.restart("consumer-1", {"FAIRBID_ACK_DELAY_MS": "1000"})
    assert adopted.pid("consumer-1") != first
    Wait(timeout_s=10).until("the mapped setting", lambda: "delay 1000" in log.read_text())
    with pytest.raises(FaultError, match="maps no variable for FAIRBID_CLAIM_IDLE_MS"):
        adopted.restart("consumer-1", {"FAIRBID_CLAIM_IDLE_MS": "5"})
    adopted.pause("consumer-1")
    assert adopted.paused("consumer-1")
    adopted.resume("consumer-1")
    adopted.kill("consumer-1")
    Wait(timeout_s=5).until("killed", lambda: not adopted.alive("consumer-1"))
    adopted.start("consumer-1")
    assert adopted.alive("consumer-1")
    with pytest.raises(FaultError, match="host process"):
        adopted.disconnect("consumer-1")
    pid = adopted.pid("consumer-1")
    adopted.down()
    Wait(timeout_s=10).until("the owned process gone", lambda: not os.path.exists(f"/proc/{pid}"))
    assert _status("tt-redis-a")[0] == "running"  # down never touches an adopted container


def test_unknown_and_ambiguous_names_are_refused_before_anything_acts(stack, monkeypatch):
    from harness import target_file
    from lab.target import TargetLab

    monkeypatch.setenv("TT_REDIS_PASSWORD", PW)
    monkeypatch.setenv("TT_SENTINEL_PASSWORD", SPW)
    unknown = _target_file(stack, "redis-c: {kind: redis, as: redis-3, container: tt-no-such}\n", name="unknown")
    with pytest.raises(LabError, match=r"unknown\.yaml:\d+: nodes\.redis-c: no container matches"):
        TargetLab(target_file.load(unknown)).plan()
    dup = _target_file(stack, "redis-c: {kind: redis, as: redis-3, compose: {project: ttdup, service: redis}}\n",
                       name="dup")
    with pytest.raises(LabError, match=r"nodes\.redis-c: 2 containers match"):
        TargetLab(target_file.load(dup)).plan()
    assert not TargetLab(target_file.load(dup)).is_up()


def test_heal_after_a_sigkill_of_the_orchestrator_undoes_its_faults_on_the_adopted_stack(stack):
    path = _target_file(stack, name="killed")
    env = {**os.environ, "TT_REDIS_PASSWORD": PW, "TT_SENTINEL_PASSWORD": SPW}
    script = textwrap.dedent(f"""
        import os, signal, sys
        from harness import target_file
        from lab.spec import StackSpec
        from lab.target import TargetLab
        lab = TargetLab(target_file.load({path!r}), StackSpec(redis=2, sentinels=1, consumers=1))
        lab.up()
        lab.pause("redis-2")
        lab.disconnect("redis-1", "redis-2")
        lab.disconnect("sentinel-1")
        lab.pause("consumer-1")
        print("faulted", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    res = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == -9 and "faulted" in res.stdout, res.stderr
    assert _status("tt-redis-b")[0] == "paused"
    heal = subprocess.run([sys.executable, "-m", "harness.cli", "heal", "--target", path], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert heal.returncode == 0, heal.stderr
    for line in ("resumed redis-2 (tt-redis-b)", "removed cut in redis-1 (tt-redis-a)",
                 "removed cut in sentinel-1 (tt-sentinel)", "resumed consumer-1"):
        assert line in heal.stdout, heal.stdout
    assert _status("tt-redis-b")[0] == "running"
    for name in ("tt-redis-a", "tt-sentinel"):
        assert netns.tagged_rules(_status(name)[2]) == []
    down = subprocess.run([sys.executable, "-m", "harness.cli", "down", "--target", path], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert down.returncode == 0 and "containers left as they are" in down.stdout, down.stderr
    assert all(_status(n)[0] == "running" for n in ("tt-redis-a", "tt-redis-b", "tt-sentinel"))


def test_a_scenario_that_does_not_fit_the_live_target_is_refused_with_every_reason(adopted):
    from harness import scenario, target_check

    found = "\n".join(target_check.problems(scenario.load("stream-3"), adopted))
    assert "3 redis node(s), the target 2" in found and "3 sentinel node(s), the target 1" in found
    assert "2 consumer(s), the target 1" in found
    assert "stack.service_env.FAIRBID_CLAIM_IDLE_MS: no process the harness starts maps it" in found
    assert "runs down-after-milliseconds 2000; the scenario's checks assume 5000" in found
    guard = "\n".join(target_check.problems(scenario.load("redis-4-2-guard"), adopted))
    assert "stack.redis_conf.min-replicas-to-write: the master (" in guard and "runs '0', the scenario assumes '1'" in guard
