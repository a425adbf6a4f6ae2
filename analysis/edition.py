"""A reference edition of the results document: the newest run of each catalog scenario of one
backend, copied without its large files (CSVs, logs), and the two documents built from the copies.

    python -m analysis.edition OUT [--backend local]     # OUT/runs/RUN_ID/..., OUT/RESULTS.md, .ko.md
    python -m analysis.edition OUT --target fairbid      # the runs against that target
    python -m analysis.edition OUT --durability results/durability-TIME   # OUT/durability/
    python -m analysis.edition OUT --campaign results/campaigns/ID-seedN  # OUT/campaigns/ID-seedN/
    python -m analysis.edition OUT --replace results/RUN_ID ...  # those runs in place of their scenarios' older ones
    python -m bench.summary --edition OUT [--from results/bench]          # OUT/bench/ and its BENCH.md

`make results FROM=OUT/runs` then regenerates both documents byte for byte from what was copied.
The benchmarks' part is bench's own (bench/summary.py): the analysis reads run files only.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import runfiles as rf
from analysis import results_doc
from runfiles import RESULTS

# what the documents read and a reader opens; the CSVs and node logs stay in results/
KEPT = (rf.SUMMARY, rf.REPORT, rf.RUN_JSON, rf.FAULTS, rf.JUNIT, rf.CLIENT_SETTINGS)


def copy_run(src: Path, dest: Path) -> Path:
    out = dest / src.name
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.iterdir()):
        if path.is_file() and (path.name in KEPT or path.suffix == ".png"):
            shutil.copy2(path, out / path.name)
    return out


def build(out: Path, backend: str, results: Path = RESULTS, target: str | None = None) -> tuple[list[Path], int]:
    """`target`: the newest run of each catalog scenario against that target (a team's own edition)."""
    runs, _skipped = results_doc.select(results, backend, recursive=False, only=set(results_doc.load_catalog()),
                                        target=target)
    if not runs:
        raise SystemExit(f"no catalog run {f'against target {target}' if target else f'of the {backend} backend'} "
                         f"under {results}")
    dest = out / "runs"
    if dest.exists():
        shutil.rmtree(dest)
    for run in runs.values():
        copy_run(run.dir, dest)
    paths, _taken, _ = results_doc.build(dest, target=target)
    return paths, len(runs)


def replace_runs(out: Path, new: list[Path]) -> list[str]:
    """Each run of `new` into OUT/runs in place of the edition's run of the same scenario (a stale one,
    harness/staleness.py): the rest of the edition stays as it is. Returns what was replaced."""
    dest, done = out / "runs", []
    for src in new:
        summary = rf.Summary.load(src)
        if summary is None or not summary.scenario:
            raise SystemExit(f"{src}: no summary.json naming a scenario")
        old = [d for d in dest.iterdir() if (s := rf.Summary.load(d)) is not None and s.scenario == summary.scenario]
        for d in old:
            shutil.rmtree(d)
        copy_run(src, dest)
        done.append(f"{summary.scenario}: {', '.join(d.name for d in old) or 'none'} -> {src.name}")
    return done


def copy_durability(src: Path, out: Path) -> Path:
    """The comparison's table and figures, and each cell's run (as copy_run keeps it)."""
    dest = out / "durability"
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("report.md", "comparison.json"):
        shutil.copy2(src / name, dest / name)
    for run in sorted(p for p in src.iterdir() if (p / rf.SUMMARY).exists()):
        copy_run(run, dest)
    return dest / "report.md"


def copy_campaign(src: Path, out: Path) -> Path:
    """A campaign's aggregate (campaign.md and .json), its drawn schedules, and each run as copy_run keeps it."""
    dest = out / "campaigns" / src.name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in ("campaign.md", "campaign.json"):
        shutil.copy2(src / name, dest / name)
    shutil.copytree(src / "schedules", dest / "schedules")
    for run in sorted(p for p in src.iterdir() if (p / rf.SUMMARY).exists()):
        copy_run(run, dest)
    return dest / "campaign.md"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analysis.edition", description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path)
    p.add_argument("--backend", default="local")
    p.add_argument("--target", default=None, help="the runs against the target of this name instead")
    p.add_argument("--durability", type=Path, default=None, help="copy this durability comparison instead")
    p.add_argument("--campaign", type=Path, default=None, help="copy this campaign's aggregate and runs instead")
    p.add_argument("--replace", type=Path, nargs="+", default=None,
                   help="copy these runs in place of the edition's runs of their scenarios (then: "
                        "python -m harness.staleness OUT; make results FROM=OUT/runs)")
    p.add_argument("--results", type=Path, default=RESULTS, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.replace:
        for line in replace_runs(a.out, a.replace):
            print(f"replaced {line}")
        return 0
    if a.durability or a.campaign:
        for doc in ([copy_durability(a.durability, a.out)] if a.durability else []) + \
                   ([copy_campaign(a.campaign, a.out)] if a.campaign else []):
            print(f"wrote {doc}")
        return 0
    paths, n = build(a.out, a.backend, a.results, a.target)
    print(f"{n} runs copied into {a.out / 'runs'}; wrote {', '.join(str(x) for x in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
