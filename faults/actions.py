"""The fault vocabulary: one registry of actions by name, each declaring its own facts.

An action is a plain function `apply(lab, node, *, PARAMS) -> state`; its keyword-only parameters
are the scenario keys it takes (required where they have no default), bound the way
chaostoolkit-lib binds an activity's arguments. Where it can be undone, `heal(lab, node, state,
*, PARAMS)` gets the same parameters and what apply returned (a config value before it was changed,
the peers a cut resolved to). A disruptive action opens a fault window (failover and error-window
metrics are measured from it; the journal records the flag). Probes change nothing and return an
`output` for the journal and the metrics; one that compares with an earlier probe declares
`outputs` and gets the named outputs so far. Every backend offers the same node operations
(lab.protocol.Lab), so the vocabulary does not know which one runs.
"""
from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass

import gevent
import gevent.event
import pymysql
import redis

from configfile.durations import parse_duration
from errors import FaultError
from lab import clients
from lab.protocol import Lab, service_settings
from lab.standin_env import StreamNames

PEER_GROUPS = ("replicas", "sentinels", "others")
INJECTED = ("outputs", "duration_s")  # given by the runner, never by a scenario


@dataclass(frozen=True)
class Action:
    name: str
    apply: Callable
    heal: Callable | None = None  # None: a one-shot action with nothing to undo
    probe: bool = False
    disruptive: bool = False  # opens a fault window: failover and error-window metrics are measured from it
    needs_duration: bool = False  # it acts over time (a flap), so a schedule must say how long

    def _keywords(self) -> list[inspect.Parameter]:
        return [p for p in inspect.signature(self.apply).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in INJECTED]

    @property
    def params(self) -> tuple[str, ...]:
        """The scenario keys this action takes, from its signature."""
        return tuple(p.name for p in self._keywords())

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self._keywords() if p.default is inspect.Parameter.empty)

    def run(self, lab: Lab, node: str, params: dict, outputs: dict | None = None, duration_s: float | None = None):
        given = {"outputs": outputs or {}, "duration_s": duration_s}
        wanted = inspect.signature(self.apply).parameters
        return self.apply(lab, node, **params, **{k: v for k, v in given.items() if k in wanted})

    def undo(self, lab: Lab, node: str, params: dict, state):
        """The heal; what it returns (a flap's cuts as they happened) goes to the journal's heal record."""
        return self.heal(lab, node, state, **params)


def _client(lab: Lab, node: str, timeout: float = 2.0) -> redis.Redis:
    return clients.node(lab, node, timeout)


def _peers(lab: Lab, node: str, raw) -> list[str]:
    """Peer names: a list of nodes, or one of the groups replicas / sentinels / others."""
    if raw is None:
        return []
    names = lab.node_names()
    redis_nodes = [n for n in names if lab.kind(n) == "redis" and n != node]
    sentinels = [n for n in names if lab.kind(n) == "sentinel"]
    groups = {"replicas": redis_nodes, "sentinels": sentinels, "others": redis_nodes + sentinels}
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        out += groups.get(item, [item])
    return [p for p in dict.fromkeys(out) if p != node]


# ---- faults with an undo ------------------------------------------------------------------
def _kill(lab: Lab, node: str) -> None:
    """SIGKILL / docker kill; healed by starting the node again."""
    lab.kill(node)


def _start(lab: Lab, node: str, state=None) -> None:
    """Start a stopped node (docker start)."""
    lab.start(node)


def _pause(lab: Lab, node: str) -> None:
    """SIGSTOP / docker pause; healed by resuming it."""
    lab.pause(node)


def _resume(lab: Lab, node: str, state=None) -> None:
    """Resume a paused node."""
    lab.resume(node)


def _cut(lab: Lab, node: str, *, peers: str | list | None = None, one_way: bool = False) -> dict:
    """Network cut, process alive (docker network disconnect): from every peer, or only `peers`
    (names, or replicas / sentinels / others), both ways unless one_way; healed by reconnecting."""
    resolved = _peers(lab, node, peers)
    if not resolved:
        lab.disconnect(node)
        return {"peers": []}
    for peer in resolved:
        lab.disconnect(node, peer, one_way=bool(one_way))
    return {"peers": resolved}


def _connect(lab: Lab, node: str, state=None, *, peers: str | list | None = None, one_way: bool = False) -> None:
    """Reconnect a cut node: exactly the peers the cut resolved to."""
    peers = (state or {}).get("peers") if state else _peers(lab, node, peers)
    if not peers:
        lab.connect(node)
    for peer in peers:
        lab.connect(node, peer)


def _loss(lab: Lab, node: str, *, percent: float, peers: str | list | None = None) -> dict:
    """A random share (%) of the node's packets dropped both ways, from every peer or only `peers`
    (the firewall's statistic match: this kernel has no netem); the rules as applied, for the journal."""
    resolved = _peers(lab, node, peers)
    rules = []
    for peer in resolved or [None]:
        rules += lab.lose(node, float(percent), peer)
    return {"percent": float(percent), "peers": resolved, "rules": rules}


def _unloss(lab: Lab, node: str, state=None, *, percent: float, peers: str | list | None = None) -> None:
    """Remove exactly the loss rules: those of the peers the loss resolved to."""
    resolved = (state or {}).get("peers") if state else _peers(lab, node, peers)
    for peer in resolved or [None]:
        lab.unlose(node, float(percent), peer)


def _throttle(lab: Lab, node: str, *, cpu_percent: float) -> dict:
    """The node starved of CPU: a CFS quota of cpu_percent % of one core (a cgroup locally, `docker
    update` on a container); what it had before and what was set, for the journal and the heal."""
    return lab.throttle(node, float(cpu_percent))


def _unthrottle(lab: Lab, node: str, state=None, *, cpu_percent: float) -> None:
    """The node's own CPU setting back (with no state, an apply cut short: the backend finds its own)."""
    lab.unthrottle(node, state)


_FLAPS: dict[int, tuple] = {}  # flap id -> (its greenlet, its stop event, the cuts and errors so far)


def _flap(lab: Lab, node: str, *, period, cut_share: float = 0.5, peers: str | list | None = None,
          duration_s: float | None = None) -> dict:
    """A cut that comes and goes: cut for period x cut_share, connected for the rest, for the fault's
    duration (a bounded count of cycles); the first cut is made before this returns. The heal asks
    the cycles to stop and waits for the one under way (never killed mid-rule), then reconnects."""
    period_s, share = parse_duration(period), float(cut_share)
    if duration_s is None:
        raise FaultError("flap needs a duration")
    cycles = max(1, int(-(-float(duration_s) // period_s)))  # ceil: the last cycle ends at the heal at the latest
    state = {"period_s": period_s, "cut_s": round(period_s * share, 3), "cycles": cycles, "peers": _peers(lab, node, peers)}
    cuts: list[list[float]] = []
    errors: list[str] = []
    stop = gevent.event.Event()
    t0 = time.monotonic()

    def until(t: float) -> bool:  # a fixed grid from the first cut; False once the heal asked to stop
        return not stop.wait(max(0.0, t0 + t - time.monotonic()))

    def loop() -> None:
        for i in range(cycles):
            try:
                if i:
                    if not until(i * period_s):
                        return
                    _cut(lab, node, peers=state["peers"] or None)
                    cuts.append([round(time.time() * 1000, 3), None])
                if not until(i * period_s + state["cut_s"]):
                    return
                _connect(lab, node, {"peers": state["peers"]})
                cuts[-1][1] = round(time.time() * 1000, 3)
            except Exception as exc:  # journaled by the heal; the next cycle tries again
                errors.append(f"cycle {i + 1}: {type(exc).__name__}: {exc}")

    _cut(lab, node, peers=state["peers"] or None)
    cuts.append([round(time.time() * 1000, 3), None])
    state["flap"] = id(cuts)
    _FLAPS[id(cuts)] = (gevent.spawn(loop), stop, cuts, errors)
    return state


def _unflap(lab: Lab, node: str, state=None, *, period=None, cut_share: float = 0.5,
            peers: str | list | None = None) -> dict:
    """Stop the cycles, reconnect, and report the cuts as they were made (wall clock ms)."""
    greenlet, stop, cuts, errors = _FLAPS.pop((state or {}).get("flap"), (None, None, [], []))
    if greenlet is not None:
        stop.set()
        greenlet.join(timeout=30)  # a rule under way finishes first: the reconnect below comes after it
    _connect(lab, node, {"peers": (state or {}).get("peers") or []} if state else None, peers=peers)
    now = round(time.time() * 1000, 3)
    out = {"cuts": [[a, b if b is not None else now] for a, b in cuts]}
    return {**out, "errors": errors} if errors else out


def _config_set(lab: Lab, node: str, *, param: str, value) -> dict:
    """CONFIG SET on a Redis node; healed by restoring the value it had."""
    client = _client(lab, node)
    try:
        old = client.config_get(param).get(param)
        client.config_set(param, value)
    finally:
        client.close()
    return {"old": old, "new": str(value)}


def _config_restore(lab: Lab, node: str, state, *, param: str, value) -> None:
    if state and state.get("old") is not None:
        client = _client(lab, node)
        try:
            client.config_set(param, state["old"])
        finally:
            client.close()


# ---- one-shot actions and probes ------------------------------------------------------------
def _promote(lab: Lab, node: str) -> dict:
    """REPLICAOF NO ONE: the plan's manual failover."""
    client = _client(lab, node)
    try:
        client.replicaof("NO", "ONE")
        return {"role": client.info("replication")["role"]}
    finally:
        client.close()


def _restart(lab: Lab, node: str, *, env: dict | None = None) -> dict:
    """Stop and start a node, with environment overrides (`@node` stands for that node's host:port)."""
    overrides = {}
    for k, v in (env or {}).items():
        v = str(v)
        if v.startswith("@"):
            host, port = lab.address(v[1:])
            v = f"{host}:{port}"
        overrides[str(k)] = v
    lab.restart(node, overrides)
    return {"env": overrides}


def _inspect(lab: Lab, node: str, *, marker: str | None = None) -> dict:
    """What a node says of itself: role, who it follows, link, dataset size, and a marker key."""
    client = _client(lab, node)
    try:
        info = client.info("replication")
        out = {"node": node, "role": info.get("role"), "master_link_status": info.get("master_link_status"),
               "keys": client.dbsize()}
        if info.get("master_host"):
            out["follows"] = lab.node_by_address(info["master_host"], int(info["master_port"]))
        if marker:
            out["has_marker"] = client.get(f"marker:{marker}") is not None
        return out
    except redis.RedisError as exc:
        return {"node": node, "reachable": False, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        client.close()


def _write_marker(lab: Lab, node: str, *, marker: str) -> dict:
    """SET marker:NAME on the node (use target role: master for "the current master")."""
    client = _client(lab, node)
    try:
        client.set(f"marker:{marker}", str(time.time()))
    finally:
        client.close()
    return {"node": node, "key": f"marker:{marker}"}


def _compare_replicas(lab: Lab, node: str, *, wait_s: float = 5) -> dict:
    """Key by key: every key on the master `node` is on each replica, once the replicas have caught
    up to the master's offset (waiting at most `wait_s`); also the lag, in bytes, seen at the start."""
    master = _client(lab, node, 5)
    try:
        keys = [k for k in master.scan_iter(count=1000)]
        target = master.info("replication")["master_repl_offset"]
        replicas = [n for n in lab.node_names() if lab.kind(n) == "redis" and n != node]
        out = {"keys_checked": len(keys), "missing_keys": 0, "max_lag_bytes": 0}
        deadline = time.monotonic() + float(wait_s)
        for r in replicas:
            client = _client(lab, r, 5)
            try:
                first = client.info("replication").get("slave_repl_offset", 0)
                out["max_lag_bytes"] = max(out["max_lag_bytes"], target - first)
                while client.info("replication").get("slave_repl_offset", 0) < target and time.monotonic() < deadline:
                    time.sleep(0.05)
                pipe = client.pipeline(transaction=False)
                for k in keys:
                    pipe.exists(k)
                missing = sum(1 for e in pipe.execute() if not e)
                out[f"missing_on_{r}"] = missing
                out["missing_keys"] += missing
            finally:
                client.close()
        return out
    finally:
        master.close()


def _pending_by_consumer(client: redis.Redis, s: StreamNames) -> dict[str, int]:
    return {c["name"]: int(c["pending"]) for c in client.xinfo_consumers(s.stream, s.group)}


def _claim(lab: Lab, node: str, *, min_idle_ms: int = 5000) -> dict:
    """XAUTOCLAIM by hand (plan step 2-1): move every message idle over min_idle_ms to consumer `node`,
    following the cursor; the pending list per consumer before and after is the output."""
    client, s = clients.master(lab), service_settings(lab)
    try:
        before = _pending_by_consumer(client, s)
        cursor, claimed = "0-0", 0
        for _ in range(1000):
            # without JUSTID: redis-py drops the cursor from a JUSTID reply
            cursor, entries = client.xautoclaim(s.stream, s.group, node, int(min_idle_ms),
                                                start_id=cursor, count=100)[:2]
            claimed += len(entries)
            if cursor == "0-0":
                break
        return {"claimed": claimed, "before": before, "after": _pending_by_consumer(client, s)}
    finally:
        client.close()


def _pending(lab: Lab, node: str, *, entries: bool = False) -> dict:
    """XPENDING of the group: how many, whose, how often delivered (with entries: true, each one's bid)."""
    client, s = clients.master(lab), service_settings(lab)
    try:
        rows = client.xpending_range(s.stream, s.group, min="-", max="+", count=10000)
        counts = [r["times_delivered"] for r in rows]
        out = {"pending": len(rows), "by_consumer": _pending_by_consumer(client, s),
               "max_deliveries": max(counts, default=0), "redelivered": sum(1 for c in counts if c > 1)}
        if entries:  # which bids they carry, so verification can follow each across a failover
            pipe = client.pipeline(transaction=False)
            for r in rows:
                pipe.xrange(s.stream, min=r["message_id"], max=r["message_id"])
            field = lab.service.stream.id_field if lab.service.stream else "bidId"
            out["entries"] = {r["message_id"]: (got[0][1].get(field, "") if got else "")
                              for r, got in zip(rows, pipe.execute())}
        return out
    finally:
        client.close()


def _inject_poison(lab: Lab, node: str) -> dict:
    """XADD an entry that can never become a bid, to see it moved aside instead of blocking the group."""
    client = clients.master(lab)
    try:
        sid = client.xadd(service_settings(lab).stream, {"poison": "1", "note": "injected by fairbid-ha"})
        return {"stream_id": sid}
    finally:
        client.close()


def _replica_status(cur) -> tuple[tuple | None, list[str]]:
    """SHOW SLAVE STATUS, or nothing where the account may not see it: the rows were read all the same."""
    try:
        cur.execute("SHOW SLAVE STATUS")
    except pymysql.err.OperationalError:
        return None, []
    status = cur.fetchone()
    return status, [d[0] for d in cur.description] if status else []


def _mysql_rows(lab: Lab, node: str, *, timeout_s: float = 3, compare_to: str | None = None,
                outputs: dict | None = None) -> dict:
    """Rows and read time on a MySQL node, its lag on a replica, and rows missing against the earlier
    probe named by compare_to (`outputs`: the named outputs so far, given by the runner)."""
    t0 = time.perf_counter()
    try:
        count_query = lab.service.verify.mysql.count_query if lab.service.verify.mysql else None
        if not count_query:
            raise FaultError("the target file gives no verify.mysql.count_query to count rows with")
        conn = lab.mysql_connect(node, timeout_s=float(timeout_s), monitor=True)
        with conn.cursor() as cur:
            cur.execute(count_query)
            rows = cur.fetchone()[0]
            status, cols = _replica_status(cur)
        conn.close()
    except Exception as exc:  # an unreachable node is the probe's answer
        return {"node": node, "reachable": False, "error": f"{type(exc).__name__}: {exc}",
                "read_ms": round((time.perf_counter() - t0) * 1000, 1)}
    out = {"node": node, "reachable": True, "rows": rows, "read_ms": round((time.perf_counter() - t0) * 1000, 1)}
    earlier = (outputs or {}).get(compare_to or "", {})
    if "rows" in earlier:  # rows an earlier probe counted (on the primary) that this node lacks
        out["missing_vs_" + compare_to] = max(0, earlier["rows"] - rows)
    if status:
        out["seconds_behind_master"] = dict(zip(cols, status)).get("Seconds_Behind_Master")
    return out


ACTIONS: dict[str, Action] = {a.name: a for a in [
    Action("kill", _kill, _start, disruptive=True),
    Action("pause", _pause, _resume, disruptive=True),
    Action("cut", _cut, _connect, disruptive=True),
    Action("loss", _loss, _unloss, disruptive=True),
    Action("throttle", _throttle, _unthrottle, disruptive=True),
    Action("flap", _flap, _unflap, disruptive=True, needs_duration=True),
    Action("config_set", _config_set, _config_restore),
    Action("start", _start),
    Action("resume", _resume),
    Action("connect", _connect),
    Action("promote", _promote),
    Action("restart", _restart),
    Action("inspect", _inspect, probe=True),
    Action("write_marker", _write_marker, probe=True),
    Action("compare_replicas", _compare_replicas, probe=True),
    Action("claim", _claim),
    Action("pending", _pending, probe=True),
    Action("inject_poison", _inject_poison),
    Action("mysql_rows", _mysql_rows, probe=True),
]}


def require(params: dict, action: Action) -> None:
    """Parameters an action cannot run without (those of its signature with no default)."""
    missing = [k for k in action.required if k not in params]
    if missing:
        raise FaultError(f"{action.name} needs {', '.join(missing)}")
