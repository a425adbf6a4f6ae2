"""A Redis Cluster's own failover timeline, without a server: CLUSTER NODES texts parsed, two polls
of one node diffed into records, the poller's connected / disconnected records from a scripted
client, and the analysis reading the cluster's events beside Sentinel's (metrics, evidence, words)."""
from __future__ import annotations

import csv
import json
import time

import gevent
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

import runfiles as rf
from analysis import plots
from analysis.evidence import sentinel_gap
from analysis.load import load_run
from analysis.metrics import measure, switch_events
from analysis.report import build
from analysis.results_words import Fig, errors_vs_switch, generic_happened
from observe import cluster_events
from observe.cluster_events import ClusterObserver, parse_cluster_nodes

ID = {n: str(n) * 40 for n in range(1, 7)}  # node ids: 40 characters
ADDR = {n: f"127.0.70.{n}:7000" for n in range(1, 7)}
NODES = {f"redis-{n}": (f"127.0.70.{n}", 7000) for n in range(1, 7)}
PONG = "1700000000000"


def view(myself: int, lines: dict[int, str]) -> str:
    """CLUSTER NODES as node `myself` answers it: `lines` {node: "<flags> <master-id> <ping> <epoch>
    <link> [slots]"}, the rest of each line (id, address, pong) filled in."""
    out = []
    for n, rest in lines.items():
        flags, master, ping, *tail = rest.split(" ")
        flags = f"myself,{flags}" if n == myself else flags
        master = ID[int(master)] if master.isdigit() else master
        out.append(" ".join([ID[n], f"{ADDR[n]}@17000", flags, master, ping, PONG, *tail]))
    return "\n".join(out) + "\n"


HEALTHY = {1: "master - 0 1 connected 0-5460", 2: "master - 0 2 connected 5461-10922",
           3: "master - 0 3 connected 10923-16383", 4: "slave 1 0 1 connected", 5: "slave 2 0 2 connected",
           6: "slave 3 0 3 connected"}
PFAIL = {**HEALTHY, 1: "master,fail? - 1700000000500 1 disconnected 0-5460"}
FAILED_OVER = {**HEALTHY, 1: "master,fail - 1700000000500 1 disconnected", 4: "master - 0 7 connected 0-5460"}
REJOINED = {**FAILED_OVER, 1: "slave 4 0 7 connected"}


# ---- the parser -------------------------------------------------------------------------------------
def test_a_healthy_six_node_view_parses_into_three_masters_and_their_replicas():
    nodes = parse_cluster_nodes(view(2, HEALTHY))
    assert len(nodes) == 6
    assert [nodes[ID[n]].role for n in range(1, 7)] == ["master"] * 3 + ["replica"] * 3
    me = nodes[ID[2]]
    assert "myself" in me.flags and me.addr == "127.0.70.2:7000" and me.slots == ("5461-10922",)
    assert nodes[ID[4]].master_id == ID[1] and nodes[ID[1]].master_id is None
    assert nodes[ID[6]].config_epoch == 3 and nodes[ID[6]].link_state == "connected"
    assert not any(n.pfail or n.fail for n in nodes.values())


def test_a_master_suspected_by_one_node_is_pfail_not_fail():
    one = parse_cluster_nodes(view(2, PFAIL))[ID[1]]
    assert one.pfail and not one.fail and one.role == "master" and one.link_state == "disconnected"


def test_a_failed_master_and_its_promoted_replica():
    nodes = parse_cluster_nodes(view(2, FAILED_OVER))
    old, new = nodes[ID[1]], nodes[ID[4]]
    assert old.fail and not old.pfail and old.role == "master" and old.slots == ()
    assert new.role == "master" and new.master_id is None and new.config_epoch == 7 and new.slots == ("0-5460",)


def test_addresses_with_a_hostname_or_redis_7_2_fields_and_lines_that_are_no_node():
    text = (f"{ID[1]} 127.0.70.1:7000@17000,redis-1 master - 0 {PONG} 1 connected 0-5460\n"
            f"{ID[2]} 127.0.70.2:7000@17000,,shard-id=ab12 slave {ID[1]} 0 {PONG} 1 connected\n"
            f"{ID[3]} :0@0 master,noaddr - 0 0 0 disconnected\n"
            "garbage line\n\n")
    nodes = parse_cluster_nodes(text.encode())
    assert set(nodes) == {ID[1], ID[2], ID[3]}
    assert (nodes[ID[1]].addr, nodes[ID[1]].hostname) == ("127.0.70.1:7000", "redis-1")
    assert (nodes[ID[2]].addr, nodes[ID[2]].hostname) == ("127.0.70.2:7000", "")
    assert nodes[ID[3]].addr == ":0" and "noaddr" in nodes[ID[3]].flags


# ---- the diff ---------------------------------------------------------------------------------------
def _diff(observer: str, myself: int, before: dict, after: dict) -> list[tuple[str, str]]:
    obs = ClusterObserver(NODES, password=None)
    return obs.diff(parse_cluster_nodes(view(myself, before)), parse_cluster_nodes(view(myself, after)), observer)


def test_a_kill_seen_from_one_node_pfail_fail_promoted_then_the_old_master_rejoins_demoted():
    assert _diff("redis-2", 2, HEALTHY, HEALTHY) == []
    assert _diff("redis-2", 2, HEALTHY, PFAIL) == [("+pfail", "master redis-1 127.0.70.1:7000 epoch 1")]
    assert _diff("redis-2", 2, PFAIL, FAILED_OVER) == [
        ("-pfail", "master redis-1 127.0.70.1:7000 epoch 1"), ("+fail", "master redis-1 127.0.70.1:7000 epoch 1"),
        ("+promoted", "replica redis-4 127.0.70.4:7000 epoch 7")]
    assert _diff("redis-2", 2, FAILED_OVER, REJOINED) == [
        ("-fail", "master redis-1 127.0.70.1:7000 epoch 7"), ("+demoted", "master redis-1 127.0.70.1:7000 epoch 7")]


def test_a_node_names_its_own_change_and_an_unknown_address_is_named_by_its_id():
    # the old master back from its kill: its own view says master, then replica of the new master
    restarted = {**REJOINED, 1: "master - 0 1 connected 0-5460"}
    assert _diff("redis-1", 1, restarted, REJOINED) == [("+demoted", "master redis-1 127.0.70.1:7000 epoch 7")]
    obs = ClusterObserver({"redis-1": NODES["redis-1"]}, password=None)
    before = parse_cluster_nodes(view(1, {1: HEALTHY[1], 4: HEALTHY[4]}))
    after = parse_cluster_nodes(view(1, {1: HEALTHY[1], 4: "master - 0 7 connected 0-5460"}))
    assert obs.diff(before, after, "redis-1") == [("+promoted", f"replica {ID[4]} 127.0.70.4:7000 epoch 7")]


def test_a_node_new_in_a_view_starts_from_what_the_poll_saw():
    without = {n: line for n, line in PFAIL.items() if n != 1}
    assert _diff("redis-2", 2, without, PFAIL) == []  # its first sight: no +pfail claimed


# ---- the poller: records from a scripted client -------------------------------------------------------
class Scripted:
    """A client whose CLUSTER NODES answers come from a script (a text, or an exception to raise);
    the last answer repeats once the script is used up."""

    def __init__(self, script: list):
        self.script, self.polls = script, 0

    def execute_command(self, *args):
        assert args == ("CLUSTER", "NODES")
        self.polls += 1
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step

    def close(self):
        pass


def test_the_poller_records_changes_connects_and_disconnects_once(tmp_path, monkeypatch):
    down = RedisConnectionError("Error 111 connecting to 127.0.70.2:7000. Connection refused.")
    scripts = {("127.0.70.2", 7000): [view(2, HEALTHY), view(2, PFAIL), view(2, PFAIL), down, down,
                                      view(2, FAILED_OVER), view(2, REJOINED)],
               ("127.0.70.3", 7000): [view(3, HEALTHY), view(3, PFAIL), view(3, FAILED_OVER)],
               **{NODES[f"redis-{n}"]: [view(n, HEALTHY)] for n in (1, 4, 5, 6)}}  # unchanged views
    clients, polls = {}, {where: len(script) for where, script in scripts.items()}

    def redis_at(host, port, timeout=0.5, password=None):
        assert timeout == 0.5 and password == "pw"
        clients[(host, port)] = clients.get((host, port)) or Scripted(scripts[(host, port)])
        return clients[(host, port)]

    monkeypatch.setattr(cluster_events.clients, "redis_at", redis_at)
    obs = ClusterObserver(NODES, password="pw", interval_s=0.001)
    obs.start(tmp_path)
    assert obs.ready(timeout_s=2)
    deadline = time.monotonic() + 5
    while any(clients[where].polls < n for where, n in polls.items()) and time.monotonic() < deadline:
        gevent.sleep(0.01)
    obs.stop()
    got = [(e.sentinel, e.event, e.data) for e in rf.read_events(tmp_path)]
    assert {who for who, event, _ in got if event != "observer-connected"} == {"127.0.70.2:7000", "127.0.70.3:7000"}
    two = [(event, data) for who, event, data in got if who == "127.0.70.2:7000"]
    three = [(event, data) for who, event, data in got if who == "127.0.70.3:7000"]
    assert two == [("observer-connected", None), ("+pfail", "master redis-1 127.0.70.1:7000 epoch 1"),
                   ("observer-disconnected", f"ConnectionError: {down}"),
                   ("observer-connected", None),  # its view after the gap only sets the state: no +fail stamped now
                   ("-fail", "master redis-1 127.0.70.1:7000 epoch 7"),
                   ("+demoted", "master redis-1 127.0.70.1:7000 epoch 7")]
    assert three == [("observer-connected", None), ("+pfail", "master redis-1 127.0.70.1:7000 epoch 1"),
                     ("-pfail", "master redis-1 127.0.70.1:7000 epoch 1"),
                     ("+fail", "master redis-1 127.0.70.1:7000 epoch 1"),
                     ("+promoted", "replica redis-4 127.0.70.4:7000 epoch 7")]
    times = [e.t_ms for e in rf.read_events(tmp_path) if e.sentinel == "127.0.70.3:7000"]
    assert times == sorted(times)


def test_a_node_never_reached_leaves_no_record_and_is_not_ready(tmp_path, monkeypatch):
    def redis_at(host, port, timeout=0.5, password=None):
        return Scripted([RedisConnectionError("refused")])

    monkeypatch.setattr(cluster_events.clients, "redis_at", redis_at)
    obs = ClusterObserver({"redis-1": ("127.0.70.1", 7000)}, password=None, interval_s=0.001, max_s=0.05)
    obs.start(tmp_path)
    assert obs.ready(timeout_s=0.1) is False
    obs.stop()
    assert rf.read_events(tmp_path) == []


# ---- the analysis: a cluster run's events beside Sentinel's ---------------------------------------------
T0 = 1_700_000_000_000.0
FAULT = T0 + 10_000
HEAL = FAULT + 20_000
OBSERVERS = [ADDR[n] for n in range(1, 7)]
MASTER = "master redis-1 127.0.70.1:7000 epoch 1"
PROMOTED = "replica redis-4 127.0.70.4:7000 epoch 7"


def cluster_events_of_a_kill(extra: list[dict] = ()) -> list[dict]:
    """redis-1 (a master) killed at FAULT, its replica redis-4 promoted, redis-1 back at HEAL as a replica."""
    ev = [{"t_ms": T0 + i, "sentinel": a, "event": "observer-connected"} for i, a in enumerate(OBSERVERS)]
    ev.append({"t_ms": FAULT - 4000, "sentinel": ADDR[2], "event": "+pfail", "data": "replica redis-5 127.0.70.5:7000 "
               "epoch 2"})  # a replica's blip before the fault: no detection of the master
    ev.append({"t_ms": FAULT - 3900, "sentinel": ADDR[2], "event": "-pfail", "data": "replica redis-5 127.0.70.5:7000 "
               "epoch 2"})
    ev.append({"t_ms": FAULT + 15, "sentinel": ADDR[1], "event": "observer-disconnected", "data": "ConnectionError"})
    for i, n in enumerate(range(2, 7)):  # the five nodes still up each see it
        ev.append({"t_ms": FAULT + 1040 + 30 * i, "sentinel": ADDR[n], "event": "+pfail", "data": MASTER})
        ev.append({"t_ms": FAULT + 1500 + 20 * i, "sentinel": ADDR[n], "event": "+fail", "data": MASTER})
        ev.append({"t_ms": FAULT + 2230 + 40 * i, "sentinel": ADDR[n], "event": "+promoted", "data": PROMOTED})
    ev.append({"t_ms": HEAL + 300, "sentinel": ADDR[1], "event": "observer-connected"})
    ev.append({"t_ms": HEAL + 500, "sentinel": ADDR[1], "event": "+demoted", "data": "master redis-1 127.0.70.1:7000 "
               "epoch 7"})  # its own view: master from nodes.conf, then a replica of redis-4
    ev.append({"t_ms": HEAL + 900, "sentinel": ADDR[1], "event": "+promoted", "data": PROMOTED})  # catching up
    return sorted([*ev, *extra], key=lambda e: e["t_ms"])


def write_cluster_run(d, events: list[dict], stack: dict | None = None, requests=None) -> None:
    d.mkdir(exist_ok=True)
    (d / "run.json").write_text(json.dumps({
        "run_id": d.name, "scenario": "cluster-kill", "title": "t", "plan_step": "p", "backend": "local",
        "config": {"stack": stack or {"sentinels": 0, "cluster": {"shards": 3, "replicas": 1, "node_timeout_ms": 1000}},
                   "load": {}},
        "checks": [{"metric": "failover_s", "op": "between", "expected": [1, 3]}],
        "sentinels": OBSERVERS, "sentinel_nodes": {ADDR[n]: f"redis-{n}" for n in range(1, 7)},
        "test_start_ms": T0, "test_stop_ms": HEAL + 5000}))
    if requests is None:
        requests = [(T0 + i * 100, 5, "") for i in range(100)]
        requests += [(FAULT + 200, 30, "Connection refused"), (FAULT + 2000, 300, "Timeout reading from socket")]
        requests += [(FAULT + 2600 + i * 100, 5, "") for i in range(100)]
    with open(d / "requests.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["timestamp", "request_type", "name", "response_time_ms", "response_length", "status_code",
                    "exception"])
        for start_ms, rt, exc in requests:
            w.writerow([start_ms / 1000, "redis", "SET", rt, 10, 0, exc])
    (d / "faults.jsonl").write_text("".join(json.dumps(f) + "\n" for f in [
        {"event": "scheduled", "fault": 0, "action": "kill", "target": "redis-1", "scheduled_ms": FAULT,
         "disruptive": True},
        {"event": "applied", "fault": 0, "action": "kill", "target": "redis-1", "node": "redis-1",
         "scheduled_ms": FAULT - 5, "applied_ms": FAULT, "delay_ms": 5.0, "disruptive": True},
        {"event": "healed", "fault": 0, "action": "kill", "target": "redis-1", "node": "redis-1", "healed_ms": HEAL}]))
    (d / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    (d / "history.csv").write_text("t_start_ms,t_end_ms,op,key,value,bid_id,outcome,status,error\n")


@pytest.fixture
def cluster_run(tmp_path):
    d = tmp_path / "cluster-run"
    write_cluster_run(d, cluster_events_of_a_kill())
    return d


def test_cluster_events_give_detection_agreement_failover_and_conversion(cluster_run):
    m, absent = measure(load_run(cluster_run))
    assert m["detect_s"] == 1.04  # the first +pfail of the master, not the replica's before the fault
    assert m["odown_s"] == 1.5
    assert m["failover_s"] == 2.23
    assert m["failovers"] == 1 and m["switches"] == 1  # seen by five nodes, and again by the node back from its kill
    assert m["convert_after_heal_s"] == 0.5
    assert m["last_error_follows"] == "+promoted" and m["last_error_follows_s"] == 0.07
    assert "failover_s" not in absent and "detect_s" not in absent
    assert m["tilt_count"] == 0


def test_one_failover_per_promoted_node_and_epoch_a_later_one_counts_again(cluster_run):
    events = load_run(cluster_run).events
    first = switch_events(events)
    assert list(first["t_ms"]) == [FAULT + 2230]
    later = [{"t_ms": HEAL + 10_000 + 40 * i, "sentinel": ADDR[n], "event": "+promoted",
              "data": "replica redis-1 127.0.70.1:7000 epoch 8"} for i, n in enumerate(range(1, 7))]
    later.append({"t_ms": HEAL + 12_000, "sentinel": ADDR[2], "event": "+promoted",
                  "data": "replica redis-4 127.0.70.4:7000 epoch 9"})  # redis-4 again, a new epoch: a third
    write_cluster_run(cluster_run, cluster_events_of_a_kill(later))
    assert list(switch_events(load_run(cluster_run).events)["t_ms"]) == [FAULT + 2230, HEAL + 10_000, HEAL + 12_000]


def test_a_cluster_node_lost_mid_window_that_no_fault_touched_withholds_the_failover_figures(cluster_run):
    lost = {"t_ms": FAULT + 500, "sentinel": ADDR[3], "event": "observer-disconnected", "data": "TimeoutError"}
    write_cluster_run(cluster_run, cluster_events_of_a_kill([lost]))
    run = load_run(cluster_run)
    why = sentinel_gap(run, FAULT)
    assert why == "the observer lost cluster node 127.0.70.3:7000 +0.5 s after the first disruptive fault"
    m, absent = measure(run)
    assert m["failover_s"] is None and m["failovers"] is None and absent["failover_s"] == why


def test_the_killed_cluster_node_is_excused_and_every_node_must_be_watched_at_the_fault(cluster_run):
    run = load_run(cluster_run)
    assert sentinel_gap(run, FAULT) is None  # redis-1's observer lost it at FAULT + 15: the kill's doing
    late = [e for e in cluster_events_of_a_kill() if not (e["sentinel"] == ADDR[5] and e["event"] == "observer-connected")]
    write_cluster_run(cluster_run, late)
    assert sentinel_gap(load_run(cluster_run), FAULT) == ("the observer was not connected to cluster node "
                                                          "127.0.70.5:7000 when the first disruptive fault was applied")


def test_a_cluster_run_without_the_nodes_named_expects_as_many_as_its_shards_and_replicas(tmp_path):
    d = tmp_path / "older"
    write_cluster_run(d, cluster_events_of_a_kill())
    meta = json.loads((d / "run.json").read_text())
    del meta["sentinels"]
    (d / "run.json").write_text(json.dumps(meta))
    assert sentinel_gap(load_run(d), FAULT) is None  # six seen, six expected
    meta["config"]["stack"]["cluster"]["shards"] = 4
    (d / "run.json").write_text(json.dumps(meta))
    assert sentinel_gap(load_run(d), FAULT) == ("the observer was not connected to cluster node #7 (never connected) "
                                                "when the first disruptive fault was applied")


def test_a_cluster_without_the_event_says_so_in_its_own_words(tmp_path):
    d = tmp_path / "no-failover"
    events = [e for e in cluster_events_of_a_kill() if e["event"] not in ("+promoted", "+demoted")]
    write_cluster_run(d, events)
    m, absent = measure(load_run(d))
    assert m["failover_s"] is None and m["failovers"] == 0
    assert absent["failover_s"] == "no such cluster event after the fault (the observer watched every cluster node's view)"


def test_the_timeline_marks_and_the_words_of_a_cluster_run(cluster_run):
    run = load_run(cluster_run)
    marked = plots.marked_events(run)
    assert {"+pfail", "+fail", "+promoted", "+demoted"} <= set(marked["event"])
    assert list(marked[marked["event"] == "+promoted"]["t_ms"]) == [FAULT + 2230]  # one line for the one failover
    names = {plots._event_name(e, d) for e, d in zip(marked["event"], marked["data"])}
    assert "+pfail (replica)" in names and "+promoted" in names and "+pfail" in names
    assert plots.effect_spans(run, HEAL + 5000)[0][:2] == (FAULT, FAULT + 2230)
    summary = build(cluster_run)
    assert summary.metrics["failover_s"] == 2.23 and (cluster_run / "timeline.png").exists()
    F = Fig(summary, rf.read_journal(cluster_run))
    said = {key: make(F) for key, make in generic_happened(F) if key == "sentinel"}
    assert said["sentinel"].en == ("A cluster node's view marked the master +pfail 1.04 s after the fault, +fail at "
                                   "1.5 s, and showed its replica +promoted at 2.23 s.")
    assert "+pfail로" in said["sentinel"].ko
    assert errors_vs_switch(F).en.startswith("Errors ended 0.07 s after +promoted: the window is the cluster's")


def test_an_old_master_rejoining_on_its_stale_config_is_no_promotion():
    """Seen in a run: a killed master started again called itself master for a poll or two, with no
    slot (the promoted replica holds them at a newer epoch), before it turned replica: no failover."""
    from lab.cluster import parse_node_line
    from observe.cluster_events import changes

    replica = parse_node_line("a1 127.0.70.1:7000@17000 slave b2 0 1 10 connected")
    stale = parse_node_line("a1 127.0.70.1:7000@17000 master - 0 1 10 connected")
    serving = parse_node_line("a1 127.0.70.1:7000@17000 master - 0 1 11 connected 0-5460")
    assert changes(replica, stale, "redis-1", "127.0.70.1:7000") == []
    assert changes(stale, serving, "redis-1", "127.0.70.1:7000") == [("+promoted", "master redis-1 127.0.70.1:7000 epoch 11")]
    assert changes(replica, serving, "redis-1", "127.0.70.1:7000")[0][0] == "+promoted"
    assert changes(stale, replica, "redis-1", "127.0.70.1:7000")[0][0] == "+demoted"
