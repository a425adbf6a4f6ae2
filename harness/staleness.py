"""Committed runs against today's scenario files: a run recorded with settings its scenario file no
longer has (the load, the stack, the fault schedule, the checks) is stale, and the results documents
say so beside its figures.

    python -m harness.staleness docs/results      # stale.json in every edition under it (each folder with runs/)

The comparison needs the scenario parser (harness/), so it runs here and leaves its findings in a
file the results document reads (analysis/ reads run files only). `make edition` writes it; a test
holds the committed stale.json equal to what the scenario files say today.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import runfiles as rf
from analysis.checks import SELF_CHECKS
from analysis.compare import flat_settings
from errors import ConfigError
from harness import scenario as scenarios

FILE = rf.STALE
SCHEDULE_TOLERANCE_S = 0.5  # a fault's offset as journaled (scheduled_ms - t_ms of its line)


def _settings(recorded: dict, now: dict) -> list[str]:
    """Settings recorded then that differ now; a setting not recorded then (added since) is not compared."""
    then, current = flat_settings(recorded), flat_settings(now)
    return [f"{k}: {then[k]!r} then, {current[k]!r} now" for k in sorted(then) if k in current and then[k] != current[k]]


def _checks(recorded: list, now: list) -> list[str]:
    harness = {c.metric for c in SELF_CHECKS}
    then = {json.dumps(c, sort_keys=True) for c in recorded if c.get("metric") not in harness}
    current = {json.dumps(c, sort_keys=True) for c in now if c.get("metric") not in harness}
    return ([f"check {_said(c)} then, not now" for c in sorted(then - current)] +
            [f"check {_said(c)} now, not then" for c in sorted(current - then)])


def _said(check: str) -> str:
    c = json.loads(check)
    return f"{c['metric']} {c['op']} {c['expected']}"


def _schedule(run_dir: Path, meta: rf.RunMeta, sc: scenarios.Scenario) -> list[str]:
    lines = (run_dir / rf.FAULTS).read_text().splitlines() if (run_dir / rf.FAULTS).exists() else []
    scheduled = [json.loads(x) for x in lines if '"scheduled"' in x]
    # each fault is journaled as scheduled when the runner starts: its offset is scheduled_ms - t_ms
    then = [(f["action"], str(f["target"]), f.get("duration_s"), (f["scheduled_ms"] - f["t_ms"]) / 1000) for f in scheduled]
    now = [(f.action, str(f.target), f.duration_s, f.at_s) for f in sc.faults]
    if len(then) != len(now):
        return [f"faults: {len(then)} scheduled then, {len(now)} now"]
    return [f"fault {i}: {a[0]} {a[1]} at {a[3]:.1f} s for {a[2]} then, {b[0]} {b[1]} at {b[3]:g} s for {b[2]} now"
            for i, (a, b) in enumerate(zip(then, now))
            if a[:3] != b[:3] or abs(a[3] - b[3]) > SCHEDULE_TOLERANCE_S]


def differences(run_dir: Path) -> list[str] | None:
    """What differs between a committed run and its scenario file today ([] none); None where the run
    has no scenario file of the catalog (a drawn campaign schedule, a durability cell)."""
    meta = rf.RunMeta.load(run_dir)
    path = scenarios.SCENARIO_DIR / f"{meta.scenario}.yaml" if meta and meta.scenario else None
    if path is None or not path.exists():
        return None
    sc = scenarios.load(str(path))
    now_checks = [c.for_backend(meta.backend).to_json() for c in sc.checks]
    return (_settings(meta.config, sc.settings()) + _checks(meta.checks, now_checks) + _schedule(run_dir, meta, sc))


def survey(edition: Path) -> dict[str, list[str]]:
    """Every stale run of one edition (its runs/), by its path relative to the edition."""
    out = {}
    for run_json in sorted(edition.glob("runs/*/" + rf.RUN_JSON)):
        found = differences(run_json.parent)
        if found:
            out[str(run_json.parent.relative_to(edition))] = found
    return out


def editions(root: Path) -> list[Path]:
    """root and every folder under it that holds a runs/ folder of its own: an edition each."""
    return sorted({p.parent for p in root.glob("**/runs") if p.is_dir() and "runs" not in p.parent.parts})


def write(root: Path) -> list[Path]:
    """stale.json in each edition under root (the results document reads it beside the runs)."""
    paths = []
    for edition in editions(root):
        path = edition / FILE
        path.write_text(json.dumps(survey(edition), indent=1, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python -m harness.staleness EDITION_DIR", file=sys.stderr)
        return 2
    try:
        paths = write(Path(argv[0]))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        stale = json.loads(path.read_text())
        print(f"{path}: {len(stale)} stale run(s)" + "".join(f"\n  {k}: {'; '.join(v)}" for k, v in stale.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
