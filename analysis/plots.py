"""The run's timeline: requests/s, failures/s and p95 latency in 1 s bins from the per-request log,
the fault span shaded and the Sentinel events of each fault marked; the monitor's signals under it."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.load import Run  # noqa: E402
from analysis.metrics import fault_windows, replica_lag, switch_events  # noqa: E402

BIN_S = 1.0
MARKED_EVENTS = ("+sdown", "+odown", "+switch-master", "+failover-end", "+tilt", "-sdown", "+convert-to-slave")


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


def _mark(ax, run: Run, t0: float, end_s: float, labels: bool = False) -> None:
    """Shade each disruptive fault while it is in effect (applied..healed); probes and one-shot actions
    have no span. Sentinel events are lines in every panel; their names (labels=True, the top panel) are
    set at staggered heights where they would overlap."""
    for w in fault_windows(run):
        ax.axvspan((w["applied_ms"] - t0) / 1000, ((w["healed_ms"] or t0 + end_s * 1000) - t0) / 1000, color="red",
                   alpha=0.12)
    events = marked_events(run)
    xs = [(t - t0) / 1000 for t in events["t_ms"]] if len(events) else []
    for x in xs:
        ax.axvline(x, color="purple", linestyle=":", linewidth=1)
    if not labels or not xs:
        return
    lo, hi = ax.get_xlim()
    close = (hi - lo) * 0.03  # label widths at fontsize 7 in an 11-inch figure
    level, last = 0, None
    for x, name in zip(xs, events["event"]):
        level = (level + 1) % 4 if last is not None and x - last < close else 0
        last = x
        ax.annotate(name, (x, 1 - 0.24 * level), xycoords=("data", "axes fraction"), fontsize=7, va="top",
                    ha="left", color="purple", rotation=0,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})


def timeline(run: Run, out: Path) -> Path:
    req = run.requests
    t0 = _t0(run)
    fig, axes = plt.subplots(3, 1, figsize=(11, 8), sharex=True)
    if len(req):
        b = ((req["start_ms"] - t0) / 1000 // BIN_S) * BIN_S
        grouped = req.assign(bin=b).groupby(["bin", "request_type"])
        rate = grouped.size().unstack(fill_value=0) / BIN_S
        fails = req[~req["ok"]].assign(bin=b).groupby(["bin", "request_type"]).size().unstack(fill_value=0) / BIN_S
        fails = fails.reindex(rate.index, fill_value=0)  # a bin without failures is 0, not a line across it
        p95 = req.assign(bin=b).groupby("bin")["response_time_ms"].quantile(0.95)
        for col in rate.columns:
            axes[0].plot(rate.index, rate[col], label=f"{col} req/s", linewidth=1)
        for col in fails.columns:
            axes[1].plot(fails.index, fails[col], label=f"{col} failures/s", linewidth=1)
        axes[2].plot(p95.index, p95.values, color="black", linewidth=1, label="p95 ms (all)")
        end_s = float(b.max()) + BIN_S
    else:
        end_s = 1.0
    titles = ("requests/s (1 s bins, per-request log)", "failures/s", "p95 latency, ms")
    for i, (ax, title) in enumerate(zip(axes, titles)):
        ax.set_title(title, fontsize=9, loc="left")
        _mark(ax, run, t0, end_s, labels=(i == 0))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="lower right")
        ax.grid(alpha=0.3)
    axes[2].set_xlabel(f"{_axis_label(run)}; red: a fault in effect (applied..healed); dotted: Sentinel events, "
                       "every +switch-master", fontsize=8)
    fig.suptitle(f"{run.meta.scenario}: {run.meta.title or ''}", fontsize=11)
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


def monitor_plot(run: Run, out: Path) -> Path | None:
    mon = run.monitor
    if not len(mon):
        return None
    t0 = _t0(run)
    mon = mon.assign(t=(mon["t_ms"] - t0) / 1000, v=pd.to_numeric(mon["value"], errors="coerce"))
    panels = [("up", "node up (1) / unreachable (0)"), ("connected_clients", "connected clients"),
              ("lag", "replication lag behind the master, bytes"), ("pending", "stream: pending / lag / length")]
    lag = replica_lag(run.monitor)
    lag = lag.assign(t=(lag["t_ms"] - t0) / 1000, metric="lag", v=lag["lag"])
    mon = pd.concat([mon, lag[["t_ms", "t", "source", "metric", "v"]]], ignore_index=True)
    fig, axes = plt.subplots(len(panels), 1, figsize=(11, 9), sharex=True)
    for ax, (metric, title) in zip(axes, panels):
        metrics = ("pending", "lag", "xlen") if metric == "pending" else (metric,)
        sel = mon[mon["metric"].isin(metrics)].dropna(subset=["v"])
        sel = sel[sel["source"] == "stream"] if metric == "pending" else sel[sel["source"] != "stream"]
        for (source, name), grp in sel.groupby(["source", "metric"]):
            offset = 0.0
            if metric == "up":
                offset = (sorted(sel["source"].unique()).index(source)) * 0.03
            t, v = _with_gaps(grp["t"], grp["v"] + offset)
            ax.plot(t, v, label=f"{source} {name}" if metric == "pending" else source, linewidth=1,
                    drawstyle="steps-post" if metric == "up" else "default")
        ax.set_title(title, fontsize=9, loc="left")
        _mark(ax, run, t0, float(mon["t"].max()))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="upper right", ncol=2)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel(_axis_label(run), fontsize=8)
    fig.tight_layout()
    path = out / "monitor.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
