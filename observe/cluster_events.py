"""events.jsonl for a Redis Cluster: what each node's own CLUSTER NODES says of every node, polled
and diffed, so that a cluster's failover has a timeline like Sentinel's pub/sub events.

A cluster publishes no events; its nodes' views change: a node unreachable past half of
cluster-node-timeout gets `fail?` (PFAIL) in a peer's view, `fail` once a majority of masters agree,
and a replica that took over shows up as a master (a new config epoch). Each node's view is polled
apart (one greenlet per node), and every change between two polls of one node is a record:

    +pfail / -pfail      the observed node's `fail?` flag set / cleared
    +fail / -fail        its `fail` flag set / cleared
    +promoted            it was a replica and is a master serving slots now (a failover)
    +demoted             it was a master and is a replica now (an old master rejoining as a replica)

`sentinel` is the observing node ("host:port", as the observer reached it) and `data` is
"<role-before> <name> <ip:port> epoch <config-epoch>": the observed node's role in the poll before
(`master` or `replica`; `node` for an entry that had neither flag), its catalog name (matched by
address; its node id where no catalog address matches), its address as the view gives it, and its
config epoch in the poll that saw the change. So analysis reads `+pfail` of "master ..." like
Sentinel's `+sdown` of "master ...". Records are stamped when the poll's reply arrived (time.time,
the clock of the fault journal): a change happened at most one poll interval, plus the poll's own
time, before its record.

Honest by construction: a record only for what two successive polls of the same node really saw.
The first poll after connecting (and after every reconnection) only sets the state, so a change
that happened while a node could not be asked gets no record stamped with a time nobody saw it;
`observer-connected` / `observer-disconnected` say when each node's view was being watched
(analysis.evidence reads them as it reads a Sentinel's).
"""
from __future__ import annotations

import logging
import time

import gevent
from redis.exceptions import RedisError

from lab import clients
from lab.cluster import ClusterNode, parse_cluster_nodes
from observe.event_log import EventLog

log = logging.getLogger("observer")

def changes(before: ClusterNode, after: ClusterNode, name: str, addr: str) -> list[tuple[str, str]]:
    """(event, data) for what changed in one observed node between two polls of one observing node:
    its PFAIL and FAIL flags, then its role. data: "<role-before> <name> <ip:port> epoch <config-epoch>"."""
    data = f"{before.role or 'node'} {name} {addr} epoch {after.config_epoch}"
    out = []
    for was, now, word in ((before.pfail, after.pfail, "pfail"), (before.fail, after.fail, "fail")):
        if was != now:
            out.append((f"{'+' if now else '-'}{word}", data))
    serving = after.role == "master" and after.first_slot is not None
    if serving and (before.role == "replica" or (before.role == "master" and before.first_slot is None)):
        # a failover: it serves slots now. A node that only calls itself master, with no slot (an old
        # master restarting on its stale config before it learns the newer epoch), is no failover.
        out.append(("+promoted", data))
    elif before.role == "master" and after.role == "replica":
        out.append(("+demoted", data))
    return out


class ClusterObserver(EventLog):
    """One poller per cluster node (`nodes`: catalog name -> (host, port)), each reading that node's
    CLUSTER NODES every `interval_s` until stopped or `max_s` has passed. The same interface as
    observe.sentinel_events.SentinelObserver, into the same events.jsonl."""

    def __init__(self, nodes: dict[str, tuple[str, int]], password: str | None, interval_s: float = 0.05,
                 max_s: float = 3600) -> None:
        super().__init__()
        self.nodes = dict(nodes)
        self.password = password  # the cluster nodes' requirepass
        self.interval_s = interval_s
        self.max_s = max_s
        self.by_addr = {f"{host}:{port}": name for name, (host, port) in self.nodes.items()}

    def watches(self) -> list[tuple]:
        return [(name, host, port) for name, (host, port) in self.nodes.items()]

    def name_of(self, node: ClusterNode, observer_name: str) -> tuple[str, str]:
        """(catalog name, ip:port) of an observed node: `myself` is the observing node; others by the
        address the view gives (or a hostname that is a catalog name); else the node id and its address."""
        if "myself" in node.flags:
            host, port = self.nodes[observer_name]
            return observer_name, node.addr if not node.addr.startswith(":") else f"{host}:{port}"
        name = self.by_addr.get(node.addr) or (node.hostname if node.hostname in self.nodes else None)
        return name or node.node_id, node.addr

    def diff(self, before: dict[str, ClusterNode], after: dict[str, ClusterNode],
             observer_name: str) -> list[tuple[str, str]]:
        """Every change one observing node's view shows between two polls, node by node (an observed
        node new in the view, or one in a handshake, starts from what this poll saw)."""
        out = []
        for node_id, now in after.items():
            was = before.get(node_id)
            if was is not None and "handshake" not in now.flags:
                out += changes(was, now, *self.name_of(now, observer_name))
        return out

    def _watch(self, name: str, host: str, port: int) -> None:
        """Poll one node until stopped; every way of not watching it after it was watched leaves an
        `observer-disconnected` record (a failed poll, an unexpected exception, the deadline)."""
        where = f"{host}:{port}"
        deadline = time.monotonic() + self.max_s
        client = None
        view: dict[str, ClusterNode] | None = None  # the last poll's, while connected
        connected = None  # None: never yet
        try:
            while self._running and time.monotonic() < deadline:
                try:
                    if client is None:
                        client = clients.redis_at(host, port, timeout=0.5, password=self.password)
                    reply = client.execute_command("CLUSTER", "NODES")  # the raw text: no reply callback
                    t_ms = time.time() * 1000
                    now = parse_cluster_nodes(reply)
                except RedisError as exc:
                    if connected:
                        self._write(where, "observer-disconnected", f"{type(exc).__name__}: {exc}")
                    elif connected is None:
                        log.warning("cluster observer: %s not reachable yet: %s", where, exc)
                    connected, view = False, None
                    if client is not None:
                        client.close()
                        client = None
                else:
                    if not connected:
                        self._write(where, "observer-connected", t_ms=t_ms)
                        self._connected.add(where)
                        connected = True
                    else:
                        for event, data in self.diff(view, now, name):
                            self._write(where, event, data, t_ms)
                    view = now
                gevent.sleep(self.interval_s)
        except Exception as exc:  # anything else ends this watch: say so, then stop
            self._write(where, "observer-disconnected", f"observer failed: {type(exc).__name__}: {exc}")
            log.exception("cluster observer of %s failed", where)
            return
        finally:
            if client is not None:
                client.close()
        if self._running and connected:  # the deadline, not a stop
            self._write(where, "observer-disconnected", "observer deadline reached")
