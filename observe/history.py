"""history.csv: every client operation with its outcome, Jepsen-style (ok / fail / unknown).

Losses and duplicates are decided from this record and the final state, never from counters kept
on the side. A timeout is "unknown": the write may or may not have happened.
"""
from __future__ import annotations

import csv
import threading
from pathlib import Path

from observe.base import RunEnd
from runfiles import HISTORY, HISTORY_COLUMNS, per_process


class History:
    """Written by the load's users (every process its own file); an observer of the session that
    opens it on the master, and is closed before verification reads it."""

    files = (HISTORY,)

    def __init__(self) -> None:
        self._fh = None
        self._csv = None
        self._lock = threading.Lock()
        self._pending = 0

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
        if self._csv is None:
            return
        with self._lock:
            row = {"t_start_ms": round(t_start * 1000, 3), "t_end_ms": round(t_end * 1000, 3), "op": op, "key": key,
                   "value": value, "bid_id": bid_id, "outcome": outcome, "status": status, "error": error,
                   "intent": intent or key, "variant": variant, "attempt": attempt}
            self._csv.writerow([row[c] for c in HISTORY_COLUMNS])  # the contract's order, whatever this dict's
            self._pending += 1
            if self._pending >= 200:
                self.flush()

    def flush(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.flush()
            self._pending = 0

    def start(self, run_dir: Path, pid: int | None = None) -> None:
        self.open(run_dir / per_process(HISTORY, pid))

    def ready(self, timeout_s: float = 0) -> bool:
        return True

    def stop(self, end: RunEnd | None = None) -> None:
        self.close()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh = self._csv = None
