"""monitor.csv read as series: one figure of one source over time, and a stream id as a pair that
orders as Redis orders ids (the group's last-delivered id moves backwards, or on, by it)."""
from __future__ import annotations

import pandas as pd


def series(mon: pd.DataFrame, source: str, metric: str) -> pd.DataFrame:
    """[t_ms, v] of the numeric samples, in time order."""
    sel = mon[(mon["source"] == source) & (mon["metric"] == metric)]
    sel = sel.assign(t_ms=sel["t_ms"].astype(float), v=pd.to_numeric(sel["value"], errors="coerce"))
    return sel.dropna(subset=["v"])[["t_ms", "v"]].sort_values("t_ms", kind="stable")


def stream_id(value: object) -> tuple[int, int] | None:
    ms, _, seq = str(value).partition("-")
    return (int(ms), int(seq or 0)) if ms.isdigit() and (seq or "0").isdigit() else None


def stream_ids(mon: pd.DataFrame, metric: str = "last_delivered_id") -> pd.DataFrame:
    """[t_ms, id] of the stream's id samples, in time order."""
    sel = mon[(mon["source"] == "stream") & (mon["metric"] == metric)]
    sel = sel.assign(t_ms=sel["t_ms"].astype(float), id=sel["value"].map(stream_id)).dropna(subset=["id"])
    return sel[["t_ms", "id"]].sort_values("t_ms", kind="stable")
