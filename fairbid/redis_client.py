"""The Redis connection as the service sees it: through Sentinel, with explicit timeouts and retry.

redis-py's Sentinel-managed pool asks Sentinel for the master on every new connection and drops a
connection that answers READONLY, so a failover needs no hand-written rediscovery here. Retries
are set explicitly because redis-py's defaults differ between `Redis()` and `master_for()`.

A cut master does not refuse: it goes silent, and every pooled connection to it waits out its
timeout, try after try. With a deadline (FAIRBID_REDIS_DEADLINE_S) an operation gets one total
budget for all its tries and waits, and the first timeout drops the pool's idle connections, so
the next try connects anew and so asks Sentinel again: errors end when Sentinel has switched, not
when the retries are spent.

With FAIRBID_CLUSTER the client is redis-py's RedisCluster instead (checked against redis-py 8.1). It
keeps a slot map (CLUSTER SLOTS) and sends each command to its key's master. It follows redirections
by itself: on MOVED it patches that slot to the named node (every 5th MOVED re-reads the whole map) and
sends again, on ASK it sends ASKING and the command to the named node, on TRYAGAIN it sends again, 16
redirections at most (then ClusterError "TTL exhausted"). A ConnectionError or TimeoutError drops the
node's idle connections and re-reads the map; CLUSTERDOWN (or a slot no master covers) waits 0.25 s and
re-reads it; then the command is sent again, up to FAIRBID_REDIS_RETRIES times, without backoff: of
the `retry` object only the count is used, and so the deadline does not apply. Only those exact types
are retried (not their subclasses: MASTERDOWN, LOADING); READONLY, NOREPLICAS and the like are raised at
once. Its per-node clients never retry on their own. Its constructor connects to read the map.
"""
from __future__ import annotations

import copy
import socket
import time

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError
from redis.retry import Retry
from redis.sentinel import Sentinel

from fairbid.settings import Settings

RETRYABLE = (ConnectionError, TimeoutError, ReadOnlyError)


class DeadlineRetry(Retry):
    """redis-py's retry loop with a total deadline per call and, on a timeout, the pool's idle
    connections dropped. redis-py deep-copies a retry into every connection: the copies share one
    holder, which points at the pool once the client exists."""

    def __init__(self, backoff, retries: int, deadline_s: float) -> None:
        super().__init__(backoff, retries, RETRYABLE)
        self.deadline_s = deadline_s
        self.pool_holder: list = []

    def __deepcopy__(self, memo) -> "DeadlineRetry":
        twin = DeadlineRetry(copy.deepcopy(self._backoff, memo), self._retries, self.deadline_s)
        twin.pool_holder = self.pool_holder
        return twin

    def call_with_retry(self, do, fail, is_retryable=None, with_failure_count=False):
        self._backoff.reset()
        end = time.monotonic() + self.deadline_s
        failures = 0
        while True:
            try:
                return do()
            except self._supported_errors as error:
                if is_retryable and not is_retryable(error):
                    raise
                failures += 1
                fail(error, failures) if with_failure_count else fail(error)
                if isinstance(error, (TimeoutError, socket.timeout)) and self.pool_holder:
                    # in-use connections are left to their own tries: closing them would cut other calls
                    self.pool_holder[0].disconnect(inuse_connections=False)
                wait = self._backoff.compute(failures)
                if failures > self._retries or time.monotonic() + wait >= end:
                    raise error
                if wait > 0:
                    time.sleep(wait)


def retry_policy(settings: Settings) -> Retry:
    backoff = ExponentialBackoff(cap=settings.redis_backoff_cap_s, base=0.05)
    if settings.redis_deadline_s:
        return DeadlineRetry(backoff, settings.redis_retries, settings.redis_deadline_s)
    return Retry(backoff, settings.redis_retries)


def cluster_kwargs(settings: Settings) -> dict:
    """RedisCluster's arguments, apart so they can be checked without a cluster (its constructor connects).
    A map that lacks a shard's slots is taken (require_full_coverage=False): the other shards' buckets
    keep working unless the servers themselves refuse (cluster-require-full-coverage)."""
    return dict(
        startup_nodes=[ClusterNode(host, port) for host, port in settings.cluster],
        password=settings.redis_password,
        decode_responses=True,
        socket_timeout=settings.redis_timeout_s,
        socket_connect_timeout=min(settings.redis_timeout_s, 1.0),
        retry=Retry(ExponentialBackoff(cap=settings.redis_backoff_cap_s, base=0.05), settings.redis_retries),
        require_full_coverage=False,
    )


def connect(settings: Settings) -> Redis | RedisCluster:
    """A client for the current master: a cluster client (FAIRBID_CLUSTER), a direct one (single-node
    stack) or one found through Sentinel. Raises RedisClusterException when no startup node answers."""
    if settings.cluster:
        return RedisCluster(**cluster_kwargs(settings))
    retry = retry_policy(settings)
    common = dict(
        socket_timeout=settings.redis_timeout_s,
        socket_connect_timeout=min(settings.redis_timeout_s, 1.0),
        retry=retry,
        retry_on_error=list(RETRYABLE),
        decode_responses=True,
        health_check_interval=0,
        password=settings.redis_password,
    )
    if settings.redis_direct:
        host, port = settings.redis_direct
        return _bound(Redis(host=host, port=port, **common), retry)
    if not settings.sentinels:
        raise ValueError("set FAIRBID_SENTINELS (h:p,...) or FAIRBID_REDIS (h:p)")
    sentinel = Sentinel(
        list(settings.sentinels),
        sentinel_kwargs={"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "password": settings.sentinel_password},
    )
    return _bound(sentinel.master_for(settings.master_name, **common), retry)


def _bound(client: Redis, retry: Retry) -> Redis:
    if isinstance(retry, DeadlineRetry):
        retry.pool_holder.append(client.connection_pool)
    return client
