"""events.jsonl: every Sentinel's pub/sub events (+sdown, +odown, +switch-master, +tilt, ...), timed
on arrival with the same wall clock as the fault journal and the request log."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import gevent
import redis
from redis.exceptions import RedisError

log = logging.getLogger("observer")


class SentinelObserver:
    def __init__(self, sentinels: list[tuple[str, int]], path: str | Path, max_s: float = 3600) -> None:
        self.sentinels = sentinels
        self.path = Path(path)
        self.max_s = max_s
        self._fh = open(self.path, "a", encoding="utf-8")
        self._running = False
        self._greenlets: list[gevent.Greenlet] = []

    def _write(self, record: dict) -> None:
        if not self._fh.closed:
            self._fh.write(json.dumps(record) + "\n")
            self._fh.flush()

    def start(self) -> None:
        self._running = True
        self._greenlets = [gevent.spawn(self._watch, host, port) for host, port in self.sentinels]

    def _watch(self, host: str, port: int) -> None:
        name = f"{host}:{port}"
        deadline = time.monotonic() + self.max_s
        connected = None
        while self._running and time.monotonic() < deadline:
            client = redis.Redis(host=host, port=port, socket_connect_timeout=0.5, socket_timeout=None,
                                 decode_responses=True, retry=None)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe("*")
                if connected is not True:
                    self._write({"t_ms": round(time.time() * 1000, 3), "sentinel": name, "event": "observer-connected"})
                connected = True
                while self._running and time.monotonic() < deadline:
                    msg = pubsub.get_message(timeout=0.5)
                    if msg and msg["type"] == "pmessage":
                        self._write({"t_ms": round(time.time() * 1000, 3), "sentinel": name,
                                     "event": msg["channel"], "data": msg["data"]})
            except RedisError as exc:
                if connected is not False:
                    self._write({"t_ms": round(time.time() * 1000, 3), "sentinel": name,
                                 "event": "observer-disconnected", "data": f"{type(exc).__name__}: {exc}"})
                connected = False
                gevent.sleep(0.5)
            finally:
                pubsub.close()
                client.close()

    def stop(self) -> None:
        self._running = False
        gevent.joinall(self._greenlets, timeout=2)
        gevent.killall(self._greenlets, block=True, timeout=2)
        self._fh.close()
