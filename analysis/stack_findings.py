"""What a real stack shows and a general tool reports: settings that do not survive a failover, a
consumer group that stops consuming while its processes look healthy, Sentinels that disagree after
one of them restarted. Each figure is absent, with the reason, where its evidence is missing.
"""
from __future__ import annotations

import json

import pandas as pd

import runfiles as rf
from analysis.load import Run
from analysis.monitor_series import series, stream_ids


def config_drift(run: Run) -> tuple[dict, dict[str, str]]:
    """`config_drift`: how many of the guard and durability settings differ between the master before
    the first fault and the master after healing, each as `config_drift.SETTING: "old -> new"`."""
    path = run.dir / rf.CONFIG
    if not path.exists():
        return {"config_drift": None}, {"config_drift": "no config.json in the run (runs before it existed)"}
    record = json.loads(path.read_text())
    before, after = record.get("before") or {}, record.get("after") or {}
    old = (before.get("nodes") or {}).get(before.get("master"))
    new = after.get("values")
    if not isinstance(old, dict):
        why = f"the master's settings before the fault were not read ({old or record.get('master_error')})"
        return {"config_drift": None}, {"config_drift": why}
    if not isinstance(new, dict):
        why = f"the master's settings after healing were not read ({new or record.get('after_error')})"
        return {"config_drift": None}, {"config_drift": why}
    changed = {k: f"{old.get(k)} -> {new.get(k)}" for k in rf.CONFIG_SETTINGS if old.get(k) != new.get(k)}
    out = {"config_drift": len(changed), **{f"config_drift.{k}": v for k, v in changed.items()}}
    if before.get("master") != after.get("master"):
        out["config_drift.master"] = f"{before.get('master')} -> {after.get('master')}"
    return out, {}


def _rate(read: pd.DataFrame, start: float, end: float) -> float | None:
    """Entries per second the group read from `start` until just before `end` (its entries-read counter)."""
    sel = read[(read["t_ms"] >= start) & (read["t_ms"] < end)]
    if len(sel) < 2 or sel["t_ms"].iloc[-1] <= sel["t_ms"].iloc[0]:
        return None
    read_n = max(0.0, float(sel["v"].iloc[-1] - sel["v"].iloc[0]))
    return round(read_n / (float(sel["t_ms"].iloc[-1] - sel["t_ms"].iloc[0]) / 1000), 2)


def consumption(run: Run, fault: dict | None, stall_s: float = 2.0) -> tuple[dict, dict[str, str]]:
    """The group's consumption around the first disruptive fault: entries/s in the 10 s before it and
    in the 10 s before the load stopped, and `consumption_resumed_s`: when, after the fault and while the
    load ran, the group delivered again after its first stall (no entry newer than all before for
    `stall_s` or more while entries waited to be read; its first delivery where it never stalled).
    Absent, with when it stopped, where it stalled to the end (a guard's NOREPLICAS refused the
    consumers' XREADGROUP seconds after the fault: a stop that comes late)."""
    names = ("consumption_before_per_s", "consumption_after_per_s", "consumption_resumed_s")
    mon = run.monitor
    if fault is None or not len(mon):
        why = "no disruptive fault in the run" if fault is None else "no monitor samples"
        return dict.fromkeys(names), dict.fromkeys(names, why)
    t0 = float(fault["applied_ms"])
    end = float(run.meta.test_stop_ms or mon["t_ms"].astype(float).max())
    read, ids = series(mon, "stream", "entries_read"), stream_ids(mon)
    out = {"consumption_before_per_s": _rate(read, t0 - 10_000, t0),
           "consumption_after_per_s": _rate(read, end - 10_000, end + 1)}
    absent = {k: "the group's entries-read was not sampled across that span" for k, v in out.items() if v is None}
    before, after = ids[ids["t_ms"] < t0], ids[(ids["t_ms"] >= t0) & (ids["t_ms"] <= end)]  # while the load ran
    lag = series(mon, "stream", "lag")

    def waiting(a: float, b: float) -> bool:
        """Entries were there to read in [a, b] (else a gap is idleness: nothing was written)."""
        sel = lag[(lag["t_ms"] >= a) & (lag["t_ms"] <= b)]
        return bool((sel["v"] > 0).any()) if len(sel) else True
    if not len(before) or not len(after):
        out["consumption_resumed_s"] = None
        absent["consumption_resumed_s"] = "the group's last-delivered id was not sampled before and after the fault"
        return out, absent
    advances, top = [], max(before["id"])
    for t, i in zip(after["t_ms"], after["id"]):
        if i > top:
            advances.append(float(t))
            top = i
    points, stall_ms = [t0, *advances], stall_s * 1000
    stall = next(((a, b) for a, b in zip(points, points[1:]) if b - a >= stall_ms and waiting(a, b)), None)
    last_seen = float(after["t_ms"].iloc[-1])
    if stall is not None:  # delivering again after its first stall
        out["consumption_resumed_s"] = round((stall[1] - t0) / 1000, 3)
    elif last_seen - points[-1] >= stall_ms and waiting(last_seen - stall_ms, last_seen):  # stalled to the end
        out["consumption_resumed_s"] = None
        out["consumption_stopped_s"] = round((points[-1] - t0) / 1000, 3)  # its last delivery, after the fault
        absent["consumption_resumed_s"] = (
            f"the group delivered nothing new from {(points[-1] - t0) / 1000:.1f} s after the fault to the load's "
            f"end {(last_seen - t0) / 1000:.1f} s after it, with entries waiting: consumption stopped")
    else:  # it never stalled: its first delivery after the fault
        out["consumption_resumed_s"] = round((advances[0] - t0) / 1000, 3) if advances else None
        if not advances:
            absent["consumption_resumed_s"] = "no entry was delivered after the fault, and none waited to be read"
    return out, absent


def drain_rate(run: Run, fault: dict | None, drain_s: float | None) -> tuple[dict, dict[str, str]]:
    """`drain_per_s`: entries the group read per second from the heal until it had drained (after a database pause: how
    fast the consumers catch up once the database is back), from its entries-read counter."""
    if fault is None or not fault.get("healed_ms") or drain_s is None:
        return {"drain_per_s": None}, {"drain_per_s": "no heal followed by a drained group in the run"}
    read = series(run.monitor, "stream", "entries_read")
    start = float(fault["healed_ms"])
    rate = _rate(read, start, start + drain_s * 1000 + 1)
    if rate is None:
        return {"drain_per_s": None}, {"drain_per_s": "the group's entries-read was not sampled across the drain"}
    return {"drain_per_s": rate}, {}


def sentinels_agree(run: Run) -> tuple[dict, dict[str, str]]:
    """Whether, at the last sample, every Sentinel watched named the same master (a Sentinel that copies a
    template config at every start forgets the failover and names the old one)."""
    mon = run.monitor
    votes = mon[(mon["source"] == "sentinel") & (mon["metric"] == "master_votes")] if len(mon) else mon
    expected = len(run.meta.sentinels or [])
    if not len(votes) or not expected:
        return {"sentinels_agree": None}, {"sentinels_agree": "no sample of the Sentinels' master in the run"}
    last = votes[votes["t_ms"].astype(float) == votes["t_ms"].astype(float).max()]
    named = {str(v).rpartition("=")[0]: int(str(v).rpartition("=")[2]) for v in last["value"]}
    return {"sentinels_agree": len(named) == 1 and sum(named.values()) == expected,
            "sentinels_named": ", ".join(f"{k} by {n}" for k, n in sorted(named.items()))}, {}
