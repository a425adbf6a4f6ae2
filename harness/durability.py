"""The durability comparison: the same faults under each durability mode, several runs each, one table.

    python -m harness.durability [--runs 3] [--modes async,guard,wait] [--faults kill,pause,cut]

Each cell runs scenarios/durability.yaml with the mode and the fault swapped in (SIGKILL restarted
after 20 s, SIGSTOP for 20 s, a 20 s cut of the master from replicas and Sentinels while clients
still reach it). Every acknowledged bid is looked up after healing, in Redis and in MySQL, by the
same verification as any run. Writes results/durability-TIME/report.md and comparison.json.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

import runfiles as rf
from harness.session import RESULTS
from lab.config import ROOT

FAULTS = {
    "kill": {"at": "15s", "action": "kill", "target": {"role": "master"}, "duration": "20s", "name": "fault"},
    "pause": {"at": "15s", "action": "pause", "target": {"role": "master"}, "duration": "20s", "name": "fault"},
    "cut": {"at": "15s", "action": "cut", "target": {"role": "master"}, "peers": "others", "duration": "20s",
            "name": "fault"},
}
GUARD = {"min-replicas-to-write": "1", "min-replicas-max-lag": "10"}
COLUMNS = ("acked_bids", "lost_acked_writes", "lost_in_redis", "lost_in_mysql", "unknown_writes", "failed_requests",
           "p50_steady_ms", "p99_steady_ms", "error_window_s", "failover_s")


def cell_doc(base: dict, mode: str, fault: str) -> dict:
    doc = json.loads(json.dumps(base))
    doc["id"] = f"durability-{mode}-{fault}"
    doc["title"] = f"Durability {mode}, {fault} of the master"
    stack = doc.setdefault("stack", {})
    stack.setdefault("service_env", {})["FAIRBID_DURABILITY"] = mode
    if mode == "guard":
        stack["redis_conf"] = {**stack.get("redis_conf", {}), **GUARD}
    doc["faults"] = [FAULTS[fault]]
    return doc


def run_cell(doc: dict, lab: str, out: Path) -> dict:
    path = out / f"{doc['id']}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(out)}
    subprocess.run([sys.executable, "-m", "harness.cli", "run", str(path), "--lab", lab], cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    run = sorted(out.glob(f"*-{doc['id']}"), key=lambda p: p.stat().st_mtime)[-1]
    metrics = rf.Summary.load(run).metrics  # metric name -> value
    return {"run": run.name, **{c: metrics.get(c) for c in COLUMNS}}


def _span(values: list) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return "n/a"
    lo, hi = min(vals), max(vals)
    fmt = (lambda x: f"{x:g}") if all(isinstance(v, (int, float)) for v in vals) else str
    return fmt(lo) if lo == hi else f"{fmt(lo)}..{fmt(hi)}"


def render(cells: dict, runs: int) -> str:
    lines = ["# Durability modes under master faults", "",
             f"{runs} run(s) per cell; a range is min..max over the runs. Every acknowledged bid was looked up after "
             "healing, in Redis and in MySQL. Steady-state latency is measured before the fault.", "",
             "| mode | fault | " + " | ".join(COLUMNS) + " | runs |", "|---|---|" + "---|" * (len(COLUMNS) + 1)]
    for (mode, fault), rows in cells.items():
        links = ", ".join(f"[{i + 1}]({r['run']}/report.md)" for i, r in enumerate(rows))
        lines.append(f"| {mode} | {fault} | " + " | ".join(_span([r[c] for r in rows]) for c in COLUMNS)
                     + f" | {links} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="durability")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--modes", default="async,guard,wait")
    p.add_argument("--faults", default="kill,pause,cut")
    p.add_argument("--lab", default="conf/lab.yaml")
    a = p.parse_args(argv)
    base = yaml.safe_load((ROOT / "scenarios" / "durability.yaml").read_text())
    out = RESULTS / f"durability-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True)
    cells: dict = {}
    for fault in a.faults.split(","):
        for mode in a.modes.split(","):
            for _ in range(a.runs):
                row = run_cell(cell_doc(base, mode, fault), a.lab, out)
                cells.setdefault((mode, fault), []).append(row)
                print(f"{mode:6} {fault:5} {row}", flush=True)
            (out / "report.md").write_text(render(cells, a.runs))
    (out / "comparison.json").write_text(json.dumps(
        [{"mode": m, "fault": f, "runs": rows} for (m, f), rows in cells.items()], indent=1) + "\n")
    print(f"table: {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
