"""Every value of a scenario is checked before anything starts (issue 19): one test per rule, each on
a file that breaks that rule only, refused naming file, line and field; and none of it ever ends in
a traceback. No server is started here."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from errors import ConfigError
from harness import scenario as scenarios
from lab.config import ROOT, LabConfig
from lab.spec import NODE_LIMITS

HEAD = "id: t\ntitle: a test scenario\n"  # lines 1-2 of every file below
VARIANT = "load:\n  variants:\n    - "  # the first variant on line 5
FAULT = "faults:\n  - "  # the first fault on line 4


def _load(tmp_path: Path, text: str | bytes) -> scenarios.Scenario:
    path = tmp_path / "bad.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return scenarios.load(str(path))


def refused(tmp_path: Path, text: str | bytes) -> str:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, text)
    return str(err.value)


def assert_only(msg: str, tmp_path: Path, line: int, field: str, why: str) -> None:
    """The one problem of the file, as FILE:LINE: field: why."""
    assert msg.count("\n") == 0, f"more than one problem:\n{msg}"
    assert msg.startswith(f"{tmp_path / 'bad.yaml'}:{line}: {field}: "), msg
    assert why in msg, msg


RULES = {
    # Sentinel timings Redis accepts, and a quorum the Sentinels can reach
    "down_after_ms at least 1": ("stack:\n  sentinel: {down_after_ms: 0}", 4, "stack.sentinel.down_after_ms", ">= 1"),
    "failover_timeout_ms at least 1": ("stack:\n  sentinel: {failover_timeout_ms: -5}", 4,
                                       "stack.sentinel.failover_timeout_ms", ">= 1"),
    "parallel_syncs at least 1": ("stack:\n  sentinel: {parallel_syncs: 0}", 4, "stack.sentinel.parallel_syncs", ">= 1"),
    "quorum at least 1": ("stack:\n  sentinel: {quorum: 0}", 4, "stack.sentinel.quorum", ">= 1"),
    "quorum above the sentinels": ("stack:\n  sentinels: 3\n  sentinel:\n    quorum: 4", 6, "stack.sentinel.quorum",
                                   "4 is more than the 3 Sentinel(s) of this stack: no failover could ever be agreed"),
    "default quorum above one sentinel": ("stack: {sentinels: 1}", 3, "stack.sentinel.quorum", "2 (the default) is more"),
    # the load, within what one Locust process offers
    "users at least 1": ("load: {users: -5}", 3, "load.users", "must be >= 1 (got -5)"),
    "users at most 1000": ("load: {users: 1001, rate_per_user: 1}", 3, "load.users", "must be <= 1000"),
    "offered rate at most 2000/s": ("load: {users: 500, rate_per_user: 5}", 3, "load.rate_per_user",
                                    "2500 requests/s, more than one Locust process offers (2000/s"),
    "spawn_rate above 0": ("load: {spawn_rate: 0}", 3, "load.spawn_rate", "must be > 0"),
    "run_time at least 1 s": ("load: {run_time: 0s}", 3, "load.run_time", "must be >= 1 s"),
    "run_time a duration": ("load: {run_time: soon}", 3, "load.run_time", "not a duration: 'soon'"),
    "rate_per_user above 0": ("load: {rate_per_user: 0}", 3, "load.rate_per_user", "must be > 0"),
    "rate a finite number": ("load: {rate_per_user: .inf}", 3, "load.rate_per_user", "finite number"),
    "bid_weight not negative": ("load: {bid_weight: -1}", 3, "load.bid_weight", "must be >= 0"),
    "weights not both 0": ("load: {bid_weight: 0, redis_weight: 0}", 3, "load.bid_weight", "both 0"),
    "auctions at least 1": ("load: {auctions: 0}", 3, "load.auctions", "must be >= 1"),
    # variants and the service's client
    "variant retries not negative": (VARIANT + "{name: a, retries: -1}", 5, "load.variants[0].retries",
                                     ">= 0"),
    "variant backoff not negative": (VARIANT + "{name: a, backoff_s: -0.5}", 5,
                                     "load.variants[0].backoff_s", ">= 0"),
    "variant same_key a boolean": (VARIANT + "{name: a, same_key: 'yes'}", 5,
                                   "load.variants[0].same_key", "must be true or false, not text 'yes'"),
    "variant names unique": (VARIANT + "{name: a}\n    - {name: a}", 6, "load.variants[1].name",
                             "'a' names two variants"),
    "variant calls an API of the stack": (VARIANT + "{name: a, api: api-2}", 5,
                                          "load.variants[0].api", "'api-2' is not an API node of this stack"),
    "variant a mapping": (VARIANT + "{name: a}\n    - 3", 6, "load.variants[1]", "must be a mapping"),
    "client timeout above 0": ("client: {timeout_s: 0}", 3, "client.timeout_s", "must be > 0"),
    "client retries not negative": ("client: {retries: -1}", 3, "client.retries", "must be >= 0"),
    "client backoff cap not negative": ("client: {backoff_cap_s: -1}", 3, "client.backoff_cap_s", "must be >= 0"),
    "client deadline above 0": ("client: {deadline_s: 0}", 3, "client.deadline_s", "must be > 0"),
    # faults inside the run
    "fault at not negative": (FAULT + "{at: -1, action: kill, target: redis-1}", 4, "faults[0].at",
                              "negative duration"),
    "fault at before the end": ("load: {run_time: 30s}\nfaults:\n  - {at: 30s, action: kill, target: redis-1}", 5,
                                "faults[0].at", "30 s is not before the end of the run (30 s)"),
    "fault duration above 0": (FAULT + "{at: 1s, action: kill, target: redis-1, duration: 0}", 4,
                               "faults[0].duration", "must be > 0 s"),
    "fault one_way a boolean": (FAULT + "{at: 1s, action: cut, target: redis-1, one_way: 'yes'}", 4,
                                "faults[0].one_way", "must be true or false"),
    "fault names unique": (FAULT + "{at: 1s, action: kill, target: redis-1, name: x}\n"
                           "  - {at: 2s, action: kill, target: redis-2, name: x}", 5, "faults[1].name",
                           "'x' already names faults[0]"),
    "fault compare_to names a fault": (FAULT + "{at: 1s, action: mysql_rows, target: mysql-1, compare_to: nope}",
                                       4, "faults[0].compare_to", "'nope' names no fault"),
    # types: whole numbers, text, mappings
    "count not a boolean": ("load: {users: true}", 3, "load.users", "must be a whole number, not a boolean True"),
    "count not a fraction": ("load: {users: 2.5}", 3, "load.users", "must be a whole number, not float 2.5"),
    "count not text": ("stack: {redis: '3'}", 3, "stack.redis", "must be a whole number, not text '3'"),
    "plan_step text": ("plan_step: [a, b]", 3, "plan_step", "must be text, not a list"),
    "group text": ("group: 3", 3, "group", "must be text, not int 3 (quote it)"),
    "description text": ("description: {a: 1}", 3, "description", "must be text, not a mapping"),
    "section a mapping": ("load: [1, 2]", 3, "load", "must be a mapping, not a list"),
    # redis_conf: what the lab owns is refused; values are one line of text
    "redis_conf bind": ("stack:\n  redis_conf: {bind: 0.0.0.0}", 4, "stack.redis_conf.bind", "'bind' is set by the lab"),
    "redis_conf case-insensitive": ("stack:\n  redis_conf: {Protected-Mode: 'no'}", 4,
                                    "stack.redis_conf.Protected-Mode", "is set by the lab"),
    "redis_conf value not a boolean": ("stack:\n  redis_conf: {appendonly: yes}", 4, "stack.redis_conf.appendonly",
                                       "not a boolean True (quote it)"),
    "redis_conf value one line": ("stack:\n  redis_conf: {appendfsync: \"always\\nbind 0.0.0.0\"}", 4,
                                  "stack.redis_conf.appendfsync", "must be one line"),
    "config_set of a lab directive": (FAULT + "{at: 1s, action: config_set, target: redis-1, param: requirepass,"
                                      " value: x}", 4, "faults[0].param", "'requirepass' is set by the lab"),
    # the service's environment: the lab's addresses and passwords are the lab's
    "service_env address": ("stack:\n  service_env: {FAIRBID_REDIS: '127.0.0.1:6379'}", 4,
                            "stack.service_env.FAIRBID_REDIS", "the lab sets FAIRBID_REDIS"),
    "service_env sentinels": ("stack:\n  service_env: {FAIRBID_SENTINELS: '@sentinel-1'}", 4,
                              "stack.service_env.FAIRBID_SENTINELS", "the lab sets FAIRBID_SENTINELS"),
    "service_env password": ("stack:\n  service_env: {FAIRBID_MYSQL_PASSWORD: x}", 4,
                             "stack.service_env.FAIRBID_MYSQL_PASSWORD", "is set by the lab"),
    "service_env master name": ("stack:\n  service_env: {FAIRBID_MASTER_NAME: other}", 4,
                                "stack.service_env.FAIRBID_MASTER_NAME", "is set by the lab"),
    "service_env unknown setting": ("stack:\n  service_env: {FAIRBID_DURABILTY: wait}", 4,
                                    "stack.service_env.FAIRBID_DURABILTY", "unknown setting FAIRBID_DURABILTY"),
    "service_env bad value": ("stack:\n  service_env: {FAIRBID_DURABILITY: wiat}", 4,
                              "stack.service_env.FAIRBID_DURABILITY", "'wiat' is not a valid FAIRBID_DURABILITY"),
    "api_env host": ("stack:\n  api_env:\n    api: {FAIRBID_MYSQL_HOST: 10.0.0.1}", 5,
                     "stack.api_env.api.FAIRBID_MYSQL_HOST", "is set by the lab"),
    "api_env names an API of the stack": ("stack:\n  api_env:\n    api-2: {FAIRBID_DURABILITY: wait}", 5,
                                          "stack.api_env.api-2", "not an API node of this stack"),
    "restart env address": (FAULT + "{at: 1s, action: restart, target: api, env: {FAIRBID_REDIS: '10.0.0.1:6379'}}",
                            4, "faults[0].env.FAIRBID_REDIS", "name a redis node of this stack"),
    "restart env unknown node": (FAULT + "{at: 1s, action: restart, target: api, env: {FAIRBID_REDIS: '@redis-9'}}",
                                 4, "faults[0].env.FAIRBID_REDIS", "'@redis-9'"),
    "restart env node of another kind": (FAULT + "{at: 1s, action: restart, target: api, "
                                         "env: {FAIRBID_REDIS: '@sentinel-1'}}", 4, "faults[0].env.FAIRBID_REDIS",
                                         "name a redis node"),
    "restart env password": (FAULT + "{at: 1s, action: restart, target: api, env: {FAIRBID_MYSQL_PASSWORD: x}}",
                             4, "faults[0].env.FAIRBID_MYSQL_PASSWORD", "is set by the lab"),
    # YAML that is not what it looks like
    "duplicate key": ("load: {users: 5}\nload: {users: 6}", 4, None, "key 'load' given twice (first on line 3)"),
    "key not text": ("stack:\n  on: 1", 4, None, "key 'on' is not text (quote it)"),
    # a Redis Cluster: three shards on the lab's nine cluster addresses, its nodes counted by the cluster
    "cluster shards other than 3": ("stack:\n  cluster: {shards: 2}", 4, "stack.cluster.shards", "must be >= 3"),
    "cluster replicas at most 2": ("stack:\n  cluster: {replicas: 3}", 4, "stack.cluster.replicas", "must be <= 2"),
    "cluster beside a redis count": ("stack:\n  redis: 3\n  cluster: {}", 4, "stack.redis",
                                     "a cluster stack has no redis count of its own"),
    "cluster directive the lab writes": ("stack:\n  cluster: {}\n  redis_conf: {cluster-node-timeout: '9'}", 5,
                                         "stack.redis_conf.cluster-node-timeout", "set by the lab for a cluster stack"),
    "a shard beyond the cluster": ("stack:\n  cluster: {}\nfaults:\n  - {at: 1s, action: kill, target: {role: master, "
                                   "shard: 4}}", 6, "faults[0].target.shard",
                                   "4 is not a shard of this stack (stack.cluster has 3)"),
    "a shard without a cluster": (FAULT + "{at: 1s, action: kill, target: {role: master, shard: 1}}", 4,
                                  "faults[0].target.shard", "no stack.cluster: shards are a cluster's"),
    "a shard that is no number": (FAULT + "{at: 1s, action: kill, target: {role: master, shard: two}}", 4,
                                  "faults[0].target", "'two' is not a shard number"),
}


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_refuses_its_field_naming_file_and_line(tmp_path, rule):
    body, line, field, why = RULES[rule]
    msg = refused(tmp_path, HEAD + body + "\n")
    if field is None:  # refused by the YAML reader, before any field is read
        assert msg == f"{tmp_path / 'bad.yaml'}:{line}: {why}"
    else:
        assert_only(msg, tmp_path, line, field, why)


@pytest.mark.parametrize("kind, count", [(k, lo - 1) for k, (lo, _hi) in NODE_LIMITS.items()]
                         + [(k, hi + 1) for k, (_lo, hi) in NODE_LIMITS.items()])
def test_node_counts_stay_within_what_the_lab_offers(tmp_path, kind, count):
    lo, hi = NODE_LIMITS[kind]
    why = f"must be >= {lo} (got {count})" if count < lo else f"must be <= {hi} (got {count})"
    assert_only(refused(tmp_path, f"{HEAD}stack: {{{kind}: {count}}}\n"), tmp_path, 3, f"stack.{kind}", why)


@pytest.mark.parametrize("text, line, field, why", [
    ("title: t\n", 1, "id", "missing"),
    ("id: ../../etc\ntitle: t\n", 1, "id", "'../../etc' is not an id"),
    ("id: 7\ntitle: t\n", 1, "id", "must be text, not int 7"),
    ("id: t\ntitle: [a, b]\n", 2, "title", "must be text, not a list"),
    ("id: t\ntitle: ''\n", 2, "title", "must not be empty"),
])
def test_id_and_title_are_text(tmp_path, text, line, field, why):
    assert_only(refused(tmp_path, text), tmp_path, line, field, why)


@pytest.mark.parametrize("directive", ["bind", "port", "dir", "dbfilename", "appendfilename", "appenddirname",
                                       "requirepass", "masterauth", "masteruser", "aclfile", "user", "protected-mode",
                                       "rename-command", "unixsocket", "BIND", "Port"])
def test_every_directive_the_lab_owns_is_refused(tmp_path, directive):
    msg = refused(tmp_path, f"{HEAD}stack:\n  redis_conf: {{{directive}: x}}\n")
    assert_only(msg, tmp_path, 4, f"stack.redis_conf.{directive}", "is set by the lab")


def test_persistence_directives_and_a_repoint_at_a_lab_node_stay_free(tmp_path):
    sc = _load(tmp_path, HEAD + "stack:\n  redis_conf: {appendonly: 'yes', appendfsync: always, save: '\"\"'}\n"
                                "  service_env: {FAIRBID_DURABILITY: wait, FAIRBID_WAIT_TIMEOUT_MS: 500}\n"
                                "faults:\n  - {at: 1s, action: restart, target: api, env: {FAIRBID_REDIS: '@redis-2'}}\n"
                                "load: {users: 10.0}\n")
    assert sc.stack.redis_conf == {"appendonly": "yes", "appendfsync": "always", "save": '""'}
    assert sc.stack.service_env["FAIRBID_WAIT_TIMEOUT_MS"] == "500"
    assert sc.faults[0].params["env"] == {"FAIRBID_REDIS": "@redis-2"} and sc.load.users == 10


def test_every_problem_is_reported_at_once_in_file_order(tmp_path):
    msg = refused(tmp_path, HEAD + "stack:\n  sentinels: 3\n  sentinel: {quorum: 4}\n  redis_conf: {bind: 0.0.0.0}\n"
                                   "load: {users: -5, run_time: 0s}\nfaults:\n  - {at: 1s, action: kil, target: redis-1}\n"
                                   "checks:\n  - {metric: failover_ms, at_most: 3}\n")
    lines = msg.splitlines()
    assert lines[0] == f"{tmp_path / 'bad.yaml'}: 6 problems, nothing was started:"
    fields = [x.split(": ")[1] for x in lines[1:]]
    assert fields == ["stack.sentinel.quorum", "stack.redis_conf.bind", "load.users", "load.run_time",
                      "faults[0].action", "checks[0].metric"]


def test_a_file_that_is_not_utf8_text_is_refused(tmp_path):
    msg = refused(tmp_path, HEAD.encode() + b"description: caf\xe9\n")
    offset = len(HEAD) + len("description: caf")
    assert msg == f"{tmp_path / 'bad.yaml'}:3: not UTF-8 text (byte 0xe9 at offset {offset})"


def test_a_binary_file_is_refused_as_not_text(tmp_path):
    msg = refused(tmp_path, HEAD + "description: a\x00b\n")
    assert msg.startswith(f"{tmp_path / 'bad.yaml'}:3: not text: character #x0000")


def test_a_billion_laughs_is_refused_quickly(tmp_path):
    lol = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8))
    t0 = time.monotonic()
    msg = refused(tmp_path, HEAD + lol + "title: *i\n")
    assert time.monotonic() - t0 < 1
    assert "more than 100000 values once its aliases are expanded" in msg and msg.count("\n") == 0


def test_an_alias_inside_itself_and_endless_nesting_are_refused(tmp_path):
    assert "an alias inside itself" in refused(tmp_path, HEAD + "description: &d [*d]\n")
    assert "nested more than 50 deep" in refused(tmp_path, HEAD + "description: " + "[" * 100_000 + "\n")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n", "id: t\ntitle: t\nstack: 3\nload: [1]\nclient: x\n",
                                  "id: t\ntitle: t\nfaults: {at: 1}\nchecks: 3\nexpectation: [1]\n",
                                  "id: t\ntitle: t\nstack: {service_env: [1], api_env: 3, redis_conf: x, sentinel: 1}\n",
                                  "id: t\ntitle: t\nfaults: [3, {at: 1s}, {action: [kill]}, {action: kill, target: [a]}]\n",
                                  "id: t\ntitle: t\nload: {users: 1.0e+400, auctions: 100000000000000000000000000000}\n",
                                  "? [a]\n: 1\n", "id: t\n---\nid: u\n"])
def test_malformed_files_end_in_a_config_error_never_a_traceback(tmp_path, text):
    refused(tmp_path, text)


def test_the_cli_refuses_a_bad_scenario_with_exit_code_2_before_anything_starts(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "load: {users: -5}\nstack:\n  redis_conf: {bind: 0.0.0.0}\n")
    results = tmp_path / "results"
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(results)}
    t0 = time.monotonic()
    # a lab config that does not exist: reading it would be a different error, so the scenario came first
    res = subprocess.run([sys.executable, "-m", "harness.cli", "run", str(bad), "--lab", str(tmp_path / "no-lab.yaml")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert time.monotonic() - t0 < 3
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    assert f"{bad}:3: load.users: must be >= 1" in res.stderr and f"{bad}:5: stack.redis_conf.bind" in res.stderr
    assert "no-lab.yaml" not in res.stderr and res.stdout == "" and not results.exists()


@pytest.mark.parametrize("path", [str(p) for p in scenarios.catalog()] + sorted(str(p) for p in
                                                                                (ROOT / "tests" / "scenarios").glob("*.yaml")),
                         ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_catalog_and_test_scenario_still_validates(path):
    assert scenarios.load(path).checks


def test_node_limits_are_what_the_demo_lab_offers():
    assert {k: lo for k, (lo, _hi) in NODE_LIMITS.items()} == {"redis": 1, "sentinels": 0, "mysql": 1, "consumers": 0,
                                                               "apis": 1}
    assert NODE_LIMITS["consumers"][1] == 8  # no address needed; a sane bound for processes on one machine
    lab = LabConfig.load(ROOT / "conf" / "lab.yaml")
    assert len(lab.cluster_hosts) == 9  # stack.cluster's three shards of a master and two replicas
    offered = {"redis": lab.redis_hosts, "sentinels": lab.sentinel_hosts, "mysql": lab.mysql_hosts, "apis": lab.api_hosts}
    assert {k: NODE_LIMITS[k][1] for k in offered} == {k: len(v) for k, v in offered.items()}
