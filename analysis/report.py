"""Re-create summary.json, report.md and the plots of a run from its files alone.

Usage: python analysis/report.py results/RUN_ID
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import runfiles as rf
from analysis import expectation as expect
from analysis import junit, plots
from analysis.checks import Check, evaluate
from analysis.evidence import NOT_SEEN, load_gap, worker_problems
from analysis.load import Run, load_run
from analysis.metrics import (
    FAULT_METRICS,
    disruptive,
    fault_windows,
    headline_fault,
    measure,
    per_fault_table,
    primary_fault,
    variant_metrics,
)
from analysis.report_analysis import analysis_lines, fmt


@dataclass
class FaultRecords:
    """One fault's journal records, by what happened to it."""

    scheduled: rf.Scheduled | None = None
    applied: rf.Applied | None = None
    healed: rf.Healed | None = None
    failed: rf.Failed | rf.HealFailed | None = None  # applying or healing failed


def by_fault(journal: list[rf.JournalLine]) -> dict[int, FaultRecords]:
    """{fault index: its records}; the last of each kind counts, a failure to apply before one to heal."""
    out: dict[int, FaultRecords] = {}
    for rec in journal:
        if isinstance(rec, rf.FaultRecord):
            one = out.setdefault(rec.fault, FaultRecords())
            if isinstance(rec, rf.HealFailed) and isinstance(one.failed, rf.Failed):
                continue  # a failure to apply is the one shown
            setattr(one, "failed" if isinstance(rec, (rf.Failed, rf.HealFailed)) else rec.event, rec)
    return out


def _applied_detail(run, faults: dict[int, FaultRecords]) -> list[str]:
    """What a fault did, as the journal recorded it (a loss's rules, a quota and the setting it
    replaced, a flap's cuts as they were made): the report shows what was applied, not what was asked."""
    out = []
    for idx, recs in sorted(faults.items()):
        app, heal = recs.applied, recs.healed
        app_out = app.output if app is not None else None
        heal_out = heal.output if heal is not None else None
        if not disruptive(app) or not (isinstance(app_out, dict) or isinstance(heal_out, dict)):
            continue
        detail = {k: v for k, v in (app_out or {}).items() if k != "flap"}
        cuts = (heal_out or {}).get("cuts")
        text = json.dumps(detail)
        if cuts:
            text += "; cut " + ", ".join(f"{_rel(run, a)}-{_rel(run, b)}" for a, b in cuts)
        out.append(f"- #{idx} {app.action} on {app.node}: {text}")
    return ["", "What each fault applied, as its journal records it:", "", *out] if out else []


def _checks(meta: rf.RunMeta) -> list[Check]:
    return [Check.from_json(c) for c in meta.checks]


def build(run_dir: str | Path) -> rf.Summary:
    """Write summary.json, report.md, timeline.png (and monitor.png) into run_dir; return the summary."""
    run = load_run(run_dir)
    meta = run.meta
    metrics, absent = measure(run)
    checks = evaluate(_checks(meta), metrics, absent)
    why_not = verdict_reasons(run, checks)
    summary = rf.Summary(
        run_id=meta.run_id, scenario=meta.scenario, title=meta.title, plan_step=meta.plan_step, backend=meta.backend,
        target=meta.target or None, config=meta.config, environment=meta.environment,
        started_ms=meta.test_start_ms, stopped_ms=meta.test_stop_ms, interrupted=meta.interrupted,
        halted=(meta.halted or {}).get("reason"), load_as_run=meta.load_as_run, campaign=meta.campaign or None,
        metrics=metrics,
        faults=per_fault_table(run),
        headline_fault=_headline(run),
        variants=_variants(run, metrics),
        client_settings=client_settings(run),
        checks=checks,
        passed=not why_not,
        not_passed_because=why_not,
        absent={k: v for k, v in absent.items() if "." not in k},
        expectation=expect.judge(expect.from_json(meta.expectation), metrics, absent),
    )
    out = Path(run_dir)
    images = [plots.timeline(run, out)]
    mon = plots.monitor_plot(run, out)
    if mon:
        images.append(mon)
    junit.write_run(out, summary)  # CI reads it; listed in files below
    summary.files = sorted(p.name for p in out.iterdir() if p.is_file())
    summary.write(out)
    (out / rf.REPORT).write_text(render(run, summary, [p.name for p in images]))
    return summary


def _variants(run: Run, metrics: dict) -> dict[str, dict]:
    """Each variant's figures as the withheld metrics have them (VARIANT.metric): a figure whose
    evidence is missing is absent in the variants table too; errors by kind with the load's evidence."""
    out = {}
    for name, figures in variant_metrics(run).items():
        load_seen = metrics.get(f"{name}.requests") is not None
        out[name] = {k: (v if load_seen else None) if isinstance(v, dict) else metrics.get(f"{name}.{k}")
                     for k, v in figures.items()}
    return out


def client_settings(run: Run) -> dict | None:
    """Each client variant's Redis client settings as its app answered them (client-settings.json), by
    variant name; None where no app was asked (the stand-in, an adopted service)."""
    path = run.dir / rf.CLIENT_SETTINGS
    if not path.exists():
        return None
    apps = json.loads(path.read_text()).get("apps") or {}
    variants = (run.meta.config.get("load") or {}).get("variants") or []
    out = {v["name"]: apps[v.get("api", "api")]["settings"] for v in variants if v.get("api", "api") in apps}
    return out or {node: app["settings"] for node, app in apps.items()}


def _settings_rows(settings: dict) -> list[str]:
    """client-settings.json's answers as one table: a row per setting (nested ones dotted, under their
    parent's place), a column per variant; `-` where a variant's answer has no such setting (no pool)."""
    flat = {name: _flat(s) for name, s in settings.items()}
    tops = list(dict.fromkeys(k for s in settings.values() for k in s))
    keys = [k for top in tops for k in dict.fromkeys(k for f in flat.values() for k in f
                                                     if k == top or k.startswith(top + "."))]
    keys = [k for k in keys if not any(o.startswith(k + ".") for o in keys)]  # `pool: null` beside pool.maxActive
    names = list(flat)
    lines = ["| setting | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    return lines + [f"| {k} | " + " | ".join(fmt(flat[n][k]) if k in flat[n] else "-" for n in names) + " |"
                    for k in keys]


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = ", ".join(map(str, v)) if isinstance(v, list) else v
    return out


def _cell(value) -> str:
    """A variant's figure; errors by kind as `timeout 12, refused 3` (none: -)."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {n}" for k, n in value.items()) or "-"
    return fmt(value)


def _headline(run: Run) -> dict | None:
    windows = fault_windows(run)
    found = headline_fault(run, windows)
    if found is None:
        return None
    w, why = windows[found[0]], found[1]
    return {"fault": w["fault"], "label": w["label"], "why": why}


def verdict_reasons(run: Run, checks: list[rf.CheckResult]) -> list[str]:
    """Why the run does not pass; empty when it does. No measured load means no verdict at all."""
    out = []
    gap = load_gap(run)
    if gap:
        out.append(f"not measured: {gap}")
    if run.meta.interrupted:
        out.append(f"interrupted ({run.meta.interrupt_reason or 'unknown'})")
    out += [f"incomplete: {problem}" for problem in worker_problems(run)]
    if run.meta.halted:
        out.append(f"halted: {run.meta.halted['reason']}")
    if not [c for c in checks if not c.harness]:
        out.append("the scenario has no check")
    out += [f"check failed: {c.name} (actual {fmt(c.actual)}{'; ' + c.reason if c.reason is not None else ''})"
            for c in checks if not c.passed]
    return out


def _rel(run: Run, t_ms: float | None) -> str:
    fault = primary_fault(run)
    if t_ms is None:
        return "-"
    base = fault["applied_ms"] if fault else (run.meta.test_start_ms if run.meta.test_start_ms is not None else t_ms)
    return f"{(t_ms - base) / 1000:+.3f} s"


def headline_lines(s: rf.Summary) -> list[str]:
    """The three figures a reader looks for first: failover, the clients' error window, and the
    acknowledged writes lost of how many (each absent with its reason, never 0 for free)."""
    m, absent = s.metrics, s.absent

    def show(key: str, unit: str = "") -> str:
        value = m.get(key)
        return f"{fmt(value)}{unit}" if value is not None else f"not measured ({absent.get(key, NOT_SEEN)})"

    lost = (f"{m['lost_acked_writes']:,} of {m['acked_writes']:,}" if m.get("lost_acked_writes") is not None
            and m.get("acked_writes") is not None else show("lost_acked_writes"))
    head = s.headline_fault
    of = f" of {head['label']}" if head and len(s.faults) > 1 else ""
    switch = "+promoted" if (s.config.get("stack") or {}).get("cluster") else "+switch-master"
    return [f"**Failover** ({switch} after the fault{of}): {show('failover_s', ' s')} · "
            f"**clients' error window**: {show('error_window_s', ' s')} · "
            f"**acknowledged writes lost**: {lost}"]


NOMINAL = " (the scenario's)"


def load_lines(s: rf.Summary) -> list[str]:
    """What ran, under the headline, where it is not what the scenario says (the web UI's form, a
    stop by hand, a halt): the figures above are this load's."""
    if s.load_as_run is None:
        return []
    differs = s.load_as_run.differs(s.config.get("load"))
    if not differs and s.load_as_run.stopped_by == rf.TIME_LIMIT:
        return []
    return [f"**Load as run**: {s.load_as_run.said()}" + (f"; not the scenario's load: {', '.join(differs)}"
                                                          if differs else ""), ""]


def render(run: Run, s: rf.Summary, images: list[str]) -> str:
    m, cfg = s.metrics, s.config
    lines = [f"# {s.plan_step or ''}: {s.title} (`{s.scenario}`)", "",
             f"Run `{s.run_id}` on the **{s.backend}** backend. Verdict: "
             f"**{'PASS' if s.passed else 'FAIL'}**" + (" (interrupted)" if s.interrupted else ""), "",
             *[f"- {why}" for why in s.not_passed_because], "",
             *headline_lines(s), "", *load_lines(s),
             "## Setup (구성)", ""]
    stack = cfg.get("stack", {})
    if s.target:
        t = s.target
        lines += [f"- Adopted target `{t['name']}` (`{t['file']}`): the harness acted on these and nothing else:", "",
                  "```", *t["plan"], "```", "",
                  "- The service's own settings ran as the team runs them; the scenario's client settings applied "
                  "to the harness's Redis users and to the processes the target maps them for.", ""]
    cluster = stack.get("cluster")
    lines += [f"- Stack: {stack.get('redis_nodes')} Redis node(s), {stack.get('sentinels')} Sentinel(s), "
              f"{stack.get('mysql_nodes')} MariaDB node(s), {stack.get('consumers')} consumer(s), API.",
              f"- Redis Cluster: {cluster['shards']} shards of a master and {cluster['replicas']} replica(s), "
              f"cluster-node-timeout {cluster['node_timeout_ms']} ms (no Sentinel)" if cluster else
              f"- Sentinel: {json.dumps(stack.get('sentinel'))}",
              f"- Redis directives beyond conf/redis.conf: {json.dumps(stack.get('redis_conf') or {})}",
              f"- Service client settings: {json.dumps(stack.get('service_env') or {})}",
              f"- Load{NOMINAL if s.load_as_run else ''}: {json.dumps(cfg.get('load', {}))}",
              *([f"- Load as run: {s.load_as_run.said()}; asked {json.dumps(s.load_as_run.asked)}"]
                if s.load_as_run else []),
              "- Configs: `conf/redis.conf`, `conf/sentinel.conf`, `conf/mariadb.cnf` (rendered per node into the "
              "lab's state dir); Docker users: `compose/`.", "",
              "## Fault injection (장애 시뮬레이션)", "",
              "| # | action | target | node | scheduled | applied (delay) | healed | outcome |",
              "|---|---|---|---|---|---|---|---|"]
    faults = by_fault(run.faults)
    for idx, recs in sorted(faults.items()):
        sch, app, heal, fail = recs.scheduled, recs.applied, recs.healed, recs.failed
        applied = f"{_rel(run, app.applied_ms)} ({app.delay_ms:.1f} ms)" if app else "-"
        healed = f"{_rel(run, heal.healed_ms)} ({heal.reason or ''})" if heal else "-"
        outcome = f"error: {fail.error or ''}" if fail else "ok"
        node = (app or fail).node if (app or fail) else "-"
        lines.append(f"| {idx} | {sch.action if sch else None} | {sch.target if sch else None} | {node} | "
                     f"{_rel(run, sch.scheduled_ms if sch else None)} | {applied} | {healed} | {outcome} |")
    lines += _applied_detail(run, faults)
    lines += ["", "Times are relative to the first disruptive fault's applied time. Docker equivalent: "
              "`docker kill` / `docker pause` / `docker network disconnect`; local: SIGKILL / SIGSTOP / DROP rules "
              "on the node's loopback address.", "", "## Results (결과)", "",
              "The headline figures are under the verdict; every metric of the run is in the table at the end "
              "(All metrics).", ""]
    if len(s.faults) > 1 or any(f["label"] != f"{f['action']} {f['node']}" for f in s.faults):
        cols = [c for c in FAULT_METRICS]
        lines += ["", "Per fault (times from each fault's applied time):", "",
                  "| fault | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
        lines += [f"| {f['label']} ({f['action']} {f['node']}) | " + " | ".join(fmt(f[c]) for c in cols) + " |"
                  for f in s.faults]
    if s.variants:
        cols = list(next(iter(s.variants.values())))
        lines += ["", "Client variants (same fault, same run):", "", "| variant | " + " | ".join(cols) + " |",
                  "|---|" + "---|" * len(cols)]
        lines += [f"| {name} | " + " | ".join(_cell(v.get(c)) for c in cols) + " |" for name, v in s.variants.items()]
    if s.client_settings:
        lines += ["", "Redis client settings each variant's app answered it runs with (read back from the running "
                  "app before the first fault: client-settings.json):", "", *_settings_rows(s.client_settings)]
    probes = [f for f in run.faults if isinstance(f, rf.Applied) and not disruptive(f) and isinstance(f.output, dict)]
    if probes:
        lines += ["", "Actions and probes during the run:", "", "| at | action | node | output |", "|---|---|---|---|"]
        lines += [f"| {_rel(run, f.applied_ms)} | {f.name or f.action} ({f.action}) | {f.node} | "
                  f"{json.dumps(f.output)} |" for f in probes]
    lines += ["", "## Checks", "", "| check | expected | actual | passed |", "|---|---|---|---|"]
    lines += [f"| {c.metric}{'²' if c.harness else ''} | "
              f"{c.expected}{' (' + s.backend + ' bound¹)' if c.backend_bound_why else ''} | "
              f"{c.reason or fmt(c.actual)} | {'yes' if c.passed else '**no**'} |" for c in s.checks]
    lines += [f"\n¹ {c.metric}: this backend's own bound, because {c.backend_bound_why}"
              for c in s.checks if c.backend_bound_why]
    if any(c.harness for c in s.checks):
        lines += ["\n² the harness's check on itself: Locust's own request count against the rows of the per-request "
                  "log (in a distributed run, rows that crossed from the workers as messages)"]
    if s.absent:
        lines += ["", "Figures absent from this run, and why (a check on one fails): " + "; ".join(
            f"`{k}`: {why}" for k, why in sorted(s.absent.items()) if why != NOT_SEEN) + "."]
    lines += expectation_lines(s.expectation)
    lines += ["", "## Logs / screenshots (로그 / 스크린샷)", ""]
    lines += [f"![{name}]({name})" for name in images]
    lines += ["", ("Cluster events (first of each kind per observing node, relative to the fault):" if cluster else
                   "Sentinel events (first of each kind per Sentinel, relative to the fault):"), "", "```"]
    ev = run.events.sort_values("t_ms").drop_duplicates(subset=["sentinel", "event"]).head(40)
    lines += [f"{_rel(run, e.t_ms):>11}  {e.sentinel:<18} {e.event} {'' if e.data != e.data else e.data}"
              for e in ev.itertuples()]
    lines += ["```", "", "Errors seen by clients (count, first and last relative to the fault):", "", "```"]
    fails = run.requests[~run.requests["ok"]]
    for (rtype, exc), grp in list(fails.groupby(["request_type", "exception"]))[:15]:
        lines.append(f"{len(grp):>6}  {rtype:<6} {_rel(run, grp['start_ms'].min())} .. "
                     f"{_rel(run, grp['end_ms'].max())}  {exc[:140]}")
    lines += ["```", ""]
    svc = run.dir / rf.LOGS / "api.log"
    if svc.exists():
        errs = [ln for ln in svc.read_text(errors="replace").splitlines() if " ERROR " in ln][:10]
        lines += ["Service log (`logs/api.log`, first error lines):", "", "```", *errs, "```", ""]
    lines += ["## Analysis (분석)", "", *[f"- {x}" for x in analysis_lines(run, s)], ""]
    lines += ["## All metrics", "", "| metric | value |", "|---|---|", *[f"| {k} | {fmt(v)} |" for k, v in m.items()
                                                                       if "." not in k], ""]
    return "\n".join(lines)


def expectation_lines(e: rf.ExpectationResult) -> list[str]:
    """예상 vs 현실: the plan's claim and, per condition, whether this run's figures bear it out."""
    lines = ["", "## Expected vs actual (예상 vs 현실)", "", f"Plan: {e.plan or '-'}", "",
             f"Verdict on the plan's expectation: **{e.verdict}**", ""]
    if not e.conditions:
        return lines + ["No condition ties this expectation to a metric: not tested by this run."]
    lines += ["| condition | actual | verdict |", "|---|---|---|"]
    for c in e.conditions:
        actual = c.reason or (", ".join(f"{k} = {fmt(v)}" for k, v in c.actual.items())
                              if isinstance(c.actual, dict) else fmt(c.actual))
        lines.append(f"| {c.condition} | {actual} | {c.verdict} |")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python analysis/report.py RUN_DIR", file=sys.stderr)
        return 2
    summary = build(argv[0])
    print(json.dumps({"scenario": summary.scenario, "passed": summary.passed,
                      **{k: summary.metrics[k] for k in ("failover_s", "error_window_s", "error_rate",
                                                            "lost_acked_writes")}}))
    return 0 if summary.passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
