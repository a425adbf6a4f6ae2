"""A seeded fault campaign: k runs of one scenario's stack and load, each with a fault schedule
drawn from the seed, judged by invariants rather than by the scenario's fixed-schedule checks.
One run is one sample (Sentinel's failover time moves from run to run; a rare bad outcome hides in
single runs), so the campaign gives the distributions and lists the failed runs first, each with
the command that replays it exactly (the schedule of run i depends on the seed and i only).

    python -m harness.cli campaign redis-4 --seed 7 --runs 3 [--faults kill,pause,cut] [--only 2]

Each run is a normal run directory under results/campaigns/ID-seedN/, marked `campaign` in its
summary.json (the index and the results documents leave such runs out); campaign.json and
campaign.md are written beside them.
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import yaml

import runfiles as rf
from analysis.quantiles import nearest_rank
from errors import ConfigError
from harness import scenario as scenarios
from harness.campaign_bounds import DRAWS, END_MARGIN_S, KINDS, CampaignBounds
from harness.run_spec import RunSpec
from harness.session import RESULTS

FIGURES = ("failover_s", "detect_s", "error_window_s", "lost_acked_writes")


def draw(seed: int, i: int, kinds: tuple[str, ...], run_time_s: float,
         bounds: CampaignBounds = CampaignBounds()) -> list[dict]:
    """Run i's schedule: one fault, its kind, target role, offset and duration drawn from (seed, i),
    within the scenario's bounds (harness/campaign_bounds.py)."""
    rng = random.Random(f"{seed}:{i}")
    kind = rng.choice(kinds)
    at = round(rng.uniform(*bounds.start_window(run_time_s)), 1)
    lo, hi = bounds.duration_s[kind]
    duration = round(min(rng.uniform(lo, hi), max(1.0, run_time_s - at - END_MARGIN_S)), 1)
    role = "master" if rng.random() < bounds.master_share else "replica"
    action, drawn = DRAWS[kind]
    fault = {"at": f"{at}s", "action": action.name, "target": {"role": role}, **drawn.params}
    return [{**fault, "duration": f"{duration}s"}]


def kind_of(fault: dict) -> str:
    """The campaign kind of a drawn fault: the draw of its action whose parameters it carries, the most
    specific first (a cut from the other nodes only is a partition)."""
    fits = [d for action, d in DRAWS.values() if action.name == fault["action"]
            and all(fault.get(k) == v for k, v in d.params.items())]
    return max(fits, key=lambda d: len(d.params)).name if fits else fault["action"]


def invariants(kinds_drawn: set[str], declared: tuple[dict, ...] | None = None) -> list[dict]:
    """The campaign's checks: no fault failed to apply, the harness's own check, and (unless the
    scenario declares its own) the verification settled and no acknowledged write lost where the
    stack promises none: after the kinds that declare it, a kill or a pause (a cut master keeps
    taking writes that are lost when it rejoins: measured, not promised)."""
    checks = [{"metric": "faults_failed", "equals": 0}]
    if declared is not None:
        return checks + [c for c in declared if c.get("metric") != "faults_failed"]
    if all(k in DRAWS and DRAWS[k][1].promises_no_loss for k in kinds_drawn):
        checks.append({"metric": "lost_acked_writes", "equals": 0})
    return checks


def run_doc(base: dict, schedule: list[dict], declared: tuple[dict, ...] | None = None) -> dict:
    doc = {k: v for k, v in base.items() if k not in ("faults", "checks", "expectation", "halt", "campaign")}
    doc["faults"], doc["checks"] = schedule, invariants({kind_of(f) for f in schedule}, declared)
    drawn = "; ".join(f"{kind_of(f)} of the {f['target']['role']} at {f['at']} for {f['duration']}" for f in schedule)
    doc["title"] = f"{base.get('title', base.get('id'))} [campaign run: {drawn}]"  # not the fixed schedule's
    doc["description"] = f"A campaign run of {base.get('id')}: its stack and load, with a drawn fault ({drawn})."
    if base.get("halt"):
        doc["halt"] = base["halt"]  # a safety halt still applies
    return doc


def _kind_and_role(fault: dict) -> str:
    """What a distribution groups by: a replica's kill is not a master's (no failover follows it)."""
    return f"{kind_of(fault)} {fault['target'].get('role', 'node')}"


def replay(sid: str, seed: int, runs: int, kinds: tuple[str, ...], i: int) -> str:
    return f"make campaign S={sid} SEED={seed} RUNS={runs} FAULTS={','.join(kinds)} ONLY={i}"


def campaign(name: str, seed: int, runs: int, kinds: tuple[str, ...] | None, only: int | None, spec: RunSpec,
             run: Callable[..., tuple[int, Path]]) -> int:
    """`kinds` None: the scenario's `campaign.faults` (all kinds where it declares none). `spec` is the
    scenario's own run spec (its backend and lab); each run gets it with the drawn schedule and the
    campaign's mark, and `run(spec, results=DIR)` runs it (the CLI's runner, in this process)."""
    if runs < 1 or (only is not None and not 1 <= only <= runs):
        raise ConfigError(f"--runs {runs} --only {only}: runs is 1 or more, only one of 1..runs")
    unknown = set(kinds or ()) - set(KINDS)
    if unknown:
        raise ConfigError(f"--faults: {', '.join(sorted(unknown))} not one of {', '.join(KINDS)}")
    sc = scenarios.load(name)  # the scenario itself is valid before anything starts
    kinds = kinds or sc.campaign.faults
    base = yaml.safe_load(sc.path.read_text())
    out = RESULTS / "campaigns" / f"{sc.id}-seed{seed}"
    (out / "schedules").mkdir(parents=True, exist_ok=True)
    docs = {}
    for i in ([only] if only else range(1, runs + 1)):
        path = out / "schedules" / f"run-{i}.yaml"
        path.write_text(yaml.safe_dump(run_doc(base, draw(seed, i, kinds, sc.load.run_time_s, sc.campaign),
                                                 sc.campaign.invariants), sort_keys=False))
        scenarios.load(str(path))  # each drawn file is checked before any load starts
        docs[i] = path
    for i, path in docs.items():
        mark = {"seed": seed, "run": i, "of": runs, "faults": list(kinds), "replay": replay(sc.id, seed, runs, kinds, i)}
        print(f"== campaign {sc.id} seed {seed}: run {i} of {runs}", flush=True)
        run(replace(spec, scenario=str(path.resolve()), campaign=mark), results=out)
    summary = aggregate(out)
    print(f"campaign: {out / 'campaign.md'}: {summary['failed']} of {len(summary['runs'])} runs failed")
    return 1 if summary["failed"] else 0


def aggregate(out: Path) -> dict:
    """campaign.json and campaign.md from the runs' own summaries (the newest run of each index)."""
    runs: dict[int, rf.Summary] = {}
    for path in sorted(out.glob(f"*/{rf.SUMMARY}")):
        s = rf.Summary.load(path.parent)
        if s is not None and s.campaign:
            runs[s.campaign["run"]] = s  # the mark the campaign gave the run: {seed, run, of, faults, replay}
    rows = []
    for i, s in sorted(runs.items()):
        schedule = yaml.safe_load((out / "schedules" / f"run-{i}.yaml").read_text())["faults"]
        rows.append({"run": i, "run_id": s.run_id, "passed": s.passed, "not_passed_because": s.not_passed_because,
                     "schedule": schedule, "kinds": sorted({_kind_and_role(f) for f in schedule}),
                     "metrics": {k: s.metrics.get(k) for k in FIGURES}, "replay": s.campaign["replay"]})
    rows.sort(key=lambda r: (r["passed"], r["run"]))  # the failed first
    kinds = sorted({k for r in rows for k in r["kinds"]})
    dist = {k: {f: nearest_rank([r["metrics"][f] for r in rows if k in r["kinds"]], "p50") for f in FIGURES} for k in kinds}
    result = {"runs": rows, "failed": sum(not r["passed"] for r in rows), "distributions": dist}
    (out / "campaign.json").write_text(json.dumps(result, indent=1) + "\n")
    (out / "campaign.md").write_text(render(out.name, result))
    return result


def render(name: str, result: dict) -> str:
    def fmt(q: dict | None) -> str:
        return "not measured" if q is None else f"{q['min']} / {q['p50']} / {q['p95']} / {q['max']} (n={q['n']})"

    lines = [f"# Campaign {name}", "", f"{len(result['runs'])} runs, {result['failed']} failed. "
             "Each run's schedule was drawn from the seed; its directory is beside this file.", "",
             "| run | verdict | schedule | failover_s | error_window_s | lost | replay |", "|---|---|---|---|---|---|---|"]
    for r in result["runs"]:
        sched = "; ".join(f"{kind_of(f)} {f['target'].get('role', f['target'])} at {f['at']} for {f['duration']}"
                          for f in r["schedule"])
        verdict = "PASS" if r["passed"] else "FAIL: " + "; ".join(r["not_passed_because"])
        m = {k: "-" if v is None else v for k, v in r["metrics"].items()}  # none seen (no failover), or absent
        lines.append(f"| {r['run']} ([{r['run_id']}]({r['run_id']}/report.md)) | {verdict} | {sched} | "
                     f"{m['failover_s']} | {m['error_window_s']} | {m['lost_acked_writes']} | `{r['replay']}` |")
    lines += ["", "Per fault kind and target: min / p50 / p95 / max.", "", "| kind | " + " | ".join(FIGURES) + " |",
              "|---|" + "---|" * len(FIGURES)]
    for kind, figs in result["distributions"].items():
        lines.append(f"| {kind} | " + " | ".join(fmt(figs[f]) for f in FIGURES) + " |")
    return "\n".join(lines) + "\n"
