"""results/index.md: the newest run of each scenario on each backend, side by side, from run files alone."""
from __future__ import annotations

from pathlib import Path

import runfiles as rf

BACKENDS = tuple(rf.BACKENDS)  # in this order; a run against a team's own stack has its own column
HEADLINE = ("failover_s", "error_window_s", "lost_acked_writes")


def newest_runs(results: Path) -> dict[tuple[str, str], rf.Summary]:
    """{(scenario, backend): summary} of the newest run of each (run ids sort by time); a summary.json
    that is no JSON object naming its scenario is no run's."""
    latest: dict[tuple[str, str], rf.Summary] = {}
    for path in sorted(results.glob(f"*/{rf.SUMMARY}")):
        s = rf.Summary.load(path.parent)
        if s is not None and s.scenario is not None and not s.campaign:  # run directories, no campaign's
            latest[(s.scenario, s.backend or rf.DEFAULT_BACKEND)] = s
    return latest


def _cell(s: rf.Summary | None, key: str) -> str:
    if s is None:
        return "-"
    if key == "verdict":
        return "PASS" if s.passed else "FAIL"
    value = s.metrics.get(key)
    return "n/a" if value is None else str(value)


def write_index(results: Path) -> Path:
    latest = newest_runs(results)
    backends = [b for b in BACKENDS if any(k[1] == b for k in latest)]
    backends += sorted({k[1] for k in latest} - set(backends)) or ([] if backends else [rf.DEFAULT_BACKEND])
    cols = [f"{key} ({b})" for key in ("verdict", *HEADLINE) for b in backends]
    rows = ["# fairbid-ha results", "",
            "Newest run of each scenario on each backend (`make catalog GROUP=... [BACKEND=docker]` refreshes them); "
            "n/a: not measured in that run (its report says why).", "",
            "| scenario | step | " + " | ".join(cols) + " | runs |", "|---|---|" + "---|" * len(cols) + "---|"]
    for sid in sorted({k[0] for k in latest}):
        runs = {b: latest.get((sid, b)) for b in backends}
        step = next((s.plan_step or "" for s in runs.values() if s), "")
        cells = [_cell(runs[b], key) for key in ("verdict", *HEADLINE) for b in backends]
        links = ", ".join(f"[{b}]({s.run_id}/{rf.REPORT})" for b, s in runs.items() if s)
        rows.append(f"| {sid} | {step} | " + " | ".join(cells) + f" | {links} |")
    out = results / "index.md"
    out.write_text("\n".join(rows) + "\n")
    return out
