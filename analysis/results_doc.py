"""RESULTS.md and RESULTS.ko.md: the results document the plan promises, from run files alone.

    python -m analysis.results_doc [--backend local|docker] [--from DIR] [--out DIR]

Takes the newest run of each catalog scenario in results/ (on one backend; never a run that was
interrupted, against a target, with workers or from a campaign), or every run directory under DIR
(then the documents go beside DIR), and writes both documents along the plan's storyline (8.1):
each step in the section 7 format, the 예상 vs 현실 table, the interview questions (8.2) and the
environment. Reads summary.json, run.json and faults.jsonl only (images by relative link); the
same files give byte-identical documents (sorted, no clock of its own, one number format).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

import runfiles as rf
from analysis import results_words as T
from analysis import stories, target_findings
from analysis.results_words import L, num, pct
from analysis.stories import Story, Storybook

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
SCENARIOS = ROOT / "scenarios"
BACKENDS = tuple(name for name, facts in rf.BACKENDS.items() if not facts.adopted)  # what a catalog edition is run on
RUN_ID_RE = re.compile(r"^\d{8}-\d{6}-.+$")
DOCS = {"en": "RESULTS.md", "ko": "RESULTS.ko.md"}
IMAGES = ("timeline.png", "monitor.png")


# ---- the runs ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunFiles:
    """One run directory as the document reads it."""

    dir: Path
    summary: rf.Summary
    meta: rf.RunMeta  # an empty RunMeta() when run.json is absent
    journal: list[rf.JournalLine]
    stale: list[str] = field(default_factory=list)  # settings its scenario file no longer has (stale.json)

    @property
    def id(self) -> str:
        return str(self.summary.run_id or self.dir.name)

    @property
    def scenario(self) -> str:
        return str(self.summary.scenario)

    @property
    def backend(self) -> str:
        return str(self.summary.backend or rf.DEFAULT_BACKEND)

    @property
    def backend_facts(self) -> rf.BackendFacts:
        """What the backend it ran on is (runfiles.BackendFacts): asked, never its name compared."""
        return rf.backend_facts(self.meta, self.summary)

    def fig(self) -> T.Fig:
        return T.Fig(self.summary, self.journal)


def read_run(d: Path) -> RunFiles | None:
    """The run in directory d, or None where it is no run directory (no summary.json naming a scenario)."""
    summary = rf.Summary.load(d)
    if summary is None or not summary.scenario:
        return None
    return RunFiles(d, summary, rf.RunMeta.load(d) or rf.RunMeta(), rf.read_journal(d), stale_findings(d))


def stale_findings(d: Path) -> list[str]:
    """What differs between the run and its scenario file today, as the edition's stale.json says
    (python -m harness.staleness EDITION, keyed by the run's path under the edition); [] where none does."""
    for root in list(d.resolve().parents)[:3]:
        path = root / rf.STALE
        if path.exists():
            return json.loads(path.read_text()).get(str(d.resolve().relative_to(root)), [])
    return []


def excluded(run: RunFiles, backend: str | None, target: str | None = None) -> str | None:
    """Why a run is not taken into the document, or None when it is. With `target`, only the runs
    against that target (by its name) are taken: a team's own document."""
    s, meta = run.summary, run.meta
    if target is not None:
        if _target_name(meta) != target:
            return f"not a run against target {target}"
        backend = None
    if backend is not None and run.backend != backend:
        return f"backend {run.backend}, not {backend}"
    if s.interrupted or meta.interrupted:
        return "interrupted"
    if (s.target or meta.target) and target is None:
        return "run against a target"
    # the writer's summary.json declares no "workers" (its config's, or run.json's, say so): one that has it
    # (written by hand, or by a version that wrote it) is not taken either
    if ((s.config or {}).get("workers") or "workers" in s.extra or meta.workers is not None
            or (meta.config or {}).get("workers")):
        return "run with workers"
    if s.campaign or meta.campaign:
        return "run of a campaign"
    return None


def _target_name(meta: rf.RunMeta) -> str | None:
    """The name of the target a run was made against (run.json's {name, file, plan}), or None."""
    return meta.target.get("name") if isinstance(meta.target, dict) else None


def _newest_key(run: RunFiles) -> tuple:
    return (float(run.summary.started_ms or 0), run.dir.name)


def select(root: Path, backend: str | None, recursive: bool, only: set[str] | None,
           target: str | None = None) -> tuple[dict, list]:
    """({scenario: newest taken run}, [(run dir name, why skipped)]) for the run directories under root."""
    found = sorted(root.rglob(rf.SUMMARY) if recursive else root.glob(f"*/{rf.SUMMARY}"))
    taken: dict[str, RunFiles] = {}
    skipped = []
    for path in found:
        d = path.parent
        if not recursive and not RUN_ID_RE.match(d.name):
            continue
        run = read_run(d)
        if run is None:
            continue
        why = excluded(run, backend, target) or (None if only is None or run.scenario in only else "not a catalog scenario")
        if why:
            skipped.append((d.name, why))
        elif run.scenario not in taken or _newest_key(run) > _newest_key(taken[run.scenario]):
            taken[run.scenario] = run
    return taken, skipped


def load_catalog(directory: Path = SCENARIOS) -> dict[str, dict]:
    """{id: the scenario file's id, title, plan_step, group, description, expectation}, from scenarios/."""
    out = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(raw, dict) and raw.get("id"):
            sid = str(raw["id"])
            exp = raw.get("expectation")
            out[sid] = {"id": sid, "title": str(raw.get("title") or sid), "plan_step": str(raw.get("plan_step") or ""),
                        "group": str(raw.get("group") or sid.split("-")[0]),
                        "description": " ".join(str(raw.get("description") or "").split()),
                        "expectation": exp.get("plan", "") if isinstance(exp, dict) else str(exp or "")}
    return out


# ---- small pieces ----------------------------------------------------------------------------------
def _rel(run: RunFiles, out_dir: Path, name: str = "") -> str:
    rel = Path(os.path.relpath(run.dir, out_dir)).as_posix()
    return f"{rel}/{name}" if name else rel


def _utc(ms: float | None) -> str:
    if not ms:
        return "-"
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _step_title(sid: str, run: RunFiles | None, cat: dict, story: Story | None, lang: str) -> str:
    if lang == "ko" and story:
        return story.title_ko
    return str((run.summary.title if run else None) or cat.get("title") or sid)


def _plan_step(sid: str, run: RunFiles | None, cat: dict) -> str:
    return str((run.summary.plan_step if run else None) or cat.get("plan_step") or sid)


def _make_cmd(sid: str, backend: rf.BackendFacts) -> str:
    return " ".join(filter(None, (f"make scenario S={sid}", backend.make_args)))


def _expectation(run: RunFiles | None) -> rf.ExpectationResult:
    """The plan's expectation as the run judged it (none: not tested, with no plan quoted)."""
    return (run.summary.expectation if run else None) or rf.ExpectationResult()


def _plan_quote(run: RunFiles | None, cat: dict, story: Story | None, lang: str) -> str:
    """The plan's expectation as the scenario quotes it; in Korean the plan's own words."""
    plan = str(_expectation(run).plan or cat.get("expectation") or "")
    if lang == "ko":
        if story and story.expect_ko:
            return story.expect_ko
        m = re.search(r"\(plan: (.+)\)\s*$", plan)
        return m.group(1) if m else plan
    return plan


def _value(F: T.Fig, name: str, lang: str) -> str:
    """A results-table cell: the figure with its unit, or why it is absent."""
    v = F.v(name)
    if v is None:
        why = F.reason(name).removeprefix("not measured: ")
        return f"{T.TXT['na'](lang)}: {why if lang == 'en' else T.reason_ko(why)}"
    if name.rsplit(".", 1)[-1].startswith("error_rate") and isinstance(v, int | float) and not isinstance(v, bool):
        return f"{num(v)} ({pct(v)})"
    return num(v) + T.unit_of(name)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _n(count: object, noun: str) -> str:
    """2 replicas, 1 consumer, 0 Sentinels."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


# ---- sections -------------------------------------------------------------------------------------------
def config_lines(run: RunFiles, lang: str) -> list[str]:
    F = run.fig()
    st, ld, sen = F.stack, F.load, F.sentinel
    env = dict(st.get("service_env") or {})
    client = {k: env.pop(k, "?") for k in ("FAIRBID_REDIS_TIMEOUT_S", "FAIRBID_REDIS_RETRIES", "FAIRBID_REDIS_BACKOFF_CAP_S")}
    others = ", ".join(f"`{k}={v}`" for k, v in sorted(env.items()))
    directives = ", ".join(f"`{k} {v}`" for k, v in sorted((st.get("redis_conf") or {}).items()))
    n_redis = st.get("redis_nodes")
    replicas = (n_redis - 1) if isinstance(n_redis, int) and n_redis > 1 else 0
    stack = L(f"{n_redis} Redis ({'1 master, ' + _n(replicas, 'replica') if replicas else 'a single node'}), "
              f"{_n(st.get('sentinels'), 'Sentinel')}, {st.get('mysql_nodes')} MariaDB, "
              f"{_n(st.get('consumers'), 'consumer')}, {_n(st.get('apis', 1), 'API')}",
              f"Redis {n_redis}대({'master 1대, replica ' + str(replicas) + '대' if replicas else '단일 노드'}), "
              f"Sentinel {st.get('sentinels')}대, MariaDB {st.get('mysql_nodes')}대, consumer {st.get('consumers')}대, "
              f"API {st.get('apis', 1)}대")
    sentinel = (L(f"quorum {sen.get('quorum')}, down-after-milliseconds {num(sen.get('down_after_ms'))} ms, "
                  f"failover-timeout {num(sen.get('failover_timeout_ms'))} ms, parallel-syncs {sen.get('parallel_syncs')}",
                  f"quorum {sen.get('quorum')}, down-after-milliseconds {num(sen.get('down_after_ms'))} ms, "
                  f"failover-timeout {num(sen.get('failover_timeout_ms'))} ms, parallel-syncs {sen.get('parallel_syncs')}")
                if sen and st.get("sentinels") else
                L("none (nothing fails over by itself)", "없음(자동 failover 없음)"))
    svc = L(f"timeout {client['FAIRBID_REDIS_TIMEOUT_S']} s, {client['FAIRBID_REDIS_RETRIES']} retries, backoff cap "
            f"{client['FAIRBID_REDIS_BACKOFF_CAP_S']} s",
            f"timeout {client['FAIRBID_REDIS_TIMEOUT_S']} s, 재시도 {client['FAIRBID_REDIS_RETRIES']}회, backoff 상한 "
            f"{client['FAIRBID_REDIS_BACKOFF_CAP_S']} s")
    if "?" in client.values():  # the scenario sets no client: the service's defaults, or each API's own below
        svc = (L("set per API (below)", "API별 설정(아래)") if st.get("api_env") else
               L("the service's defaults", "서비스 기본값"))
    users, rate = ld.get("users"), ld.get("rate_per_user")
    offered = num(round(users * rate, 3)) if isinstance(users, int) and isinstance(rate, int | float) else "?"
    load = L(f"{users} users at {num(rate)} requests/s each ({offered} requests/s offered) for {num(ld.get('run_time_s'))} s; "
             f"bid : Redis-user weight {ld.get('bid_weight')} : {ld.get('redis_weight')}; {ld.get('auctions')} auctions",
             f"사용자 {users}명이 각자 초당 {num(rate)}건(합계 초당 {offered}건 요청), {num(ld.get('run_time_s'))} s 동안; "
             f"입찰 : Redis 사용자 비중 {ld.get('bid_weight')} : {ld.get('redis_weight')}; 경매 {ld.get('auctions')}개")
    cluster = st.get("cluster") or {}
    if cluster:  # the nodes are the shards' masters and replicas, and they fail over by themselves
        per = cluster.get("replicas")
        stack = L(f"{n_redis} Redis in a cluster of {cluster.get('shards')} shards (each a master and "
                  f"{_n(per, 'replica')}), {st.get('mysql_nodes')} MariaDB, {_n(st.get('consumers'), 'consumer')}, "
                  f"{_n(st.get('apis', 1), 'API')}",
                  f"Redis {n_redis}대로 된 cluster, shard {cluster.get('shards')}개(각각 master 1대, replica {per}대), "
                  f"MariaDB {st.get('mysql_nodes')}대, consumer {st.get('consumers')}대, API {st.get('apis', 1)}대")
        sentinel = L(f"by the cluster's own nodes (no Sentinel), which flag a silent master and promote one of its "
                     f"replicas; cluster-node-timeout {num(cluster.get('node_timeout_ms'))} ms",
                     f"Sentinel 없이 cluster 노드들이 직접 한다. 응답 없는 master를 표시하고 그 replica 하나를 승격한다. "
                     f"cluster-node-timeout {num(cluster.get('node_timeout_ms'))} ms")
    failover = L("Failover", "failover") if cluster else L("Sentinel", "Sentinel 설정")
    lines = [f"- {L('Stack', '스택')(lang)}: {stack(lang)}.",
             f"- {failover(lang)}: {sentinel(lang)}.",
             f"- {L('Redis directives beyond conf/redis.conf', 'conf/redis.conf 외 Redis 설정')(lang)}: "
             f"{directives or L('none', '없음')(lang)}.",
             f"- {L('Service Redis client', '서비스의 Redis 클라이언트')(lang)}: {svc(lang)}"
             + (f"; {L('other service settings', '그 밖의 서비스 설정')(lang)}: {others}" if others else "") + "."]
    for api, overrides in sorted((st.get("api_env") or {}).items()):
        lines.append(f"- {L(f'Settings of `{api}`', f'`{api}`의 설정')(lang)}: "
                     + ", ".join(f"`{k}={v}`" for k, v in sorted(overrides.items())) + ".")
    lines.append(f"- {L('Load', '부하')(lang)}: {load(lang)}.")
    variants = [v for v in ld.get("variants") or [] if v.get("name") != "default"]
    if variants:
        desc = "; ".join(f"`{v.get('name')}` → {v.get('api')}, " + L(
            f"{v.get('retries')} retries, backoff {num(v.get('backoff_s'))} s, "
            + ("same key" if v.get("same_key") else "new key each retry"),
            f"재시도 {v.get('retries')}회, backoff {num(v.get('backoff_s'))} s, "
            + ("같은 key" if v.get("same_key") else "재시도마다 새 key"))(lang) for v in variants)
        lines.append(f"- {L('Client variants, side by side', '나란히 돈 클라이언트 종류')(lang)}: {desc}.")
    ru = (F.cfg.get("redis_user_client") or {})
    if ru and ld.get("redis_weight"):
        who = (L("Locust's Redis users (through Sentinel)", "Locust의 Redis 사용자(Sentinel 경유)") if st.get("sentinels")
               else L("Locust's Redis users", "Locust의 Redis 사용자"))
        lines.append(f"- {who(lang)}: "
                     + L(f"timeout {num(ru.get('timeout_s'))} s, {ru.get('retries')} retries, backoff cap "
                         f"{num(ru.get('backoff_cap_s'))} s",
                         f"timeout {num(ru.get('timeout_s'))} s, 재시도 {ru.get('retries')}회, backoff 상한 "
                         f"{num(ru.get('backoff_cap_s'))} s")(lang) + ".")
    target = run.meta.target or {}
    if target:  # the stack's own files and settings, not the stand-in's: the stand-in's lines above do not apply
        standin = (L("Service Redis client", "서비스의 Redis 클라이언트"),
                   L("Redis directives beyond conf/redis.conf", "conf/redis.conf 외 Redis 설정"))
        lines = [x for x in lines if not x.startswith(tuple(f"- {x(lang)}" for x in standin))]
        file = target_findings.shown(target.get("file"))
        lines.append(f"- {L('The stack and the service', '스택과 서비스')(lang)}: "
                     + L(f"the team's own, as target `{target.get('name')}` describes them (`{file}`); "
                         "its service runs with its own client settings",
                         f"대상 `{target.get('name')}`이(가) 설명하는 팀 자체의 것(`{file}`); 서비스는 "
                         "자체 클라이언트 설정으로 동작한다")(lang) + ".")
        return lines
    if cluster:
        lines.append(f"- {L('Config files', '설정 파일')(lang)}: `conf/redis.conf` "
                     + L("with `cluster-enabled yes` added per node", "(노드마다 `cluster-enabled yes`를 더해서)")(lang)
                     + ", `conf/mariadb.cnf`.")
        return lines
    lines.append(f"- {L('Config files', '설정 파일')(lang)}: `conf/redis.conf`, `conf/sentinel.conf`, `conf/mariadb.cnf`"
                 + L("; Docker: `compose/sentinel.yml`.", "; Docker: `compose/sentinel.yml`.")(lang))
    return lines


def fault_lines(run: RunFiles | None, story: Story | None, lang: str) -> list[str]:
    lines = []
    if story and story.plan_cmd:
        lines += [T.TXT["plan_cmd"](lang), "", "```bash", story.plan_cmd, "```", ""]
    elif story and story.closest:
        lines += [T.TXT["no_plan_cmd"](lang), "", "```bash", story.closest, "```", ""]
    if run is None:
        return lines
    F = run.fig()
    zero, start = F.primary_ms(), run.summary.started_ms
    recs = sorted((r for r in run.journal if isinstance(r, rf.Applied | rf.Failed)),
                  key=lambda r: (_when(r) or 0, r.fault or 0))
    if not recs:
        return lines + [T.TXT["no_faults"](lang), ""]
    healed = {r.fault: r for r in run.journal if isinstance(r, rf.Healed)}
    lines += [T.TXT["harness_did"](lang).format(backend=run.backend), "",
              "| at | t | " + L("action → node | what was done | undone", "동작 → 노드 | 실제로 한 일 | 복구")(lang) + " |",
              "|---|---|---|---|---|"]
    for r in recs:
        t_ms = _when(r)
        at = f"{(t_ms - start) / 1000:.1f} s" if start and t_ms else "-"
        t = f"{(t_ms - zero) / 1000:+.3f} s" if zero is not None and t_ms else "-"
        target = json.dumps(r.target, sort_keys=True) if isinstance(r.target, dict) else str(r.target)
        node = r.node or "-"
        who = f"`{r.action}` {target}" + (f" → {node}" if node not in ("-", target) else "")
        if isinstance(r, rf.Failed):
            what, back = L(f"failed: {r.error}", f"실패: {r.error}")(lang), "-"
        else:
            what = T.told(r)(lang)
            h = healed.get(r.fault)
            back = "-"
            undo = next((x for x in recs if isinstance(x, rf.Applied) and x.node == r.node
                         and x.action == r.undone_by and x.applied_ms > r.applied_ms), None)
            if undo and zero is not None and (not h or undo.applied_ms <= h.healed_ms):
                back = f"{(undo.applied_ms - zero) / 1000:+.3f} s: " + L(
                    f"by the `{undo.action}` below", f"아래의 `{undo.action}` 동작으로")(lang)
            elif h:
                ht = f"{(h.healed_ms - zero) / 1000:+.3f} s" if zero is not None else ""
                why = T.HEALED_WHY.get(h.reason, L(str(h.reason), str(h.reason)))(lang)
                back = f"{ht} ({why}): {T.told(r, 'undone')(lang)}"
        lines.append(f"| {at} | {t} | {_cell(who)} | {_cell(what)} | {_cell(back)} |")
    return lines + [""]


def _when(r: rf.Applied | rf.Failed) -> float | None:
    """When a fault took effect, or (failed, or never applied) when it was due."""
    return (r.applied_ms if isinstance(r, rf.Applied) else None) or r.scheduled_ms


def results_lines(run: RunFiles, story: Story | None, lang: str) -> list[str]:
    F = run.fig()
    checks = run.summary.checks or []
    by_metric: dict[str, list[rf.CheckResult]] = {}
    for c in checks:
        by_metric.setdefault(c.metric, []).append(c)
    yes, no = T.TXT["yes"](lang), T.TXT["no"](lang)

    def check_cells(metric: str) -> tuple[str, str]:
        cs = by_metric.get(metric) or []
        if not cs:
            return "-", "-"
        exp = ", ".join(f"`{c.expected}`" + ("¹" if c.backend_bound_why else "") for c in cs)
        return exp, (yes if all(c.passed for c in cs) else no)

    lines = ["| " + L("figure | value | check | passed", "지표 | 값 | 기준 | 판정")(lang) + " |", "|---|---|---|---|"]
    for m in T.HEADLINE:
        exp, ok = check_cells(m)
        value = _value(F, m, lang)
        if m == "lost_acked_writes" and F.v(m) is not None:
            value = f"{num(F.v(m))} / {num(F.v('acked_writes'))}"
        lines.append(f"| {T.label(m, lang)} | {_cell(value)} | {exp} | {ok} |")
    for m in sorted(by_metric, key=lambda k: [c.metric for c in checks].index(k)):
        if m in T.HEADLINE:
            continue
        exp, ok = check_cells(m)
        lines.append(f"| {T.label(m, lang)} | {_cell(_value(F, m, lang))} | {exp} | {ok} |")
    for c in checks:
        if c.backend_bound_why:
            why = c.backend_bound_why
            if lang == "ko":
                why = (story.bound_ko if story else {}).get((c.metric, run.backend), f"원문: {why}")
            lines += ["", f"¹ `{c.metric}`: " + L(f"the {run.backend} backend's own bound, because {why}",
                                                        f"{run.backend} backend 고유의 기준이다. 이유: {why}")(lang)]
    faults = run.summary.faults or []
    if len(faults) > 1:
        cols = ("detect_s", "failover_s", "error_window_s", "lost_acked_during", "loss_after_fault_s")
        lines += ["", L("Per fault (each from its own applied time):", "장애별(각자의 적용 시점 기준):")(lang), "",
                  "| " + L("fault", "장애")(lang) + " | " + " | ".join(f"`{c}`" for c in cols) + " |",
                  "|---|" + "---|" * len(cols)]
        for f in faults:
            cells = " | ".join(num(f.get(c)) + T.unit_of(c) if f.get(c) is not None else "-" for c in cols)
            lines.append(f"| {f.get('label')} (`{f.get('action')}` {f.get('node')}) | {cells} |")
    variants = run.summary.variants or {}
    if variants:
        cols = ("requests", "failed_requests", "error_rate", "error_window_s", "p50_ms", "p99_ms", "retries",
                "user_errors", "duplicates_created")
        lines += ["", L("Client variants (same fault, same run):", "클라이언트 종류별(같은 장애, 같은 실행):")(lang), "",
                  f"| {L('variant', '종류')(lang)} | " + " | ".join(f"`{c}`" for c in cols) + " |", "|---|" + "---|" * len(cols)]
        declared = [v.get("name") for v in (run.summary.config or {}).get("load", {}).get("variants") or []]
        for name in [n for n in declared if n in variants] + sorted(set(variants) - set(declared)):
            v = variants[name]
            cells = " | ".join(num(v.get(c)) + T.unit_of(c) if v.get(c) is not None else "-" for c in cols)
            lines.append(f"| {name} | {cells} |")
    return lines + [""]


def plot_lines(run: RunFiles, out_dir: Path, lang: str) -> list[str]:
    listed = set(run.summary.files or [])
    lines = [f"![{name}]({_rel(run, out_dir, name)})" for name in IMAGES if name in listed or (run.dir / name).exists()]
    links = [f"[report.md]({_rel(run, out_dir, rf.REPORT)})", f"[summary.json]({_rel(run, out_dir, rf.SUMMARY)})"]
    return lines + ["", L("The run's full record (Sentinel events, client errors, every metric): ",
                          "실행의 전체 기록(Sentinel 이벤트, 클라이언트 에러, 모든 지표): ")(lang) + " · ".join(links), ""]


def done_sentence(run: RunFiles) -> L:
    F = run.fig()
    ld, start = F.load, run.summary.started_ms
    acts = [r for r in F.applied() if not r.probe]
    head = L(f"{ld.get('users')} users bid for {num(ld.get('run_time_s'))} s ({F.v('requests_per_s') or '?'} requests/s "
             f"measured)",
             f"사용자 {ld.get('users')}명이 {num(ld.get('run_time_s'))} s 동안 입찰했다(실측 초당 "
             f"{F.v('requests_per_s') or '?'}건)")
    if not acts:
        return L(head.en + "; no fault was injected.", head.ko + ". 장애는 주입하지 않았다.")
    parts = [(f"{(r.applied_ms - start) / 1000:.1f} s" if start else "?", T.told(r)) for r in acts]
    return L(head.en + "; " + "; ".join(f"at {at} {d.en}" for at, d in parts) + ".",
             head.ko + ". " + "; ".join(f"{at}에 {d.ko}" for at, d in parts) + ".")


def analysis_lines(run: RunFiles, cat: dict, story: Story | None, lang: str) -> list[str]:
    F = run.fig()
    happened = stories.happened(F, story)
    why = T.say(F, list(story.why)) if story else []
    out = [f"- **{T.TXT['done'](lang)}:** {done_sentence(run)(lang)}",
           f"- **{T.TXT['happened'](lang)}:** " + " ".join(x(lang) for x in happened)]
    if why:
        out.append(f"- **{T.TXT['why'](lang)}:** " + " ".join(x(lang) for x in why))
    elif cat.get("description") and lang == "en":  # a scenario with no prose of its own: its file's words
        out.append(f"- **{T.TXT['why'](lang)}:** {cat['description']}")
    out.append(f"- {T.checks_sentence(F)(lang)}")
    return out + [""]


def _why_ko(why: str) -> str:
    """A reason of summary.json's not_passed_because, in Korean."""
    m = re.match(r"check failed: (\S+) \(actual (.*)\)$", why)
    if m:
        return f"검사 실패: `{m.group(1)}` (실제 {m.group(2)})"
    if why.startswith("not measured: "):
        return f"측정 안 됨: {T.reason_ko(why)}"
    if why.startswith("interrupted"):
        return "중단된 실행" + why.removeprefix("interrupted")
    return why if why != "the scenario has no check" else "시나리오에 검사가 없다"


def step_lines(sid: str, run: RunFiles | None, cat: dict, story: Story | None, out_dir: Path, backend: str,
               lang: str) -> list[str]:
    lines = [f"### {_plan_step(sid, run, cat)}: {_step_title(sid, run, cat, story, lang)} (`{sid}`)", ""]
    about = story.about_ko if lang == "ko" and story else cat.get("description") or ""
    if run is None:
        cmd = _make_cmd(sid, rf.BACKENDS[backend])
        lines += [L(f"**Not run** on the {backend} backend in this edition: `{cmd}` runs it.",
                    f"이번 판에서는 {backend} backend로 **실행하지 않았다**. 실행 명령: `{cmd}`.")(lang), ""]
        if about:
            lines += [f"**{T.TXT['about'](lang)}:** {about}", ""]
        return lines + fault_lines(None, story, lang)
    s = run.summary
    checks = s.checks or []
    n_ok = sum(1 for c in checks if c.passed)
    verdict = T.VERDICT.get(_expectation(run).verdict, T.VERDICT["not tested"])
    lines += [L(f"Run [`{run.id}`]({_rel(run, out_dir, rf.REPORT)}) on the {run.backend} backend, {_utc(s.started_ms)}: "
                f"**{T.RUN_VERDICT[bool(s.passed)].en}** ({n_ok} of {len(checks)} checks passed). The plan's "
                f"expectation: {verdict.en}.",
                f"실행 [`{run.id}`]({_rel(run, out_dir, rf.REPORT)}), {run.backend} backend, {_utc(s.started_ms)}: "
                f"**{T.RUN_VERDICT[bool(s.passed)].ko}** (검사 {len(checks)}개 중 {n_ok}개 통과). 계획의 예상: "
                f"{verdict.ko}.")(lang), ""]
    if run.stale:
        cmd = _make_cmd(sid, run.backend_facts)
        lines += [L(f"**Stale:** recorded with settings its scenario file no longer has ({'; '.join(run.stale)}); "
                    f"its figures are those of the settings then. `{cmd}` runs it as the file says now.",
                    f"**이전 설정의 실행:** 지금의 시나리오 파일과 다른 설정으로 기록되었다({'; '.join(run.stale)}). "
                    f"수치는 그때 설정의 것이다. 지금 파일대로 실행하려면 `{cmd}`.")(lang), ""]
    lines += [f"- {why if lang == 'en' else _why_ko(why)}" for why in s.not_passed_because or []]
    if s.not_passed_because:
        lines.append("")
    if about:
        lines += [f"**{T.TXT['about'](lang)}:** {about}", ""]
    lines += [T.TXT["cfg"](lang), "", *config_lines(run, lang), "",
              T.TXT["fault"](lang), "", *fault_lines(run, story, lang),
              T.TXT["results"](lang), "", *results_lines(run, story, lang),
              T.TXT["plots"](lang), "", *plot_lines(run, out_dir, lang),
              T.TXT["analysis"](lang), "", *analysis_lines(run, cat, story, lang)]
    return lines


def _measured_cell(run: RunFiles, lang: str) -> str:
    F = run.fig()
    parts = []
    for c in _expectation(run).conditions or []:
        if c.reason:
            parts.append(f"`{c.condition}`: " + (c.reason if lang == "en" else T.reason_ko(c.reason.split(": ", 1)[-1])))
        elif isinstance(c.actual, dict):
            parts.append(f"`{c.condition}`: " + " vs ".join(num(v) + T.unit_of(k) if v is not None else "n/a"
                                                          for k, v in c.actual.items()))
        else:
            parts.append(f"`{c.condition}`: {_value(F, c.condition.split(' ', 1)[0], lang)}")
    return "; ".join(parts) or L("no condition ties it to a figure", "수치와 연결된 조건이 없다")(lang)


def expectation_lines(order: list[str], runs: dict, catalog: dict, book: Storybook, out_dir: Path,
                      lang: str) -> list[str]:
    lines = [L("The plan's empty table, filled from the runs: the plan's words, the figures each run measured for them, "
               "and whether they bear the plan out (holds), contradict it (differs, a finding) or could not decide "
               "(not tested).",
               "계획에 비어 있던 표를 실행 결과로 채웠다. 계획의 문장, 각 실행이 그에 대해 잰 수치, 그리고 그 수치가 계획을 "
               "뒷받침하는지(부합), 뒤집는지(다름: 그 자체가 발견이다), 판단할 수 없는지(검증 안 됨)를 적는다.")(lang), "",
             "| " + L("item | expected (the plan) | actual (measured) | what was learned | verdict",
                     "항목 | 예상 | 실제 | 배운 점 | 판정")(lang) + " |", "|---|---|---|---|---|"]
    for sid in order:
        run, cat = runs.get(sid), catalog.get(sid, {})
        item = f"{_plan_step(sid, run, cat)} (`{sid}`)"
        quote = _plan_quote(run, cat, book.story(sid), lang)
        if run is None:
            lines.append(f"| {item} | {_cell(quote)} | - | - | {T.VERDICT['not run'](lang)} |")
            continue
        F, story = run.fig(), book.story(sid)
        learned = T.say(F, [story.learned]) if story and story.learned else [T.generic_learned(F)]
        said = learned[0](lang)
        if _expectation(run).verdict == "differs":
            said += L(" The plan expected otherwise.", " 계획의 예상과 다르다.")(lang)
        verdict = T.VERDICT.get(_expectation(run).verdict, T.VERDICT["not tested"])
        link = f"[{L('run', '실행')(lang)}]({_rel(run, out_dir, rf.REPORT)})"
        lines.append(f"| {item} | {_cell(quote)} | {_cell(_measured_cell(run, lang))} ({link}) | "
                     f"{_cell(said)} | {verdict(lang)} |")
    return lines + [""]


def question_lines(runs: dict, book: Storybook, out_dir: Path, lang: str) -> list[str]:
    figs = {sid: r.fig() for sid, r in runs.items()}
    lines = []
    for q in book.questions:
        answers = book.answers_to(q.key)
        head = q.ko if lang == "ko" else f"{q.en} ({q.ko})"
        lines += [f"### {head}", "", L(f"The plan's answer points: {q.points}.", f"계획의 답변 포인트: {q.points}.")(lang), ""]
        if not q.measured:
            lines += [L("**Design reasoning, not measured.**", "**설계 판단이며, 측정한 것이 아니다.**")(lang), ""]
        said = list(q.opening) + [x for sid, a in answers if sid in figs for x in T.say(figs[sid], list(a.sentences))]
        lines += [" ".join(x(lang) for x in said), ""]
        shown = [sid for sid, _ in answers if sid in runs]
        missing = [sid for sid, _ in answers if sid not in runs]
        if shown:
            lines.append(L("Runs that show it: ", "근거 실행: ")(lang)
                         + ", ".join(f"[{sid}]({_rel(runs[sid], out_dir, rf.REPORT)})" for sid in shown) + ".")
        if missing:
            lines.append(L("Not run in this edition: ", "이번 판에서 실행하지 않은 단계: ")(lang)
                         + ", ".join(f"`{sid}`" for sid in missing) + ".")
        lines.append("")
    return lines


def environment_lines(runs: dict, lang: str) -> list[str]:
    items = sorted(runs.values(), key=lambda r: r.id)
    nr = L("not recorded", "기록 없음")(lang)

    def summarise(values: list[tuple[str, object]]) -> str:
        groups: dict[str, list[str]] = {}
        for rid, v in values:
            groups.setdefault(nr if v in (None, "") else num(v), []).append(rid)
        if len(groups) == 1:
            return next(iter(groups))
        return "; ".join(f"{k} ({L('runs', '실행')(lang)}: {', '.join(ids)})" if k == nr else
                         f"{k} ({L(f'{len(ids)} runs', f'{len(ids)}개 실행')(lang)})" for k, ids in sorted(groups.items()))

    lines = [L("What the runs ran on, as each run recorded it when it started (`summary.json` → `environment`); "
               "\"not recorded\" where a run carries no record of it.",
               "각 실행이 시작할 때 스스로 기록한 환경이다(`summary.json`의 `environment`). 기록이 없는 항목은 "
               "\"기록 없음\"으로 적는다.")(lang), "",
             "| " + L("item | value", "항목 | 값")(lang) + " |", "|---|---|"]
    absent = L("none in the stack", "구성에 없음")(lang)

    def value(r: RunFiles, key: str) -> object:
        v = (r.summary.environment or {}).get(key)
        stack = (r.summary.config or {}).get("stack") or {}
        if v in (None, "") and key == "sentinel" and stack.get("sentinels") == 0:
            return absent  # a single-Redis step has no Sentinel to ask: not a gap in the record
        return v

    for key, name in T.ENV_ITEMS:
        vals = [(r.id, value(r, key)) for r in items]
        lines.append(f"| {name(lang)} | {_cell(summarise(vals) if vals else nr)} |")
    lines.append(f"| {L('backend', 'backend')(lang)} | {_cell(summarise([(r.id, r.backend) for r in items]) or '-')} |")
    dates = [(r.id, (r.summary.environment or {}).get("date")) for r in items]
    lines.append(f"| {L('date recorded by the runs', '실행이 기록한 날짜')(lang)} | "
                 f"{_cell(summarise(dates) if dates else nr)} |")
    starts = sorted(r.summary.started_ms for r in items if r.summary.started_ms)
    span = f"{_utc(starts[0])} – {_utc(starts[-1])}" if starts else "-"
    lines.append(f"| {L('runs started (from started_ms)', '실행 시작 시각(started_ms 기준)')(lang)} | {span} |")
    errors = [(r.id, r.meta.environment_error) for r in items if r.meta.environment_error]
    if errors:
        lines += ["", L("Runs that could not ask their servers at the start: ", "시작할 때 서버에 환경을 묻지 못한 실행: ")(lang)
                  + "; ".join(f"`{rid}` ({err})" for rid, err in errors) + "."]
    return lines + [""]


def _glance_cell(F: T.Fig, metric: str, faults: list[dict]) -> str:
    """A run's figure, or, where it had several disruptive faults, each fault's own (its label first)."""
    if len(faults) > 1:
        return "; ".join(f"{f.get('label')}: " + (num(f[metric]) + T.unit_of(metric) if f.get(metric) is not None else "n/a")
                         for f in faults)
    return num(F.v(metric)) + T.unit_of(metric) if F.v(metric) is not None else "n/a"


def glance_lines(order: list[str], runs: dict, catalog: dict, out_dir: Path, lang: str) -> list[str]:
    lines = ["| " + L("step | scenario | verdict | plan's expectation | failover_s | error_window_s | lost / acked | run",
                      "단계 | 시나리오 | 판정 | 계획의 예상 | failover_s | error_window_s | 유실 / ACK | 실행")(lang) + " |",
             "|---|---|---|---|---|---|---|---|"]
    for sid in order:
        run = runs.get(sid)
        if run is None:
            step = _plan_step(sid, None, catalog.get(sid, {}))
            lines.append(f"| {step} | `{sid}` | {T.VERDICT['not run'](lang)} | - | - | - | - | - |")
            continue
        F = run.fig()
        cells = [_glance_cell(F, m, run.summary.faults or []) for m in ("failover_s", "error_window_s")]
        lost = f"{num(F.v('lost_acked_writes'))} / {num(F.v('acked_writes'))}" if F.has("lost_acked_writes") else "n/a"
        verdict = T.VERDICT.get(_expectation(run).verdict, T.VERDICT["not tested"])
        passed = T.RUN_VERDICT[bool(run.summary.passed)](lang) + (L(" (stale)", " (이전 설정)")(lang) if run.stale else "")
        lines.append(f"| {_plan_step(sid, run, catalog.get(sid, {}))} | `{sid}` | {passed} | "
                     f"{verdict(lang)} | {cells[0]} | {cells[1]} | {lost} | [{run.id}]({_rel(run, out_dir, rf.REPORT)}) |")
    return lines + [""]


def intro_lines(order: list[str], runs: dict, backend: str, lang: str) -> list[str]:
    ran = [sid for sid in order if sid in runs]
    passed = sum(1 for sid in ran if runs[sid].summary.passed)
    verdicts = [_expectation(runs[sid]).verdict for sid in ran]
    h, d, nt = verdicts.count("holds"), verdicts.count("differs"), verdicts.count("not tested")
    backends = ", ".join(sorted({runs[sid].backend for sid in ran})) or backend
    return [L("The plan (its steps in this repository: `docs/plan.md`) announced a separate results document, "
              "to be written once the tests had run. "
              f"This is it, written by `make results` from the run files of {len(ran)} runs on the {backends} backend. Every "
              "figure comes from the `summary.json` of the run linked beside it, and a step without a run says so.",
              "계획서(이 저장소의 `docs/plan.md`에 그 단계들이 있다)는 테스트를 실행한 뒤 별도의 결과 문서를 쓰겠다고 "
              "했다. 이 문서가 그것이다. "
              f"`make results`가 {backends} backend에서 돈 실행 {len(ran)}개의 실행 기록으로 만들었다. 모든 수치는 옆에 "
              "링크한 실행의 `summary.json`에서 왔고, 실행하지 않은 단계는 그렇다고 적었다.")(lang), "",
            L(f"{len(ran)} of {len(order)} steps of the catalog ran; {passed} of them passed their checks. The plan's "
              f"expectation holds in {h}, differs in {d} and is not tested in {nt}.",
              f"카탈로그의 {len(order)}개 단계 중 {len(ran)}개를 실행했고, 그중 {passed}개가 검사를 모두 통과했다. 계획의 "
              f"예상은 {h}개 단계에서 부합, {d}개에서 다름, {nt}개에서 검증 안 됨이다.")(lang), "",
            L("Reading order follows the plan's storyline (8.1): the SPOF shown, replication, Sentinel, then the "
              "consumers and the RDB. Each step is recorded in the plan's section 7 format: configuration, fault "
              "injection (the plan's command beside what the harness did), results, plots, analysis. Times are seconds "
              "from the first disruptive fault of the run unless said otherwise.",
              "읽는 순서는 계획의 스토리라인(8.1)을 따른다. SPOF 인식, Replication, Sentinel, 그다음 Consumer와 RDB. "
              "각 단계는 계획 7장의 형식(구성, 장애 시뮬레이션: 계획의 명령과 하네스가 실제로 한 일, 결과, 그래프, 분석)으로 "
              "기록했다. 따로 말하지 않으면 시각은 그 실행의 첫 장애 주입 시점부터 잰 초다.")(lang), ""]


def _order(catalog: dict, runs: dict, book: Storybook) -> list[tuple[stories.Chapter, list[str]]]:
    """The chapters of the storyline that have a step, each with its steps (as their stories place them)."""
    known = set(catalog) | set(runs)
    placed, out = set(), []
    for ch in book.chapters:
        ids = [sid for sid in book.steps_of(ch.key) if sid in known]
        placed |= set(ids)
        if ids:
            out.append((ch, ids))
    rest = sorted(known - placed, key=stories.natural_key)
    if rest:
        out.append((book.other, rest))
    return out


def _chapter_notes(book: Storybook, ids: list[str], figs: dict) -> list[L]:
    """What the runs of a chapter's steps add to its opening, as their stories say it."""
    out = []
    for sid in ids:
        story = book.story(sid)
        if story and story.chapter_note and sid in figs:
            out += story.chapter_note(figs[sid])
    return out


# ---- a chapter's comparison (stories.Comparison): the edition's runs side by side ---------------------
def _figures(cmp: stories.Comparison) -> list[stories.Figure]:
    return [f for g in cmp.groups for r in g.rows for cell in r.cells if not isinstance(cell, L) for f in cell]


def _figure_text(fig: stories.Figure, runs: dict, lang: str) -> str:
    """One figure of the comparison: its value (with "/ of" and its note), or "—" and why it is absent."""
    run = runs.get(fig.scenario)
    if run is None:
        return "— (" + L(f"`{fig.scenario}` not run in this edition",
                         f"`{fig.scenario}`은(는) 이번 판에서 실행하지 않았다")(lang) + ")"
    F = run.fig()
    if F.v(fig.metric) is None:
        return f"— ({_value(F, fig.metric, lang)})"
    text = _value(F, fig.metric, lang)
    if fig.of and F.v(fig.of) is not None:
        text += f" / {num(F.v(fig.of))}"
    said = T.say(F, [fig.note]) if fig.note else []
    if not said:
        return text
    return f"{text[:-1]}; {said[0](lang)})" if text.endswith(")") else f"{text} ({said[0](lang)})"


def _comparison_cell(cell: tuple[stories.Figure, ...] | L, runs: dict, lang: str) -> str:
    if isinstance(cell, L):
        return cell(lang)
    if len({f.scenario for f in cell}) > 1:  # several runs in one cell: each figure names its own
        return "; ".join((f"`{f.scenario}`: " if f.scenario in runs else "") + _figure_text(f, runs, lang) for f in cell)
    return "; ".join(_figure_text(f, runs, lang) for f in cell)


def _run_links(ids: list[str], runs: dict, out_dir: Path, lang: str) -> str:
    links = [f"[{sid}]({_rel(runs[sid], out_dir, rf.REPORT)})" if sid in runs else
             f"`{sid}` ({L('not run', '실행 안 됨')(lang)})" for sid in ids]
    return ", ".join(links) or "—"


def _grouped(values: list[tuple[str, L]]) -> L:
    """Each value with the runs that have it, in order; "the same in all" where every run has one value."""
    groups: dict[L, list[str]] = {}
    for sid, v in values:
        groups.setdefault(v, []).append(sid)
    if len(groups) == 1:
        v = next(iter(groups))
        return L(f"{v.en} in all", f"모두 {v.ko}")
    return L(", ".join(f"{v.en} ({', '.join(ids)})" for v, ids in groups.items()),
             ", ".join(f"{v.ko}({', '.join(ids)})" for v, ids in groups.items()))


def _fault_of(F: T.Fig, metric: str) -> L | None:
    """The fault a metric is about (its prefix, else the run's first disruptive one): its action, and how
    long it was held where it was undone after its duration."""
    name = metric.split(".", 1)[0] if "." in metric else None
    applied = F.applied()
    rec = (next((r for r in applied if r.name == name), None) if name else
           next((r for r in applied if r.applied_ms == F.primary_ms()), None))
    if rec is None:
        return None
    healed = next((h for h in F.journal if isinstance(h, rf.Healed) and h.fault == rec.fault), None)
    if healed is not None and healed.reason == "duration":
        held = num(round((healed.healed_ms - rec.applied_ms) / 1000))
        return L(f"`{rec.action}` held {held} s", f"`{rec.action}` {held} s 유지")
    return L(f"`{rec.action}`", f"`{rec.action}`")


def conditions_sentence(cmp: stories.Comparison, runs: dict) -> L | None:
    """What the compared runs had in common and where they differed, as each recorded it: the load, how
    long a node's silence is before it is declared failing, the service's Redis timeout, the fault, the
    backend."""
    figs = _figures(cmp)
    ids = [sid for sid in dict.fromkeys(f.scenario for f in figs) if sid in runs]
    if not ids:
        return None
    F = {sid: runs[sid].fig() for sid in ids}
    load, silence, timeout = [], [], []
    for sid in ids:
        ld, st = F[sid].load, F[sid].stack
        load.append((sid, L(f"{ld.get('users')} users at {num(ld.get('rate_per_user'))} requests/s each, bid : "
                            f"Redis-user weight {ld.get('bid_weight')} : {ld.get('redis_weight')}",
                            f"사용자 {ld.get('users')}명이 각자 초당 {num(ld.get('rate_per_user'))}건, 입찰 : Redis 사용자 "
                            f"비중 {ld.get('bid_weight')} : {ld.get('redis_weight')}")))
        if (st.get("cluster") or {}).get("node_timeout_ms") is not None:
            silence.append((sid, L(f"cluster-node-timeout {num(st['cluster']['node_timeout_ms'])} ms",
                                   f"cluster-node-timeout {num(st['cluster']['node_timeout_ms'])} ms")))
        elif F[sid].sentinel.get("down_after_ms") is not None:
            ms = num(F[sid].sentinel["down_after_ms"])
            silence.append((sid, L(f"down-after-milliseconds {ms} ms", f"down-after-milliseconds {ms} ms")))
        if (st.get("service_env") or {}).get("FAIRBID_REDIS_TIMEOUT_S") is not None:
            t = F[sid].env("FAIRBID_REDIS_TIMEOUT_S")
            timeout.append((sid, L(f"{t} s", f"{t} s")))
    faults = [(f.scenario, said) for f in figs if f.scenario in runs
              and (said := _fault_of(F[f.scenario], f.metric)) is not None]
    faults = list(dict.fromkeys(faults))  # a run's fault once, however many rows show it
    backends = [(sid, L(runs[sid].backend, runs[sid].backend)) for sid in ids]
    parts = [(L("load", "부하"), load), (L("silence before a node is declared failing", "노드를 장애로 판정하기까지의 침묵"),
                                         silence),
             (L("the service's Redis timeout", "서비스의 Redis timeout"), timeout),
             (L("the fault, applied to healed", "장애(적용부터 복구까지)"), faults), (L("backend", "backend"), backends)]
    said = [(name, _grouped(values)) for name, values in parts if values]
    loads = dict(load)
    side_by_side = [{loads[f.scenario] for r in g.rows for cell in r.cells if not isinstance(cell, L) for f in cell
                     if f.scenario in loads} for g in cmp.groups]  # what one group sets beside each other
    differ = (L(" Within a group the loads differ, so its counts (of writes, of lost writes) are not like for like.",
                " 한 묶음 안에서 부하가 서로 다르므로 그 건수(쓰기, 유실된 쓰기)는 같은 조건에서 잰 것이 아니다.")
              if any(len(v) > 1 for v in side_by_side) else
              L(" Within each group the runs ran the same load.", " 각 묶음 안의 실행은 같은 부하로 돌았다."))
    return L("The compared runs, as each recorded itself: " + "; ".join(f"{n.en}: {v.en}" for n, v in said) + "."
             + differ.en,
             "비교한 실행의 조건(각 실행의 기록): " + "; ".join(f"{n.ko}: {v.ko}" for n, v in said) + "." + differ.ko)


def comparison_lines(cmp: stories.Comparison, runs: dict, out_dir: Path, lang: str) -> list[str]:
    """A chapter's comparison table, each figure from the edition's run of its scenario (absent: "—" and
    why), then the conditions the runs were made under."""
    if not any(f.scenario in runs for f in _figures(cmp)):
        return [L("None of the runs this chapter compares is in this edition.",
                  "이 장에서 비교하는 실행은 이번 판에 하나도 없다.")(lang), ""]
    lines = [L("Side by side, each figure from its run in this edition (times from the fault):",
               "나란히 놓은 수치. 모두 이번 판의 해당 실행에서 가져왔다(시각은 장애 주입 시점 기준):")(lang), "",
             "| | " + " | ".join(c(lang) for c in cmp.columns) + " |", "|---|" + "---|" * len(cmp.columns)]
    for g in cmp.groups:
        heads = []
        for i in range(len(cmp.columns)):
            cells = [r.cells[i] for r in g.rows if not isinstance(r.cells[i], L)]
            heads.append(_run_links(list(dict.fromkeys(f.scenario for c in cells for f in c)), runs, out_dir, lang))
        lines.append(f"| **{_cell(g.label(lang))}** | " + " | ".join(_cell(h) for h in heads) + " |")
        for r in g.rows:
            lines.append(f"| {_cell(r.label(lang))} | "
                         + " | ".join(_cell(_comparison_cell(c, runs, lang)) for c in r.cells) + " |")
    said = conditions_sentence(cmp, runs)
    return lines + [""] + [y for x in (cmp.reading, said) if x for y in (x(lang), "")]


def render(lang: str, runs: dict, catalog: dict, book: Storybook, out_dir: Path, backend: str) -> str:
    """One document (lang en or ko) from the runs taken, told with the stories; deterministic for the same files."""
    chapters = _order(catalog, runs, book)
    order = [sid for _, ids in chapters for sid in ids]
    figs = {sid: r.fig() for sid, r in runs.items()}
    lines = [T.TXT["title"](lang), "", *intro_lines(order, runs, backend, lang)]
    if any(r.meta.target for r in runs.values()):  # a team's own stack: what only it has
        lines += target_findings.lines(runs, order, lang)
    lines += [L("Contents:", "차례:")(lang), ""]
    lines += [f"- {ch.title(lang)}" for ch, _ in chapters]
    lines += [f"- {T.TXT['expect'](lang).lstrip('# ')}", f"- {T.TXT['questions'](lang).lstrip('# ')}", "",
              T.TXT["env"](lang), "", *environment_lines(runs, lang),
              T.TXT["glance"](lang), "", *glance_lines(order, runs, catalog, out_dir, lang)]
    for ch, ids in chapters:
        lines += [f"## {ch.title(lang)}", ""]
        if ch.plan:
            lines += [L(f"The plan ({ch.plan_from}):", f"계획({ch.plan_from}):")(lang), "", "```", ch.plan, "```", ""]
        lines += [ch.intro(lang), ""]
        measured = [x(lang) for x in _chapter_notes(book, ids, figs)]
        if measured:
            lines += [" ".join(measured), ""]
        if ch.compare:
            lines += comparison_lines(ch.compare, runs, out_dir, lang)
        for sid in ids:
            lines += step_lines(sid, runs.get(sid), catalog.get(sid, {}), book.story(sid), out_dir, backend, lang)
    lines += [T.TXT["expect"](lang), "", *expectation_lines(order, runs, catalog, book, out_dir, lang),
              T.TXT["questions"](lang), "", *question_lines(runs, book, out_dir, lang)]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def build(from_dir: Path | None = None, results: Path = RESULTS, backend: str | None = None, out: Path | None = None,
          scenarios: Path = SCENARIOS, target: str | None = None) -> tuple[list[Path], dict, list]:
    """Write RESULTS.md and RESULTS.ko.md; return (their paths, the runs taken, the runs skipped and why)."""
    catalog, book = load_catalog(scenarios), stories.load(scenarios)
    if from_dir is not None:
        from_dir = Path(from_dir).resolve()
        runs, skipped = select(from_dir, backend, recursive=True, only=None, target=target)
        out_dir = Path(out).resolve() if out else from_dir.parent
    else:
        backend = backend or ("target" if target else rf.DEFAULT_BACKEND)
        runs, skipped = select(Path(results), backend, recursive=False, only=set(catalog), target=target)
        out_dir = Path(out).resolve() if out else Path(results).resolve()
    if target:  # a team's document: the steps it ran (the catalog's others would only say "not run")
        catalog = {sid: cat for sid, cat in catalog.items() if sid in runs}
    taken_backends = sorted({r.backend for r in runs.values()})
    label = backend or (taken_backends[0] if len(taken_backends) == 1 else rf.DEFAULT_BACKEND)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for lang in T.LANGS:
        path = out_dir / DOCS[lang]
        path.write_text(render(lang, runs, catalog, book, out_dir, label))
        paths.append(path)
    return paths, runs, skipped


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analysis.results_doc", description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=BACKENDS, default=None,
                   help="take only runs of this backend (default: local; with --from, every backend)")
    p.add_argument("--from", dest="from_dir", type=Path, default=None,
                   help="every run directory under DIR instead of results/ (documents written into DIR's parent)")
    p.add_argument("--out", type=Path, default=None, help="write the documents here instead")
    p.add_argument("--target", default=None, help="take only the runs against the target of this name")
    p.add_argument("--results", type=Path, default=RESULTS, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.from_dir is not None and not a.from_dir.is_dir():
        print(f"error: --from {a.from_dir}: no such directory", file=sys.stderr)
        return 2
    paths, runs, skipped = build(a.from_dir, a.results, a.backend, a.out, target=a.target)
    for name, why in skipped:
        print(f"  not taken: {name} ({why})", file=sys.stderr)
    print(f"{len(runs)} runs taken ({', '.join(sorted(r.id for r in runs.values())) or 'none'})")
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
