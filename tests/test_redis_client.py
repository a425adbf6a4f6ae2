"""The service's Redis client against a server that has gone silent (what a cut master looks like:
it accepts, and never answers): a deadline bounds the whole operation, not each try."""
from __future__ import annotations

import socket
import threading
import time

import pytest
from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import TimeoutError

from fairbid.redis_client import RETRYABLE, DeadlineRetry, retry_policy
from fairbid.settings import Settings


@pytest.fixture
def silent_server():
    """A real TCP listener on loopback that accepts connections and never replies."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    held, stop = [], threading.Event()

    def accept() -> None:
        srv.settimeout(0.1)
        while not stop.is_set():  # bounded by the fixture's teardown
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()
    stop.set()
    t.join(timeout=2)
    for c in held:
        c.close()
    srv.close()


def test_a_deadline_bounds_all_tries_of_one_operation(silent_server):
    host, port = silent_server
    retry = DeadlineRetry(ExponentialBackoff(cap=0.1, base=0.05), retries=20, deadline_s=1.0)
    client = Redis(host=host, port=port, socket_timeout=0.3, socket_connect_timeout=0.3, retry=retry,
                   retry_on_error=list(RETRYABLE))
    retry.pool_holder.append(client.connection_pool)
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        client.set("k", "v")
    took = time.monotonic() - t0
    assert 0.9 <= took <= 1.0 + 0.3 + 0.3, took  # the deadline and at most one try past it, not 21 x 0.3 s
    client.close()


def test_without_a_deadline_the_retries_alone_bound_it(silent_server):
    host, port = silent_server
    retry = retry_policy(Settings.from_env({"FAIRBID_REDIS_RETRIES": "3", "FAIRBID_REDIS_BACKOFF_CAP_S": "0.05"}))
    assert not isinstance(retry, DeadlineRetry)
    client = Redis(host=host, port=port, socket_timeout=0.3, socket_connect_timeout=0.3, retry=retry,
                   retry_on_error=list(RETRYABLE))
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        client.set("k", "v")
    assert time.monotonic() - t0 >= 4 * 0.3  # every one of the 4 tries waited out its timeout
    client.close()


def test_a_timeout_drops_the_idle_connections_so_the_next_try_connects_anew(lab):
    """On a real Redis of the session lab, cut off by the lab's own fault (DROP rules): idle pooled
    connections to it would each wait out a timeout; the first timeout drops them all."""
    replica = lab.replicas()[0]
    host, port = lab.address(replica)
    retry = DeadlineRetry(ExponentialBackoff(cap=0.1, base=0.05), retries=0, deadline_s=0.5)
    client = Redis(host=host, port=port, socket_timeout=0.3, socket_connect_timeout=0.3, retry=retry,
                   retry_on_error=list(RETRYABLE), password=lab.secrets.redis)
    pool = client.connection_pool
    retry.pool_holder.append(pool)
    idle = [pool.get_connection() for _ in range(3)]
    for conn in idle:
        pool.release(conn)
    assert client.ping() and all(c._sock is not None for c in idle)
    lab.disconnect(replica)
    try:
        with pytest.raises(TimeoutError):
            client.get("k")
        assert all(c._sock is None for c in idle)  # dropped: each asks for an address anew on its next use
    finally:
        lab.connect(replica)
        client.close()
    assert lab.firewall.rules() == []
