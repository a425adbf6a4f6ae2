"""history.csv: every client operation with its outcome, Jepsen-style (ok / fail / unknown).

Losses and duplicates are decided from this record and the final state, never from counters kept
on the side. A timeout is "unknown": the write may or may not have happened.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from observe.base import RunEnd
from observe.row_writer import RowPipe, history_row
from runfiles import HISTORY


class History:
    """Written by the load's users; an observer of the session that opens it on a local run, and is
    closed before verification reads it. On a Locust worker it writes no file: its rows are
    forwarded to the master (harness/relay.py)."""

    files = (HISTORY,)

    def __init__(self) -> None:
        self._pipe: RowPipe | None = None
        self._forward: Callable[[list], None] | None = None

    def forward_to(self, sink: Callable[[list], None]) -> None:
        """Hand every row to `sink` (a worker's relay) instead of a file."""
        self.close()
        self._forward = sink

    def open(self, path: str | Path) -> None:
        """Rows go to `path` through a writer process of their own (observe/row_writer.py)."""
        self.close()
        self._pipe = RowPipe("history", Path(path))

    def record(self, t_start: float, t_end: float, op: str, key: str, value: str = "", bid_id: str = "",
               outcome: str = "ok", status: int | str = "", error: str = "", intent: str = "", variant: str = "",
               attempt: int = 1, write_key: str = "") -> None:
        """One operation: `key` is what was sent (Idempotency-Key or Redis key); `intent` groups the
        attempts of one user action, so retries and the duplicates they create can be counted; `write_key`
        is the write's identity where the service names no id (lab/service.py)."""
        if self._pipe is None and self._forward is None:
            return
        # the contract's column order, times in seconds until history_row (in the writer, for a file)
        raw = (t_start, t_end, op, key, value, bid_id, outcome, status, error, intent or key, variant, attempt, write_key)
        if self._pipe is not None:
            self._pipe.add(raw)
        else:
            self._forward(history_row(raw))

    def start(self, run_dir: Path) -> None:
        self.open(run_dir / HISTORY)

    def ready(self, timeout_s: float = 0) -> bool:
        return True

    def stop(self, end: RunEnd | None = None) -> None:
        self.close()

    def close(self) -> None:
        """Every row on disk, or RowWriterError naming the file that is incomplete."""
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            pipe.close()
