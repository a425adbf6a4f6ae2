"""The words of the results document (analysis/results_doc.py) that every step shares, English and Korean
side by side: figures in words (`Fig`, `say`), the fixed texts and labels, a fault as its kind told
it, and the generic sentences about any run. Each scenario's own story is beside the scenario
(scenarios/ID.story.py, read by analysis/stories.py), written with these.

Every text is an `L(en, ko)` pair, so that the two documents say the same thing in the same place.
Sentences about a run are built from its summary.json through `Fig`, which formats each figure
one way for both languages; a sentence that needs a figure the run lacks becomes a "not measured"
sentence with the run's own reason (`Missing`), never a 0.
"""
from __future__ import annotations

from collections.abc import Callable

import runfiles as rf
from analysis.metrics import CONVERT_EVENTS, FAILOVER_EVENTS
from bilingual import L, num

LANGS = ("en", "ko")


# ---- figures: one format for both languages (bilingual.py, shared with the fault kinds' wording) ----
def unit_of(name: str) -> str:
    base = name.rsplit(".", 1)[-1]
    if base.endswith("per_s"):
        return ""
    if base.endswith("_ms"):
        return " ms"
    if base.endswith("_s"):
        return " s"
    if base.endswith("_bytes"):
        return " bytes"
    return ""


def pct(v: float) -> str:
    return f"{v * 100:.1f} %"


class Missing(Exception):
    """A sentence needs a figure this run does not have."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


KO_REASONS = {
    "no such Sentinel event after the fault (the observer watched every Sentinel)":
        "장애 뒤 그런 Sentinel 이벤트가 없었다(관찰자는 모든 Sentinel에 연결되어 있었다)",
    "no such request in the per-request log": "요청 로그에 그런 요청이 없었다",
    "no run evidence for it": "이 실행에 그 근거가 없다",
    "no such cluster event after the fault (the observer watched every cluster node's view)":
        "장애 뒤 그런 클러스터 이벤트가 없었다(관찰자는 모든 클러스터 노드의 CLUSTER NODES를 보고 있었다)",
    "no Sentinel in this stack": "이 스택에는 Sentinel이 없다",
    "no verification (verify.json missing)": "검증 기록(verify.json)이 없다",
    "the stack had not settled after healing when verification ran": "검증할 때 스택이 아직 안정되지 않았다",
    "no acknowledged write to check": "조회할 ACK된 쓰기가 없다",
    "no request in the per-request log (requests.csv)": "요청 로그(requests.csv)에 요청이 없다",
    "not in this run's summary": "이 실행의 summary.json에 없다",
}


def reason_ko(reason: str) -> str:
    """The run's (English) reason for an absent figure, in Korean where it is one of the known ones."""
    reason = reason.removeprefix("not measured: ")
    return KO_REASONS.get(reason, f"원문: {reason}")


class Fig:
    """The figures of one run, formatted the same way for both documents."""

    def __init__(self, summary: rf.Summary, journal: list[rf.JournalLine] | None = None):
        self.s = summary
        self.m = summary.metrics or {}  # metric name -> value
        self.cfg = summary.config or {}  # the scenario's settings as run (harness/scenario.py)
        self.stack = self.cfg.get("stack") or {}
        self.load = self.cfg.get("load") or {}
        self.journal = journal or []
        # nodes in containers of their own (a Docker lab): their faults and clients differ (run.json's facts)
        self.in_containers = rf.backend_facts(summary).containers

    def v(self, name: str):
        return self.m.get(name)

    def has(self, *names: str) -> bool:
        return all(self.v(n) is not None for n in names)

    def n(self, name: str) -> str:
        """The bare figure; raises Missing when the run lacks it."""
        v = self.v(name)
        if v is None:
            raise Missing(name)
        return num(v)

    def __call__(self, name: str) -> str:
        """The figure with its unit (s, ms, bytes)."""
        return self.n(name) + unit_of(name)

    def c(self, name: str, noun: str, plural: str | None = None) -> str:
        """A count with its noun: 1 message, 27 messages (English)."""
        v = self.v(name)
        if v is None:
            raise Missing(name)
        return f"{num(v)} {noun if v == 1 else plural or noun + 's'}"

    def pct(self, name: str) -> str:
        v = self.v(name)
        if v is None:
            raise Missing(name)
        return pct(v)

    def reason(self, name: str) -> str:
        absent = self.s.absent or {}
        return absent.get(name) or absent.get(name.split(".", 1)[-1]) or "not in this run's summary"

    @property
    def sentinel(self) -> dict:
        return self.stack.get("sentinel") or {}

    def env(self, key: str, default: str = "?") -> str:
        """A service setting as run; a whole number formatted as a figure (10,000)."""
        raw = str((self.stack.get("service_env") or {}).get(key, default))
        return num(int(raw)) if raw.isdigit() else raw

    def conf(self, key: str, default: str = "?") -> str:
        return str((self.stack.get("redis_conf") or {}).get(key, default))

    # ---- the fault journal ----------------------------------------------------------------------
    def applied(self) -> list[rf.Applied]:
        return sorted((r for r in self.journal if isinstance(r, rf.Applied)), key=lambda r: r.applied_ms)

    def primary_ms(self) -> float | None:
        """The first disruptive fault's applied time: the zero of every time metric."""
        dis = [r for r in self.applied() if r.disruptive]
        return dis[0].applied_ms if dis else None

    def at(self, name: str) -> str:
        """Seconds from the first disruptive fault to the named action, e.g. +5.001 s."""
        zero = self.primary_ms()
        rec = next((r for r in self.applied() if r.name == name), None)
        if rec is None or zero is None:
            raise Missing(name)
        return f"{(rec.applied_ms - zero) / 1000:+.3f} s"

    def held(self, name: str) -> str:
        """How long the named fault was in effect (applied to healed)."""
        rec = next((r for r in self.applied() if r.name == name), None)
        healed = next((r for r in self.journal if isinstance(r, rf.Healed) and rec and r.fault == rec.fault), None)
        if rec is None or healed is None:
            raise Missing(name)
        return f"{(healed.healed_ms - rec.applied_ms) / 1000:.3f} s"


def not_measured(F: Fig, name: str) -> L:
    why = F.reason(name)
    return L(f"`{name}` was not measured in this run ({why.removeprefix('not measured: ')}).",
             f"`{name}`은(는) 이번 실행에서 측정되지 않았다({reason_ko(why)}).")


Sentence = Callable[[Fig], "L | None"]


def say(F: Fig, sentences: list[Sentence]) -> list[L]:
    """Each sentence that applies, or a "not measured" sentence in place of one that lacks a figure."""
    out = []
    for make in sentences:
        try:
            got = make(F)
        except Missing as gap:
            got = not_measured(F, gap.name)
        if got is not None and got not in out:
            out.append(got)
    return out


# ---- fixed texts ------------------------------------------------------------------------------------
TXT = {
    "title": L("# fairbid-ha: results of the high-availability plan", "# fairbid-ha: 고가용성(HA) 계획의 결과"),
    "env": L("## Environment", "## 테스트 환경"),
    "glance": L("## Every step at a glance", "## 한눈에 보는 전체 단계"),
    "expect": L("## Expected vs actual (예상 vs 현실)", "## 예상 vs 현실"),
    "questions": L("## Interview questions (면접 예상 질문)", "## 면접 예상 질문"),
    "cfg": L("#### Configuration (구성)", "#### 구성"),
    "fault": L("#### Fault injection (장애 시뮬레이션)", "#### 장애 시뮬레이션"),
    "results": L("#### Results (결과)", "#### 결과"),
    "plots": L("#### Logs / screenshots (로그 / 스크린샷)", "#### 로그 / 스크린샷"),
    "analysis": L("#### Analysis (분석)", "#### 분석"),
    "done": L("Done", "한 일"), "happened": L("What happened", "일어난 일"), "why": L("Why", "이유"),
    "plan_cmd": L("The plan's commands:", "계획의 명령:"),
    "no_plan_cmd": L("The plan has no command for this step (it goes beyond the plan); the closest:",
                     "계획에 이 단계의 명령은 없다(계획을 넘어서는 단계). 가장 가까운 것:"),
    "harness_did": L("What the harness did on the {backend} backend (times from the first disruptive fault; "
                     "\"at\" from the start of the load):",
                     "{backend} backend에서 하네스가 실제로 한 일(시각은 첫 장애 주입 시점 기준, \"at\"은 부하 시작 기준):"),
    "no_faults": L("No fault was injected: the step measures the stack under load alone.",
                   "장애를 주입하지 않았다. 이 단계는 부하만 건 상태의 스택을 잰다."),
    "yes": L("yes", "통과"), "no": L("**no**", "**실패**"),
    "na": L("not measured", "측정 안 됨"),
    "about": L("About this step", "이 단계"),
}
VERDICT = {"holds": L("holds", "부합"), "differs": L("**differs**", "**다름**"),
           "not tested": L("not tested", "검증 안 됨"), "not run": L("not run", "실행 안 됨")}
RUN_VERDICT = {True: L("PASS", "PASS"), False: L("FAIL", "FAIL")}
HEALED_WHY = {"duration": L("after its duration", "정해진 시간 뒤"), "stop": L("when the test stopped", "테스트 종료 시"),
              "quit": L("on quit", "종료 시")}

# the results table: the step's headline figures first (README, "Run outputs")
HEADLINE = ("failover_s", "detect_s", "error_window_s", "error_rate", "lost_acked_writes", "duplicate_rows",
            "pending_at_end")
LABELS = {
    "failover_s": L("failover: first +switch-master (a cluster's: +promoted) after the fault",
                    "failover 시간: 장애 후 첫 +switch-master(cluster는 +promoted)"),
    "detect_s": L("detection: +sdown (a cluster's: +pfail) after the fault", "감지 시간: 장애 후 +sdown(cluster는 +pfail)"),
    "odown_s": L("+odown (a cluster's: +fail) after the fault", "장애 후 +odown(cluster는 +fail)"),
    "error_window_s": L("client error window", "클라이언트 에러 구간"),
    "error_rate": L("error rate, whole run", "에러율(전체 실행)"),
    "error_rate_during": L("error rate while the fault was in effect", "장애 중 에러율"),
    "lost_acked_writes": L("acknowledged writes lost / acknowledged", "유실 / ACK된 쓰기"),
    "duplicate_rows": L("duplicate rows in MySQL", "MySQL 중복 행"),
    "pending_at_end": L("messages pending at the end", "종료 시 pending 메시지"),
    "recovery_s": L("first success after the last failing request began", "마지막 실패 요청 시작 뒤 첫 성공"),
    "recovery_after_heal_s": L("first success after the heal", "복구 뒤 첫 성공"),
    "first_error_s": L("first client error", "첫 클라이언트 에러"),
    "last_error_s": L("last client error", "마지막 클라이언트 에러"),
    "noreplicas_after_s": L("first NOREPLICAS refusal", "첫 NOREPLICAS 거부"),
    "noreplicas_during": L("writes refused with NOREPLICAS", "NOREPLICAS로 거부된 쓰기"),
    "p99_during_ms": L("p99 of requests started during the fault", "장애 중 시작된 요청의 p99"),
    "failovers": L("failovers", "failover 횟수"),
    "lost_in_redis": L("acknowledged writes missing in Redis", "Redis에서 사라진 ACK된 쓰기"),
    "loss_before_fault_s": L("oldest lost write, before the fault", "유실된 가장 오래된 쓰기(장애 이전)"),
    "loss_after_fault_s": L("newest lost write, after the fault", "유실된 가장 최근 쓰기(장애 이후)"),
    "loss_after_heal_s": L("lost writes still acknowledged after the heal, for", "복구 뒤에도 ACK되고 유실된 쓰기의 지속 시간"),
    "convert_after_heal_s": L("old master turned replica, after the heal", "복구 뒤 구 master가 replica로 바뀐 시점"),
    "interrupted_at_stop": L("writes in flight at the load's stop", "부하 종료 시 진행 중이던 쓰기"),
    "faults_failed": L("faults that failed to apply or heal", "적용·복구에 실패한 장애"),
    "acked_writes": L("acknowledged writes", "ACK된 쓰기"),
    "max_group_lag": L("largest consumer-group lag", "Consumer Group 최대 lag"),
    "max_group_pending": L("largest pending count", "최대 pending 수"),
    "drain_s": L("backlog drained after the heal", "복구 뒤 적체 해소"),
    "orphaned_max": L("orphaned messages (most)", "주인 잃은 메시지(최대)"),
    "reclaim_s": L("orphans reclaimed after the kill", "kill 후 orphan 회수"),
    "dead_letters": L("dead letters", "dead letter"),
    "persist_errors": L("failed MySQL inserts", "MySQL 저장 실패"),
    "redelivered_duplicates": L("re-inserts absorbed by UNIQUE bid_id", "UNIQUE bid_id가 흡수한 재삽입"),
    "replica_missing_rows": L("rows missing on the replica after resume", "재개 후 replica 누락 행"),
    "monitor_samples": L("monitor samples", "모니터 샘플"),
    "max_replica_lag_bytes": L("largest replica lag", "최대 replica lag"),
    "acked_not_in_mysql_or_stream": L("acknowledged bids in neither MySQL nor the stream",
                                      "MySQL에도 stream에도 없는 ACK된 입찰"),
    "pending_before": L("entries pending before the fault", "장애 전 pending 항목"),
    "pending_gone": L("of those, gone after it", "그중 장애 뒤 사라진 항목"),
    "group_id_backwards": L("last-delivered-id steps backwards", "last-delivered-id 후퇴 횟수"),
}


def label(name: str, lang: str) -> str:
    text = LABELS.get(name)
    return f"{text(lang)} (`{name}`)" if text else f"`{name}`"


# ---- what the harness did: as each fault kind worded it, from the journal ------------------------------
def told(rec: rf.Applied, part: str = "did") -> L:
    """How an applied fault is told (part "did", or "undone": how it was undone), as its kind worded it
    for the backend when the runner journaled it (faults/kinds/); a journal from before the kinds'
    facts were recorded says only the action and the node (`python -m faults.upgrade RUN_DIR` adds them)."""
    words = (rec.said or {}).get(part)
    if isinstance(words, dict) and {"en", "ko"} <= set(words):
        return L(words["en"], words["ko"])
    a, node = rec.action, rec.node
    return L(f"`{a}` on {node}", f"{node}에 `{a}`") if part == "did" else L(f"{node} restored", f"{node} 원상 복구")




# ---- sentences the generic analysis and several stories tell ---------------------------------------
def lost(F: Fig) -> str:
    return f"{F.n('lost_acked_writes')} / {F.n('acked_writes')}"



LAST_ERROR_KO = {"timeout": "timeout", "demoted master": "강등된 master", "noreplicas": "NOREPLICAS", "no master": "master 없음",
                 "refused": "연결 거부", "other": "기타"}
FOLLOWS = {"the fault": L("the fault", "장애 주입"), "heal": L("the fault's heal", "장애 복구"),
           "+switch-master": L("+switch-master", "+switch-master"),
           "+convert-to-slave": L("+convert-to-slave (Sentinel turning the old master into a replica)",
                                  "+convert-to-slave(Sentinel이 구 master를 replica로 바꾼 시점)"),
           "+promoted": L("+promoted (the first cluster node to show the replica as the master)",
                          "+promoted(클러스터 노드가 처음으로 replica를 master로 보인 시점)"),
           "+demoted": L("+demoted (the first cluster node to show the old master as a replica)",
                         "+demoted(클러스터 노드가 처음으로 구 master를 replica로 보인 시점)")}


def _switch(F: Fig) -> tuple[str, L]:
    """The run's failover event and who decides it: Sentinel's +switch-master, or in a Redis Cluster
    (no Sentinel) the replica +promoted in its nodes' own views (analysis/metrics.FAILOVER_EVENTS)."""
    if F.stack.get("cluster"):
        return "+promoted", L("the cluster", "클러스터")
    return "+switch-master", L("Sentinel", "Sentinel")


def _late_errors(F: Fig, d: str) -> L:
    """Why errors outlasted the switch, as far as the run shows it: the last error's own kind and the
    moment just before it (analysis/metrics.last_error); a run that did not record them says so."""
    kind, follows, after = F.v("last_error_kind"), F.v("last_error_follows"), F.v("last_error_follows_s")
    sw, who = _switch(F)
    head = L(f"Errors ended {d} after {sw}, not with it", f"에러는 {sw}보다 {d} 늦게 끝났다")
    if kind is None or follows is None:
        return L(head.en + "; this run did not record what its last error was or what came just before it.",
                 head.ko + ". 이 실행은 마지막 에러의 종류와 그 직전의 사건을 기록하지 않았다.")
    where = FOLLOWS.get(follows, L(follows, follows))
    said = L(f"{head.en}: the last one, a {kind} error, ended {F('last_error_follows_s')} after {where.en}.",
             f"{head.ko}. 마지막 에러({LAST_ERROR_KO.get(kind, kind)})는 {where.ko} {F('last_error_follows_s')} 뒤에 끝났다.")
    if kind == "timeout" and follows in FAILOVER_EVENTS:
        silent = (L(" On Docker a killed container's address goes silent instead of refusing connections.",
                    " Docker에서는 죽은 컨테이너의 주소가 연결을 거부하지 않고 침묵한다.")
                  if F.in_containers and _primary_action(F) == "kill" else L("", ""))
        return L(said.en + " A request sent before the switch waited out the client's timeout: the client, not "
                 f"{who.en}, set the end of the window." + silent.en,
                 said.ko + " 전환 전에 보낸 요청이 클라이언트의 timeout을 다 기다렸다. 에러 구간의 끝을 정한 것은 "
                 f"{who.ko}이(가) 아니라 클라이언트다." + silent.ko)
    if follows in CONVERT_EVENTS and after is not None and after < 1:
        return L(said.en + " Requests still reaching the old master failed as it was demoted.",
                 said.ko + " 구 master에 아직 닿던 요청이 강등되는 순간 실패했다.")
    return said


def errors_vs_switch(F: Fig) -> L | None:
    if not F.has("failover_s", "last_error_s"):
        return None
    lag = F.v("last_error_s") - F.v("failover_s")
    d = num(round(abs(lag), 3)) + " s"
    sw, who = _switch(F)
    if lag > 0.5:
        return _late_errors(F, d)
    if lag >= 0:
        return L(f"Errors ended {d} after {sw}: the window is {who.en}'s detection and failover; the client "
                 "followed the switch at once.",
                 f"에러는 {sw} 뒤 {d} 만에 끝났다. 에러 구간은 {who.ko}의 감지와 failover 시간이고, "
                 "클라이언트는 전환을 바로 따라갔다.")
    return L(f"The last error came {d} before {sw}: later requests were held by the client's retries and "
             "succeeded after the switch, as latency rather than errors.",
             f"마지막 에러는 {sw}보다 {d} 먼저 났다. 그 뒤의 요청은 클라이언트 재시도에 붙잡혀 있다가 "
             "전환 후 성공했다. 에러 대신 지연으로 나타난 것이다.")


# ---- the generic analysis of any run ----------------------------------------------------------------
def _fault_errors(f: dict) -> L:
    name = f"{f.get('label')} (`{f.get('action')}` {f.get('node')})"
    if f.get("first_error_s") is None:
        return L(f"{name}, none", f"{name}: 없음")
    window = num(f.get("error_window_s")) + " s" if f.get("error_window_s") is not None else "n/a"
    return L(f"{name}, from {num(f['first_error_s'])} s to {num(f.get('last_error_s'))} s after it (window {window})",
             f"{name}: 장애 {num(f['first_error_s'])} s 뒤부터 {num(f.get('last_error_s'))} s까지(구간 {window})")


def _primary(F: Fig) -> rf.Applied | None:
    zero = F.primary_ms()
    return next((r for r in F.applied() if r.applied_ms == zero), None) if zero is not None else None


def _primary_node(F: Fig) -> str:
    primary = _primary(F)
    return str(primary.node or "") if primary else ""


def _primary_action(F: Fig) -> str:
    primary = _primary(F)
    return str(primary.action or "") if primary else ""


def generic_happened(F: Fig) -> list[tuple[str, Sentence]]:
    """(key, sentence) for what any run shows; a step's text drops the keys it says better itself."""
    out: list[tuple[str, Sentence]] = []
    faulted = F.primary_ms() is not None
    on_redis = _primary_node(F).startswith("redis")
    if faulted and F.stack.get("cluster"):  # no Sentinel: the cluster's nodes detect and fail over themselves
        if F.has("detect_s"):
            out.append(("sentinel", lambda F: L(
                f"A cluster node's view marked the master +pfail {F('detect_s')} after the fault, +fail at "
                f"{F('odown_s')}, and showed its replica +promoted at {F('failover_s')}.",
                f"클러스터 노드의 CLUSTER NODES는 장애 {F('detect_s')} 뒤 master를 +pfail(으)로 표시했고, "
                f"{F('odown_s')}에 +fail, {F('failover_s')}에 replica의 +promoted를 보였다.")))
        elif F.v("failovers") == 0 and on_redis:
            out.append(("sentinel", lambda F: L(
                "No cluster node marked the master failing after the first fault: no failover.",
                "첫 장애 뒤 master를 장애로 표시한 클러스터 노드는 없었다. failover도 없었다.")))
    elif faulted and (F.stack.get("sentinels") or 0):
        if F.has("detect_s"):
            out.append(("sentinel", lambda F: L(
                f"Sentinel marked the master +sdown {F('detect_s')} after the fault, +odown at {F('odown_s')}, and "
                f"announced +switch-master at {F('failover_s')}.",
                f"Sentinel은 장애 {F('detect_s')} 뒤 master를 +sdown으로 표시했고, {F('odown_s')}에 +odown, "
                f"{F('failover_s')}에 +switch-master를 알렸다.")))
        elif F.v("failovers") == 0 and on_redis:
            out.append(("sentinel", lambda F: L("No Sentinel declared the master down after the first fault: no failover.",
                                                "첫 장애 뒤 master를 down으로 선언한 Sentinel은 없었다. failover도 없었다.")))
    elif faulted and on_redis:
        out.append(("sentinel", lambda F: L("No Sentinel runs in this stack: nothing fails over by itself.",
                                            "이 스택에는 Sentinel이 없어 자동 failover가 일어나지 않는다.")))
    per_fault = [f for f in F.s.faults or [] if isinstance(f, dict)]
    if faulted and len(per_fault) > 1:  # the top-level window is the first fault's: say each one's
        out.append(("errors", lambda F: L(
            "Client errors, fault by fault: " + "; ".join(_fault_errors(f).en for f in per_fault) + ".",
            "장애별 클라이언트 에러: " + "; ".join(_fault_errors(f).ko for f in per_fault) + ".")))
        out.append(("switch", errors_vs_switch))
    elif faulted:
        out.append(("errors", lambda F: (
            L("Clients saw no failed request after the fault.", "장애 뒤 클라이언트가 본 실패 요청은 없었다.")
            if F.v("first_error_s") is None and F.v("error_window_s") == 0 else
            L(f"Clients saw failures from {F('first_error_s')} to {F('last_error_s')} after the fault (error window "
              f"{F('error_window_s')}); requests sent after the last failing one succeeded from {F('recovery_s')}.",
              f"클라이언트는 장애 {F('first_error_s')} 뒤부터 {F('last_error_s')}까지 실패를 보았다(에러 구간 "
              f"{F('error_window_s')}). 마지막으로 실패한 요청 뒤에 보낸 요청은 {F('recovery_s')}부터 성공했다."))))
        out.append(("switch", errors_vs_switch))
    out.append(("overall", lambda F: L(
        f"Over the whole run {F('failed_requests')} of {F('total_requests')} requests failed (error rate "
        f"{F('error_rate')}) at {F('requests_per_s')} requests/s; p99 latency {F('p99_ms')}.",
        f"실행 전체에서 요청 {F('total_requests')}건 중 {F('failed_requests')}건이 실패했다(에러율 {F('error_rate')}, "
        f"초당 {F('requests_per_s')}건, p99 지연 {F('p99_ms')}).")))
    out.append(("loss", lambda F: L(
        f"Every acknowledged write was looked up after healing: {lost(F)} lost, {F('duplicate_rows')} duplicate rows, "
        f"{F('pending_at_end')} messages pending at the end.",
        f"ACK된 쓰기를 복구 뒤 하나하나 조회했다. 유실 {lost(F)}, 중복 행 {F('duplicate_rows')}, 종료 시 "
        f"pending 메시지 {F('pending_at_end')}.")))
    if F.v("tilt_count"):
        out.append(("tilt", lambda F: L(
            f"Sentinel entered TILT {F('tilt_count')} times ({F('tilt_s')} in all); a Sentinel in TILT does not act.",
            f"Sentinel이 TILT에 {F('tilt_count')}번 들어갔다(합계 {F('tilt_s')}). TILT 중인 Sentinel은 아무것도 하지 "
            "않는다.")))
    if F.v("readonly_errors"):
        out.append(("readonly", lambda F: L(f"{F('readonly_errors')} requests hit a demoted master (READONLY).",
                                            f"요청 {F('readonly_errors')}건이 강등된 master에 닿았다(READONLY).")))
    if (F.v("switches") or 0) > 1 and F.stack.get("cluster"):
        out.append(("switches", lambda F: L(f"The cluster failed over {F('switches')} times in this run.",
                                            f"이번 실행에서 클러스터는 {F('switches')}번 failover했다.")))
    elif (F.v("switches") or 0) > 1:
        out.append(("switches", lambda F: L(f"Sentinel switched the master {F('switches')} times in this run.",
                                            f"이번 실행에서 Sentinel은 master를 {F('switches')}번 바꿨다.")))
    return out


def checks_sentence(F: Fig) -> L:
    checks = F.s.checks or []
    failed = [c for c in checks if not c.passed]
    if not failed:
        return L(f"All {len(checks)} checks passed.", f"검사 {len(checks)}개가 모두 통과했다.")
    what = "; ".join(f"`{c.metric}` = {num(c.actual) if c.actual is not None else 'n/a'}, expected `{c.expected}`"
                     for c in failed)
    return L(f"{len(failed)} of {len(checks)} checks failed: {what}.",
             f"검사 {len(checks)}개 중 {len(failed)}개가 실패했다: {what}.")


def generic_learned(F: Fig) -> L:
    e = F.s.expectation or rf.ExpectationResult()
    rows = "; ".join(f"{c.condition}: {c.verdict}" for c in e.conditions)
    return L(f"The plan's expectation {e.verdict} in this run ({rows or 'no condition'}).",
             f"이번 실행에서 계획의 예상은 '{VERDICT.get(e.verdict, VERDICT['not tested']).ko}'"
             f"(이)었다({rows or '조건 없음'}).")


ENV_ITEMS = (("redis", L("Redis", "Redis")), ("sentinel", L("Sentinel", "Sentinel")),
             ("mysql", L("MariaDB / MySQL", "MariaDB / MySQL")), ("python", L("Python", "Python")),
             ("locust", L("Locust", "Locust")), ("cores", L("CPU cores", "CPU 코어")), ("machine", L("machine", "머신")),
             ("kernel", L("kernel", "커널")))
