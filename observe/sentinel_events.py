"""events.jsonl: every Sentinel's pub/sub events (+sdown, +odown, +switch-master, +tilt, ...), timed
on arrival with the same wall clock as the fault journal and the request log."""
from __future__ import annotations

import logging
import time

import gevent
from redis.exceptions import RedisError

from lab import clients
from observe.event_log import EventLog

log = logging.getLogger("observer")


class SentinelObserver(EventLog):
    """One listener per Sentinel; `observer-connected` / `-disconnected` records are the evidence
    that the events of the run are complete (analysis.evidence)."""

    def __init__(self, sentinels: list[tuple[str, int]], max_s: float = 3600, password: str | None = None) -> None:
        super().__init__()
        self.sentinels = sentinels
        self.password = password  # Sentinel's own requirepass
        self.max_s = max_s

    def watches(self) -> list[tuple]:
        return list(self.sentinels)

    def _watch(self, host: str, port: int) -> None:
        """Listen until stopped; every way of not listening leaves an `observer-disconnected` record
        (an error, an unexpected exception, the deadline), so the evidence never claims a watch it lost."""
        name = f"{host}:{port}"
        deadline = time.monotonic() + self.max_s
        connected = None
        while self._running and time.monotonic() < deadline:
            client = clients.sentinel_at(host, port, timeout=None, connect_timeout=0.5, password=self.password)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe("*")
                if connected is not True:
                    self._write(name, "observer-connected")
                    self._connected.add(name)
                connected = True
                while self._running and time.monotonic() < deadline:
                    msg = pubsub.get_message(timeout=0.5)
                    if msg and msg["type"] == "pmessage":
                        self._write(name, msg["channel"], msg["data"])
            except RedisError as exc:
                if connected is not False:
                    self._write(name, "observer-disconnected", f"{type(exc).__name__}: {exc}")
                connected = False
                gevent.sleep(0.5)
            except Exception as exc:  # anything else ends this watch: say so, then stop
                self._write(name, "observer-disconnected", f"observer failed: {type(exc).__name__}: {exc}")
                log.exception("observer of %s failed", name)
                return
            finally:
                pubsub.close()
                client.close()
        if self._running:  # the deadline, not a stop
            self._write(name, "observer-disconnected", "observer deadline reached")
