"""What the two event observers share (Sentinel's pub/sub, a cluster's polled views): events.jsonl on
the fault journal's wall clock, one greenlet per watched server, and the `observer-connected` set that
says when each is watched (analysis.evidence reads the records)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import gevent

from observe.base import RunEnd
from runfiles import EVENTS, SentinelEvent


class EventLog:
    """A subclass names what it watches (`watches`: the arguments of one `_watch` greenlet each) and
    records what it sees with `_write`; `_connected` holds every source watched at least once."""

    files = (EVENTS,)

    def __init__(self) -> None:
        self._fh = None
        self._running = False
        self._greenlets: list[gevent.Greenlet] = []
        self._connected: set[str] = set()

    def watches(self) -> list[tuple]:
        raise NotImplementedError

    def _watch(self, *args) -> None:
        raise NotImplementedError

    def _write(self, source: str, event: str, data: str | None = None, t_ms: float | None = None) -> None:
        if self._fh is not None and not self._fh.closed:
            t = time.time() * 1000 if t_ms is None else t_ms
            record = SentinelEvent(t_ms=round(t, 3), sentinel=source, event=event, data=data)
            self._fh.write(json.dumps(record.to_json()) + "\n")
            self._fh.flush()

    def start(self, run_dir: Path) -> None:
        self._fh = open(run_dir / EVENTS, "a", encoding="utf-8")
        self._running = True
        self._greenlets = [gevent.spawn(self._watch, *args) for args in self.watches()]

    def ready(self, timeout_s: float = 5.0) -> bool:
        """Every source watched (bounded): faults start only once their events can be seen."""
        wanted = len(self.watches())
        deadline = time.monotonic() + timeout_s
        while len(self._connected) < wanted and time.monotonic() < deadline:
            gevent.sleep(0.05)
        return len(self._connected) == wanted

    def stop(self, end: RunEnd | None = None) -> None:
        self._running = False
        gevent.joinall(self._greenlets, timeout=2)
        gevent.killall(self._greenlets, block=True, timeout=2)
        if self._fh is not None:
            self._fh.close()
