"""The one factory of raw clients the harness uses (observers, faults, verification, lab readiness).

Short timeouts and no retry: a client of the harness must report a killed, paused or cut node at
once, never hide it behind the retries the service under test has. Redis and Sentinel clients are
made here only, so the credentials a real stack needs are added in one place.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import redis

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


def master(lab: "Lab", timeout: float = 2.0) -> redis.Redis:
    """The master Sentinel names at this moment."""
    return node(lab, lab.master(), timeout)


def ping(lab: "Lab", name: str, timeout: float = 2.0) -> bool:
    """A Redis or Sentinel node of the lab answers PING, asked with its kind's password (raises the
    client's error when it does not answer at all)."""
    password = lab.secrets.sentinel if lab.kind(name) == "sentinel" else lab.secrets.redis
    client = redis_at(*lab.address(name), timeout=timeout, password=password)
    try:
        return bool(client.ping())
    finally:
        client.close()
