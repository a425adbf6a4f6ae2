"""Two or more runs side by side (issue 14, "Comparison across runs"), from their run files alone.

Usage: python analysis/compare.py RUN_A RUN_B [...] [--out DIR]

Writes into DIR (default results/compare-TIMESTAMP/):
  compare.md   every metric measured in at least one run and reported by two or more, one column per
               run; the checks' verdicts per run; the settings (stack, load, Sentinel timings) that differ
  compare.json the same tables as data
  compare.png  the runs' failed requests overlaid, each aligned on its first disruptive fault (t = 0 at
               its applied time), that run's fault spans shaded and its +switch-master marked in its colour
Each run must have its summary.json (analysis/report.py RUN_DIR writes it); nothing in a run is changed.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

import runfiles as rf
from analysis.load import Run, load_run
from analysis.metrics import fault_windows, switch_events
from analysis.report_analysis import fmt
from errors import HarnessError

RESULTS = rf.RESULTS
BIN_S = 0.5
MD, JSON, PNG = "compare.md", "compare.json", "compare.png"


# ---- the runs ---------------------------------------------------------------------------------------
def read_summary(run_dir: Path) -> rf.Summary:
    s = rf.Summary.load(run_dir)
    if s is None:
        raise HarnessError(f"{run_dir}: no readable {rf.SUMMARY} (python analysis/report.py {run_dir} writes it)")
    return s


def label(s: rf.Summary) -> str:
    """A run's column head: `scenario (backend, run_id)`."""
    return f"{s.scenario} ({s.backend}, {s.run_id})"


def zero(run: Run) -> dict:
    """What a run's t = 0 is: its first disruptive fault's applied time, or (none) its test start."""
    windows = fault_windows(run)
    if windows:
        w = windows[0]
        what = f"{w['action']} {w['node']}"
        return {"t0_ms": w["applied_ms"], "on": f"{w['label']} ({what}) applied" if w["label"] != what else f"{what} applied",
                "healed_after_s": round((w["healed_ms"] - w["applied_ms"]) / 1000, 3) if w.get("healed_ms") else None}
    start = run.meta.test_start_ms
    if start is None:
        start = float(run.requests["start_ms"].min()) if len(run.requests) else 0.0
    return {"t0_ms": float(start), "on": "test start (no disruptive fault)", "healed_after_s": None}


# ---- the tables -------------------------------------------------------------------------------------
def _cell(s: rf.Summary, metric: str) -> str:
    value = (s.metrics or {}).get(metric)
    if value is not None:
        return fmt(value)
    why = (s.absent or {}).get(metric)
    return f"absent: {why}" if why else "-"


def metric_rows(summaries: list[rf.Summary]) -> list[dict]:
    """Every metric some run measured (non-null) that two or more runs report, in the runs' own order."""
    order: dict[str, None] = {}
    for s in summaries:
        order.update(dict.fromkeys(s.metrics or {}))
    rows = []
    for metric in order:
        having = [s for s in summaries if metric in (s.metrics or {})]
        if len(having) < 2 or all(s.metrics[metric] is None for s in having):
            continue
        rows.append({"metric": metric, "values": [(s.metrics or {}).get(metric) for s in summaries],
                     "cells": [_cell(s, metric) for s in summaries]})
    return rows


def check_rows(summaries: list[rf.Summary]) -> list[dict]:
    """Each check (by name) of any run, with each run's outcome; None where the run has no such check."""
    names: dict[str, None] = {}
    for s in summaries:
        names.update(dict.fromkeys(c.name for c in s.checks or []))
    rows = []
    for name in names:
        per_run = [next((c for c in s.checks or [] if c.name == name), None) for s in summaries]
        rows.append({"check": name, "runs": [None if c is None else {
            "passed": c.passed, "actual": c.actual, **({"reason": c.reason} if c.reason else {})}
            for c in per_run]})
    return rows


def flat_settings(d: object, prefix: str = "") -> dict[str, object]:
    """A run's nested settings as `a.b.c: value` (a list as its JSON text): what two runs' configs are compared by."""
    if isinstance(d, dict):
        out: dict[str, object] = {}
        for k, v in d.items():
            out.update(flat_settings(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: json.dumps(d) if isinstance(d, list) else d}


def config_differences(summaries: list[rf.Summary]) -> list[dict]:
    """The settings of summary.json's `config` (stack, Sentinel timings, load, client) that are not the
    same in every run; a setting one run lacks counts as different."""
    flats = [{k: v for k, v in flat_settings(s.config or {}).items() if v is not None} for s in summaries]
    keys = sorted({k for f in flats for k in f})
    return [{"setting": k, "values": [f.get(k) for f in flats]} for k in keys
            if len({json.dumps(f[k], sort_keys=True) if k in f else "<missing>" for f in flats}) > 1]


# ---- the timeline -----------------------------------------------------------------------------------
def failures_per_bin(run: Run, t0_ms: float) -> tuple[pd.Series, pd.Series]:
    """(failed requests, requests) per 0.5 s bin by start time, x in seconds from t0; empty bins are 0."""
    req = run.requests
    if not len(req):
        return pd.Series(dtype=float), pd.Series(dtype=float)
    b = ((req["start_ms"] - t0_ms) / 1000 // BIN_S) * BIN_S
    index = pd.Index([i * BIN_S for i in range(int(b.min() / BIN_S), int(b.max() / BIN_S) + 1)])
    total = req.groupby(b).size().reindex(index, fill_value=0)
    failed = req[~req["ok"]].groupby(b[~req["ok"]]).size().reindex(index, fill_value=0)
    return failed, total


def plot(runs: list[Run], summaries: list[rf.Summary], zeros: list[dict], path: Path) -> Path:
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, (ax, ax_rate) = plt.subplots(2, 1, figsize=(11, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    top, strip = 0.0, 0.035  # each run's fault spans also as a bar of its own at the top of the upper panel
    for i, (run, s, z) in enumerate(zip(runs, summaries, zeros)):
        colour = colours[i % len(colours)]
        t0 = z["t0_ms"]
        failed, total = failures_per_bin(run, t0)
        switches = [(t_ms - t0) / 1000 for t_ms in switch_events(run.events)["t_ms"]]
        name = f"{label(s)}: t = 0 at {z['on']}" + (
            "; +switch-master at " + ", ".join(f"{x:+.1f} s" for x in switches) if switches else "; no +switch-master")
        ax.plot(failed.index, failed.values, drawstyle="steps-post", color=colour, linewidth=1.4, label=name)
        ax_rate.plot(total.index, total.values, drawstyle="steps-post", color=colour, linewidth=1)
        top = max(top, float(failed.max()) if len(failed) else 0.0)
        end_s = float(total.index.max()) + BIN_S if len(total) else 0.0
        for w in fault_windows(run):
            start = (w["applied_ms"] - t0) / 1000
            stop = (w["healed_ms"] - t0) / 1000 if w.get("healed_ms") else end_s
            for a in (ax, ax_rate):
                a.axvspan(start, stop, color=colour, alpha=0.07, linewidth=0)
            ax.axvspan(start, stop, ymin=1 - (i + 1) * strip, ymax=1 - i * strip - 0.006, color=colour, alpha=0.85,
                       linewidth=0)
        for x in switches:  # their times are in the legend: labels of two runs' close switches would collide
            for a in (ax, ax_rate):
                a.axvline(x, color=colour, linestyle="--", linewidth=1.2)
    ax.set_ylim(0, max(1.0, top) * (1.15 + 1.5 * strip * len(runs)))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_ylabel(f"failed requests\nper {BIN_S:g} s")
    ax_rate.set_ylabel(f"requests\nper {BIN_S:g} s", fontsize=8)
    ax_rate.set_xlabel("seconds from each run's first disruptive fault (bars at the top, shaded: that run's faults "
                       "applied..healed; dashed: its +switch-master)", fontsize=8)
    for a in (ax, ax_rate):
        a.grid(alpha=0.3)
    names = " vs ".join(dict.fromkeys(str(s.scenario) for s in summaries))
    fig.suptitle(f"Failed requests, runs aligned on their first disruptive fault: {names}", fontsize=11)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=1, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.015 + 0.035 * len(runs), 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---- the record -------------------------------------------------------------------------------------
def _esc(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _check_cell(c: dict | None) -> str:
    if c is None:
        return "-"
    actual = c.get("reason") or fmt(c.get("actual"))
    return f"pass ({actual})" if c["passed"] else f"**FAIL** ({actual})"


def render(data: dict) -> str:
    heads = [r["label"] for r in data["runs"]]
    head = "| | " + " | ".join(_esc(h) for h in heads) + " |"
    rule = "|---|" + "---|" * len(heads)
    lines = [f"# Comparison of {len(heads)} runs", "", f"Written {data['written']} by `analysis/compare.py` from "
             "each run's files; figures are those of its `summary.json`.", "", "## Runs", ""]
    for r in data["runs"]:
        healed = f", healed after {fmt(r['zero']['healed_after_s'])} s" if r["zero"]["healed_after_s"] is not None else ""
        lines.append(f"- `{r['dir']}`: {_esc(r['title'] or '')}; verdict **{'PASS' if r['passed'] else 'FAIL'}**; "
                     f"t = 0 at {r['zero']['on']}{healed}")
    lines += ["", f"![timeline]({PNG})", "", "## Metrics", "",
              "Every metric measured in at least one run and reported by two or more. `absent: REASON`: the run "
              "could not measure it; `-`: not reported, or nothing of the kind happened.", "",
              head.replace("| |", "| metric |", 1), rule]
    lines += [f"| {_esc(row['metric'])} | " + " | ".join(_esc(c) for c in row["cells"]) + " |"
              for row in data["metrics"]]
    lines += ["", "## Checks", "", head.replace("| |", "| check |", 1), rule,
              "| **verdict** | " + " | ".join("**PASS**" if r["passed"] else "**FAIL**" for r in data["runs"]) + " |"]
    lines += [f"| {_esc(row['check'])} | " + " | ".join(_esc(_check_cell(c)) for c in row["runs"]) + " |"
              for row in data["checks"]]
    for r in data["runs"]:
        lines += [f"- {_esc(r['label'])}: {_esc(why)}" for why in r["not_passed_because"]
                  if not why.startswith("check failed")]
    lines += ["", "## Configuration differences", ""]
    if data["config_differences"]:
        lines += [head.replace("| |", "| setting |", 1), rule]
        lines += [f"| {_esc(row['setting'])} | " + " | ".join(_esc("-" if v is None else v) for v in row["values"])
                  + " |" for row in data["config_differences"]]
    else:
        lines.append("None: every run had the same stack, Sentinel timings, load and client settings.")
    return "\n".join(lines) + "\n"


def compare(run_dirs: list[str | Path], out: str | Path | None = None) -> Path:
    """Write compare.md, compare.json and compare.png for the runs into `out`; return that directory."""
    dirs = [Path(d) for d in run_dirs]
    if len(dirs) < 2:
        raise HarnessError("compare needs two or more run directories")
    summaries = [read_summary(d) for d in dirs]
    runs = [load_run(d) for d in dirs]
    zeros = [zero(r) for r in runs]
    out = Path(out) if out else RESULTS / f"compare-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    data = {
        "written": time.strftime("%Y-%m-%d %H:%M:%S"),
        "runs": [{"dir": str(d), "label": label(s), "run_id": s.run_id, "scenario": s.scenario,
                  "backend": s.backend, "title": s.title, "passed": s.passed,
                  "not_passed_because": s.not_passed_because or [], "zero": z}
                 for d, s, z in zip(dirs, summaries, zeros)],
        "metrics": metric_rows(summaries),
        "checks": check_rows(summaries),
        "config_differences": config_differences(summaries),
    }
    (out / JSON).write_text(json.dumps(data, indent=2, default=str) + "\n")
    plot(runs, summaries, zeros, out / PNG)
    (out / MD).write_text(render(data))
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="analysis/compare.py", description="Runs side by side: compare.md/.json/.png")
    p.add_argument("runs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--out", default=None, help="output directory (default results/compare-TIMESTAMP/)")
    a = p.parse_args(argv)
    try:
        out = compare(a.runs, a.out)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(out / MD)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
