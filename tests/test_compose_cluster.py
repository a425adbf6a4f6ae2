"""compose/cluster.yml and the Docker backend's choice of it, without an engine: the addresses the file
gives each node are those DockerLab reaches them at and announces, the service is pointed at the cluster
and at no Sentinel, and Compose renders the file with a lab's variables. The stack itself runs in
tests/test_docker.py, where an engine answers."""
from __future__ import annotations

import subprocess

import pytest
import yaml

from errors import LabError
from lab.config import ROOT, LabConfig
from lab.docker_lab import CLUSTER_CREATE, CLUSTER_FILE, COMPOSE_FILE, OFFSETS, DockerLab, compose_command
from lab.spec import ClusterSpec, StackSpec

CLUSTER = StackSpec(redis=9, sentinels=0, mysql=1, consumers=1, apis=2,
                    cluster=ClusterSpec(shards=3, replicas=2, node_timeout_ms=1000))
PREFIX = "${SUBNET_PREFIX:-172.28.5}"


@pytest.fixture
def config(tmp_path) -> LabConfig:
    (tmp_path / "state").mkdir()  # where the lab writes the service's env files (up makes it)
    return LabConfig(name="compose-check", state_dir=tmp_path / "state", redis_hosts=(), redis_port=6379,
                     sentinel_hosts=(), sentinel_port=26379, mysql_hosts=(), mysql_port=3306,
                     api_hosts=("127.0.231.1", "127.0.231.2"), api_port=8080)


def _services() -> dict:
    return yaml.safe_load(CLUSTER_FILE.read_text())["services"]


def test_each_node_of_the_cluster_file_sits_and_announces_where_the_docker_backend_reaches_it():
    services = _services()
    for name, svc in services.items():
        if name == CLUSTER_CREATE:
            continue
        assert svc["networks"]["default"]["ipv4_address"] == f"{PREFIX}.{OFFSETS[name]}", name
    for i in range(1, 10):
        node = services[f"redis-{i}"]
        assert node["environment"]["ANNOUNCE_IP"] == f"{PREFIX}.{OFFSETS[f'redis-{i}']}"
        command = " ".join(node["command"])
        assert "--cluster-enabled yes" in command and "--cluster-announce-ip \"$$ANNOUNCE_IP\"" in command
        assert "--dir /data" in command and "--cluster-config-file nodes.conf" in command
    assert not [n for n in services if n.startswith("sentinel")]
    # redis-1..3 keep the addresses they have in compose/sentinel.yml
    sentinel = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    assert all(sentinel[n]["networks"] == services[n]["networks"] for n in ("redis-1", "redis-2", "redis-3"))


def test_the_service_containers_know_the_cluster_and_no_sentinel_and_wait_for_it_to_form():
    services = _services()
    for name in ("consumer-1", "consumer-2", "api", "api-2", "api-3"):
        env = services[name]["environment"]
        assert "FAIRBID_SENTINELS" not in env and "FAIRBID_REDIS" not in env
        assert env["FAIRBID_CLUSTER"].startswith("${CLUSTER_NODES:-172.28.5.11:6379,")
        assert services[name]["depends_on"][CLUSTER_CREATE] == {"condition": "service_completed_successfully"}
    default = env["FAIRBID_CLUSTER"].removeprefix("${CLUSTER_NODES:-").removesuffix("}")
    assert default.split(",") == [f"172.28.5.{OFFSETS[f'redis-{i}']}:6379" for i in range(1, 10)]


def test_a_cluster_stack_gets_the_cluster_file_its_nodes_and_no_sentinel(config, monkeypatch):
    for var in ("REDIS_IMAGE", "MYSQL_IMAGE", "SERVICE_IMAGE"):  # no engine is asked which images it has
        monkeypatch.setenv(var, f"example/{var.lower()}")
    lab = DockerLab(config, CLUSTER)
    assert lab.compose_file == CLUSTER_FILE and DockerLab(config, StackSpec()).compose_file == COMPOSE_FILE
    assert lab._services() == [*(f"redis-{i}" for i in range(1, 10)), "mysql-1", "consumer-1", "api", "api-2"]
    nodes = [f"{lab.subnet_prefix}.{10 + i}:6379" for i in range(1, 10)]
    env = lab.service_env()
    assert env["FAIRBID_CLUSTER"].split(",") == nodes
    assert "FAIRBID_SENTINELS" not in env and "FAIRBID_REDIS" not in env
    compose_env = lab._env()
    assert compose_env["CLUSTER_NODES"].split(",") == nodes
    assert (compose_env["CLUSTER_REPLICAS"], compose_env["NODE_TIMEOUT_MS"]) == ("2", "1000")
    assert "FAIRBID_REDIS" not in (lab.dir / "service.env").read_text()


def test_a_cluster_of_another_size_than_its_nodes_is_refused(config):
    lab = DockerLab(config, StackSpec(redis=3, sentinels=0, cluster=ClusterSpec(shards=3, replicas=2)))
    with pytest.raises(LabError, match="cluster of up to 9 nodes"):
        lab._services()


def test_compose_renders_the_cluster_file_with_a_labs_variables(config, monkeypatch):
    try:
        command = compose_command()
    except LabError:
        pytest.skip("no Compose here")
    for var in ("REDIS_IMAGE", "MYSQL_IMAGE", "SERVICE_IMAGE"):
        monkeypatch.setenv(var, f"example/{var.lower()}")
    lab = DockerLab(config, StackSpec(**{**vars(CLUSTER), "redis_conf": {"cluster-require-full-coverage": "no"}}))
    res = subprocess.run([*command, "-p", "compose-check", "-f", str(CLUSTER_FILE), "config"], env=lab._env(),
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert res.returncode == 0, res.stderr
    services = yaml.safe_load(res.stdout)["services"]
    node = " ".join(services["redis-4"]["command"])
    assert "--cluster-node-timeout 1000" in node and "--cluster-require-full-coverage no" in node
    assert services["redis-4"]["networks"]["default"]["ipv4_address"] == f"{lab.subnet_prefix}.14"
    assert services[CLUSTER_CREATE]["environment"]["CLUSTER_NODES"] == lab._env()["CLUSTER_NODES"]
    assert services["api-2"]["environment"]["FAIRBID_CLUSTER"] == lab._env()["CLUSTER_NODES"]
