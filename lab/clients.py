"""The one factory of raw clients the harness uses (observers, faults, verification, lab readiness).

Short timeouts and no retry: a client of the harness must report a killed, paused or cut node at
once, never hide it behind the retries the service under test has. Redis and Sentinel clients are
made here only, so the credentials a real stack needs are added in one place.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import redis
from redis.backoff import NoBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.retry import Retry

if TYPE_CHECKING:  # the protocol imports settings and specs; clients are needed below them
    from lab.protocol import Lab


def redis_at(host: str, port: int, timeout: float | None = 0.5, connect_timeout: float | None = None,
             password: str | None = None) -> redis.Redis:
    """A Redis node by address. `timeout=None` blocks on reads (a pub/sub listener)."""
    return redis.Redis(host=host, port=port, socket_timeout=timeout, password=password,
                       socket_connect_timeout=connect_timeout if connect_timeout is not None else (timeout or 0.5),
                       decode_responses=True, retry=None)


def sentinel_at(host: str, port: int, timeout: float | None = 0.5, connect_timeout: float | None = None,
                password: str | None = None) -> redis.Redis:
    """A Sentinel by address: its own port and its own password (not the Redis nodes')."""
    return redis_at(host, port, timeout, connect_timeout, password)


def node(lab: "Lab", name: str, timeout: float = 2.0) -> redis.Redis:
    """A Redis node of the lab by catalog name, authenticated with the lab's Redis password."""
    host, port = lab.address(name)
    return redis_at(host, port, timeout, password=lab.secrets.redis)


def master(lab: "Lab", timeout: float = 2.0) -> redis.Redis | RedisCluster:
    """The master Sentinel names at this moment; for a cluster stack, a cluster client over every node
    (each key goes to the master of its slot, MOVED followed by redis-py)."""
    if getattr(lab.spec, "cluster", None):
        return cluster(lab, timeout)
    return node(lab, lab.master(), timeout)


def cluster(lab: "Lab", timeout: float = 2.0) -> RedisCluster:
    """A cluster client that learns the slot map from any node of the lab that answers. It follows
    MOVED and ASK as any cluster client must, but tries a failed command once more only (after a slot
    map refresh), and accepts a cluster with a shard down (the harness must see one, not fail to start)."""
    nodes = [ClusterNode(*lab.address(n)) for n in lab.node_names() if lab.kind(n) == "redis"]
    return RedisCluster(startup_nodes=nodes, password=lab.secrets.redis, socket_timeout=timeout,
                        socket_connect_timeout=timeout, decode_responses=True, require_full_coverage=False,
                        retry=Retry(NoBackoff(), 1))


def ping(lab: "Lab", name: str, timeout: float = 2.0) -> bool:
    """A Redis or Sentinel node of the lab answers PING, asked with its kind's password (raises the
    client's error when it does not answer at all)."""
    password = lab.secrets.sentinel if lab.kind(name) == "sentinel" else lab.secrets.redis
    client = redis_at(*lab.address(name), timeout=timeout, password=password)
    try:
        return bool(client.ping())
    finally:
        client.close()
