"""The plan's own client through a failover: the FairBid example (Spring Boot 3.5, Spring Data Redis on
Lettuce through Sentinel, JPA on MariaDB) built from examples/fairbid with Maven, two copies of it with
different client settings, a master killed under load, on containers this test starts.

Real servers and the real jar throughout: what each app answers about its client is read back from it,
and the variants' figures come from the run's own files. Skipped only where no engine answers or Maven
cannot build the jar (no Maven, or Maven Central out of reach), with the reason.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pymysql
import pytest

from tests import docker_stacks
from tests.conftest import ROOT

docker = pytest.importorskip("docker")
from lab import engine  # noqa: E402 - after the skip: it imports the Docker SDK

pytestmark = pytest.mark.skipif(not engine.answers(), reason="no Docker engine (scripts/docker-engine.sh start)")
REDIS, MARIADB = "fairbid-ha/redis:local", "fairbid-ha/mariadb:local"
NET = "fairbid-lettuce-test"
NAMES = ("lt-redis-a", "lt-redis-b", "lt-sentinel", "lt-mysql")
DB_PW, ROOT_PW = "lt-db-secret", "lt-root-secret"
JAR = ROOT / "examples" / "fairbid" / "target" / "fairbid-example.jar"
# what Maven says when the repository is out of reach (a compile error fails the test instead)
UNREACHABLE = ("Could not transfer artifact", "Could not resolve dependencies", "Unknown host",
               "Connection refused", "Network is unreachable", "Connect timed out")


@pytest.fixture(scope="module")
def jar():
    """The example's jar, built once (scripts/fairbid-stack.sh build keeps it while its sources are unchanged)."""
    if shutil.which("mvn") is None:
        pytest.skip("no Maven on this machine: the FairBid example cannot be built")
    res = subprocess.run(["bash", "scripts/fairbid-stack.sh", "build"], cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    out = res.stdout + res.stderr
    if res.returncode != 0 and any(w in out for w in UNREACHABLE):
        pytest.skip(f"Maven Central cannot be reached from here: the FairBid example cannot be built: {out[-600:]}")
    assert res.returncode == 0 and JAR.exists(), f"the FairBid example did not build: {out[-3000:]}"
    return JAR


@pytest.fixture(scope="module")
def stack(tmp_path_factory, jar):
    client = docker.from_env()
    docker_stacks.remove(client, NAMES, NET)
    client.networks.create(NET, driver="bridge")
    try:
        yield _start(client, tmp_path_factory)
    finally:
        docker_stacks.remove(client, NAMES, NET)


def _start(client, tmp_path_factory) -> dict:
    run = dict(detach=True, network=NET)
    redis_cmd = "mkdir -p /data && exec redis-server --dir /data --protected-mode no "
    a = client.containers.run(REDIS, name="lt-redis-a", **run, command=["sh", "-c", redis_cmd])
    master = docker_stacks.ip(a, NET)
    client.containers.run(REDIS, name="lt-redis-b", **run, command=["sh", "-c", redis_cmd + f"--replicaof {master} 6379"])
    conf = "\\n".join(["protected-mode no", f"sentinel monitor mymaster {master} 6379 1",
                       "sentinel down-after-milliseconds mymaster 2000", "sentinel failover-timeout mymaster 5000"])
    client.containers.run(REDIS, name="lt-sentinel", **run, command=[
        "sh", "-c", f"mkdir -p /data && printf '{conf}\\n' > /data/s.conf && exec redis-sentinel /data/s.conf"])
    mysql = client.containers.run(
        MARIADB, name="lt-mysql", **run, entrypoint=["sh", "/conf/mysql-entrypoint.sh"], command=["mysqld"],
        environment={"MYSQL_ROOT_PASSWORD": ROOT_PW, "MYSQL_DATABASE": "fairbid", "MYSQL_USER": "fairbid",
                     "MYSQL_PASSWORD": DB_PW},
        volumes={str(ROOT / "conf" / "mysql-entrypoint.sh"): {"bind": "/conf/mysql-entrypoint.sh", "mode": "ro"},
                 str(ROOT / "examples" / "fairbid" / "schema.sql"): {
                     "bind": "/docker-entrypoint-initdb.d/10-schema.sql", "mode": "ro"}})
    host = docker_stacks.ip(mysql, NET)
    for _ in range(240):  # bounded: about 2 minutes for MariaDB's first start
        try:
            pymysql.connect(host=host, user="fairbid", password=DB_PW, database="fairbid", connect_timeout=1).close()
            break
        except pymysql.MySQLError:
            subprocess.run(["sleep", "0.5"])
    else:
        raise AssertionError(f"MariaDB at {host} did not answer")
    ports = (docker_stacks.free_port(), docker_stacks.free_port())
    return {"folder": tmp_path_factory.mktemp("lettuce"), "ports": ports}


def _target(stack) -> str:
    p1, p2 = stack["ports"]

    def app(key: str, plays: str, port: int, extra: str) -> str:
        """One app node, indented as a key of `nodes:`."""
        return (f"  {key}:\n    kind: app\n    as: {plays}\n    port: {port}\n    process:\n"
                f"      command: java -Xmx256m -jar {JAR} --spring.profiles.active=sentinel\n      cwd: {ROOT}\n"
                f'      env: {{SERVER_PORT: "{port}", SENTINELS: "{{sentinels}}", MYSQL_HOST: "{{host:db}}", '
                f'MYSQL_PORT: "{{port:db}}", FAIRBID_STREAM_CONSUMERS: "2", {extra}}}\n'
                "      env_map: {redis_timeout_s: {var: SPRING_DATA_REDIS_TIMEOUT, scale: 1000}, "
                "redis_retries: FAIRBID_REDIS_RETRIES, redis_deadline_s: null}\n"
                "      ready: {path: /api/v1/auctions/0, status: [404], timeout_s: 240}\n"
                "      client_settings: /internal/redis-client\n")

    plan = app("app-plan", "api", p1, 'SPRING_DATA_REDIS_LETTUCE_POOL_ENABLED: "true", '
                                     'SPRING_DATA_REDIS_LETTUCE_POOL_MAX_ACTIVE: "8"')
    tuned = app("app-tuned", "api-2", p2, 'FAIRBID_REDIS_TCP_USER_TIMEOUT: 1s, FAIRBID_REDIS_KEEPALIVE_IDLE: 2s, '
                                         'FAIRBID_REDIS_DISCONNECTED_BEHAVIOR: REJECT_COMMANDS, '
                                         'FAIRBID_REDIS_RECONNECT_DELAY_MAX: 200ms, SPRING_DATA_REDIS_CONNECT_TIMEOUT: 250ms, '
                                         'FAIRBID_REDIS_MASTER_REPLICA: "false"')
    path = stack["folder"] / "lettuce.yaml"
    path.write_text(textwrap.dedent("""\
        name: lettuce-test
        nodes:
          redis-a: {kind: redis, as: redis-1, container: lt-redis-a}
          redis-b: {kind: redis, as: redis-2, container: lt-redis-b}
          sentinel: {kind: sentinel, as: sentinel-1, container: lt-sentinel}
          db: {kind: mysql, as: mysql-1, container: lt-mysql}
        """) + plan + tuned + textwrap.dedent(f"""\
        sentinel: {{master_name: mymaster}}
        setup:
          - {{name: auctions, repeat: 5, path: /api/v1/auctions, headers: {{X-User-Id: "9999"}}, expect: [201],
             capture: {{auction: data.id}},
             body: {{title: "a {{n}}", description: t, category: ELECTRONICS, startPrice: 10000,
                    instantBuyPrice: 1000000000000, duration: HOURS_24, directTradeAvailable: false,
                    deliveryAvailable: true}}}}
        users: {{from: 1, to: 500, exclude: [9999]}}
        bid:
          url: "http://127.0.0.1:{p1}"
          path: "/api/v1/auctions/{{auction}}/bids"
          headers: {{X-User-Id: "{{user}}"}}
          idempotency_header: Idempotency-Key
          error_message: error.message
          bodies: [{{weight: 3, body: {{bidType: ONE_TOUCH}}}}, {{weight: 1, body: {{bidType: DIRECT, amount: "{{amount}}"}}}}]
          amount: {{min: 11000, max: 2000000}}
          refusals: [{{status: [400, 403], code: error.code, in: [BID_TOO_LOW, SELF_BID_NOT_ALLOWED, AUCTION_ENDED]}}]
          not_stored: [400, 403, 404]
          identity:
            auction_id: {{reply: data.auctionId, sent: "{{auction}}"}}
            bidder_id: {{reply: data.bidderId, sent: "{{user}}"}}
            amount: {{reply: data.amount, sent: "{{amount}}"}}
        verify:
          idempotency_key: "bid-idem:{{key}}"
          mysql: {{node: db, user: fairbid, password_env: LT_DB_PASSWORD, database: fairbid,
                   key_query: "SELECT auction_id, bidder_id, amount FROM bid WHERE (auction_id, bidder_id, amount) IN ({{keys}})",
                   count_query: "SELECT COUNT(*) FROM bid"}}
        stream: {{key: "stream:bid-rdb-sync", group: bid-rdb-sync-group,
                 key_fields: {{auction_id: auctionId, bidder_id: bidderId, amount: amount}}}}
        logs: {{reader_stopped: 'Unexpected error occurred in scheduled task'}}
        """))
    return str(path)


@pytest.fixture(scope="module")
def lettuce_run(stack, tmp_path_factory):
    results = tmp_path_factory.mktemp("lettuce-run")
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(results), "LT_DB_PASSWORD": DB_PW, "MYSQL_PASSWORD": DB_PW}
    res = subprocess.run([sys.executable, "-m", "harness.cli", "run", "tests/scenarios/lettuce-failover.yaml",
                          "--lab", "tests/lab.e2e.yaml", "--target", _target(stack)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    runs = sorted(results.glob("*-lettuce-failover"))
    assert runs, res.stdout[-3000:] + res.stderr[-3000:]
    summary = json.loads((runs[-1] / "summary.json").read_text())
    # the run's own checks (a failover within 1-10 s, every fault applied) held: it measured something
    assert res.returncode == 0 and summary["passed"], res.stdout[-3000:] + res.stderr[-3000:]
    return runs[-1], summary


def test_each_app_answers_the_client_settings_it_really_runs_with(lettuce_run):
    run_dir, summary = lettuce_run
    plan, tuned = summary["client_settings"]["plan"], summary["client_settings"]["tuned"]
    assert plan["lettuceVersion"].startswith("6.") and plan["readFrom"] == "MASTER"
    assert (plan["commandTimeoutMs"], plan["pooled"], plan["pool"]["maxActive"]) == (3000, True, 8)
    assert (tuned["commandTimeoutMs"], tuned["pooled"], tuned["disconnectedBehavior"]) == (1000, False, "REJECT_COMMANDS")
    assert tuned["tcpUserTimeout"] == {"enabled": True, "ms": 1000} and tuned["nativeTransport"] == "epoll"
    assert tuned["readFrom"] is None and tuned["connectTimeoutMs"] == 250  # a plain Sentinel connection
    assert tuned["serverRetries"] == 5 and plan["serverRetries"] == 0  # the scenario's api_env, through env_map
    assert "Redis client settings each variant's app answered" in (run_dir / "report.md").read_text()


def test_lettuce_follows_the_failover_and_each_variant_is_measured_against_the_switch(lettuce_run):
    _, summary = lettuce_run
    m = summary["metrics"]
    for variant in ("plan", "tuned"):
        assert m[f"{variant}.requests"] > 100
        # Lettuce reconnected by itself: a request sent after the switch succeeded, within the run
        assert m[f"{variant}.first_ok_after_switch_s"] is not None and m[f"{variant}.first_ok_after_switch_s"] < 15
    # every acknowledged bid was looked up (MySQL and the stream), so the count is a figure, not absent
    assert m["tuned.lost_acked"] is not None and m["plan.lost_acked"] is not None
    # the same Idempotency-Key on every retry: no user action acknowledged as two different bids, and no
    # key answered with two prices (counted from each key's record and each reply's identity)
    assert m["tuned.duplicates_created"] == 0
