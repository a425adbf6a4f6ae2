"""faults.jsonl: one JSON line per fault event (runfiles: Scheduled, Applied, Healed, ...), wall clock ms."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

from runfiles import BackendFacts, JournalLine


def now_ms() -> float:
    return round(time.time() * 1000, 3)


class Journal:
    """Append-only, flushed per line: a crash keeps everything written before it."""

    def __init__(self, path: str | Path, backend: BackendFacts) -> None:
        self.path = Path(path)
        self.backend = backend  # each line names it; the kinds' wording asks its facts (faults/runner.py)
        self._lock = threading.Lock()
        self._fh = open(self.path, "a", encoding="utf-8")

    def write(self, record: JournalLine) -> dict:
        """One record of runfiles' journal types, stamped with the time and backend; its event name
        comes from its type."""
        line = replace(record, t_ms=now_ms(), backend=self.backend.name).to_json()
        with self._lock:
            if not self._fh.closed:
                self._fh.write(json.dumps(line, default=str) + "\n")
                self._fh.flush()
        return line

    def close(self) -> None:
        with self._lock:
            self._fh.close()
