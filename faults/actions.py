"""The fault vocabulary: one registry of actions by name, each with its undo.

An action is a plain function `apply(lab, node, params) -> state` and, where it can be undone,
`heal(lab, node, params, state)`. The state carries what the undo needs (a config value before
it was changed, the peers a cut resolved to). Probes are actions that change nothing and return
an `output` for the journal and the metrics. Both backends offer the same node operations, so
the vocabulary does not know which one runs.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from errors import FaultError

PEER_GROUPS = ("replicas", "sentinels", "others")


@dataclass(frozen=True)
class Action:
    name: str
    apply: Callable
    heal: Callable | None  # None: a one-shot action with nothing to undo
    params: tuple[str, ...] = ()
    doc: str = ""
    probe: bool = False


def _client(lab, node: str, timeout: float = 2.0) -> redis.Redis:
    host, port = lab.address(node)
    return redis.Redis(host=host, port=port, socket_timeout=timeout, socket_connect_timeout=timeout,
                       decode_responses=True, retry=None)


def _peers(lab, node: str, raw) -> list[str]:
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
def _kill(lab, node, p):
    lab.kill(node)


def _start(lab, node, p, state=None):
    lab.start(node)


def _pause(lab, node, p):
    lab.pause(node)


def _resume(lab, node, p, state=None):
    lab.resume(node)


def _cut(lab, node, p):
    peers = _peers(lab, node, p.get("peers"))
    if not peers:
        lab.disconnect(node)
        return {"peers": []}
    for peer in peers:
        lab.disconnect(node, peer, one_way=bool(p.get("one_way", False)))
    return {"peers": peers}


def _connect(lab, node, p, state=None):
    peers = (state or {}).get("peers")
    if peers is None:
        peers = _peers(lab, node, p.get("peers"))
    if not peers:
        lab.connect(node)
    for peer in peers:
        lab.connect(node, peer)


def _config_set(lab, node, p):
    client = _client(lab, node)
    try:
        old = client.config_get(p["param"]).get(p["param"])
        client.config_set(p["param"], p["value"])
    finally:
        client.close()
    return {"old": old, "new": str(p["value"])}


def _config_restore(lab, node, p, state):
    if state and state.get("old") is not None:
        client = _client(lab, node)
        try:
            client.config_set(p["param"], state["old"])
        finally:
            client.close()


# ---- one-shot actions and probes ------------------------------------------------------------
def _promote(lab, node, p):
    """REPLICAOF NO ONE: the plan's manual failover."""
    client = _client(lab, node)
    try:
        client.replicaof("NO", "ONE")
        return {"role": client.info("replication")["role"]}
    finally:
        client.close()


def _restart(lab, node, p):
    """Stop and start a node, with environment overrides (`@node` stands for that node's host:port)."""
    env = {}
    for k, v in (p.get("env") or {}).items():
        v = str(v)
        if v.startswith("@"):
            host, port = lab.address(v[1:])
            v = f"{host}:{port}"
        env[str(k)] = v
    lab.restart(node, env)
    return {"env": env}


def _inspect(lab, node, p):
    """What a node says of itself: role, who it follows, link, dataset size, and a marker key."""
    client = _client(lab, node)
    try:
        info = client.info("replication")
        out = {"node": node, "role": info.get("role"), "master_link_status": info.get("master_link_status"),
               "keys": client.dbsize()}
        if info.get("master_host"):
            out["follows"] = lab.node_by_address(info["master_host"], int(info["master_port"]))
        if p.get("marker"):
            out["has_marker"] = client.get(f"marker:{p['marker']}") is not None
        return out
    except redis.RedisError as exc:
        return {"node": node, "reachable": False, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        client.close()


def _write_marker(lab, node, p):
    """SET marker:NAME on the node (use target role: master for "the current master")."""
    client = _client(lab, node)
    try:
        client.set(f"marker:{p['marker']}", str(time.time()))
    finally:
        client.close()
    return {"node": node, "key": f"marker:{p['marker']}"}


def _compare_replicas(lab, node, p):
    """Key by key: every key on the master `node` is on each replica, once the replicas have caught
    up to the master's offset (waiting at most `wait_s`); also the lag, in bytes, seen at the start."""
    master = _client(lab, node, 5)
    try:
        keys = [k for k in master.scan_iter(count=1000)]
        target = master.info("replication")["master_repl_offset"]
        replicas = [n for n in lab.node_names() if lab.kind(n) == "redis" and n != node]
        out = {"keys_checked": len(keys), "missing_keys": 0, "max_lag_bytes": 0}
        deadline = time.monotonic() + float(p.get("wait_s", 5))
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


STREAM, GROUP = "bid-stream", "bid-group"


def _master_client(lab) -> redis.Redis:
    return _client(lab, lab.master())


def _pending_by_consumer(client: redis.Redis) -> dict[str, int]:
    return {c["name"]: int(c["pending"]) for c in client.xinfo_consumers(STREAM, GROUP)}


def _claim(lab, node, p):
    """XAUTOCLAIM by hand (plan step 2-1): move every message idle over min_idle_ms to consumer `node`,
    following the cursor; the pending list per consumer before and after is the output."""
    client = _master_client(lab)
    try:
        before = _pending_by_consumer(client)
        cursor, claimed = "0-0", 0
        for _ in range(1000):
            # without JUSTID: redis-py drops the cursor from a JUSTID reply
            cursor, entries = client.xautoclaim(STREAM, GROUP, node, int(p.get("min_idle_ms", 5000)),
                                                start_id=cursor, count=100)[:2]
            claimed += len(entries)
            if cursor == "0-0":
                break
        return {"claimed": claimed, "before": before, "after": _pending_by_consumer(client)}
    finally:
        client.close()


def _pending(lab, node, p):
    """XPENDING of the group: how many, whose, and how often they were delivered."""
    client = _master_client(lab)
    try:
        rows = client.xpending_range(STREAM, GROUP, min="-", max="+", count=10000)
        counts = [r["times_delivered"] for r in rows]
        out = {"pending": len(rows), "by_consumer": _pending_by_consumer(client),
               "max_deliveries": max(counts, default=0), "redelivered": sum(1 for c in counts if c > 1)}
        if p.get("entries"):  # which bids they carry, so verification can follow each across a failover
            pipe = client.pipeline(transaction=False)
            for r in rows:
                pipe.xrange(STREAM, min=r["message_id"], max=r["message_id"])
            out["entries"] = {r["message_id"]: (got[0][1].get("bidId", "") if got else "")
                              for r, got in zip(rows, pipe.execute())}
        return out
    finally:
        client.close()


def _inject_poison(lab, node, p):
    """XADD an entry that can never become a bid, to see it moved aside instead of blocking the group."""
    client = _master_client(lab)
    try:
        sid = client.xadd(STREAM, {"poison": "1", "note": "injected by fairbid-ha"})
        return {"stream_id": sid}
    finally:
        client.close()


def _mysql_rows(lab, node, p):
    """Rows of `bid` on a MySQL node, the time the read took, and (on a replica) its lag."""
    t0 = time.perf_counter()
    try:
        conn = lab.mysql_connect(node, timeout_s=float(p.get("timeout_s", 3)), monitor=True)
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM bid")
            rows = cur.fetchone()[0]
            cur.execute("SHOW SLAVE STATUS")
            status = cur.fetchone()
            cols = [d[0] for d in cur.description] if status else []
        conn.close()
    except Exception as exc:  # noqa: BLE001 - an unreachable node is the probe's answer
        return {"node": node, "reachable": False, "error": f"{type(exc).__name__}: {exc}",
                "read_ms": round((time.perf_counter() - t0) * 1000, 1)}
    out = {"node": node, "reachable": True, "rows": rows, "read_ms": round((time.perf_counter() - t0) * 1000, 1)}
    earlier = p.get("_outputs", {}).get(p.get("compare_to", ""), {})
    if "rows" in earlier:  # rows an earlier probe counted (on the primary) that this node lacks
        out["missing_vs_" + p["compare_to"]] = max(0, earlier["rows"] - rows)
    if status:
        out["seconds_behind_master"] = dict(zip(cols, status)).get("Seconds_Behind_Master")
    return out


ACTIONS: dict[str, Action] = {a.name: a for a in [
    Action("kill", _kill, _start, doc="SIGKILL / docker kill; healed by starting the node again"),
    Action("pause", _pause, _resume, doc="SIGSTOP / docker pause; healed by resuming it"),
    Action("cut", _cut, _connect, ("peers", "one_way"),
           doc="network cut, process alive / docker network disconnect; from every peer or only `peers` "
               "(names, or replicas / sentinels / others); healed by reconnecting"),
    Action("config_set", _config_set, _config_restore, ("param", "value"),
           doc="CONFIG SET on a Redis node; healed by restoring the value it had"),
    Action("start", _start, None, doc="start a stopped node (docker start)"),
    Action("resume", _resume, None, doc="resume a paused node"),
    Action("connect", _connect, None, ("peers",), doc="reconnect a cut node"),
    Action("promote", _promote, None, doc="REPLICAOF NO ONE: promote a replica by hand"),
    Action("restart", _restart, None, ("env",), doc="restart a node, with environment overrides"),
    Action("inspect", _inspect, None, ("marker",), doc="probe: role, master, link, keys, marker", probe=True),
    Action("write_marker", _write_marker, None, ("marker",), doc="probe: write marker:NAME", probe=True),
    Action("compare_replicas", _compare_replicas, None, ("wait_s",),
           doc="probe: every key of the master present on each replica", probe=True),
    Action("claim", _claim, None, ("min_idle_ms",), doc="XAUTOCLAIM idle messages to consumer `target`"),
    Action("pending", _pending, None, ("entries",),
           doc="probe: XPENDING of the group, delivery counts (and, with entries: true, each entry's bid)",
           probe=True),
    Action("inject_poison", _inject_poison, None, doc="XADD a malformed entry to the bid stream"),
    Action("mysql_rows", _mysql_rows, None, ("timeout_s", "compare_to"),
           doc="probe: rows and read time on a MySQL node (and rows missing against an earlier probe)",
           probe=True),
]}


def require(params: dict, action: Action) -> None:
    """Parameters an action cannot run without."""
    needed = {"config_set": ("param", "value"), "write_marker": ("marker",)}.get(action.name, ())
    missing = [k for k in needed if k not in params]
    if missing:
        raise FaultError(f"{action.name} needs {', '.join(missing)}")
