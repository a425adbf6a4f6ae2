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
SLOTS = 16384


@dataclass(frozen=True)
class NodeLine:
    """One line of CLUSTER NODES, as the node asked sees that node."""

    id: str
    addr: tuple[str, int]
    flags: frozenset[str]
    master_id: str | None
    config_epoch: int
    link: str
    slots: tuple[tuple[int, int], ...]

    @property
    def is_master(self) -> bool:
        return "master" in self.flags

    @property
    def failing(self) -> bool:
        """Flagged down: fail? (PFAIL, this node's own suspicion) or fail (agreed by most masters)."""
        return bool({"fail", "fail?"} & self.flags)


def _slots(parts: list[str]) -> tuple[tuple[int, int], ...]:
    out = []
    for part in parts:
        if part.startswith("["):  # a slot being migrated or imported: not owned yet
            continue
        lo, _, hi = part.partition("-")
        out.append((int(lo), int(hi or lo)))
    return tuple(out)


def parse_nodes(text: str) -> list[NodeLine]:
    """CLUSTER NODES: `id ip:port@cport[,hostname] flags master-id ping pong epoch link slot...`."""
    out = []
    for line in filter(None, (x.strip() for x in text.splitlines())):
        parts = line.split()
        hostport = parts[1].split("@")[0].split(",")[0]
        host, _, port = hostport.rpartition(":")
        out.append(NodeLine(id=parts[0], addr=(host, int(port) if port else 0), flags=frozenset(parts[2].split(",")),
                            master_id=None if parts[3] == "-" else parts[3], config_epoch=int(parts[6]),
                            link=parts[7], slots=_slots(parts[8:])))
    return out


@dataclass(frozen=True)
class Shard:
    index: int  # 1 owns slot 0, and so on in slot order
    master: tuple[str, int]
    master_failing: bool
    replicas: tuple[tuple[str, int], ...] = field(default_factory=tuple)  # not flagged down


def shards_of(lines: list[NodeLine]) -> list[Shard]:
    """The shards one node's view describes: every master owning slots, in slot order, with the
    replicas that follow it and are not flagged down."""
    masters = sorted((n for n in lines if n.is_master and n.slots), key=lambda n: min(a for a, _ in n.slots))
    return [Shard(index=i, master=m.addr, master_failing=m.failing,
                  replicas=tuple(sorted(r.addr for r in lines if r.master_id == m.id and not r.failing
                                        and "slave" in r.flags)))  # each node lists them in its own order
            for i, m in enumerate(masters, start=1)]


def view(addr: tuple[str, int], password: str | None) -> list[NodeLine] | None:
    """One node's CLUSTER NODES, or None where it does not answer (killed, paused, cut)."""
    client = clients.redis_at(*addr, TIMEOUT_S, password=password)
    try:
        return parse_nodes(client.execute_command("CLUSTER", "NODES"))  # as text: redis-py parses "CLUSTER NODES"
    except RedisError:
        return None
    finally:
        client.close()


def freshest(addrs: list[tuple[str, int]], password: str | None) -> list[NodeLine] | None:
    """The view of the reachable node that knows the newest configuration (the highest config epoch it
    has seen): during a failover the nodes that have not heard of the promotion yet lag behind it."""
    views = [v for v in (view(a, password) for a in addrs) if v]
    return max(views, key=lambda v: max((n.config_epoch for n in v), default=0)) if views else None


def shards(addrs: list[tuple[str, int]], password: str | None) -> list[Shard]:
    lines = freshest(addrs, password)
    return shards_of(lines) if lines else []


def state_ok(addr: tuple[str, int], password: str | None) -> bool:
    client = clients.redis_at(*addr, TIMEOUT_S, password=password)
    try:
        return client.cluster("INFO").get("cluster_state") == "ok"
    except RedisError:
        return False
    finally:
        client.close()


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
    client = clients.redis_at(*addr, TIMEOUT_S, password=password)
    try:
        return client.info("replication").get("master_link_status") == "up"
    except RedisError:
        return False
    finally:
        client.close()
