"""Actions and probes on one Redis node: CONFIG SET (undone), the plan's manual failover, a marker
key, what a node says of itself, and every key of the master looked up on its replicas."""
from __future__ import annotations

import time

import redis

from bilingual import L, num
from faults import params as p
from faults.kind import Action
from lab import clients
from lab.protocol import Lab
from runfiles import BackendFacts


def _client(lab: Lab, node: str, timeout: float = 2.0) -> redis.Redis:
    return clients.node(lab, node, timeout)


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


def _promote(lab: Lab, node: str) -> dict:
    """REPLICAOF NO ONE: the plan's manual failover."""
    client = _client(lab, node)
    try:
        client.replicaof("NO", "ONE")
        return {"role": client.info("replication")["role"]}
    finally:
        client.close()


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


# ---- how each is said ------------------------------------------------------------------------------
def _output(rec: dict) -> dict:
    return rec.get("output") if isinstance(rec.get("output"), dict) else {}


def _config_said(rec: dict, backend: BackendFacts) -> L:
    params, node = rec.get("params") or {}, rec.get("node")
    cmd = f"CONFIG SET {params.get('param')} {params.get('value')}"
    return L(f"`{cmd}` on {node}", f"{node}에 `{cmd}`")


def _promoted(rec: dict, backend: BackendFacts) -> L:
    node, role = rec.get("node"), _output(rec).get("role", "?")
    return L(f"`REPLICAOF NO ONE` on {node} (role afterwards: {role})", f"{node}에 `REPLICAOF NO ONE`(이후 role: {role})")


def _inspected(rec: dict, backend: BackendFacts) -> L:
    node, role = rec.get("node"), _output(rec).get("role", "?")
    return L(f"probe: INFO replication on {node} (role {role})", f"측정: {node}의 INFO replication(role {role})")


def _marked(rec: dict, backend: BackendFacts) -> L:
    node, key = rec.get("node"), _output(rec).get("key", "marker")
    return L(f"`SET {key}` on the master ({node})", f"master({node})에 `SET {key}`")


def _compared(rec: dict, backend: BackendFacts) -> L:
    node, out = rec.get("node"), _output(rec)
    return L(f"probe: every key of {node} looked up on each replica ({num(out.get('keys_checked'))} keys, "
             f"{num(out.get('missing_keys'))} missing)",
             f"측정: {node}의 모든 키를 replica마다 조회(키 {num(out.get('keys_checked'))}개, "
             f"누락 {num(out.get('missing_keys'))}개)")


MARKER = p.text(p.NAME_RE, "is not a marker name (letters, digits, _ and -)")
KINDS = (
    Action("config_set", _config_set, _config_restore, types={"param": p.directive(), "value": p.scalar()},
           did=_config_said),
    Action("promote", _promote, did=_promoted),
    Action("inspect", _inspect, types={"marker": MARKER}, probe=True, did=_inspected),
    # it writes a key, so it is an action the documents tell, not a probe
    Action("write_marker", _write_marker, types={"marker": MARKER}, did=_marked),
    Action("compare_replicas", _compare_replicas, types={"wait_s": p.number(lo=0, above=True)}, probe=True,
           did=_compared),
)
