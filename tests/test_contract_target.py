"""A second service contract needs only its target file (issue 29): the lots service of tests/data (a
login returning a token, offers PUT on a lot by number, a refusal that is a 200 coded in the body, a
reply that names no stored row, a stream of its own layout) on a Redis/Sentinel/MariaDB stack of
containers whose first master alone carries the split-brain guard on its command line, as FairBid's.

Real servers throughout: the fixtures made through the API, the load, a master killed, the writes
looked up by identity in MySQL, the refusals kept out of the failures, the guard's drift measured; a
failed setup step and a consumer that reads nothing each stop or fail the run as they should."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pymysql
import pytest

from observe import verify_keys
from tests import docker_stacks
from tests.conftest import ROOT

docker = pytest.importorskip("docker")
from lab import engine  # noqa: E402 - after the skip: it imports the Docker SDK

pytestmark = pytest.mark.skipif(not engine.answers(), reason="no Docker engine (scripts/docker-engine.sh start)")
REDIS, MARIADB = "fairbid-ha/redis:local", "fairbid-ha/mariadb:local"
NET = "fairbid-contract-test"
NAMES = ("ct-redis-a", "ct-redis-b", "ct-sentinel", "ct-mysql")
DB_PW, ROOT_PW = "ct-db-secret", "ct-root-secret"
SCHEMA = ("CREATE TABLE offers (id BIGINT AUTO_INCREMENT PRIMARY KEY, entry VARCHAR(40) NOT NULL UNIQUE, "
          "lot_no BIGINT NOT NULL, who BIGINT NOT NULL, amt BIGINT NOT NULL);\n")


def _remove_all(client) -> None:
    docker_stacks.remove(client, NAMES, NET)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The stack as a team runs it: the guard on the first master's command line only, no passwords."""
    client = docker.from_env()
    _remove_all(client)
    client.networks.create(NET, driver="bridge")
    folder = tmp_path_factory.mktemp("contract")
    (folder / "schema.sql").write_text(SCHEMA)
    run = dict(detach=True, network=NET)
    redis_cmd = "mkdir -p /data && exec redis-server --dir /data --protected-mode no "
    a = client.containers.run(REDIS, name="ct-redis-a", **run, command=[
        "sh", "-c", redis_cmd + "--min-replicas-to-write 1 --min-replicas-max-lag 5"])
    ip_a = docker_stacks.ip(a, NET)
    client.containers.run(REDIS, name="ct-redis-b", **run, command=["sh", "-c", redis_cmd + f"--replicaof {ip_a} 6379"])
    conf = "\\n".join(["protected-mode no", f"sentinel monitor lots {ip_a} 6379 1",
                       "sentinel down-after-milliseconds lots 2000", "sentinel failover-timeout lots 5000"])
    sentinel = client.containers.run(REDIS, name="ct-sentinel", **run, command=[
        "sh", "-c", f"mkdir -p /data && printf '{conf}\\n' > /data/s.conf && exec redis-sentinel /data/s.conf"])
    mysql = client.containers.run(
        MARIADB, name="ct-mysql", **run, entrypoint=["sh", "/conf/mysql-entrypoint.sh"], command=["mysqld"],
        environment={"MYSQL_ROOT_PASSWORD": ROOT_PW, "MYSQL_DATABASE": "lots", "MYSQL_USER": "lots",
                     "MYSQL_PASSWORD": DB_PW},
        volumes={str(ROOT / "conf" / "mysql-entrypoint.sh"): {"bind": "/conf/mysql-entrypoint.sh", "mode": "ro"},
                 str(folder / "schema.sql"): {"bind": "/docker-entrypoint-initdb.d/10-schema.sql", "mode": "ro"}})
    facts = {"folder": folder, "sentinel": f"{docker_stacks.ip(sentinel, NET)}:26379",
             "mysql": docker_stacks.ip(mysql, NET), "port": docker_stacks.free_port()}
    _wait_mysql(facts["mysql"])
    yield facts
    _remove_all(client)


def _wait_mysql(host: str, tries: int = 120) -> None:
    import time
    for _ in range(tries):  # bounded: about 60 s
        try:
            pymysql.connect(host=host, user="lots", password=DB_PW, database="lots", connect_timeout=1).close()
            return
        except pymysql.MySQLError:
            time.sleep(0.5)
    raise AssertionError(f"MariaDB at {host} did not answer")


def _target(stack, name: str = "lots", setup_path: str = "/v2/lots", consumer: str = "on") -> str:
    path = stack["folder"] / f"{name}.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: {name}
        nodes:
          redis-a: {{kind: redis, as: redis-1, container: ct-redis-a}}
          redis-b: {{kind: redis, as: redis-2, container: ct-redis-b}}
          sentinel: {{kind: sentinel, as: sentinel-1, container: ct-sentinel}}
          db: {{kind: mysql, as: mysql-1, container: ct-mysql}}
          lots:
            kind: app
            as: api
            port: {stack['port']}
            process:
              command: "{sys.executable} -u tests/data/lots_service.py"
              cwd: {ROOT}
              env: {{LOTS_PORT: "{stack['port']}", SENTINELS: "{{sentinels}}", MASTER_NAME: lots,
                     MYSQL_HOST: "{{host:db}}", MYSQL_PORT: "{{port:db}}", MYSQL_USER: lots, MYSQL_DB: lots,
                     LOTS_CONSUMER: "{consumer}"}}
              ready: {{path: /ready, status: [200], timeout_s: 30}}
        sentinel: {{master_name: lots}}
        setup:
          - {{name: lots, repeat: 4, path: "{setup_path}", body: {{floor: 100}}, expect: [201],
             capture: {{lot: lot.number}}}}
        users:
          from: 1
          to: 40
          login: {{path: /v2/session, body: {{name: "{{user}}"}}, capture: {{token: session.token}}}}
        bid:
          url: "http://127.0.0.1:{stack['port']}"
          method: PUT
          path: "/v2/lots/{{lot}}/offers"
          headers: {{Authorization: "Bearer {{token}}"}}
          bodies: [{{weight: 3, body: {{price: "{{amount}}"}}}}, {{weight: 1, body: {{price: auto}}}}]
          amount: {{min: 101, max: 400000}}
          not_stored: [400, 401, 404]
          refusals: [{{status: 200, code: result, in: [REJECTED]}}]
          identity:
            lot_no: {{reply: offer.lot, sent: "{{lot}}"}}
            who: {{reply: offer.by, sent: "{{user}}"}}
            amt: {{reply: offer.price, sent: "{{amount}}"}}
        verify:
          mysql: {{node: db, user: lots, password_env: LOTS_DB_PASSWORD, database: lots,
                   key_query: "SELECT lot_no, who, amt FROM offers WHERE (lot_no, who, amt) IN ({{keys}})",
                   count_query: "SELECT COUNT(*) FROM offers"}}
        stream: {{key: offers-log, group: offer-writers, key_fields: {{lot_no: lot, who: who, amt: amt}}}}
        """))
    return str(path)


def _run(target: str, results) -> tuple[subprocess.CompletedProcess, list]:
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(results), "LOTS_DB_PASSWORD": DB_PW, "MYSQL_PASSWORD": DB_PW}
    res = subprocess.run([sys.executable, "-m", "harness.cli", "run", "tests/scenarios/contract-failover.yaml",
                          "--lab", "tests/lab.e2e.yaml", "--target", target], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    return res, sorted(results.glob("*-contract-failover"))


@pytest.fixture(scope="module")
def contract_run(stack, tmp_path_factory):
    res, runs = _run(_target(stack), tmp_path_factory.mktemp("contract-run"))
    assert runs, res.stdout[-3000:] + res.stderr[-3000:]
    return runs[-1], res


def _summary(run_dir) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def test_the_second_contract_runs_from_its_target_file_alone(contract_run):
    run_dir, res = contract_run
    meta, s = json.loads((run_dir / "run.json").read_text()), _summary(run_dir)
    m = s["metrics"]
    assert meta["setup"]["pools"]["lot"]["size"] == 4, meta.get("setup")
    hist = pd.read_csv(run_dir / "history.csv", keep_default_na=False, dtype=str)
    logins = hist[hist["op"] == "login"]
    assert len(logins) >= 1 and (logins["outcome"] == "ok").all()
    ok = hist[(hist["op"] == "bid") & (hist["outcome"] == "ok")]
    assert len(ok) > 20 and (ok["write_key"] != "").all() and (ok["bid_id"] == "").all()
    v = json.loads((run_dir / "verify.json").read_text())
    assert v["keyed"] and v["mysql_checked"] and v["identity"] == ["lot_no", "who", "amt"]
    assert m["acked_bids"] == len(ok) and m["lost_acked_writes"] is not None, s["absent"].get("lost_acked_writes")
    assert m["failover_s"] is not None and m["failed_requests"] > 0, res.stdout[-2000:]


def test_refusals_are_counted_by_code_and_kept_out_of_the_failures(contract_run):
    run_dir, _ = contract_run
    m = _summary(run_dir)["metrics"]
    hist = pd.read_csv(run_dir / "history.csv", keep_default_na=False, dtype=str)
    refused = hist[(hist["op"] == "bid") & (hist["outcome"] == "refused")]
    assert len(refused) > 0 and set(refused["error"]) == {"REJECTED"} and set(refused["status"]) == {"200"}
    assert m["business_refusals"] == len(refused) and m["refusals.REJECTED"] == len(refused)
    req = pd.read_csv(run_dir / "requests.csv", keep_default_na=False, dtype=str)
    failed = req[req["exception"] != ""]
    assert m["failed_requests"] == len(failed)
    assert not failed["exception"].str.contains("REJECTED").any()  # a refusal is never a failure
    answered = ~hist["error"].str.startswith("interrupted")  # in flight at the stop: not a Locust request
    unknown_or_failed = hist[(hist["op"] == "bid") & hist["outcome"].isin(["unknown", "fail"]) & answered]
    assert len(failed) == len(unknown_or_failed)


def test_unknown_writes_are_resolved_by_identity_or_counted_unresolvable(contract_run):
    run_dir, _ = contract_run
    m, v = _summary(run_dir)["metrics"], json.loads((run_dir / "verify.json").read_text())
    hist = pd.read_csv(run_dir / "history.csv", keep_default_na=False, dtype=str)
    # the writes in flight at the load's stop are looked up with the unknown ones (runfiles.MAYBE_STORED)
    unknown = hist[(hist["op"] == "bid") & hist["outcome"].isin(["unknown", "interrupted_at_stop"])]
    keyless = int((unknown["write_key"] == "").sum())
    assert v["unknown_unresolvable"] == keyless == m["unknown_unresolvable"]
    assert len(v["unknown_landed"]) + len(v["unknown_lost"]) == len(unknown) - keyless


def test_the_guard_on_the_first_masters_command_line_is_gone_after_the_failover(contract_run):
    run_dir, _ = contract_run
    m = _summary(run_dir)["metrics"]
    assert m["config_drift"] == 2 and m["config_drift.master"] == "redis-1 -> redis-2", m
    assert m["config_drift.min-replicas-to-write"] == "1 -> 0" and m["config_drift.min-replicas-max-lag"] == "5 -> 10"


def test_tuple_verification_finds_a_row_deleted_after_acknowledgement(contract_run, stack):
    run_dir, _ = contract_run
    hist = pd.read_csv(run_dir / "history.csv", keep_default_na=False, dtype=str)
    acked = verify_keys.keys(hist, ("ok",))
    conn = pymysql.connect(host=stack["mysql"], user="lots", password=DB_PW, database="lots", autocommit=True)
    query = "SELECT lot_no, who, amt FROM offers WHERE (lot_no, who, amt) IN ({keys})"
    try:
        before = verify_keys.judge(acked, [], verify_keys.mysql_rows(conn, query, acked), "mysql")
        victim = acked[len(acked) // 2]
        with conn.cursor() as cur:
            cur.execute("DELETE FROM offers WHERE lot_no = %s AND who = %s AND amt = %s LIMIT 1", victim)
        after = verify_keys.judge(acked, [], verify_keys.mysql_rows(conn, query, acked), "mysql")
    finally:
        conn.close()
    assert len(after["missing_in_mysql"]) == len(before["missing_in_mysql"]) + 1
    assert json.dumps(list(victim)) in after["missing_in_mysql"]


def test_a_failed_setup_step_stops_the_run_before_any_fault(stack, tmp_path):
    res, runs = _run(_target(stack, name="lots-badsetup", setup_path="/v2/nowhere"), tmp_path)
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "setup step 'lots'" in out and "HTTP 404" in out, out[-3000:]
    assert not any((r / "faults.jsonl").exists() for r in runs)  # no fault was ever scheduled


def test_a_consumer_that_reads_nothing_fails_the_stream_check(stack, tmp_path):
    res, runs = _run(_target(stack, name="lots-silent", consumer="off"), tmp_path)
    assert runs, res.stdout[-3000:] + res.stderr[-3000:]
    s = _summary(runs[-1])
    backlog = next(c for c in s["checks"] if c["metric"] == "backlog_at_end")
    assert not backlog["passed"] and backlog["actual"] > 0 and not s["passed"]
    assert s["metrics"]["consumption_resumed_s"] is None
