"""The Redis connection as the service sees it: through Sentinel, with explicit timeouts and retry.

redis-py's Sentinel-managed pool asks Sentinel for the master on every new connection and drops a
connection that answers READONLY, so a failover needs no hand-written rediscovery here. Retries
are set explicitly because redis-py's defaults differ between `Redis()` and `master_for()`.
"""
from __future__ import annotations

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError
from redis.retry import Retry
from redis.sentinel import Sentinel

from fairbid.settings import Settings

RETRYABLE = (ConnectionError, TimeoutError, ReadOnlyError)


def retry_policy(settings: Settings) -> Retry:
    return Retry(ExponentialBackoff(cap=settings.redis_backoff_cap_s, base=0.05), settings.redis_retries)


def connect(settings: Settings) -> Redis:
    """A client for the current master: a direct one (single-node stack) or one found through Sentinel."""
    common = dict(
        socket_timeout=settings.redis_timeout_s,
        socket_connect_timeout=min(settings.redis_timeout_s, 1.0),
        retry=retry_policy(settings),
        retry_on_error=list(RETRYABLE),
        decode_responses=True,
        health_check_interval=0,
        password=settings.redis_password,
    )
    if settings.redis_direct:
        host, port = settings.redis_direct
        return Redis(host=host, port=port, **common)
    if not settings.sentinels:
        raise ValueError("set FAIRBID_SENTINELS (h:p,...) or FAIRBID_REDIS (h:p)")
    sentinel = Sentinel(
        list(settings.sentinels),
        sentinel_kwargs={"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "password": settings.sentinel_password},
    )
    return sentinel.master_for(settings.master_name, **common)
