"""requests.csv and history.csv, written by a process of their own.

The load's process keeps each row as the tuple it was given and hands the rows over in pickled
batches; this process rounds, formats and writes them. Why: callgrind counted the full harness's
Locust process at 14.99 % more instructions per bid than bare Locust's (bench/instructions.py, 40
bids/s), almost all of it these two rows: the floats' rounding and repr (dtoa) and the csv module's
check of every character written. Handed over, they cost it 3.14 % (pickle: 3,896 a bid).

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
    """The load's side: rows collected as tuples; a sender thread of its own (a greenlet in Locust's
    process) sends them every `batch` rows or `max_delay_s`, so a SIGKILL loses at most that much, as
    a file buffer would, and a user's greenlet killed at the load's stop never holds a batch."""

    def __init__(self, kind: str, path: Path, batch: int = 200, max_delay_s: float = 0.5, stop_timeout_s: float = 30) -> None:
        self.kind, self.file = kind, KINDS[kind][0]
        self.batch, self.max_delay_s, self.stop_timeout_s = batch, max_delay_s, stop_timeout_s
        self.sent = 0
        self.lost = 0
        self.error = ""
        self._rows: list[tuple] = []
        self._wake = threading.Event()
        self._closing = False
        self._proc = subprocess.Popen([sys.executable, "-m", "observe.row_writer", kind, str(path)], cwd=ROOT,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._sender = threading.Thread(target=self._send_loop, name=f"row-pipe-{kind}", daemon=True)
        self._sender.start()

    def add(self, row: tuple) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.batch:
            self._wake.set()

    def _send_loop(self) -> None:
        while not self._closing:  # ends with close()
            self._wake.wait(self.max_delay_s)
            self._wake.clear()
            self._send()

    def _send(self) -> None:
        """Only the sender thread writes to the pipe (and close(), once it has stopped)."""
        rows, self._rows = self._rows, []
        if not rows:
            return
        if self.error:
            self.lost += len(rows)
            return
        try:
            self._proc.stdin.write(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
            self._proc.stdin.flush()
            self.sent += len(rows)
        except OSError as exc:  # the writer is gone: what it had is on disk, the rest is not
            self.error = f"its writer stopped taking rows ({type(exc).__name__}: {exc})"
            self.lost += len(rows)

    def close(self) -> None:
        """Send what is left, end the writer and check it wrote every row added (raises RowWriterError)."""
        if self._proc is None:
            return
        self._closing = True
        self._wake.set()
        self._sender.join(timeout=self.stop_timeout_s)
        if self._sender.is_alive():
            self.error = self.error or f"its pipe did not take a batch within {self.stop_timeout_s} s"
        else:
            self._send()
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
            raise RowWriterError(self.file, (f"{self.error}; {self.lost} rows not written" if self.error else
                                             f"its writer exited {proc.returncode} having written "
                                             f"{wrote if wrote is not None else 'no count of'} rows of {self.sent} sent"))


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
