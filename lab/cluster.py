"""Roles in a Redis Cluster, for either backend, read from the nodes themselves (CLUSTER NODES).

A shard is named by its place in the slot space (shard 1 owns slot 0): slots move with a failover
from the master to the replica it promotes, so "the master of shard 2" names the same data before
and after one, while node names stop meaning a role after the first failover.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from redis.exceptions import RedisError

from lab import clients

TIMEOUT_S = 0.5


ROLES = {"master": "master", "slave": "replica", "replica": "replica"}  # CLUSTER NODES says `slave`


@dataclass(frozen=True)
class ClusterNode:
    """One line of CLUSTER NODES: `<id> <ip:port@cport[,hostname]> <flags> <master-id|-> <ping-sent>
    <pong-recv> <config-epoch> <link-state> <slot> ...`."""

    node_id: str
    addr: str  # ip:port of its clients' port; ":port" or ":0" while the view knows no address
    hostname: str
    flags: frozenset[str]
    master_id: str | None
    config_epoch: int
    link_state: str
    slots: tuple[str, ...]

    @property
    def role(self) -> str | None:
        """`master`, `replica`, or None (an entry with neither flag: noflags, a handshake)."""
        return next((ROLES[f] for f in ("master", "slave", "replica") if f in self.flags), None)

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.addr.rpartition(":")
        return host, int(port or 0)

    @property
    def is_master(self) -> bool:
        return self.role == "master"

    @property
    def failing(self) -> bool:
        """Flagged down: fail? (PFAIL, this node's own suspicion) or fail (agreed by most masters)."""
        return self.pfail or self.fail

    @property
    def first_slot(self) -> int | None:
        """The lowest slot it owns (a slot being migrated or imported, `[...]`, is not owned yet)."""
        owned = [int(s.split("-")[0]) for s in self.slots if not s.startswith("[")]
        return min(owned) if owned else None

    @property
    def pfail(self) -> bool:
        return "fail?" in self.flags

    @property
    def fail(self) -> bool:
        return "fail" in self.flags


def parse_node_line(line: str) -> ClusterNode | None:
    """A line of CLUSTER NODES, or None for a line that is not one (too few fields, no number where
    the config epoch is)."""
    parts = line.split()
    if len(parts) < 8 or not parts[6].isdigit():
        return None
    node_id, address, flags, master_id, _ping, _pong, epoch, link = parts[:8]
    addr, _, extra = address.partition(",")  # Redis 7: ,hostname and, from 7.2, ,key=value fields
    hostname = extra.split(",", 1)[0]
    return ClusterNode(node_id=node_id, addr=addr.split("@", 1)[0], hostname="" if "=" in hostname else hostname,
                       flags=frozenset(flags.split(",")), master_id=None if master_id == "-" else master_id,
                       config_epoch=int(epoch), link_state=link, slots=tuple(parts[8:]))


def parse_cluster_nodes(text: str | bytes) -> dict[str, ClusterNode]:
    """CLUSTER NODES' raw reply as {node id: ClusterNode}; lines that are no node line are left out."""
    if isinstance(text, bytes):
        text = text.decode()
    nodes = (parse_node_line(line) for line in text.splitlines() if line.strip())
    return {n.node_id: n for n in nodes if n is not None}


@dataclass(frozen=True)
class Shard:
    index: int  # 1 owns slot 0, and so on in slot order
    master: tuple[str, int]
    master_failing: bool
    replicas: tuple[tuple[str, int], ...] = field(default_factory=tuple)  # not flagged down


def shards_of(lines: list[ClusterNode]) -> list[Shard]:
    """The shards one node's view describes: every master owning slots, in slot order, with the
    replicas that follow it and are not flagged down."""
    masters = sorted((n for n in lines if n.is_master and n.first_slot is not None), key=lambda n: n.first_slot)
    return [Shard(index=i, master=m.host_port, master_failing=m.failing,
                  replicas=tuple(sorted(r.host_port for r in lines if r.master_id == m.node_id and not r.failing
                                        and r.role == "replica")))  # each node lists them in its own order
            for i, m in enumerate(masters, start=1)]


def _ask(addr: tuple[str, int], password: str | None, question):
    """One question to one node; None where it does not answer (killed, paused, cut)."""
    client = clients.redis_at(*addr, TIMEOUT_S, password=password)
    try:
        return question(client)
    except RedisError:
        return None
    finally:
        client.close()


def view(addr: tuple[str, int], password: str | None) -> list[ClusterNode] | None:
    """One node's CLUSTER NODES (as text: redis-py parses the one-word "CLUSTER NODES" into its own shape)."""
    return _ask(addr, password, lambda c: list(parse_cluster_nodes(c.execute_command("CLUSTER", "NODES")).values()))


def freshest(addrs: list[tuple[str, int]], password: str | None) -> list[ClusterNode] | None:
    """The view of the reachable node that knows the newest configuration (the highest config epoch it
    has seen): during a failover the nodes that have not heard of the promotion yet lag behind it."""
    views = [v for v in (view(a, password) for a in addrs) if v]
    return max(views, key=lambda v: max((n.config_epoch for n in v), default=0)) if views else None


def shards(addrs: list[tuple[str, int]], password: str | None) -> list[Shard]:
    lines = freshest(addrs, password)
    return shards_of(lines) if lines else []


def state_ok(addr: tuple[str, int], password: str | None) -> bool:
    return bool(_ask(addr, password, lambda c: c.cluster("INFO").get("cluster_state") == "ok"))


def settled(addrs: list[tuple[str, int]], password: str | None, shards_n: int, replicas_n: int) -> bool:
    """Every node answers and says cluster_state:ok, all agree on which node serves each shard, every
    replica is back (a shard may hold more or fewer than `replicas_n` of them: replica migration moves
    one to a master left without any), none flagged down, and every replica's link to its master is up."""
    views = [view(a, password) for a in addrs]
    if any(v is None for v in views) or not all(state_ok(a, password) for a in addrs):
        return False
    described = [[(s.master, s.replicas) for s in shards_of(v)] for v in views]
    first = shards_of(views[0])
    return (all(d == described[0] for d in described) and len(first) == shards_n
            and sum(len(s.replicas) for s in first) == shards_n * replicas_n
            and all(len(s.replicas) >= min(1, replicas_n) and not s.master_failing for s in first)
            and not any(n.failing for v in views for n in v)
            and all(_link_up(r, password) for s in first for r in s.replicas))


def _link_up(addr: tuple[str, int], password: str | None) -> bool:
    return bool(_ask(addr, password, lambda c: c.info("replication").get("master_link_status") == "up"))
