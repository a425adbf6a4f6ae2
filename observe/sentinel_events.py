"""events.jsonl: every Sentinel's pub/sub events (+sdown, +odown, +switch-master, +tilt, ...), timed
on arrival with the same wall clock as the fault journal and the request log."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import gevent
from redis.exceptions import RedisError

from lab import clients
from observe.base import RunEnd
from runfiles import EVENTS, SentinelEvent

log = logging.getLogger("observer")


class SentinelObserver:
    """One listener per Sentinel; `observer-connected` / `-disconnected` records are the evidence
    that the events of the run are complete (analysis.evidence)."""

    files = (EVENTS,)

    def __init__(self, sentinels: list[tuple[str, int]], max_s: float = 3600) -> None:
        self.sentinels = sentinels
        self.max_s = max_s
        self._fh = None
        self._running = False
        self._greenlets: list[gevent.Greenlet] = []

    def _write(self, sentinel: str, event: str, data: str | None = None) -> None:
        if self._fh is not None and not self._fh.closed:
            record = SentinelEvent(t_ms=round(time.time() * 1000, 3), sentinel=sentinel, event=event, data=data)
            self._fh.write(json.dumps(record.to_json()) + "\n")
            self._fh.flush()

    def start(self, run_dir: Path) -> None:
        self._fh = open(run_dir / EVENTS, "a", encoding="utf-8")
        self._running = True
        self._greenlets = [gevent.spawn(self._watch, host, port) for host, port in self.sentinels]

    def _watch(self, host: str, port: int) -> None:
        name = f"{host}:{port}"
        deadline = time.monotonic() + self.max_s
        connected = None
        while self._running and time.monotonic() < deadline:
            client = clients.sentinel_at(host, port, timeout=None, connect_timeout=0.5)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe("*")
                if connected is not True:
                    self._write(name, "observer-connected")
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
            finally:
                pubsub.close()
                client.close()

    def stop(self, end: RunEnd | None = None) -> None:
        self._running = False
        gevent.joinall(self._greenlets, timeout=2)
        gevent.killall(self._greenlets, block=True, timeout=2)
        if self._fh is not None:
            self._fh.close()
