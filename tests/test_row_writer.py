"""The run files' writer process (observe/row_writer.py): what it writes is what the load's process
wrote itself before, every row sent is on disk when the pipe closes, and a writer that fails or a
sender that dies leaves a file the session knows to be incomplete."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from locust.contrib.csv_request_logger import CsvRequestLogger

import runfiles as rf
from analysis import evidence
from observe.history import History
from observe.row_writer import RowPipe, RowWriterError, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_history_rows_in_the_contracts_columns(tmp_path):
    h = History()
    h.open(tmp_path / rf.HISTORY)
    h.record(1700000000.1234567, 1700000000.25, "bid", "k1", bid_id="b,1", status=201, variant="default",
             write_key='["17", "42"]')
    h.record(1700000001.0, 1700000001.5, "set", "k2", value="v", outcome="unknown", error='Timeout "x"\nmore',
             intent="i2", attempt=2)
    h.close()
    rows = pd.read_csv(tmp_path / rf.HISTORY, dtype=str, keep_default_na=False)
    assert tuple(rows.columns) == rf.HISTORY_COLUMNS
    first, second = rows.to_dict("records")
    assert first == {"t_start_ms": "1700000000123.457", "t_end_ms": "1700000000250.0", "op": "bid", "key": "k1",
                     "value": "", "bid_id": "b,1", "outcome": "ok", "status": "201", "error": "", "intent": "k1",
                     "variant": "default", "attempt": "1", "write_key": '["17", "42"]'}
    assert (second["error"], second["intent"], second["attempt"], second["outcome"]) == \
        ('Timeout "x"\nmore', "i2", "2", "unknown")


def test_request_rows_as_locusts_own_logger_writes_them(tmp_path):
    """The same events through Locust's CsvRequestLogger and through our pipe: byte for byte equal."""
    events = [dict(request_type="POST", name="/api/bids", response_time=3.14159, response_length=80, exception=None,
                   response=None, start_time=1700000000.1234567),
              dict(request_type="redis", name="SET", response_time=None, response_length=0,
                   exception=ValueError("refused, twice"), response=None, start_time=1700000001.5)]
    theirs = CsvRequestLogger(str(tmp_path / "theirs.csv"))
    theirs._open()
    for e in events:
        theirs._on_request(**e)
    theirs.close()
    from locustfile import RunRequestLogger

    ours = RunRequestLogger(os.devnull)
    ours.open_at(tmp_path / "ours.csv")
    for e in events:
        ours._on_request(**e)
    ours.flush()
    assert (tmp_path / "ours.csv").read_bytes() == (tmp_path / "theirs.csv").read_bytes()


def _lines(path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_rows_reach_the_file_within_max_delay_whatever_the_batch(tmp_path):
    pipe = RowPipe("requests", tmp_path / "r.csv", batch=1000, max_delay_s=0.2)
    pipe.add((1.0, "POST", "/a", 1.0, 1, 200, ""))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _lines(tmp_path / "r.csv") < 2:  # bounded: the writer starts, then writes
        time.sleep(0.05)
    assert _lines(tmp_path / "r.csv") == 2
    pipe.add((2.0, "POST", "/a", 1.0, 1, 200, ""))
    pipe.close()
    assert pipe.sent == 2 and len((tmp_path / "r.csv").read_text().splitlines()) == 3


def test_a_writer_that_died_makes_the_file_incomplete(tmp_path):
    pipe = RowPipe("history", tmp_path / "h.csv", batch=1)
    pipe.add((1.0, 2.0, "bid", "k", "", "b", "ok", 201, "", "k", "default", 1))
    os.kill(pipe._proc.pid, signal.SIGKILL)
    pipe._proc.wait(timeout=10)
    for n in range(50):  # the pipe's buffer takes a few before a write fails
        pipe.add((1.0, 2.0, "bid", f"k{n}", "x" * 2000, "b", "ok", 201, "", "k", "default", 1))
    with pytest.raises(RowWriterError, match=r"history\.csv: its writer"):
        pipe.close()


def test_a_sender_killed_mid_run_leaves_every_row_it_sent(tmp_path):
    """SIGKILL of the load's process: the writer reads to the end of its stdin, writes, and exits."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        from observe.row_writer import RowPipe
        import time
        pipe = RowPipe("requests", __import__("pathlib").Path({str(tmp_path / "r.csv")!r}), batch=10)
        for n in range(25):
            pipe.add((float(n), "POST", "/a", 1.0, 1, 200, ""))
            deadline = time.monotonic() + 10
            while n == 19 and pipe.sent < 20 and time.monotonic() < deadline:  # bounded: 20 rows sent, 5 held
                time.sleep(0.01)
        print(pipe._proc.pid, pipe.sent, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL
    writer = int(proc.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{writer}"):  # bounded: it sees its stdin end
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{writer}") or open(f"/proc/{writer}/stat").read().split()[2] == "Z"
    sent = int(proc.stdout.split()[1])
    assert sent >= 20
    rows = pd.read_csv(tmp_path / "r.csv")
    assert list(rows["timestamp"]) == [float(n) for n in range(sent)]  # every row sent, in order


def test_the_writer_counts_what_it_wrote(tmp_path, capsys, monkeypatch):
    import io
    import pickle

    data = pickle.dumps([(1.0, 2.0, "bid", "k", "", "b", "ok", 201, "", "k", "d", 1)]) * 3
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["history", str(tmp_path / "h.csv")]) == 0
    assert capsys.readouterr().out == "wrote 3\n"
    assert len(pd.read_csv(tmp_path / "h.csv")) == 3


@pytest.mark.parametrize("name, families", [(rf.HISTORY, {"history", "loss"}), (rf.REQUESTS, {"load"})])
def test_an_incomplete_file_withholds_what_rests_on_it(name, families):
    """run.json's incomplete_files takes away the families of metrics read from that file."""
    class Run:
        meta = rf.RunMeta.from_json({"incomplete_files": {name: f"{name}: its writer exited 1"},
                                     "config": {"stack": {"sentinels": 0}}})
        requests = pd.DataFrame({"request_type": ["POST"], "name": ["/api/bids"]})
        history = pd.DataFrame({"outcome": ["ok"], "op": ["bid"], "bid_id": ["b1"]})
        verify = rf.VerifyResult.from_json({"checked": True, "settled": True, "stores": ["redis"], "acked_bids": 1,
                                            "acked_sets": 0})
        events = pd.DataFrame(columns=["t_ms", "event", "sentinel"])
        faults: list = []

    found = evidence.gaps(Run(), None)
    assert {k for k, v in found.items() if "is incomplete" in v} == families


def test_greenlets_killed_at_the_stop_lose_no_row_they_added(tmp_path):
    """As in Locust's process (gevent): users adding rows are killed; every row added is written."""
    script = textwrap.dedent(f"""
        from gevent import monkey; monkey.patch_all()
        import sys, gevent
        from pathlib import Path
        from observe.row_writer import RowPipe
        pipe = RowPipe("requests", Path({str(tmp_path / "r.csv")!r}), batch=7, max_delay_s=0.05)
        added = [0]
        def user(u):
            for n in range(10_000):  # bounded; killed long before
                pipe.add((float(n), "POST", f"/u{{u}}", 1.0, 1, 200, ""))
                added[0] += 1
                gevent.sleep(0.001)
        users = [gevent.spawn(user, u) for u in range(20)]
        gevent.sleep(1.0)
        gevent.killall(users)
        pipe.close()
        print(added[0], pipe.sent, flush=True)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    added, sent = (int(x) for x in proc.stdout.split())
    assert added > 1000 and sent == added
    assert len(pd.read_csv(tmp_path / "r.csv")) == added
