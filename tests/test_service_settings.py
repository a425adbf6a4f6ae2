"""The harness's service settings (lab/service_settings.py) are named in its own words: the stand-in's
adapter (lab/standin_env.py) is the one place they become FAIRBID_* names, and a team's service gets
them only through its target file's env_map, in its own variables and units. No lab, no server."""
from __future__ import annotations

import textwrap

import pytest

from harness import scenario, target_check, target_file
from lab import standin_env
from lab.service_settings import SETTINGS
from lab.spec import CLIENT_ENV, LAB_ENV, REPOINT_ENV, StackSpec
from lab.target import TargetLab, untaken
from tests.conftest import ROOT


def test_every_setting_is_a_variable_of_the_stand_in_and_back():
    assert {standin_env.variable(s) for s in SETTINGS} == set(standin_env.VARIABLES)
    assert all(standin_env.setting(standin_env.variable(s)) == s for s in SETTINGS)
    assert standin_env.variable("claim_idle_ms") == "FAIRBID_CLAIM_IDLE_MS"
    assert all(SETTINGS[s].unit and SETTINGS[s].meaning for s in SETTINGS)
    with pytest.raises(KeyError):
        standin_env.variable("FAIRBID_CLAIM_IDLE_MS")  # the stand-in's name is no setting of the harness's
    assert standin_env.setting("claim_idle_ms") is None and standin_env.setting("FAIRBID_NOPE") is None


def test_the_scenario_rules_name_the_stand_in_variables_of_known_settings():
    assert all(standin_env.setting(v) for v in (*LAB_ENV, *REPOINT_ENV, *CLIENT_ENV.values()))


def test_a_scenario_env_is_read_as_the_harness_settings_and_what_is_none_left_out():
    env = {"FAIRBID_CLAIM_IDLE_MS": "5000", "FAIRBID_CLAIM_INTERVAL_S": "2", "JAVA_OPTS": "-Xmx1g", "claim_idle_ms": "1"}
    assert standin_env.as_settings(env) == {"claim_idle_ms": "5000", "claim_interval_s": "2"}
    assert standin_env.environment({"sentinels": "127.0.0.1:26379"}) == {"FAIRBID_SENTINELS": "127.0.0.1:26379"}


TARGET = """\
name: settings-test-{n}
nodes:
  r1: {{kind: redis, as: redis-1, container: r1}}
  r2: {{kind: redis, as: redis-2, container: r2}}
  r3: {{kind: redis, as: redis-3, container: r3}}
  s1: {{kind: sentinel, as: sentinel-1, container: s1}}
  s2: {{kind: sentinel, as: sentinel-2, container: s2}}
  s3: {{kind: sentinel, as: sentinel-3, container: s3}}
  db: {{kind: mysql, as: mysql-1, container: db}}
  app: {{kind: app, as: api, container: app}}
  worker-1: &worker
    kind: consumer
    as: consumer-1
    process:
      command: ./worker
      env_map:
        claim_interval_s: {{var: CLAIM_EVERY_MS, scale: 1000}}
        redis_timeout_s: REDIS_TIMEOUT
        {idle}
        ack_delay_ms: null
  worker-2:
    <<: *worker
    as: consumer-2
bid: {{url: "http://127.0.0.1:8080"}}
"""


def _lab(tmp_path, idle: str = "", n: int = 1) -> tuple[scenario.Scenario, TargetLab]:
    path = tmp_path / "target.yaml"
    path.write_text(TARGET.format(n=n, idle=idle or "mysql_timeout_s: null"))
    sc = scenario.load("stream-3")  # service_env FAIRBID_CLAIM_IDLE_MS, FAIRBID_CLAIM_INTERVAL_S; restart env ACK_DELAY
    return sc, TargetLab(target_file.load(path), sc.stack)


def test_a_scenario_on_a_target_is_refused_a_setting_its_env_map_does_not_map(tmp_path):
    sc, lab = _lab(tmp_path)
    found = target_check.problems(sc, lab, live=False)
    assert found == ["stack.service_env.FAIRBID_CLAIM_IDLE_MS: no process the harness starts maps it "
                     "(process.env_map: claim_idle_ms); an adopted container runs with its own settings"]
    _, mapped = _lab(tmp_path, "claim_idle_ms: CLAIM_IDLE", n=2)
    assert target_check.problems(sc, mapped, live=False) == []


def test_a_restart_env_a_process_cannot_take_is_named_as_the_scenario_wrote_it(tmp_path):
    _, lab = _lab(tmp_path)
    spec = lab.target.node("consumer-1").process
    assert untaken(spec, {"FAIRBID_ACK_DELAY_MS": "5", "FAIRBID_CLAIM_INTERVAL_S": "1"}) == []  # null: taken, dropped
    assert untaken(spec, {"FAIRBID_MAX_DELIVERIES": "2", "JAVA_OPTS": "x"}) == [
        "FAIRBID_MAX_DELIVERIES (max_deliveries)", "JAVA_OPTS"]
    assert lab.unmapped("consumer-1", {"FAIRBID_CLAIM_IDLE_MS": "5"}) == ["FAIRBID_CLAIM_IDLE_MS (claim_idle_ms)"]


def test_a_process_gets_the_settings_in_its_own_variables_and_units_and_the_plan_says_so(tmp_path):
    _, lab = _lab(tmp_path, "claim_idle_ms: CLAIM_IDLE", n=3)
    spec = lab.target.node("consumer-1").process
    assert lab.settings() == {"redis_timeout_s": "3", "redis_retries": "3", "redis_backoff_cap_s": "0.5",
                              "claim_idle_ms": "5000", "claim_interval_s": "2"}
    assert spec.variables(lab.settings()) == {"REDIS_TIMEOUT": "3", "CLAIM_IDLE": "5000", "CLAIM_EVERY_MS": "2000"}
    assert [spec.value("claim_interval_s", v) for v in ("0.25", "0.0005")] == ["250", "0.5"]
    assert spec.value("claim_idle_ms", "7") == "7"  # no scale: as given
    container = {"kind": "redis", "port": 6379, "container": "r1", "container_id": "0123456789abcdef", "host": "10.0.0.2"}
    lab.nodes = {"redis-1": container, "consumer-1": {"kind": "consumer", "port": None, "owned": True}}
    assert lab.plan()[1:] == [
        "consumer-1  <- worker-1 (consumer): host process './worker' (started by the harness), no address",
        "               given as its own: CLAIM_IDLE=5000 (claim_idle_ms), CLAIM_EVERY_MS=2000 (claim_interval_s 2 s), "
        "REDIS_TIMEOUT=3 (redis_timeout_s)"]
    sc = scenario.load("stream-2-2")
    lab.spec = StackSpec(service_env={**sc.stack.service_env, "FAIRBID_ACK_DELAY_MS": "200"})
    assert lab.plan()[-1] == "               not applied (the service has no such setting): ack_delay_ms"


def test_the_target_file_takes_the_harness_names_or_the_stand_in_ones(tmp_path):
    text = textwrap.dedent("""\
        name: t
        nodes:
          r1: {kind: redis, as: redis-1, container: r1}
          app: {kind: app, as: api, container: app}
          c: {kind: consumer, as: consumer-1, process: {command: x, env_map: {claim_idle_ms: A, FAIRBID_ACK_DELAY_MS: B}}}
        bid: {url: "http://127.0.0.1:8080"}
        """)
    (tmp_path / "target.yaml").write_text(text)
    spec = target_file.load(tmp_path / "target.yaml").node("consumer-1").process
    assert spec.env_map == {"claim_idle_ms": "A", "ack_delay_ms": "B"}


def test_the_settings_docs_own_stack_lists_are_the_harness_settings_as_it_names_them():
    rows = [line.split(" | ") for line in (ROOT / "docs" / "own-stack.md").read_text().splitlines()
            if line.startswith("| `")]
    assert len(rows) >= 10
    for name, unit, meaning in rows:
        setting = SETTINGS[name.strip("| `")]
        assert unit.replace("\\|", "|") == setting.unit and setting.meaning.startswith(meaning.rstrip(" |")), name


APPS = """\
name: apps-test-{n}
nodes:
  r1: {{kind: redis, as: redis-1, container: r1}}
  r2: {{kind: redis, as: redis-2, container: r2}}
  r3: {{kind: redis, as: redis-3, container: r3}}
  s1: {{kind: sentinel, as: sentinel-1, container: s1}}
  s2: {{kind: sentinel, as: sentinel-2, container: s2}}
  s3: {{kind: sentinel, as: sentinel-3, container: s3}}
  db: {{kind: mysql, as: mysql-1, container: db}}
  a1: &app
    kind: app
    as: api
    port: 18090
    process:
      command: ./app
      env_map: {{redis_timeout_s: {{var: CMD_TIMEOUT_MS, scale: 1000}}, redis_deadline_s: null{retries}}}
      client_settings: /internal/redis-client
  a2: {{<<: *app, as: api-2, port: 18091}}
  a3: {{<<: *app, as: api-3, port: 18092}}
bid: {{url: "http://127.0.0.1:18090", path: /bids}}
"""


def _apps(tmp_path, retries: str = "", n: int = 1) -> tuple[scenario.Scenario, TargetLab]:
    path = tmp_path / f"apps-{n}.yaml"
    path.write_text(APPS.format(n=n, retries=retries))
    sc = scenario.load("redis-5-lettuce")  # api_env per app: FAIRBID_REDIS_TIMEOUT_S and FAIRBID_REDIS_RETRIES
    return sc, TargetLab(target_file.load(path), sc.stack)


def test_each_app_of_a_target_gets_its_own_settings_address_and_settings_url(tmp_path):
    sc, lab = _apps(tmp_path, ", redis_retries: RETRIES")
    assert target_check.problems(sc, lab, live=False) == []
    assert {n: lab.target.node(n).process.variables(lab.settings(n)) for n in ("api", "api-2", "api-3")} == {
        "api": {"CMD_TIMEOUT_MS": "60000", "RETRIES": "0"}, "api-2": {"CMD_TIMEOUT_MS": "3000", "RETRIES": "0"},
        "api-3": {"CMD_TIMEOUT_MS": "1000", "RETRIES": "5"}}
    lab.nodes = {
        name: {"kind": "api", "host": "127.0.0.1", "port": port, "owned": True}
        for name, port in (("api", 18090), ("api-2", 18091), ("api-3", 18092))}
    assert [lab.url(n) for n in ("api", "api-2", "api-3")] == [
        "http://127.0.0.1:18090", "http://127.0.0.1:18091", "http://127.0.0.1:18092"]
    assert lab.client_settings_urls()["api-3"] == "http://127.0.0.1:18092/internal/redis-client"


def test_a_per_app_setting_no_env_map_maps_is_refused_before_anything_starts(tmp_path):
    sc, lab = _apps(tmp_path, n=2)
    assert target_check.problems(sc, lab, live=False) == [
        f"stack.api_env.{api}: a{i} maps no variable for FAIRBID_REDIS_RETRIES (redis_retries) (process.env_map)"
        for i, api in ((1, "api"), (2, "api-2"), (3, "api-3"))]


def test_separate_consumers_asked_of_a_target_that_consumes_inside_its_apps_are_refused(tmp_path):
    _, lab = _apps(tmp_path, ", redis_retries: RETRIES", n=3)
    found = target_check.problems(scenario.load("stream-2"), lab, live=False)  # two consumers, one killed
    assert "stack.consumers 2: the target names no consumer node (its apps consume inside); a scenario that " \
           "needs separate consumers needs a target that names them" in found
