"""history.csv: every client operation with its outcome, Jepsen-style (ok / fail / unknown).

Losses and duplicates are decided from this record and the final state, never from counters kept
on the side. A timeout is "unknown": the write may or may not have happened.
"""
from __future__ import annotations

import csv
import threading
from pathlib import Path
from typing import Callable

from observe.base import RunEnd
from runfiles import HISTORY, HISTORY_COLUMNS


class History:
    """Written by the load's users; an observer of the session that opens it on a local run, and is
    closed before verification reads it. On a Locust worker it writes no file: its rows are
    forwarded to the master (harness/relay.py)."""

    files = (HISTORY,)

    def __init__(self) -> None:
        self._fh = None
        self._csv = None
        self._lock = threading.Lock()
        self._pending = 0
        self._forward: Callable[[list], None] | None = None

    def forward_to(self, sink: Callable[[list], None]) -> None:
        """Hand every row to `sink` (a worker's relay) instead of a file."""
        self.close()
        self._forward = sink

    def open(self, path: str | Path) -> None:
        self.close()
        self._fh = open(path, "w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._fh)
        self._csv.writerow(HISTORY_COLUMNS)
        self._fh.flush()

    def record(self, t_start: float, t_end: float, op: str, key: str, value: str = "", bid_id: str = "",
               outcome: str = "ok", status: int | str = "", error: str = "", intent: str = "", variant: str = "",
               attempt: int = 1) -> None:
        """One operation: `key` is what was sent (Idempotency-Key or Redis key); `intent` groups the
        attempts of one user action, so retries and the duplicates they create can be counted."""
        if self._csv is None and self._forward is None:
            return
        row = {"t_start_ms": round(t_start * 1000, 3), "t_end_ms": round(t_end * 1000, 3), "op": op, "key": key,
               "value": value, "bid_id": bid_id, "outcome": outcome, "status": status, "error": error,
               "intent": intent or key, "variant": variant, "attempt": attempt}
        values = [row[c] for c in HISTORY_COLUMNS]  # the contract's order, whatever this dict's
        if self._forward is not None:
            self._forward(values)
            return
        with self._lock:
            self._csv.writerow(values)
            self._pending += 1
            if self._pending >= 200:
                self.flush()

    def flush(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.flush()
            self._pending = 0

    def start(self, run_dir: Path) -> None:
        self.open(run_dir / HISTORY)

    def ready(self, timeout_s: float = 0) -> bool:
        return True

    def stop(self, end: RunEnd | None = None) -> None:
        self.close()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh = self._csv = None
