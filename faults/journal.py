"""faults.jsonl: one JSON line per fault event (scheduled, applied, healed, failed), wall clock ms."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path


def now_ms() -> float:
    return round(time.time() * 1000, 3)


class Journal:
    """Append-only, flushed per line: a crash keeps everything written before it."""

    def __init__(self, path: str | Path, backend: str) -> None:
        self.path = Path(path)
        self.backend = backend
        self._lock = threading.Lock()
        self._fh = open(self.path, "a", encoding="utf-8")

    def write(self, event: str, **fields) -> dict:
        record = {"event": event, "t_ms": now_ms(), "backend": self.backend, **fields}
        with self._lock:
            if not self._fh.closed:
                self._fh.write(json.dumps(record, default=str) + "\n")
                self._fh.flush()
        return record

    def close(self) -> None:
        with self._lock:
            self._fh.close()
