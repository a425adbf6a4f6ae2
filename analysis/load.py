"""Loading a run directory: every file of the run-output contract, tolerant of the optional ones."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

import runfiles as rf
from errors import HarnessError


@dataclass
class Run:
    dir: Path
    meta: rf.RunMeta
    requests: pd.DataFrame  # + start_ms, end_ms, ok
    faults: list[rf.JournalLine]
    events: pd.DataFrame  # one row per rf.SentinelEvent
    history: pd.DataFrame
    verify: rf.VerifyResult | None  # None: no verify.json (interrupted, or the verification never ran)
    monitor: pd.DataFrame


def _csvs(run_dir: Path, pattern: str, columns: tuple[str, ...], text: tuple[str, ...] = ()) -> pd.DataFrame:
    """Concatenate per-process files (requests.csv, requests-<pid>.csv, ...); `text` columns stay strings."""
    frames = [pd.read_csv(p, keep_default_na=False, na_values=[""], dtype={c: "string" for c in text})
              for p in sorted(run_dir.glob(pattern)) if p.stat().st_size]
    frames = [f for f in frames if len(f.columns)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(columns))


def read_history(run_dir: Path) -> pd.DataFrame:
    """Every process's history.csv as one frame (text columns stay text; empty ones are NA). A column
    the contract added since a run was written (write_key) is there, empty."""
    hist = _csvs(run_dir, rf.all_of(rf.HISTORY), rf.HISTORY_COLUMNS, rf.HISTORY_TEXT)
    for col in rf.HISTORY_COLUMNS:
        if col not in hist.columns:
            hist[col] = pd.Series([pd.NA] * len(hist), dtype="string" if col in rf.HISTORY_TEXT else "object")
    return hist


def load_run(run_dir: str | Path) -> Run:
    run_dir = Path(run_dir)
    meta = rf.RunMeta.load(run_dir)
    if meta is None:
        raise HarnessError(f"{run_dir} is not a run directory (no readable run.json)")
    req = _csvs(run_dir, rf.all_of(rf.REQUESTS), rf.REQUEST_COLUMNS, ("request_type", "name", "exception"))
    req["exception"] = req["exception"].astype("string").fillna("").astype(str)
    req["start_ms"] = req["timestamp"].astype(float) * 1000
    req["end_ms"] = req["start_ms"] + req["response_time_ms"].fillna(0).astype(float)
    req["ok"] = req["exception"] == ""
    req = req.sort_values("start_ms", ignore_index=True)
    events = pd.DataFrame([asdict(e) for e in rf.read_events(run_dir)], columns=list(rf.EVENT_FIELDS))
    faults = rf.read_journal(run_dir)
    if any(isinstance(f, rf.Applied) and f.disruptive is None for f in faults):
        # read as it is, its faults would silently open no window: said, not guessed
        raise HarnessError(f"{run_dir / rf.FAULTS} was written by an older runner without each fault's facts; "
                           f"`python -m faults.upgrade {run_dir}` adds them (nothing else changes)")
    history = read_history(run_dir)
    monitor_path = run_dir / rf.MONITOR
    return Run(
        dir=run_dir, meta=meta, requests=req, faults=faults, events=events,
        history=history, verify=rf.VerifyResult.load(run_dir),
        monitor=pd.read_csv(monitor_path) if monitor_path.exists() else pd.DataFrame(
            columns=list(rf.MONITOR_COLUMNS)),
    )
