"""The run's timeline: requests/s, failures/s and p95 latency in 1 s bins from the per-request log,
the fault span shaded and the Sentinel events of each fault marked; the monitor's signals under it."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import runfiles as rf  # noqa: E402
from analysis.evidence import cluster_of  # noqa: E402
from analysis.load import Run  # noqa: E402
from analysis.metrics import (  # noqa: E402
    CONVERT_EVENTS,
    DETECT_EVENTS,
    FAILOVER_EVENTS,
    ODOWN_EVENTS,
    fault_windows,
    lost_history,
    replica_lag,
    switch_events,
)

BIN_S = 1.0
KEY = ("red: a fault in effect until the failover or its heal; hatched: the fault still in place after the "
       "failover; green dashed: probes and hand steps; dotted: Sentinel events")
# Sentinel's and a Redis Cluster's (observe/cluster_events.py: -fail is a failed node back, like -sdown)
MARKED_EVENTS = (*DETECT_EVENTS, *ODOWN_EVENTS, *FAILOVER_EVENTS, "+failover-end", "+tilt", "-sdown", "-fail",
                 *CONVERT_EVENTS)


def _t0(run: Run) -> float:
    """Time zero of every axis: the first disruptive fault (as in report.md's tables), else the first request."""
    windows = fault_windows(run)
    if windows:
        return float(windows[0]["applied_ms"])
    return float(run.requests["start_ms"].min()) if len(run.requests) else float(run.meta.test_start_ms or 0)


def _axis_label(run: Run) -> str:
    windows = fault_windows(run)
    if not windows:
        return "seconds since the first request"
    first = windows[0]
    return f"seconds from the first disruptive fault ({first.get('name') or first['action']} of {first['node']} at 0)"


def marked_events(run: Run) -> pd.DataFrame:
    """The Sentinel events worth a line: the first of each kind in each fault's window (and before the
    first fault), and every +switch-master of the run, so that a second failover shows."""
    ev = run.events[run.events["event"].isin(MARKED_EVENTS)].sort_values("t_ms")
    if not len(ev):
        return ev
    starts = [w["applied_ms"] for w in fault_windows(run)]
    window = ev["t_ms"].apply(lambda t: sum(1 for s in starts if s <= t))
    firsts = ev.assign(window=window).drop_duplicates(subset=["window", "event"])
    switches = switch_events(run.events)
    return pd.concat([firsts.drop(columns="window"), switches]).drop_duplicates().sort_values("t_ms")


def effect_spans(run: Run, end_ms: float) -> list[tuple[float, float, float]]:
    """Each disruptive fault as (applied, effect end, fault end), in ms: its effect on the service ends
    at the first failover after it (Sentinel replaced the master) or at its heal, whichever is first;
    the fault itself lasts until its heal (a kill healed only at the test's stop: the node stays down
    long after clients were served again). A fault never healed lasts until the end of the plot."""
    switches = switch_events(run.events)["t_ms"] if len(run.events) else pd.Series(dtype=float)
    out = []
    for w in fault_windows(run):
        ends = [t for t in (w["healed_ms"], undone_at(run, w)) if t]  # a hand step may undo it before its heal
        fault_end = float(min(ends)) if ends else end_ms
        after = switches[(switches >= w["applied_ms"]) & (switches < min(fault_end, w["until_ms"]))]
        out.append((float(w["applied_ms"]), float(after.min()) if len(after) else fault_end, fault_end))
    return out


def undone_at(run: Run, w: dict) -> float | None:
    """When a later step of the schedule undid a fault by hand (a kill's `start` of the same node): the
    fault ends there, not at the test's stop."""
    undo = w.get("undone_by")
    later = [f.applied_ms for f in run.faults if isinstance(f, rf.Applied) and undo and f.action == undo
             and f.node == w.get("node") and f.applied_ms > w["applied_ms"]]
    return float(min(later)) if later else None


def hand_steps(run: Run) -> list[tuple[float, str]]:
    """Applied actions that open no fault window (probes, a forced failover, a step done by hand): a
    mark each, with its name."""
    return [(float(f.applied_ms), f.name or f"{f.action} {f.node}") for f in run.faults
            if isinstance(f, rf.Applied) and not f.disruptive]


def _stagger(ax, xs: list[float], names: list[str], color: str, top: float, step: float) -> None:
    """Names at staggered heights where they would overlap (label widths at fontsize 7, 11-inch figure)."""
    lo, hi = ax.get_xlim()
    close = (hi - lo) * 0.09
    level, last = 0, None
    for x, name in sorted(zip(xs, names)):
        level = (level + 1) % 5 if last is not None and x - last < close else 0
        last = x
        ax.annotate(name, (x, top - step * level), xycoords=("data", "axes fraction"), fontsize=7, va="top",
                    ha="left", color=color, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})


@dataclass(frozen=True)
class Marks:
    """What every panel of a figure marks, in seconds from t0: read from the run once per figure."""

    spans: list[tuple[float, float, float]]  # (applied, effect end, fault end) of each disruptive fault
    names: list[str]  # each span's fault, as its label says it (kill redis-1, cut, ...)
    steps: list[tuple[float, str]]  # probes and hand steps
    events: list[tuple[float, str]]  # the Sentinel events worth a line


def marks(run: Run, t0: float, end_s: float) -> Marks:
    events = marked_events(run)
    return Marks([tuple((t - t0) / 1000 for t in span) for span in effect_spans(run, t0 + end_s * 1000)],
                 [w["label"] if w["label"] == f"{w['action']} {w['node']}" else f"{w['label']}: {w['action']} {w['node']}"
                  for w in fault_windows(run)],
                 [((at - t0) / 1000, name) for at, name in hand_steps(run)],
                 [((t - t0) / 1000, _event_name(name, data)) for t, name, data in
                  zip(events["t_ms"], events["event"], events["data"].astype(str))] if len(events) else [])


def _event_name(event: str, data: str) -> str:
    """A Sentinel (or cluster) event as marked: whose it is where that is not the master (a replica's
    +sdown or +pfail is not the master going down; a +promoted node was a replica by definition)."""
    who = data.split(" ", 1)[0]
    if who == "replica" and event not in FAILOVER_EVENTS:
        return f"{event} (replica)"
    return f"{event} (replica)" if who == "slave" else f"{event} (sentinel)" if who == "sentinel" else event


def _key(run: Run) -> str:
    """The figure's key; a Redis Cluster's dotted lines are its nodes' own views, not Sentinel's."""
    return KEY.replace("Sentinel events", "cluster events (each node's CLUSTER NODES)") if cluster_of(run) else KEY


def _mark(ax, m: Marks, labels: bool = False) -> None:
    """Shade each disruptive fault while its effect lasts (applied until the failover or its heal), and
    hatch the rest of it (the node still faulted, the service already failed over); probes and hand
    steps are green lines. Sentinel events are dotted lines in every panel; their names (labels=True,
    the top panel) at staggered heights."""
    for (applied, effect_end, fault_end), name in zip(m.spans, m.names):
        # behind the data (zorder 0): a node's green bar under a band stays green
        ax.axvspan(applied, effect_end, color="red", alpha=0.12, linewidth=0, zorder=0)
        if fault_end > effect_end:
            ax.axvspan(effect_end, fault_end, facecolor="none", edgecolor="grey", hatch="//", alpha=0.25, linewidth=0,
                       zorder=0)
        if labels:  # each band named at its foot: a run of several faults tells them apart
            ax.annotate(name, (applied, 0.02), xycoords=("data", "axes fraction"), fontsize=6.5, color="darkred",
                        ha="left", va="bottom", rotation=90)
    for x, _ in m.steps:
        ax.axvline(x, color="green", linestyle="--", linewidth=1)
    for x, _ in m.events:
        ax.axvline(x, color="purple", linestyle=":", linewidth=1)
    if not labels:
        return
    if m.events:
        _stagger(ax, [x for x, _ in m.events], [name for _, name in m.events], "purple", 1.0, 0.17)
    if m.steps:
        _stagger(ax, [x for x, _ in m.steps], [name for _, name in m.steps], "green", 0.22, 0.11)


def _variant(name: str, request_type: str) -> str:
    """A request's line: its type, and the client variant a bid's request name carries (`/api/bids [tuned]`)."""
    if isinstance(name, str) and name.endswith("]") and " [" in name:
        return f"{request_type} [{name.rsplit(' [', 1)[1][:-1]}]"
    return request_type


def _loss_panel(run: Run, t0: float) -> pd.DataFrame | None:
    """Per 1 s bin (of the time acknowledged, or sent): acknowledged writes later found lost, writes of
    unknown outcome and writes the load's stop interrupted. None where there is none of either (no
    empty panel): a run whose writes were all found says so in the title instead."""
    h = run.history
    if not len(h):
        return None
    lost = lost_history(run)
    maybe = h[h["outcome"].isin(rf.MAYBE_STORED)]
    if not len(lost) and not len(maybe):
        return None
    rows = {"acknowledged, later lost": lost["t_end_ms"], "unknown outcome": maybe[maybe["outcome"] == "unknown"]["t_start_ms"],
            "in flight at the load's stop": maybe[maybe["outcome"] == rf.INTERRUPTED_AT_STOP]["t_start_ms"]}
    out = {k: ((v.astype(float) - t0) / 1000 // BIN_S * BIN_S).value_counts().sort_index() / BIN_S
           for k, v in rows.items() if len(v)}
    return pd.DataFrame(out).fillna(0)


def _which(run: Run) -> str:
    """The run, where it ran and what answered: an image read apart from its report still says so."""
    target = (run.meta.target or {}).get("name")
    return f"run {run.meta.run_id}, " + (f"target {target}" if target else f"{run.meta.backend} backend")


def _verified_note(run: Run) -> str:
    v = run.verify
    if v is None or not v.checked:
        return "writes not verified"
    return f"{len(lost_history(run)):,} acknowledged writes lost, verified after healing"


def timeline(run: Run, out: Path) -> Path:
    req = run.requests
    t0 = _t0(run)
    loss = _loss_panel(run, t0)
    rows = 4 if loss is not None else 3
    fig, axes = plt.subplots(rows, 1, figsize=(11, 2.6 * rows + 0.6), sharex=True)
    if len(req):
        b = ((req["start_ms"] - t0) / 1000 // BIN_S) * BIN_S
        line = [_variant(n, t) for n, t in zip(req["name"], req["request_type"])]
        grouped = req.assign(bin=b, line=line).groupby(["bin", "line"])
        rate = grouped.size().unstack(fill_value=0) / BIN_S
        fails = req.assign(bin=b, line=line)[~req["ok"]].groupby(["bin", "line"]).size().unstack(fill_value=0) / BIN_S
        fails = fails.reindex(rate.index, fill_value=0)  # a bin without failures is 0, not a line across it
        p95 = req.assign(bin=b).groupby("bin")["response_time_ms"].quantile(0.95)
        # per client variant where the run compares them (their latency is what durability-latency is about)
        bids = req.assign(bin=b, line=line)[req["request_type"] == "POST"]
        variants = [c for c in bids["line"].unique() if "[" in str(c)]
        for col in rate.columns:
            axes[0].plot(rate.index, rate[col], label=f"{col} req/s", linewidth=1)
        for col in fails.columns:
            axes[1].plot(fails.index, fails[col], label=f"{col} failures/s", linewidth=1)
        if not len(fails.columns):
            axes[1].text(0.5, 0.5, "no failed request", transform=axes[1].transAxes, ha="center", fontsize=9,
                         color="grey")
        axes[2].plot(p95.index, p95.values, color="black", linewidth=1, label="p95 ms (all)")
        for name in sorted(variants):
            vp = bids[bids["line"] == name].groupby("bin")["response_time_ms"].quantile(0.95)
            axes[2].plot(vp.index, vp.values, linewidth=1, label=f"{name} p95", alpha=0.8)
        for ax in axes[:2]:
            ax.set_ylim(bottom=0)  # a rate from 0: a dip reads as the share it is
        end_s = float(b.max()) + BIN_S
    else:
        end_s = 1.0
    titles = ["requests/s (1 s bins, per-request log)", "failures/s", "p95 latency, ms"]
    if loss is not None:
        colors = {"acknowledged, later lost": "crimson", "unknown outcome": "orange", "in flight at the load's stop": "grey"}
        bottom = pd.Series(0.0, index=loss.index)
        for col in loss.columns:  # stacked: a second's bar is all its writes whose fate was not a plain answer
            axes[3].bar(loss.index, loss[col], width=BIN_S * 0.9, align="edge", label=col, color=colors[col],
                        alpha=0.85, bottom=bottom)
            bottom += loss[col]
        titles.append("writes per second: acknowledged and later found lost (by acknowledgement time), "
                      "unknown outcome, in flight at the load's stop (looked up after healing)")
    shown = marks(run, t0, end_s)
    for i, (ax, title) in enumerate(zip(axes, titles)):
        ax.set_title(title, fontsize=9, loc="left")
        _mark(ax, shown, labels=(i == 0))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="best")
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel(f"{_axis_label(run)}\n{_key(run)}", fontsize=8)
    fig.suptitle(f"{run.meta.scenario}: {run.meta.title or ''}\n{_which(run)}; {_verified_note(run)}", fontsize=11)
    fig.tight_layout()
    path = out / "timeline.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _with_gaps(t: pd.Series, v: pd.Series, gap_s: float = 1.0) -> tuple[list, list]:
    """Break the line where samples are missing (a node down), instead of drawing across the gap."""
    ts, vs, last = [], [], None
    for a, b in zip(t, v):
        if last is not None and a - last > gap_s:
            ts.append(last + gap_s / 2)
            vs.append(float("nan"))
        ts.append(a)
        vs.append(b)
        last = a
    return ts, vs


MEMORY = ("used_memory", "used_memory_rss", "used_memory_peak")


def _up_panel(ax, mon: pd.DataFrame) -> None:
    """One row per node: green while it answered, red while it did not, nothing where not sampled."""
    up = mon[mon["metric"] == "up"].dropna(subset=["v"]).sort_values("t")
    names = sorted(up["source"].unique())
    for row, name in enumerate(names):
        grp = up[up["source"] == name]
        t, v = list(grp["t"]), list(grp["v"])
        for i, (a, val) in enumerate(zip(t, v)):
            b = t[i + 1] if i + 1 < len(t) and t[i + 1] - a <= 1.0 else a + 0.25
            ax.broken_barh([(a, b - a)], (row - 0.35, 0.7), color="tab:green" if val >= 1 else "tab:red", linewidth=0)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_ylim(-0.6, len(names) - 0.4)


def _memory(ax, sel: pd.DataFrame) -> None:
    """A colour per node, a line style per measure: nine lines a legend of three names can tell apart."""
    styles = {"used_memory": "-", "used_memory_rss": "--", "used_memory_peak": ":"}
    for i, (source, grp) in enumerate(sel.groupby("source")):
        for metric, part in grp.groupby("metric"):
            t, v = _with_gaps(part["t"], part["v"] / (1024 * 1024))
            ax.plot(t, v, color=f"C{i}", linestyle=styles.get(metric, "-"), linewidth=1,
                    label=source if metric == "used_memory" else None)


def _lines(ax, sel: pd.DataFrame, label, scale: float = 1.0) -> None:
    for key, grp in sel.groupby(["source", "metric"]):
        t, v = _with_gaps(grp["t"], grp["v"] / scale)
        ax.plot(t, v, label=label(*key), linewidth=1)


def monitor_panels(mon: pd.DataFrame) -> list[tuple[str, str, object]]:
    """(title, kind, rows) of each panel the samples fill; a stack without a stream, replicas or
    MySQL gets no empty panel for them."""
    redis_side = mon[(mon["source"] != "stream") & ~mon["source"].astype(str).str.startswith("mysql")]
    mysql = mon[mon["source"].astype(str).str.startswith("mysql")]
    panels = [("nodes: answering (green) or not (red)", "up", mon[mon["metric"] == "up"]),
              ("Redis connected clients", "lines", redis_side[redis_side["metric"] == "connected_clients"]),
              ("replication lag behind the master, KB", "lag", redis_side[redis_side["metric"] == "lag"]),
              ("Redis memory, MB (solid: used, dashed: RSS, dotted: peak)", "memory",
               redis_side[redis_side["metric"].isin(MEMORY)]),
              ("stream: length and lag (left), pending (right axis)", "stream",
               mon[(mon["source"] == "stream") & mon["metric"].isin(("pending", "lag", "xlen"))]),
              ("MySQL: bid rows", "lines", mysql[mysql["metric"] == "bid_rows"]),
              ("MySQL replica lag, s (Seconds_Behind_Master)", "lines", mysql[mysql["metric"] == "seconds_behind_master"])]
    return [(title, kind, rows.dropna(subset=["v"])) for title, kind, rows in panels if len(rows.dropna(subset=["v"]))]


def monitor_plot(run: Run, out: Path) -> Path | None:
    mon = run.monitor
    if not len(mon):
        return None
    t0 = _t0(run)
    mon = mon.assign(t=(mon["t_ms"] - t0) / 1000, v=pd.to_numeric(mon["value"], errors="coerce"))
    lag = replica_lag(run.monitor)
    lag = lag.assign(t=(lag["t_ms"] - t0) / 1000, metric="lag", v=lag["lag"])
    mon = pd.concat([mon, lag[["t_ms", "t", "source", "metric", "v"]]], ignore_index=True)
    panels = monitor_panels(mon)
    if not panels:
        return None
    fig, axes = plt.subplots(len(panels), 1, figsize=(11, 1.9 * len(panels) + 1.2), sharex=True, squeeze=False)
    axes = axes[:, 0]
    shown = marks(run, t0, float(mon["t"].max()))
    for ax, (title, kind, sel) in zip(axes, panels):
        if kind == "up":
            _up_panel(ax, sel)
        elif kind == "memory":
            _memory(ax, sel)
        elif kind == "stream":  # pending (tens) on its own axis: beside the length (thousands) it reads 0
            _lines(ax, sel[sel["metric"] != "pending"], lambda source, metric: f"{source} {metric}")
            pending = sel[sel["metric"] == "pending"]
            if len(pending):
                right = ax.twinx()
                t, v = _with_gaps(pending["t"], pending["v"])
                right.plot(t, v, color="tab:red", linewidth=1, label="pending")
                right.set_ylim(bottom=0)
                right.tick_params(axis="y", labelsize=7, colors="tab:red")
                right.legend(fontsize=7, loc="upper center")
        elif kind == "lag":
            _lines(ax, sel, lambda source, metric: source, scale=1024)
        else:
            _lines(ax, sel, lambda source, metric: source)
        ax.set_title(title, fontsize=9, loc="left")
        _mark(ax, shown)
        if kind != "up" and ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="best", ncol=3)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel(f"{_axis_label(run)}\n{_key(run)}", fontsize=8)
    fig.suptitle(f"{run.meta.scenario}: the stack as sampled (monitor.csv, every 0.25 s)\n{_which(run)}", fontsize=11)
    fig.tight_layout()
    path = out / "monitor.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
