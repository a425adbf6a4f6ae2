"""requests.csv and history.csv, written by a process of their own.

The load's process keeps each row as the tuple it was given and hands the rows over in pickled
batches; this process rounds, formats and writes them. Why: callgrind counted the full harness's
Locust process at 14.99 % more instructions per bid than bare Locust's (bench/instructions.py, 40
bids/s), almost all of it these two rows: the floats' rounding and repr (dtoa) and the csv module's
check of every character written. Handed over, they cost it 2.33 % (pickle: 3,876 a bid).

    python -m observe.row_writer KIND PATH     (KIND: requests or history; rows on stdin)

It writes each batch as it arrives and flushes, stops at the end of stdin (also when the load's
process dies), and prints the rows it wrote, which the load's side holds against the rows it sent.
"""
from __future__ import annotations

import csv
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

from errors import HarnessError
from runfiles import HISTORY, HISTORY_COLUMNS, REQUEST_COLUMNS, REQUESTS

ROOT = Path(__file__).resolve().parent.parent


def history_row(raw: tuple) -> list:
    """A history row as the contract has it: times in ms, to the microsecond."""
    return [round(raw[0] * 1000, 3), round(raw[1] * 1000, 3), *raw[2:]]


def request_row(raw: tuple) -> list:
    """A request row as Locust's CsvRequestLogger writes it (a test holds the two equal)."""
    ts, request_type, name, response_time, *rest = raw
    return [round(ts, 6), request_type, name, round(response_time, 2) if response_time is not None else "", *rest]


KINDS = {"history": (HISTORY, HISTORY_COLUMNS, history_row), "requests": (REQUESTS, REQUEST_COLUMNS, request_row)}


class RowWriterError(HarnessError):
    """A run file whose writer failed or wrote fewer rows than it was sent: that file is incomplete."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file


class RowPipe:
    """The load's side: rows collected as tuples, sent every `batch` rows or `max_delay_s` (at the next
    row), so a SIGKILL loses at most that much, as a file buffer would."""

    def __init__(self, kind: str, path: Path, batch: int = 200, max_delay_s: float = 0.5, stop_timeout_s: float = 30) -> None:
        self.kind, self.file = kind, KINDS[kind][0]
        self.batch, self.max_delay_s, self.stop_timeout_s = batch, max_delay_s, stop_timeout_s
        self.sent = 0
        self.error = ""
        self._rows: list[tuple] = []
        self._since = time.monotonic()
        self._lock = threading.Lock()  # one batch on the pipe at a time (a gevent lock in Locust's process)
        self._proc = subprocess.Popen([sys.executable, "-m", "observe.row_writer", kind, str(path)], cwd=ROOT,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def add(self, row: tuple) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.batch or time.monotonic() - self._since > self.max_delay_s:
            self.send()

    def send(self) -> None:
        rows, self._rows, self._since = self._rows, [], time.monotonic()
        if not rows or self.error:
            return
        try:
            with self._lock:
                self._proc.stdin.write(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
                self._proc.stdin.flush()
                self.sent += len(rows)
        except OSError as exc:  # the writer is gone: what it had is on disk, the rest is not
            self.error = f"its writer stopped taking rows ({type(exc).__name__}: {exc})"

    def close(self) -> None:
        """Send what is left, end the writer and check it wrote every row sent (raises RowWriterError)."""
        if self._proc is None:
            return
        self.send()
        proc, self._proc = self._proc, None
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            out, _ = proc.communicate(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
            raise RowWriterError(self.file, f"its writer did not finish within {self.stop_timeout_s} s: killed") from None
        words = out.decode(errors="replace").split()
        wrote = int(words[1]) if words[:1] == ["wrote"] and len(words) > 1 else None
        if self.error or proc.returncode != 0 or wrote != self.sent:
            raise RowWriterError(self.file, self.error or f"its writer exited {proc.returncode} having written "
                                 f"{wrote if wrote is not None else 'no count of'} rows of {self.sent} sent")


def main(argv: list[str] | None = None) -> int:
    kind, path = (argv if argv is not None else sys.argv[1:])[:2]
    _file, columns, fmt = KINDS[kind]
    wrote = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        fh.flush()
        while True:  # ends with its stdin
            try:
                rows = pickle.load(sys.stdin.buffer)
            except (EOFError, pickle.UnpicklingError):  # the end, or a batch cut off by the sender's death
                break
            writer.writerows(fmt(r) for r in rows)
            fh.flush()
            wrote += len(rows)
    print("wrote", wrote, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
