"""Bring a run's fault journal written by an older runner up to today's facts, in place.

    python -m faults.upgrade RUN_DIR [RUN_DIR ...]

The analysis reads a fault kind's facts from faults.jsonl only (it imports nothing of faults/): whether
a fault opens a window (`disruptive`), only reads (`probe`), which one-shot kind undoes it by hand
(`undone_by`) and how it is told (`said`). Journals written before the runner recorded them lack
them; this adds exactly those keys to each record that lacks them, computed by the kind as the
runner computes them now, and changes nothing else (every other byte of a line stays as written).
Safe to run twice.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import runfiles as rf
from faults.actions import ACTIONS


def upgrade_record(rec: dict, backend: rf.BackendFacts) -> dict:
    """The record with the facts it lacks (an action no kind declares any more is left as it is);
    `backend`: the run's, where the record names none. A journal line as written (a dict, not its
    rf.JournalLine), because it is written back with only the missing keys added, every other byte kept."""
    kind = ACTIONS.get(rec.get("action"))
    if kind is None or rec.get("event") not in ("scheduled", "applied"):
        return rec
    out = dict(rec)
    out.setdefault("disruptive", kind.disruptive)
    if rec["event"] == "applied" and "said" not in rec:
        ran_on = rf.backend_facts(rec) if rec.get("backend") else backend
        out.update(probe=kind.probe, undone_by=kind.undone_by, said=kind.said(rec, ran_on))
    return out


def upgrade(run_dir: Path) -> int:
    """Rewrite RUN_DIR/faults.jsonl where a record lacks a fact; the number of records changed."""
    path = run_dir / rf.FAULTS
    if not path.exists():
        return 0
    ran_on = rf.backend_facts(rf.RunMeta.load(run_dir))  # no run.json: the default backend's
    lines, changed = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)  # the line as written, not its record: only the keys it lacks are added
        new = upgrade_record(rec, ran_on)
        changed += new != rec
        lines.append(json.dumps(new, default=str) if new != rec else line)
    if changed:
        path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    dirs = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not dirs:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    for d in dirs:
        print(f"{d}: {upgrade(d)} record(s) upgraded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
