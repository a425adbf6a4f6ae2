"""The prose of the results document (analysis/results_doc.py): English and Korean side by side.

Every text is an `L(en, ko)` pair, so that the two documents say the same thing in the same place.
Sentences about a run are built from its summary.json through `Fig`, which formats each figure
one way for both languages; a sentence that needs a figure the run lacks becomes a "not measured"
sentence with the run's own reason (`Missing`), never a 0.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

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
    "no Sentinel in this stack": "이 스택에는 Sentinel이 없다",
    "no verification (verify.json missing)": "검증 기록(verify.json)이 없다",
    "the stack had not settled after healing when verification ran": "검증할 때 스택이 아직 안정되지 않았다",
    "no acknowledged write to check": "확인할 확인 응답 쓰기가 없다",
    "no request in the per-request log (requests.csv)": "요청 로그(requests.csv)에 요청이 없다",
    "not in this run's summary": "이 실행의 summary.json에 없다",
}


def reason_ko(reason: str) -> str:
    """The run's (English) reason for an absent figure, in Korean where it is one of the known ones."""
    reason = reason.removeprefix("not measured: ")
    return KO_REASONS.get(reason, f"원문: {reason}")


class Fig:
    """The figures of one run, formatted the same way for both documents."""

    def __init__(self, summary: dict, journal: list[dict] | None = None):
        self.s = summary
        self.m = summary.get("metrics") or {}
        self.cfg = summary.get("config") or {}
        self.stack = self.cfg.get("stack") or {}
        self.load = self.cfg.get("load") or {}
        self.journal = journal or []

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
        absent = self.s.get("absent") or {}
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
    def applied(self) -> list[dict]:
        return sorted((r for r in self.journal if r.get("event") == "applied"), key=lambda r: r["applied_ms"])

    def primary_ms(self) -> float | None:
        """The first disruptive fault's applied time: the zero of every time metric."""
        dis = [r for r in self.applied() if r.get("disruptive")]
        return dis[0]["applied_ms"] if dis else None

    def at(self, name: str) -> str:
        """Seconds from the first disruptive fault to the named action, e.g. +5.001 s."""
        zero = self.primary_ms()
        rec = next((r for r in self.applied() if r.get("name") == name), None)
        if rec is None or zero is None:
            raise Missing(name)
        return f"{(rec['applied_ms'] - zero) / 1000:+.3f} s"

    def held(self, name: str) -> str:
        """How long the named fault was in effect (applied to healed)."""
        rec = next((r for r in self.applied() if r.get("name") == name), None)
        healed = next((r for r in self.journal if r.get("event") == "healed" and rec and r.get("fault") == rec["fault"]),
                      None)
        if rec is None or healed is None:
            raise Missing(name)
        return f"{(healed['healed_ms'] - rec['applied_ms']) / 1000:.3f} s"


def not_measured(F: Fig, name: str) -> L:
    why = F.reason(name)
    return L(f"`{name}` was not measured in this run ({why.removeprefix('not measured: ')}).",
             f"`{name}`는 이번 실행에서 측정되지 않았다({reason_ko(why)}).")


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
                     "{backend} backend에서 하네스가 실제로 한 일(시각은 첫 번째 파괴적 장애 기준, \"at\"은 부하 시작 기준):"),
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
    "failover_s": L("failover: first +switch-master after the fault", "failover 시간: 장애 후 첫 +switch-master"),
    "detect_s": L("detection: +sdown after the fault", "감지 시간: 장애 후 +sdown"),
    "odown_s": L("+odown after the fault", "장애 후 +odown"),
    "error_window_s": L("client error window", "클라이언트 에러 구간"),
    "error_rate": L("error rate, whole run", "에러율(전체 실행)"),
    "error_rate_during": L("error rate while the fault was in effect", "장애 중 에러율"),
    "lost_acked_writes": L("acknowledged writes lost / acknowledged", "유실된 확인 쓰기 / 확인된 쓰기"),
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
    "lost_in_redis": L("acknowledged writes missing in Redis", "Redis에서 사라진 확인 쓰기"),
    "loss_before_fault_s": L("oldest lost write, before the fault", "유실된 가장 오래된 쓰기(장애 이전)"),
    "loss_after_fault_s": L("newest lost write, after the fault", "유실된 가장 최근 쓰기(장애 이후)"),
    "faults_failed": L("faults that failed to apply or heal", "적용·복구에 실패한 장애"),
    "acked_writes": L("acknowledged writes", "확인된 쓰기"),
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
                                      "MySQL에도 stream에도 없는 확인된 입찰"),
    "pending_before": L("entries pending before the fault", "장애 전 pending 항목"),
    "pending_gone": L("of those, gone after it", "그중 장애 뒤 사라진 항목"),
    "group_id_backwards": L("last-delivered-id steps backwards", "last-delivered-id 후퇴 횟수"),
}


def label(name: str, lang: str) -> str:
    text = LABELS.get(name)
    return f"{text(lang)} (`{name}`)" if text else f"`{name}`"


# ---- what the harness did: as each fault kind worded it, from the journal ------------------------------
def told(rec: dict, part: str = "did") -> L:
    """How an applied fault is told (part "did", or "undone": how it was undone), as its kind worded it
    for the backend when the runner journaled it (faults/kinds/); a journal from before the kinds'
    facts were recorded says only the action and the node (`python -m faults.upgrade RUN_DIR` adds them)."""
    words = (rec.get("said") or {}).get(part)
    if isinstance(words, dict) and {"en", "ko"} <= set(words):
        return L(words["en"], words["ko"])
    a, node = rec.get("action"), rec.get("node")
    return L(f"`{a}` on {node}", f"{node}에 `{a}`") if part == "did" else L(f"{node} restored", f"{node} 원상 복구")


# ---- chapters of the storyline (plan 8.1) ---------------------------------------------------------
@dataclass(frozen=True)
class Chapter:
    key: str
    title: L
    plan: str  # the plan's own words (8.1), quoted
    intro: L
    steps: tuple[str, ...]
    measured: Callable[[dict], list[L]] = field(default=lambda runs: [])


def _spof_measured(runs: dict) -> list[L]:
    F = runs.get("redis-1")
    if F is None or not F.has("error_rate_during", "error_window_s"):
        return []
    return [L(f"Measured (redis-1): while the only Redis was down, {F.pct('error_rate_during')} of requests failed, "
              f"for an error window of {F('error_window_s')}.",
              f"측정 결과(redis-1): 하나뿐인 Redis가 내려가 있는 동안 요청의 {F.pct('error_rate_during')}가 실패했고 "
              f"에러 구간은 {F('error_window_s')}였다.")]


def _repl_measured(runs: dict) -> list[L]:
    F = runs.get("redis-2")
    if F is None or not F.has("last_error_s", "sync.missing_keys", "sync.keys_checked"):
        return []
    return [L(f"Measured (redis-2): the replicas held every key ({F('sync.missing_keys')} of {F('sync.keys_checked')} "
              f"missing), yet clients kept failing until {F('last_error_s')} after the kill, when the service had been "
              "repointed by hand.",
              f"측정 결과(redis-2): replica에는 모든 키가 있었지만(키 {F('sync.keys_checked')}개 중 누락 "
              f"{F('sync.missing_keys')}개), 서비스를 손으로 다시 연결할 때까지, 즉 kill 후 {F('last_error_s')}까지 "
              "클라이언트 에러가 이어졌다.")]


def _sentinel_measured(runs: dict) -> list[L]:
    F = runs.get("redis-4")
    if F is None or not F.has("failover_s", "error_window_s"):
        return []
    return [L(f"Measured (redis-4): Sentinel promoted a replica {F('failover_s')} after the kill, with no hand step; "
              f"clients saw errors for {F('error_window_s')}.",
              f"측정 결과(redis-4): Sentinel은 kill 후 {F('failover_s')} 만에 사람 손 없이 replica를 승격했고, "
              f"클라이언트는 {F('error_window_s')} 동안 에러를 보았다.")]


CHAPTERS = (
    Chapter("spof", L("1. The single point of failure, shown", "1. SPOF 인식"),
            "Redis가 메인 DB인데 단일 인스턴스 → 죽으면 서비스 터짐\n→ 장애 시뮬레이션으로 증명",
            L("The plan starts from today's single points of failure: Redis is FairBid's main store and runs as one "
              "instance, so when it dies the service dies with it. The first step proves this with a fault instead of "
              "asserting it.",
              "계획의 출발점은 지금 구조의 단일 장애점(SPOF)이다. Redis가 FairBid의 메인 DB인데 인스턴스가 하나뿐이라, "
              "Redis가 죽으면 서비스도 함께 죽는다. 첫 단계는 이것을 말이 아니라 장애 시뮬레이션으로 증명한다."),
            ("redis-1",), _spof_measured),
    Chapter("replication", L("2. Step by step: replication and persistence", "2. 단계별 해결: Replication과 Persistence"),
            "Replication → \"수동 failover 불편하네\"",
            L("Replication is the first answer: copies of the data on two replicas. The plan expects it to work and to "
              "be tedious: promoting a replica and repointing the service are hand steps. Persistence (AOF) answers "
              "another question: what a restarted node still holds.",
              "첫 번째 해법은 Replication이다. 데이터 사본을 replica 두 대에 둔다. 계획은 이것이 동작은 하되 번거로울 "
              "것이라고 예상했다. replica 승격과 서비스 재연결이 모두 손으로 하는 일이기 때문이다. Persistence(AOF)는 "
              "다른 질문에 답한다. 다시 시작한 노드에 무엇이 남아 있는가."),
            ("redis-2", "redis-3", "redis-3-always"), _repl_measured),
    Chapter("sentinel", L("3. Step by step: Sentinel", "3. 단계별 해결: Sentinel"),
            "Sentinel → \"자동 failover 편하네\"\n→ 각 단계에서 불편함 체감 후 다음 단계 필요성 이해",
            L("Sentinel automates what replication left to a person: three Sentinels watch the master, agree that it is "
              "down (quorum 2) and promote a replica. The steps after it look at what the automation does not settle by "
              "itself: split brain under a partition, the old master's return, the client during the switch, and what "
              "to watch.",
              "Sentinel은 Replication에서 사람이 하던 일을 자동으로 한다. Sentinel 세 대가 master를 지켜보다가 죽었다고 "
              "합의하면(quorum 2) replica를 승격한다. 이어지는 단계들은 자동화만으로 풀리지 않는 것들을 본다. "
              "네트워크 파티션에서의 split brain, 구 master의 복귀, 전환 중의 클라이언트, 그리고 무엇을 관찰해야 하는가."),
            ("redis-4", "redis-4-1", "redis-4-2", "redis-4-2-guard", "redis-4-3", "redis-4-3-empty", "redis-5", "redis-6"),
            _sentinel_measured),
    Chapter("stream", L("4. Extending: the stream consumers", "4. 확장: Stream/Consumer"),
            "Redis 경험을 바탕으로 Consumer, RDB까지 장애 대응 설계",
            L("With Redis covered, the plan carries the same questions to the bid-stream consumer. One consumer is a "
              "single point of failure too; a consumer group shares the work, XAUTOCLAIM rescues what a dead consumer "
              "held, and idempotent persistence makes the redelivery safe. Two steps beyond the plan follow the group "
              "across a Redis failover.",
              "Redis에서 얻은 경험을 bid-stream consumer로 넓힌다. consumer가 하나면 그것도 SPOF다. Consumer Group이 "
              "일을 나누고, 죽은 consumer가 쥐고 있던 메시지는 XAUTOCLAIM으로 다른 consumer가 가져가며, 멱등한 저장이 "
              "재처리를 안전하게 만든다. 계획에 없는 두 단계는 Redis failover를 거치는 동안의 Consumer Group을 따라간다."),
            ("stream-1", "stream-2", "stream-2-1", "stream-2-2", "stream-3", "stream-4", "stream-4-cut")),
    Chapter("rdb", L("5. Extending: the RDB", "5. 확장: RDB"),
            "→ 전체 아키텍처에 고가용성 적용",
            L("Last, MySQL: a single server fails persistence the moment it stops; a replica keeps the data readable "
              "while the primary is down.",
              "마지막은 RDB다. MySQL이 하나뿐이면 멈추는 순간 영속화가 실패한다. replica를 두면 primary가 멈춘 동안에도 "
              "데이터를 읽을 수 있다."),
            ("rdb-1", "rdb-2")),
    Chapter("durability", L("6. Beyond the plan: what an acknowledgement is worth", "6. 계획 밖: 확인 응답은 얼마나 믿을 만한가"),
            "",
            L("Not in the plan: what an acknowledged bid is worth when the master is partitioned, and what waiting for a "
              "replica before acknowledging costs. Both questions come from redis-4-2's finding.",
              "계획에는 없는 단계다. master가 파티션되었을 때 확인 응답을 받은 입찰이 정말 남는지, 그리고 응답 전에 replica를 "
              "기다리는 비용이 얼마인지를 잰다. 두 질문 모두 redis-4-2의 발견에서 나왔다."),
            ("durability", "durability-latency")),
    Chapter("gray", L("7. Beyond the plan: gray failures", "7. 계획 밖: 회색 장애"),
            "",
            L("Not in the plan: a node that is slow, lossy or flapping rather than dead, which is how outages more often "
              "look in production. Each step states this project's hypothesis (the plan has none here) and measures "
              "it: a CPU-starved master, lossy replica links under the split-brain guard, a master link that comes "
              "and goes.",
              "계획에는 없는 단계다. 죽은 노드가 아니라 느리거나, 패킷을 잃거나, 끊겼다 붙었다 하는 노드다. 실제 장애는 "
              "이런 모습인 경우가 더 많다. 각 단계는 이 프로젝트의 가설을 밝히고(계획에는 이 부분이 없다) 그것을 잰다. "
              "CPU를 굶긴 master, split-brain guard 아래의 손실 많은 replica 링크, 끊겼다 붙었다 하는 master 링크다."),
            ("gray-1", "gray-2", "gray-3")),
)
OTHER = Chapter("other", L("8. Other scenarios", "8. 기타 시나리오"), "",
                L("Scenarios of the catalog outside the plan's storyline.", "계획의 스토리라인 밖에 있는 카탈로그 시나리오."), ())


# ---- one step: the plan's command, a Korean title and summary, the sentences --------------------------
@dataclass(frozen=True)
class StepText:
    title_ko: str
    about_ko: str
    expect_ko: str  # the plan's own words where it has them
    plan_cmd: str  # the plan's command block ("" = not in the plan)
    closest: str = ""  # beyond the plan: the nearest command of the plan
    happened: tuple[Sentence, ...] = ()
    why: tuple[Sentence, ...] = ()
    learned: Sentence | None = None
    drop: tuple[str, ...] = ()  # generic sentences (keys of generic_happened) this step says better itself


def _lost(F: Fig) -> str:
    return f"{F.n('lost_acked_writes')} / {F.n('acked_writes')}"


def _redis1_why(F: Fig) -> L:
    base = L("With one Redis and no replica there is nothing to fail over to; every bid goes through Redis, so the "
             "service is down for as long as Redis is.",
             "Redis가 하나뿐이고 replica가 없으니 넘겨받을 곳이 없다. 모든 입찰이 Redis를 거치므로 Redis가 죽어 있는 "
             "시간이 곧 서비스 중단 시간이다.")
    rate = F.v("error_rate_during")
    if F.s.get("backend") == "docker" and rate is not None and rate < 0.95:
        return L(base.en + " Not every bid failed on Docker: a killed container's address goes silent instead of "
                 "refusing connections, so bids sent late in the outage hung in the service's timeout and retries and "
                 "succeeded once Redis was back.",
                 base.ko + " Docker에서 모든 입찰이 실패하지 않은 이유는, 죽은 컨테이너의 주소가 연결을 거부하지 않고 "
                 "침묵하기 때문이다. 장애 막바지에 보낸 입찰은 서비스의 timeout과 재시도 속에 걸려 있다가 Redis가 돌아오자 "
                 "성공했다.")
    return base


def _errors_vs_switch(F: Fig) -> L | None:
    if not F.has("failover_s", "last_error_s"):
        return None
    lag = F.v("last_error_s") - F.v("failover_s")
    d = num(round(abs(lag), 3)) + " s"
    if lag > 0.5:
        silent = (L(" On Docker a killed container's address goes silent instead of refusing connections, so a request "
                    "already sent to it waits out the client's timeout.",
                    " Docker에서는 죽은 컨테이너의 주소가 연결을 거부하지 않고 침묵하므로, 이미 그쪽으로 보낸 요청은 "
                    "클라이언트의 timeout을 다 기다린다.")
                  if F.s.get("backend") == "docker" and _primary_action(F) == "kill" else L("", ""))
        return L(f"Errors ended {d} after +switch-master: the client, not Sentinel, set the end of the window "
                 "(requests hung on the old master until their timeout, then rediscovery and retry)." + silent.en,
                 f"에러는 +switch-master보다 {d} 늦게 끝났다. 에러 구간의 끝을 정한 것은 Sentinel이 아니라 "
                 "클라이언트다(옛 master에 걸린 요청이 timeout까지 기다린 뒤 재탐색과 재시도)." + silent.ko)
    if lag >= 0:
        return L(f"Errors ended {d} after +switch-master: the window is Sentinel's detection and failover; the client "
                 "followed the switch at once.",
                 f"에러는 +switch-master 뒤 {d} 만에 끝났다. 에러 구간은 Sentinel의 감지와 failover 시간이고, "
                 "클라이언트는 전환을 바로 따라갔다.")
    return L(f"The last error came {d} before +switch-master: later requests were held by the client's retries and "
             "succeeded after the switch, as latency rather than errors.",
             f"마지막 에러는 +switch-master보다 {d} 먼저 났다. 그 뒤의 요청은 클라이언트 재시도에 붙잡혀 있다가 "
             "전환 후 성공했다. 에러 대신 지연으로 나타난 것이다.")


def _sentinel_timing(F: Fig, prefix: str = "") -> L:
    da = F.sentinel.get("down_after_ms")
    extra = num(round(F.v(prefix + "failover_s") - da / 1000, 3)) + " s" if da and F.has(prefix + "failover_s") else None
    tail = (L(f" The {extra} beyond down-after-milliseconds were the vote (quorum {F.sentinel.get('quorum')}), the "
              "leader election and the promotion.",
              f" down-after-milliseconds를 넘긴 {extra}는 투표(quorum {F.sentinel.get('quorum')}), 리더 선출, 승격에 "
              "쓰였다.") if extra else L("", ""))
    return L(f"Sentinel waits down-after-milliseconds ({num(da)} ms) of silence before +sdown, then needs a quorum "
             "for +odown." + tail.en,
             f"Sentinel은 down-after-milliseconds({num(da)} ms) 동안 응답이 없어야 +sdown을 내리고, quorum이 모여야 "
             "+odown이 된다." + tail.ko)


def _variant_cfg(F: Fig, name: str) -> L:
    v = next((x for x in F.load.get("variants") or [] if x.get("name") == name), {})
    env = (F.stack.get("api_env") or {}).get(v.get("api", ""), {})
    t, r = env.get("FAIRBID_REDIS_TIMEOUT_S", F.env("FAIRBID_REDIS_TIMEOUT_S")), env.get("FAIRBID_REDIS_RETRIES",
                                                                                         F.env("FAIRBID_REDIS_RETRIES"))
    key = L("the same key", "같은 key") if v.get("same_key") else L("a new key each time", "매번 새 key")
    return L(f"service timeout {t} s, {r} retries; bidder {v.get('retries')} retries, backoff {num(v.get('backoff_s'))} s, "
             f"{key.en}",
             f"서비스 timeout {t} s, 재시도 {r}회; 입찰자 재시도 {v.get('retries')}회, backoff {num(v.get('backoff_s'))} s, "
             f"{key.ko}")


STEPS: dict[str, StepText] = {
    "redis-1": StepText(
        "단일 Redis 인스턴스를 부하 중에 강제 종료 (SPOF)",
        "replica도 Sentinel도 없는 Redis 한 대에 서비스가 직접 붙는다. 부하 중에 Redis를 SIGKILL(docker kill)하고, "
        "같은 데이터 디렉터리(AOF)로 다시 띄운다. 에러율, 첫 에러와 마지막 에러, 재시작 후 입찰이 다시 성공하기까지의 "
        "시간을 기록한다.",
        "서비스 완전 중단",
        "# Redis 강제 종료\ndocker kill redis-master\n\n# 서비스 요청\ncurl -X POST http://localhost:8080/api/bids",
        happened=(
            lambda F: L(f"While Redis was down ({F.held('outage')}), {F.pct('error_rate_during')} of requests failed; "
                        f"the first error came {F('first_error_s')} after the kill and the errors lasted "
                        f"{F('error_window_s')}.",
                        f"Redis가 내려가 있던 {F.held('outage')} 동안 요청의 {F.pct('error_rate_during')}가 실패했다. "
                        f"첫 에러는 kill 후 {F('first_error_s')}에 났고, 에러는 {F('error_window_s')} 동안 이어졌다."),
            lambda F: L(f"Bids succeeded again {F('recovery_after_heal_s')} after Redis was started again.",
                        f"Redis를 다시 띄우자 {F('recovery_after_heal_s')} 만에 입찰이 다시 성공했다."),
        ),
        why=(_redis1_why,),
        learned=lambda F: L(f"A single Redis is a single point of failure: {F.pct('error_rate_during')} of requests failed "
                            "while it was down"
                            + (", the rest hung on the silent container and succeeded by retry once it was back."
                               if F.s.get("backend") == "docker" and (F.v("error_rate_during") or 1) < 0.95 else "."),
                            f"단일 Redis는 그대로 SPOF다. 내려가 있는 동안 요청의 {F.pct('error_rate_during')}가 실패했"
                            + ("고, 나머지는 침묵하는 컨테이너에 걸려 있다가 돌아온 뒤 재시도로 성공했다."
                               if F.s.get("backend") == "docker" and (F.v("error_rate_during") or 1) < 0.95 else "다.")),
    ),
    "redis-2": StepText(
        "Sentinel 없는 Replication과 수동 failover",
        "master 1대와 replica 2대, Sentinel은 없다. 서비스는 master 주소로 설정되어 있다. 먼저 master의 모든 키를 두 "
        "replica에서 하나씩 조회하고, master를 kill한 뒤 redis-2를 손으로 승격(REPLICAOF NO ONE)한다. 서비스는 스스로 "
        "따라가지 못하므로 redis-2를 가리키도록 손으로 다시 설정해 재시작한다. 마지막으로 남은 replica가 누구를 따르는지 본다.",
        "수동 failover 가능하지만 번거로움 체감",
        "# 데이터 동기화 확인\nredis-cli -p 6379 SET test \"hello\"\nredis-cli -p 6380 GET test\n\n# Master 종료\n"
        "docker kill redis-master\n\n# Slave 수동 승격\nredis-cli -p 6380 REPLICAOF NO ONE",
        happened=(
            lambda F: L(f"Before the kill, {F('sync.keys_checked')} keys of the master were looked up on both replicas: "
                        f"{F('sync.missing_keys')} missing.",
                        f"kill 전에 master의 키 {F('sync.keys_checked')}개를 두 replica에서 조회했고, 누락은 "
                        f"{F('sync.missing_keys')}개였다."),
            lambda F: L(f"redis-2 was promoted at {F.at('promoted')} and reported role {F('promoted.role')}, yet clients "
                        f"kept failing until {F('last_error_s')}: the service was repointed to redis-2 and restarted "
                        f"by hand at {F.at('repoint_api')}, and requests succeeded again from "
                        f"{F('recovery_s')}.",
                        f"redis-2는 {F.at('promoted')}에 승격되어 role이 {F('promoted.role')}로 바뀌었지만, 클라이언트 "
                        f"에러는 {F('last_error_s')}까지 이어졌다. 서비스를 {F.at('repoint_api')}에 손으로 redis-2로 "
                        f"다시 설정해 재시작했고, 요청은 {F('recovery_s')}부터 다시 성공했다."),
            lambda F: L(f"At the end, the other replica (redis-3) still followed {F('other_replica.follows')} "
                        f"(link {F('other_replica.master_link_status')}).",
                        f"끝까지 남은 replica(redis-3)가 따르는 master는 여전히 {F('other_replica.follows')}였다"
                        f"(link {F('other_replica.master_link_status')})."),
        ),
        why=(lambda F: L("Replication copies the data but decides nothing: no process notices that the master is gone, "
                         "promotes a replica, tells the clients or re-points the other replica. Each of those was a "
                         "hand step here, and the service was down until the last of them.",
                         "Replication은 데이터를 복사할 뿐 아무것도 결정하지 않는다. master가 죽었음을 알아채고, replica를 "
                         "승격하고, 클라이언트에게 알리고, 남은 replica를 새 master에 붙이는 일을 아무도 하지 않는다. "
                         "여기서는 그 모두를 손으로 했고, 마지막 손작업이 끝날 때까지 서비스는 멈춰 있었다."),),
        learned=lambda F: L(f"Replication keeps the data ({F('sync.missing_keys')} of {F('sync.keys_checked')} keys "
                            f"missing) but not the service: errors lasted until the hand repoint, {F('last_error_s')} "
                            "after the kill.",
                            f"Replication은 데이터는 지키지만(키 {F('sync.keys_checked')}개 중 누락 "
                            f"{F('sync.missing_keys')}개) 서비스는 지키지 못한다. 손으로 다시 연결할 때까지, kill 후 "
                            f"{F('last_error_s')} 동안 에러가 이어졌다."),
    ),
}


def _aof(mode: str) -> StepText:
    lost_zero = L("AOF data is written to the file before Redis replies and only the fsync is deferred, so a killed "
                  "process loses nothing the kernel already has; only a crash of the machine (not measurable here) would "
                  "lose the last second.",
                  "AOF는 Redis가 응답하기 전에 파일에 쓰이고 fsync만 미뤄진다. 그래서 프로세스가 죽어도 커널이 이미 받은 "
                  "데이터는 남는다. 마지막 1초를 잃는 것은 머신 자체가 죽을 때뿐이며, 이는 여기서 측정할 수 없다.")
    return StepText(
        f"AOF appendfsync {mode}, kill -9 후 재시작",
        f"Redis 한 대를 appendonly yes, appendfsync {mode} 설정으로 띄운다. 부하 중에 SIGKILL하고 3초 뒤 같은 데이터 디렉터리로 "
        "다시 시작한 뒤, 확인 응답을 받은 쓰기를 하나하나 조회한다."
        + (" redis-3의 짝으로, 모든 쓰기를 응답 전에 fsync한다." if mode == "always" else ""),
        "대부분 데이터 복구, 일부 유실 가능" if mode == "everysec" else "유실 없음 (모든 쓰기를 응답 전에 fsync, 계획 밖의 비교)",
        "# redis.conf\nappendonly yes\nappendfsync everysec\n\n# 데이터 입력\nredis-cli SET bid:123 \"data\"\n\n"
        "# Redis 강제 종료 + 재시작\ndocker kill redis-master\ndocker start redis-master\n\n# 데이터 확인\n"
        "redis-cli GET bid:123",
        happened=(
            lambda F: L(f"After the restart on the same data directory, {F('lost_in_redis')} of {F('acked_bids')} "
                        f"acknowledged bids and {F('lost_sets')} of {F('acked_sets')} acknowledged SETs were missing "
                        "from Redis.",
                        f"같은 데이터 디렉터리로 다시 시작한 뒤, 확인 응답을 받은 입찰 {F('acked_bids')}건 중 "
                        f"{F('lost_in_redis')}건, SET {F('acked_sets')}건 중 {F('lost_sets')}건이 Redis에 없었다."),
            lambda F: (L(f"The oldest missing write had been acknowledged {F('loss_before_fault_s')} before the kill.",
                         f"사라진 쓰기 중 가장 오래된 것은 kill {F('loss_before_fault_s')} 전에 확인 응답을 받은 것이었다.")
                       if F.v("lost_acked_writes") else None),
            lambda F: L(f"Requests succeeded again {F('recovery_after_heal_s')} after the restart.",
                        f"재시작 후 {F('recovery_after_heal_s')} 만에 요청이 다시 성공했다."),
        ),
        why=(lambda F: lost_zero if F.v("lost_acked_writes") == 0 else
             L(f"With appendfsync {mode} the writes lost are those not yet in the AOF when the process died.",
               f"appendfsync {mode}에서 사라지는 쓰기는 프로세스가 죽을 때 아직 AOF에 들어가지 않은 것들이다."),),
        learned=lambda F: L(f"AOF {mode} lost {F('lost_acked_writes')} of {F('acked_writes')} acknowledged writes to kill -9"
                            + ("; the plan's \"up to 1 s\" is what a machine crash would cost, not a process kill."
                               if F.v("lost_acked_writes") == 0 and mode == "everysec" else "."),
                            f"AOF {mode} 설정은 kill -9로 확인 쓰기 {F('acked_writes')}건 중 {F('lost_acked_writes')}건을 잃었다"
                            + (". 계획의 \"최대 1초 유실\"은 프로세스 kill이 아니라 머신 장애의 비용이다."
                               if F.v("lost_acked_writes") == 0 and mode == "everysec" else ".")),
    )


STEPS["redis-3"] = _aof("everysec")
STEPS["redis-3-always"] = _aof("always")

STEPS["redis-4"] = StepText(
    "Sentinel 자동 failover (부하 중 master kill)",
    "master 1대, replica 2대, Sentinel 3대(quorum 2). 부하 중에 master를 SIGKILL(docker kill)한다. Sentinel이 이를 감지하고 "
    "합의해 replica를 승격한다. 구 master는 테스트가 끝날 때 다시 시작되어 replica로 합류해야 한다.",
    "5-10초 내 자동 failover",
    "# Master 강제 종료\ndocker kill redis-master\n\n# Sentinel 로그 확인\ndocker logs sentinel-1\n\n# 새 Master 확인\n"
    "redis-cli -p 26379 SENTINEL get-master-addr-by-name mymaster",
    why=(_sentinel_timing,),
    learned=lambda F: L(f"Sentinel replaced the killed master in {F('failover_s')} with no hand step, and {_lost(F)} "
                        "acknowledged writes were lost.",
                        f"Sentinel은 죽은 master를 사람 손 없이 {F('failover_s')} 만에 교체했고, 유실된 확인 쓰기는 "
                        f"{_lost(F)}."),
)

STEPS["redis-4-1"] = StepText(
    "Split Brain 방지 (min-replicas-to-write), master를 replica들로부터 차단",
    "min-replicas-to-write 1, min-replicas-max-lag 10. master를 두 replica로부터 25초 동안 끊는다(프로세스는 살아 있고 "
    "Sentinel과 클라이언트는 여전히 닿는다). Sentinel에게는 master가 보이므로 failover는 없다. master는 cut 후 약 max-lag초 "
    "뒤부터 쓰기를 거부(NOREPLICAS)하고, 복구 후 다시 받아야 한다.",
    "Master가 고립되면 쓰기 거부 → Split Brain 방지",
    "# redis.conf (Master)\nmin-replicas-to-write 1\nmin-replicas-max-lag 10\n\n# Master와 Slave 사이 네트워크 끊기\n"
    "docker network disconnect fairbid_network redis-slave-1\ndocker network disconnect fairbid_network redis-slave-2\n\n"
    "# Master에 쓰기 시도\nredis-cli -p 6379 SET test \"hello\"",
    happened=(
        lambda F: L(f"The master answered NOREPLICAS from {F('noreplicas_after_s')} after it lost both replicas "
                    f"(min-replicas-max-lag {F.conf('min-replicas-max-lag')}).",
                    f"master는 두 replica를 잃은 지 {F('noreplicas_after_s')}부터 NOREPLICAS로 쓰기를 거부했다"
                    f"(min-replicas-max-lag {F.conf('min-replicas-max-lag')})."),
        lambda F: L(f"Sentinel did not fail over ({F.c('failovers', 'failover')}); writes succeeded again "
                    f"{F('recovery_after_heal_s')} after the cut was healed.",
                    f"Sentinel은 failover하지 않았고(failover {F('failovers')}회), cut을 복구하자 "
                    f"{F('recovery_after_heal_s')} 만에 쓰기가 다시 성공했다."),
    ),
    why=(lambda F: L(f"With min-replicas-to-write {F.conf('min-replicas-to-write')} the master counts the replicas that "
                     "acknowledged within max-lag seconds; when both stop answering, the count falls to zero after about "
                     "max-lag and it refuses writes. The Sentinels still reached it, so nothing failed over and the "
                     "refused writes were refused, not lost.",
                     f"min-replicas-to-write {F.conf('min-replicas-to-write')}이면 master는 max-lag초 안에 응답한 replica "
                     "수를 센다. 두 replica가 모두 응답하지 않으면 약 max-lag초 뒤 그 수가 0이 되고 쓰기를 거부한다. "
                     "Sentinel은 여전히 master에 닿았으므로 failover는 없었고, 거부된 쓰기는 잃은 것이 아니라 거절된 것이다."),),
    learned=lambda F: L(f"The guard turns an isolated master read-only {F('noreplicas_after_s')} after it loses its "
                        f"replicas: writes are refused, not lost ({_lost(F)}).",
                        f"guard는 replica를 잃은 master를 {F('noreplicas_after_s')} 뒤 쓰기 거부 상태로 만든다. 쓰기는 "
                        f"잃는 것이 아니라 거절된다(유실 {_lost(F)})."),
)


def _partition_happened(F: Fig) -> L:
    return L(f"Kill: +sdown at {F('kill.detect_s')}, +switch-master at {F('kill.failover_s')}. Partition: +sdown at "
             f"{F('partition.detect_s')}, +switch-master at {F('partition.failover_s')} (each from its own fault).",
             f"kill: +sdown {F('kill.detect_s')}, +switch-master {F('kill.failover_s')}. 파티션: +sdown "
             f"{F('partition.detect_s')}, +switch-master {F('partition.failover_s')}(각각 자기 장애 시점 기준).")


def _partition_loss(F: Fig) -> L:
    n = F.v("partition.lost_acked_during")
    if n is None:
        raise Missing("partition.lost_acked_during")
    if not n:
        return L("No write acknowledged during the partition was lost.",
                 "파티션 중에 확인 응답을 받은 쓰기는 하나도 사라지지 않았다.")
    return L(f"During the partition the isolated master acknowledged {F('partition.lost_acked_during')} writes that "
             f"were gone once it rejoined as a replica; the last of them was acknowledged {F('partition.loss_after_fault_s')} "
             "after the cut began.",
             f"파티션 동안 고립된 master는 쓰기 {F('partition.lost_acked_during')}건에 확인 응답을 주었고, 이들은 master가 "
             f"replica로 돌아오자 사라졌다. 그중 마지막 것은 cut 시작 {F('partition.loss_after_fault_s')} 뒤에 확인된 것이었다.")


def _diff(F: Fig, a: str, b: str) -> str:
    if not F.has(a, b):
        raise Missing(a if F.v(a) is None else b)
    return num(round(F.v(a) - F.v(b), 3)) + " s"


STEPS["redis-4-2"] = StepText(
    "master의 네트워크 파티션(프로세스 생존) 대 kill, guard 없음",
    "먼저 master를 kill하고(15초 뒤 재시작), 안정된 뒤 새 master를 replica와 Sentinel로부터 20초 동안 끊는다. 클라이언트는 "
    "여전히 그 master에 닿는다(프로세스는 살아 있다. Redis 네트워크에서만 docker network disconnect한 것과 같다). 한 실행 "
    "안에서 두 장애의 감지와 failover 시간을 잰다. guard가 없으면 고립된 master는 계속 쓰기를 확인해 주고, 그 쓰기는 "
    "replica로 돌아갈 때 사라진다.",
    "docker kill보다 감지 시간 더 걸림 (타임아웃 대기)",
    "# Master 네트워크만 끊기 (프로세스는 살아있음)\ndocker network disconnect fairbid_network redis-master\n\n"
    "# Sentinel 로그 확인 (sdown → odown → failover)\ndocker logs -f sentinel-1\n\n# 새 Master 확인\n"
    "redis-cli -p 26379 SENTINEL get-master-addr-by-name mymaster\n\n# 네트워크 복구\n"
    "docker network connect fairbid_network redis-master",
    happened=(_partition_happened, _partition_loss),
    why=(lambda F: L(f"Both are detected after down-after-milliseconds ({num(F.sentinel.get('down_after_ms'))} ms) of "
                     f"silence; the partition took {_diff(F, 'partition.detect_s', 'kill.detect_s')} longer to detect and "
                     f"{_diff(F, 'partition.failover_s', 'kill.failover_s')} longer to fail over here. The clients still "
                     "reached the isolated master and it went on acknowledging writes: when it rejoined as a replica of "
                     "the new master, its own writes were discarded. That is split brain without the guard.",
                     f"둘 다 down-after-milliseconds({num(F.sentinel.get('down_after_ms'))} ms) 동안 응답이 없어야 감지된다. "
                     f"이번 실행에서 파티션은 kill보다 감지가 {_diff(F, 'partition.detect_s', 'kill.detect_s')}, failover가 "
                     f"{_diff(F, 'partition.failover_s', 'kill.failover_s')} 더 걸렸다. 클라이언트는 고립된 master에 계속 "
                     "닿았고 master는 계속 쓰기를 확인해 주었다. 새 master의 replica로 돌아갈 때 그 쓰기는 버려졌다. "
                     "guard 없는 split brain이다."),),
    learned=lambda F: L(f"A partition is detected {_diff(F, 'partition.detect_s', 'kill.detect_s')} later than a kill; "
                        f"worse, the isolated master acknowledged {F('partition.lost_acked_during')} writes that the "
                        "failover erased.",
                        f"파티션은 kill보다 {_diff(F, 'partition.detect_s', 'kill.detect_s')} 늦게 감지된다. 더 큰 문제는 "
                        f"고립된 master가 확인해 준 쓰기 {F('partition.lost_acked_during')}건을 failover가 지워 버린다는 "
                        "것이다."),
)

STEPS["redis-4-2-guard"] = StepText(
    "split-brain guard(min-replicas-to-write 1, max-lag 10)를 켠 master 네트워크 파티션",
    "redis-4-2와 같은 kill과 파티션을 guard를 켠 상태로 반복한다. guard가 있으면 고립된 master는 cut 후 약 max-lag초 뒤 "
    "쓰기를 멈춰야 한다. 파티션 동안 확인되고 사라진 쓰기가 언제까지 있었는지를 잰다.",
    "guard가 고립된 master의 쓰기 확인을 약 max-lag초로 제한 (계획 4-1과 4-2의 결합)",
    "# redis.conf (Master)\nmin-replicas-to-write 1\nmin-replicas-max-lag 10\n\n"
    "docker network disconnect fairbid_network redis-master",
    happened=(_partition_happened, _partition_loss),
    why=(lambda F: L(f"The guard does not prevent the split brain, it shortens it: the isolated master keeps acknowledging "
                     f"until max-lag ({F.conf('min-replicas-max-lag')} s) runs out, and what it acknowledged until then is "
                     "still erased when it rejoins.",
                     "guard는 split brain을 막지 않고 짧게 만든다. 고립된 master는 "
                     f"max-lag({F.conf('min-replicas-max-lag')} s)가 "
                     "다 될 때까지 쓰기를 확인해 주고, 그때까지 확인한 쓰기는 돌아올 때 여전히 지워진다."),),
    learned=lambda F: L(f"The guard bounds the loss to the first {F('partition.loss_after_fault_s')} of the partition "
                        f"({F('partition.lost_acked_during')} writes); it does not remove it.",
                        f"guard는 유실을 파티션 처음 {F('partition.loss_after_fault_s')}로 제한할 뿐"
                        f"(쓰기 {F('partition.lost_acked_during')}건) 없애지는 못한다."),
)

STEPS["redis-4-3"] = StepText(
    "failover 후 구 master의 복귀",
    "master를 kill하면 Sentinel이 failover한다. 새 master에 marker를 쓰고, 구 master를 다시 시작한다(docker start). 사람 "
    "손 없이 구 master가 새 master의 replica가 되어 failover 뒤에 쓴 데이터(marker 포함)를 가져야 한다.",
    "Sentinel이 자동으로 구 Master를 Slave로 재구성",
    "# 1. 현재 Master 확인\nredis-cli -p 26379 SENTINEL get-master-addr-by-name mymaster\n\n# 2. Master 종료 → failover 발생\n"
    "docker kill redis-master\n\n# 3. 새 Master에 데이터 쓰기\nredis-cli -h <새 Master IP> SET after-failover \"new-data\"\n\n"
    "# 4. 구 Master 재시작\ndocker start redis-master\n\n# 5. 구 Master 역할 확인\nredis-cli -p 6379 INFO replication\n\n"
    "# 6. 구 Master에서 데이터 확인\nredis-cli -p 6379 GET after-failover",
    happened=(
        lambda F: L(f"A marker was written on the new master at {F.at('marker')} and the old master was started again at "
                    f"{F.at('old_master_back')}.",
                    f"{F.at('marker')}에 새 master에 marker를 쓰고, {F.at('old_master_back')}에 구 master를 다시 시작했다."),
        lambda F: L(f"At {F.at('old_master')} the old master reported role {F('old_master.role')}, master link "
                    f"{F('old_master.master_link_status')}, and held the marker: {F('old_master.has_marker')}.",
                    f"{F.at('old_master')}에 구 master는 role {F('old_master.role')}, master link "
                    f"{F('old_master.master_link_status')} 상태였고, marker 보유 여부는 {F('old_master.has_marker')}였다."),
    ),
    why=(lambda F: L("Sentinel keeps the old master on its books as a replica of the new one; as soon as it answers "
                     "again, Sentinel sends it REPLICAOF the new master, and it resynchronises and receives what was "
                     "written meanwhile. No hand step.",
                     "Sentinel은 구 master를 새 master의 replica로 기록해 둔다. 구 master가 다시 응답하자마자 Sentinel이 "
                     "REPLICAOF 새 master를 보내고, 구 master는 재동기화하며 그사이 쓰인 데이터를 받는다. "
                     "사람 손이 필요 없다."),),
    learned=lambda F: L(f"The old master came back as a replica (role {F('old_master.role')}, link "
                        f"{F('old_master.master_link_status')}) holding the data written after the failover, with no "
                        "hand step.",
                        f"구 master는 사람 손 없이 replica로 돌아왔고(role {F('old_master.role')}, link "
                        f"{F('old_master.master_link_status')}), failover 뒤에 쓴 데이터도 가지고 있었다."),
)

STEPS["redis-4-3-empty"] = StepText(
    "persistence 없는 구 master가 failover 전에 빈 채로 복귀",
    "같은 스택을 persistence 없이(appendonly no, RDB 없음) 띄운다. master를 kill하고 2초 뒤, down-after-milliseconds(5초)가 "
    "지나기 전에 다시 시작한다. Sentinel은 failover하지 않고, 구 master는 빈 데이터셋으로 master 자리에 돌아오며, replica는 "
    "그것을 따라 재동기화한다. kill 전에 확인된 쓰기를 모두 조회한다. HA 스택이 AOF를 쓰는 이유다.",
    "persistence 없이 failover 전에 재시작한 master는 replica까지 비운다 (계획 밖, 4-3의 변형)",
    "",
    closest="docker kill redis-master\ndocker start redis-master",
    happened=(
        lambda F: L(f"The master was back {F.held('restart_empty')} after the kill, before down-after-milliseconds "
                    f"({num(F.sentinel.get('down_after_ms'))} ms) ran out: {F.c('failovers', 'failover')}.",
                    f"master는 kill 후 {F.held('restart_empty')} 만에, down-after-milliseconds"
                    f"({num(F.sentinel.get('down_after_ms'))} ms)가 지나기 전에 돌아왔다. failover는 {F('failovers')}회."),
        lambda F: L(f"{F('lost_in_redis')} of {F('acked_bids')} acknowledged bids and {F('lost_sets')} of "
                    f"{F('acked_sets')} acknowledged SETs were gone from Redis (MySQL, filled by the consumer before the "
                    f"kill, missed {F('lost_in_mysql')} bids), and redis-2 was still a replica (role "
                    f"{F('replica_after.role')}).",
                    f"확인된 입찰 {F('acked_bids')}건 중 {F('lost_in_redis')}건, SET {F('acked_sets')}건 중 "
                    f"{F('lost_sets')}건이 Redis에서 사라졌다(kill 전에 consumer가 옮겨 둔 MySQL에서 빠진 입찰은 "
                    f"{F('lost_in_mysql')}건). redis-2는 여전히 replica였다(role {F('replica_after.role')})."),
    ),
    why=(lambda F: L("Sentinel never saw the master down for long enough, so the old master stayed master: restarted "
                     "empty, with its replicas resynchronising from it and dropping everything they held.",
                     "Sentinel이 보기에 master가 충분히 오래 죽어 있지 않았으므로 구 master가 그대로 master로 남았다. 빈 채로 "
                     "다시 시작한 master를 replica들이 따라 재동기화하면서 가지고 있던 데이터를 모두 버렸다."),),
    learned=lambda F: L(f"Without persistence a quick restart is worse than a crash: {F('lost_acked_writes')} acknowledged "
                        f"writes gone from Redis, with {F.c('failovers', 'failover')} and "
                        f"{F.c('failed_requests', 'failed request')} to show for it. This is why the HA stacks run AOF.",
                        f"persistence가 없으면 빠른 재시작이 장애보다 나쁘다. failover {F('failovers')}회, 실패한 요청 "
                        f"{F('failed_requests')}건인데도 확인된 쓰기 {F('lost_acked_writes')}건이 Redis에서 사라졌다. "
                        "HA 스택이 AOF를 쓰는 이유다."),
)


def _redis5_happened(F: Fig) -> L:
    return L(f"Same kill, same run. Untuned ({_variant_cfg(F, 'untuned').en}): {F('untuned.failed_requests')} failed "
             f"requests, {F.c('untuned.user_errors', 'user-visible error')}, "
             f"{F.c('untuned.duplicates_created', 'duplicate bid')}. "
             f"Tuned ({_variant_cfg(F, 'tuned').en}): {F('tuned.failed_requests')} failed requests, "
             f"{F.c('tuned.user_errors', 'user-visible error')}, {F.c('tuned.duplicates_created', 'duplicate bid')}.",
             f"같은 kill, 같은 실행. 튜닝 전({_variant_cfg(F, 'untuned').ko}): 실패 요청 {F('untuned.failed_requests')}건, "
             f"사용자에게 보인 에러 {F('untuned.user_errors')}건, 중복 입찰 {F('untuned.duplicates_created')}건. "
             f"튜닝 후({_variant_cfg(F, 'tuned').ko}): 실패 요청 {F('tuned.failed_requests')}건, 사용자에게 보인 에러 "
             f"{F('tuned.user_errors')}건, 중복 입찰 {F('tuned.duplicates_created')}건.")


STEPS["redis-5"] = StepText(
    "failover 중 클라이언트 튜닝: 튜닝 전과 후를 나란히",
    "API 두 대와 두 종류의 입찰자가 같은 master kill을 맞는다. 튜닝 전: 서비스의 Redis 클라이언트는 최대 10초 기다리고 "
    "재시도하지 않으며, 입찰자는 매번 새 Idempotency-Key로 곧바로 두 번 재시도한다(순진한 재시도). 튜닝 후: 서비스 "
    "클라이언트는 1초 timeout에 backoff를 두고 5번 재시도하고, 입찰자는 같은 key로 backoff를 두고 재시도한다. 에러율, 에러 "
    "구간, 재시도, 사용자에게 보인 에러, 중복 입찰을 비교한다.",
    "일시적 에러 후 자동 복구",
    "# 부하 테스트 중 Master 종료\nk6 run scripts/bid-load.js &\ndocker kill redis-master",
    happened=(_redis5_happened,),
    why=(lambda F: L("Sentinel's failover was the same for both clients; what the user saw was decided by the client: a "
                     "short timeout and retries with backoff ride over the switch, and retrying with the same "
                     "Idempotency-Key makes the retry safe instead of a second bid.",
                     "Sentinel의 failover는 두 클라이언트에게 똑같았다. 사용자가 무엇을 보는지는 클라이언트가 정했다. 짧은 "
                     "timeout과 backoff 재시도는 전환을 넘기고, 같은 Idempotency-Key로 재시도하면 두 번째 입찰이 아니라 "
                     "안전한 재시도가 된다."),),
    learned=lambda F: L(f"The client decides whether a failover is visible: {F('untuned.user_errors')} user-visible errors "
                        f"untuned, {F('tuned.user_errors')} tuned.",
                        f"failover가 사용자에게 보일지는 클라이언트가 정한다. 사용자에게 보인 에러가 튜닝 전 "
                        f"{F('untuned.user_errors')}건, 튜닝 후 {F('tuned.user_errors')}건이었다."),
)

STEPS["redis-6"] = StepText(
    "replica 일시 정지와 failover 중의 모니터링",
    "계획의 관찰 지표를 250 ms마다 monitor.csv에 기록하고 부하 타임라인 아래에 그린다. INFO replication(role, link, "
    "offset → lag), memory, stats, clients, Sentinel이 보는 master, stream 길이와 pending 수. replica 하나를 10초 멈추고"
    "(lag가 커지지만 failover는 없음), 이어서 master를 kill한다(모든 신호에 failover가 보인다).",
    "Master/Slave 상태, 메모리 사용량, 커넥션 수, replication lag를 시간에 따라 관찰할 수 있다",
    "# Redis INFO\nredis-cli INFO replication\nredis-cli INFO memory\nredis-cli INFO stats\n\n# Sentinel 상태\n"
    "redis-cli -p 26379 SENTINEL master mymaster",
    happened=(
        lambda F: L(f"{F('monitor_samples')} monitor samples were taken. The paused replica fell behind by up to "
                    f"{F('max_replica_lag_bytes')} with {F.c('replica_pause.failovers', 'failover')}; the master kill was "
                    f"failed over in {F('master_kill.failover_s')}.",
                    f"모니터 샘플 {F('monitor_samples')}개를 모았다. 멈춘 replica는 최대 {F('max_replica_lag_bytes')}만큼 "
                    f"뒤처졌지만 failover는 {F('replica_pause.failovers')}회였고, master kill은 "
                    f"{F('master_kill.failover_s')} 만에 failover되었다."),
    ),
    why=(lambda F: L("A paused replica is not a failed master: Sentinel marks it down but promotes nothing, and the lag "
                     "shows only in the offsets. The master kill shows in every signal at once: roles, offsets, clients "
                     "and the stream (monitor.png).",
                     "멈춘 replica는 죽은 master가 아니다. Sentinel은 그것을 down으로 표시할 뿐 아무것도 승격하지 않고, lag는 "
                     "offset에만 드러난다. master kill은 role, offset, 클라이언트 수, stream 등 모든 신호에 한꺼번에 "
                     "나타난다(monitor.png)."),),
    learned=lambda F: L(f"Lag is visible only in replication offsets (up to {F('max_replica_lag_bytes')} here); a failover "
                        "shows in every signal.",
                        f"lag는 replication offset에서만 보이고(이번에는 최대 {F('max_replica_lag_bytes')}), failover는 모든 "
                        "신호에 나타난다."),
)

STEPS["stream-1"] = StepText(
    "단일 consumer를 부하 중에 kill한 뒤 재시작",
    "consumer는 하나다. 부하 시작 15초 뒤 bid stream을 소비하는 프로세스를 SIGKILL하고 20초 뒤 다시 시작한다. 입찰은 계속 "
    "접수되므로 consumer가 없는 동안 XLEN과 그룹의 lag가 늘어나고, 재시작하면 적체를 처리한다. 확인된 입찰은 모두 MySQL에 "
    "정확히 한 번 있어야 한다.",
    "메시지 쌓임, 재시작 후 처리",
    "# Consumer 강제 종료\ndocker kill fairbid-app\n\n# Stream 길이 확인\nredis-cli XLEN bid-stream",
    happened=(
        lambda F: L(f"While the consumer was down, the group's lag grew to {F('max_group_lag')} entries; after the restart "
                    f"it drained in {F('drain_s')}. Bids were still accepted (error rate {F('error_rate')}).",
                    f"consumer가 없는 동안 그룹의 lag는 {F('max_group_lag')}건까지 늘었고, 재시작 후 {F('drain_s')} 만에 "
                    f"해소되었다. 입찰은 계속 접수되었다(에러율 {F('error_rate')})."),
    ),
    why=(lambda F: L("The API only appends to the stream; the consumer alone moves bids into MySQL. While it is down the "
                     "stream is a buffer, and the group remembers where it stopped.",
                     "API는 stream에 추가만 하고, 입찰을 MySQL로 옮기는 것은 consumer뿐이다. consumer가 없는 동안 stream은 "
                     "버퍼가 되고, 그룹은 어디까지 읽었는지 기억한다."),),
    learned=lambda F: L(f"A single consumer is a single point of failure for persistence, not for bidding: the backlog "
                        f"({F('max_group_lag')}) waits in the stream and drains in {F('drain_s')}.",
                        f"단일 consumer는 입찰이 아니라 영속화의 SPOF다. 적체({F('max_group_lag')}건)는 stream에서 기다리다 "
                        f"{F('drain_s')} 만에 해소된다."),
)

STEPS["stream-2"] = StepText(
    "consumer 둘로 된 Consumer Group, 하나를 kill",
    "bid-group에 consumer 두 대. 부하 15초 뒤 consumer-1을 SIGKILL하고 그대로 둔다. 다른 consumer가 계속 소비하므로 그룹의 "
    "lag는 작게 유지되지만, consumer-1이 읽고 확인(XACK)하지 않은 메시지는 그 이름으로 pending에 남는다(consumer별 XPENDING). "
    "여기서는 orphan을 보여 주려고 자동 claim을 꺼 두었다(idle 기준 10분).",
    "다른 Consumer가 처리",
    "# Consumer 2개 실행\njava -jar app.jar --consumer.id=1 &\njava -jar app.jar --consumer.id=2 &\n\n# 하나 종료\n"
    "kill -9 <consumer-1-pid>\n\n# 메시지 처리 확인\nredis-cli XPENDING bid-stream bid-group",
    happened=(
        lambda F: L(f"consumer-2 kept the group's lag at {F('max_group_lag')} entries at most, while the dead "
                    f"consumer-1 kept {F.c('xpending.by_consumer.consumer-1', 'message')} pending under its name "
                    f"(at most {F('orphaned_max')}).",
                    f"consumer-2가 그룹의 lag를 최대 {F('max_group_lag')}건으로 유지하는 동안, 죽은 consumer-1 이름으로 "
                    f"메시지 {F('xpending.by_consumer.consumer-1')}건이 pending에 남았다(최대 {F('orphaned_max')}건)."),
    ),
    why=(lambda F: L("A consumer group shares new entries among the consumers that read, but an entry read and not "
                     "acknowledged belongs to its reader until someone claims it; automatic claiming was off here.",
                     "Consumer Group은 새 항목을 읽는 consumer들에게 나눠 주지만, 읽고 확인하지 않은 항목은 누군가 claim할 "
                     "때까지 읽은 consumer의 것으로 남는다. 여기서는 자동 claim을 꺼 두었다."),),
    learned=lambda F: L(f"The group survives a dead consumer for new messages, not for the ones it held: "
                        f"{F('xpending.by_consumer.consumer-1')} stayed stranded.",
                        f"그룹은 새 메시지에 대해서는 consumer 하나가 죽어도 버티지만, 죽은 consumer가 쥔 메시지는 아니다. "
                        f"{F('xpending.by_consumer.consumer-1')}건이 방치되었다."),
)

STEPS["stream-2-1"] = StepText(
    "주인 잃은 메시지를 손으로 claim (XAUTOCLAIM)",
    "consumer 두 대. consumer-1은 MySQL commit과 XACK 사이에 2초를 기다려 늘 읽고 확인하지 않은 메시지를 쥐고 있다. 15초에 "
    "consumer-1을 kill하고, 25초에 하네스가 계획의 `XAUTOCLAIM bid-stream bid-group consumer-2 5000 0-0`을 실행한다. 소유권이 "
    "consumer-2로 넘어가고(전후 pending 목록을 기록), consumer-2가 처리하고 확인한다. 자동 claim은 꺼 두었다.",
    "일정 시간 후 다른 Consumer가 orphan 메시지 처리 가능",
    "# 4. Pending 메시지 확인\nredis-cli XPENDING bid-stream bid-group\n\n# 5. Consumer2가 오래된 pending 메시지 가져오기\n"
    "redis-cli XAUTOCLAIM bid-stream bid-group consumer2 60000 0-0\n\n# 6. Consumer2가 처리 후 XACK\n"
    "redis-cli XACK bid-stream bid-group <message-id>",
    happened=(
        lambda F: L(f"XAUTOCLAIM handed the dead consumer's messages to consumer-2 (claimed: {F('claim.claimed')}); "
                    f"consumer-1's pending count was {F('claim.before.consumer-1')} before the call and "
                    f"{F('claim.after.consumer-1')} after.",
                    f"XAUTOCLAIM이 메시지 {F('claim.claimed')}건을 consumer-2로 옮겼다. consumer-1의 pending은 전 "
                    f"{F('claim.before.consumer-1')}건, 후 {F('claim.after.consumer-1')}건이었다."),
    ),
    why=(lambda F: L("XAUTOCLAIM transfers the ownership of entries idle longer than min-idle-time; the new owner "
                     "processes and acknowledges them like its own, and the dead consumer's pending list empties.",
                     "XAUTOCLAIM은 min-idle-time보다 오래 방치된 항목의 소유권을 넘긴다. 새 주인은 그것을 자기 메시지처럼 "
                     "처리하고 확인하며, 죽은 consumer의 pending 목록은 비워진다."),),
    learned=lambda F: L(f"One XAUTOCLAIM call hands a dead consumer's messages over ({F('claim.claimed')} here) and they "
                        "are processed.",
                        f"XAUTOCLAIM 한 번으로 죽은 consumer의 메시지가 넘어가고(이번에는 {F('claim.claimed')}건) 처리된다."),
)

STEPS["stream-2-2"] = StepText(
    "consumer 안의 주기적 orphan claim과 poison 메시지",
    "consumer 두 대가 앱 자체의 주기적 claim을 돌린다(계획은 30초마다 60초 이상 idle, 여기서는 5초마다 10초 이상 idle). "
    "consumer-1은 확인하지 않은 메시지를 쥔 채(commit과 ack 사이 2초) 15초에 kill된다. consumer-2의 예약된 XAUTOCLAIM이 혼자 "
    "그것을 가져가고, kill부터 회수까지의 시간을 잰다. 20초에 넣은 poison 항목은 3번까지 전달된 뒤 막힘 없이 dead-letter "
    "stream으로 옮겨진다.",
    "Consumer 장애 시에도 메시지 유실 없음",
    "# Consumer1 강제 종료 (XACK 전)\nkill -9 <consumer1-pid>\n\n# 30초 대기\n\n# Consumer2 로그 확인 (claim 발생하는지)",
    happened=(
        lambda F: L(f"consumer-1 died holding up to {F.c('orphaned_max', 'unacknowledged message')}; consumer-2's scheduled "
                    f"claim (every {F.env('FAIRBID_CLAIM_INTERVAL_S')} s, idle over {F.env('FAIRBID_CLAIM_IDLE_MS')} ms) "
                    f"took them {F('reclaim_s')} after the kill.",
                    f"consumer-1은 확인하지 않은 메시지를 최대 {F('orphaned_max')}건 쥔 채 죽었다. consumer-2의 예약 claim"
                    f"({F.env('FAIRBID_CLAIM_INTERVAL_S')} s마다, {F.env('FAIRBID_CLAIM_IDLE_MS')} ms 이상 idle)이 kill 후 "
                    f"{F('reclaim_s')} 만에 그것을 가져갔다."),
        lambda F: L(f"The poison entry went to the dead-letter stream after {F.env('FAIRBID_MAX_DELIVERIES')} deliveries "
                    f"(dead letters: {F('dead_letters')}).",
                    f"poison 항목은 {F.env('FAIRBID_MAX_DELIVERIES')}번 전달된 뒤 dead-letter stream으로 옮겨졌다"
                    f"(dead letter {F('dead_letters')}건)."),
    ),
    why=(lambda F: L("The claim loop is the plan's scheduled autoClaim: the reclaim time is bounded by the idle threshold "
                     "plus the claim interval. A message that fails on every delivery would otherwise be claimed forever; "
                     "the delivery count from XPENDING moves it aside.",
                     "claim 루프는 계획의 @Scheduled autoClaim 그대로다. 회수 시간의 상한은 idle 기준에 claim 주기를 더한 "
                     "값이다. 매번 실패하는 메시지는 그대로 두면 끝없이 claim되므로, XPENDING의 전달 횟수로 따로 옮긴다."),),
    learned=lambda F: L(f"The app's own claim loop rescues a dead consumer's messages in {F('reclaim_s')} with nobody "
                        f"watching ({_lost(F)} lost).",
                        f"앱의 claim 루프는 아무도 보지 않아도 죽은 consumer의 메시지를 {F('reclaim_s')} 만에 구해 낸다"
                        f"(유실 {_lost(F)})."),
)

STEPS["stream-3"] = StepText(
    "commit과 ack 사이에서 kill된 consumer와 멱등한 저장",
    "consumer-1은 MySQL commit과 XACK 사이에 1초를 기다리고(그 틈을 맞히기 위한 테스트용 설정), 15초에 그 틈에서 SIGKILL된다. "
    "consumer-2가 메시지를 claim해(idle 5초) 다시 처리한다. 모든 입찰은 한 번만 저장되어야 한다. bid_id별 SELECT COUNT(*)가 "
    "모두 1이어야 하고, UNIQUE bid_id가 흡수한 재삽입 수는 consumer 로그에서 센다.",
    "중복 저장 방지",
    "# Consumer 처리 중 강제 종료 (XACK 전)\n# 재시작 후 같은 메시지 재처리 시도\n\n# RDB 중복 데이터 확인\n"
    "SELECT COUNT(*) FROM bid WHERE bid_id = 'xxx';",
    happened=(
        lambda F: L(f"consumer-1 was killed between its MySQL commit and its XACK with "
                    f"{F.c('before_claim.pending', 'message')} pending; consumer-2 claimed and processed them again. "
                    f"Re-inserts absorbed by the UNIQUE bid_id: {F('redelivered_duplicates')}; duplicate rows in MySQL: "
                    f"{F('duplicate_rows')}.",
                    f"consumer-1은 MySQL commit과 XACK 사이에서 pending 메시지 {F('before_claim.pending')}건을 남기고 "
                    f"kill되었다. consumer-2가 그것을 claim해 다시 처리했고, UNIQUE bid_id가 재삽입 "
                    f"{F('redelivered_duplicates')}건을 흡수해 MySQL의 중복 행은 {F('duplicate_rows')}건이다."),
    ),
    why=(lambda F: L("At-least-once delivery hands a committed but unacknowledged entry out again; the UNIQUE key makes "
                     "the second insert a no-op, so redelivery is safe.",
                     "at-least-once 전달은 commit되었지만 확인되지 않은 항목을 다시 내준다. UNIQUE key가 두 번째 삽입을 "
                     "무효로 만들기 때문에 재전달이 안전하다."),),
    learned=lambda F: L(f"The UNIQUE bid_id absorbed {F.c('redelivered_duplicates', 'redelivery', 'redeliveries')}: "
                        f"{F.c('duplicate_rows', 'duplicate row')}.",
                        f"UNIQUE bid_id가 재전달 {F('redelivered_duplicates')}건을 흡수했고 "
                        f"중복 행은 {F('duplicate_rows')}건이다."),
)


def _group_happened(F: Fig) -> L:
    return L(f"Acknowledged bids in neither MySQL nor the stream: {F('acked_not_in_mysql_or_stream')}. Of the "
             f"{F('pending_before')} entries pending before the fault, {F('pending_gone')} were gone after it. The group's "
             f"last-delivered-id stepped backwards {F.c('group_id_backwards', 'time')} (by {F('group_id_back_ms')}), and "
             f"the UNIQUE bid_id absorbed {F.c('redelivered_duplicates', 'redelivery', 'redeliveries')}.",
             f"MySQL에도 stream에도 없는 확인된 입찰은 {F('acked_not_in_mysql_or_stream')}건이었다. 장애 전 pending 항목 "
             f"{F('pending_before')}건 중 {F('pending_gone')}건이 장애 뒤 사라졌고, 그룹의 last-delivered-id는 "
             f"{F('group_id_backwards')}번({F('group_id_back_ms')}만큼) 뒤로 물러났으며, UNIQUE bid_id가 재전달 "
             f"{F('redelivered_duplicates')}건을 흡수했다.")


STEPS["stream-4"] = StepText(
    "Redis failover를 거치는 Consumer Group (그룹이 바쁠 때 master kill)",
    "계획의 3장과 4장을 함께 본다. consumer 두 대가 MySQL commit과 XACK 사이에 200 ms를 두고 일하므로 항상 pending 항목이 있다. "
    "pending 항목과 그 입찰을 기록한 뒤 Redis master를 SIGKILL한다(20초 뒤 replica로 복귀). 복구 뒤 확인된 입찰은 모두 MySQL "
    "또는 stream에 있어야 하고, failover 전에 pending이던 항목은 이후에도 pending이거나 처리되어 있어야 한다. 그룹의 "
    "last-delivered-id를 250 ms마다 기록해 후퇴(redis#5433, #7105)를 잰다.",
    "(계획 밖, 이 프로젝트의 가설) Sentinel failover를 거쳐도 Redis와 MySQL 사이에서 입찰이 사라지지 않고, 그룹의 위치가 뒤로 "
    "물러나지 않는다",
    "",
    closest="# 부하 중 Consumer Group이 일하는 동안\ndocker kill redis-master\nredis-cli XPENDING bid-stream bid-group",
    happened=(_group_happened,),
    why=(lambda F: L("Consumer-group state replicates asynchronously with the stream: after a failover the new master has "
                     "the group as the replica last saw it, so entries can be handed out again; the UNIQUE bid_id makes "
                     "that harmless as long as no entry itself is lost.",
                     "Consumer Group의 상태는 stream과 함께 비동기로 복제된다. failover 뒤 새 master는 replica가 마지막으로 "
                     "본 그룹 상태를 가지므로 항목이 다시 전달될 수 있다. 항목 자체가 사라지지 않는 한 UNIQUE bid_id 덕분에 "
                     "해가 없다."),),
    learned=lambda F: L(f"Across a kill and its failover: {F('acked_not_in_mysql_or_stream')} bids lost between Redis and "
                        f"MySQL, {F.c('group_id_backwards', 'step')} backwards of the group.",
                        f"kill과 failover를 거치며 Redis와 MySQL 사이에서 사라진 입찰 {F('acked_not_in_mysql_or_stream')}건, "
                        f"그룹 위치 후퇴 {F('group_id_backwards')}회."),
)

STEPS["stream-4-cut"] = StepText(
    "Redis master 파티션을 거치는 Consumer Group (클라이언트는 여전히 닿음)",
    "stream-4와 같지만 master를 replica와 Sentinel로부터 20초 동안 끊는다. API와 consumer는 여전히 그 master에 닿아, Sentinel이 "
    "replica를 승격하고 구 master가 그 replica로 돌아와 혼자 받은 것을 지울 때까지 고립된 master에서 쓰고 읽고 확인한다. "
    "그 뒤 stream을 확인된 입찰과 대조한다. 고립된 master가 확인한 입찰 중 무엇이 지워지기 전에 consumer를 거쳐 MySQL에 "
    "닿았고, 무엇이 양쪽 모두에서 사라졌는가.",
    "(계획 밖, 이 프로젝트의 가설) 파티션과 failover를 거쳐도 Redis와 MySQL 사이에서 입찰이 사라지지 않는다",
    "",
    closest="docker network disconnect fairbid_network redis-master\nredis-cli XPENDING bid-stream bid-group",
    happened=(lambda F: L(f"The isolated master acknowledged {F('partition.lost_acked_during')} writes that Redis lost "
                          "when it rejoined.",
                          f"고립된 master가 확인해 준 쓰기 가운데 {F('partition.lost_acked_during')}건은 그 master가 "
                          "replica로 돌아올 때 Redis에서 사라졌다."),
              _group_happened),
    why=(lambda F: L("The isolated master took bids alone; when it rejoined as a replica its dataset was replaced by the "
                     "new master's. The consumers had copied most of those bids to MySQL already; the ones they had not "
                     "are gone from both."
                     if F.v("acked_not_in_mysql_or_stream") else
                     "The isolated master took bids alone and its dataset was replaced when it rejoined, but the consumers "
                     "had copied every one of those bids to MySQL before the wipe.",
                     "고립된 master는 혼자 입찰을 받았고, replica로 돌아올 때 그 데이터셋은 새 master의 것으로 바뀌었다. "
                     "consumer가 그 입찰 대부분을 이미 MySQL로 옮겼지만, 옮기지 못한 것은 양쪽 모두에서 사라졌다."
                     if F.v("acked_not_in_mysql_or_stream") else
                     "고립된 master는 혼자 입찰을 받았고 돌아올 때 데이터셋이 바뀌었지만, 지워지기 전에 consumer가 그 입찰을 "
                     "모두 MySQL로 옮겼다."),),
    learned=lambda F: L("The stream is not a durable queue across a split brain: "
                        f"{F.c('acked_not_in_mysql_or_stream', 'acknowledged bid')} ended up in neither MySQL nor the "
                        "stream."
                        if F.v("acked_not_in_mysql_or_stream") else
                        "This time the consumers saved every bid of the isolated master before the wipe; how many they "
                        "save varies from run to run.",
                        "split brain 앞에서 stream은 내구성 있는 큐가 아니다. "
                        f"확인된 입찰 {F('acked_not_in_mysql_or_stream')}건이 "
                        "MySQL에도 stream에도 없었다."
                        if F.v("acked_not_in_mysql_or_stream") else
                        "이번에는 consumer가 지워지기 전에 고립된 master의 입찰을 모두 저장했다. 얼마나 구해 내는지는 실행마다 "
                        "다르다."),
)

STEPS["rdb-1"] = StepText(
    "부하 중 단일 MySQL 일시 정지",
    "MariaDB 서버 한 대를 부하 15초 뒤 20초 동안 멈춘다(SIGSTOP, = docker pause). consumer는 영속화 실패를 로그에 남기고 "
    "메시지를 확인하지 않은 채 pending으로 둔다. API는 여전히 입찰을 받는다. 재개 후 consumer가 자기 pending 메시지를 다시 "
    "처리하므로 잃는 것도 두 번 저장되는 것도 없어야 한다.",
    "영속화 실패 로그, Stream에 메시지 남아있음",
    "# DB 정지\ndocker pause fairbid-mysql\n\n# Consumer 로그 확인 (저장 실패)",
    happened=(
        lambda F: L(f"While MySQL was paused ({F.held('mysql_paused')}), the consumer logged {F('persist_errors')} failed "
                    f"inserts and left up to {F('max_group_pending')} messages pending; bids were still accepted (error "
                    f"rate {F('error_rate')}). After the resume the backlog drained in {F('drain_s')}.",
                    f"MySQL이 멈춘 {F.held('mysql_paused')} 동안 consumer는 저장 실패 {F('persist_errors')}건을 로그에 "
                    f"남기고 메시지를 최대 {F('max_group_pending')}건 pending으로 두었다. 입찰은 계속 접수되었다(에러율 "
                    f"{F('error_rate')}). 재개 후 적체는 {F('drain_s')} 만에 해소되었다."),
    ),
    why=(lambda F: L("The consumer acknowledges an entry only after MySQL committed it; while MySQL does not answer, "
                     "nothing is acknowledged, so the stream keeps every bid until MySQL is back.",
                     "consumer는 MySQL이 commit한 뒤에만 항목을 확인(XACK)한다. MySQL이 응답하지 않는 동안에는 아무것도 "
                     "확인되지 않으므로 stream이 MySQL이 돌아올 때까지 모든 입찰을 보관한다."),),
    learned=lambda F: L(f"A stopped MySQL stops persistence, not bidding: {F('persist_errors')} failed inserts, {_lost(F)} "
                        "lost once it was back.",
                        f"MySQL이 멈추면 입찰이 아니라 영속화가 멈춘다. 저장 실패 {F('persist_errors')}건, 돌아온 뒤 유실 "
                        f"{_lost(F)}."),
)

STEPS["rdb-2"] = StepText(
    "MySQL primary와 replica, primary 일시 정지",
    "MariaDB primary(binlog, server-id 1)와 replica(server-id 2, GTID replication). 멈추기 직전에 primary의 행 수를 세고, "
    "primary를 20초 동안 멈춘다(SIGSTOP). 그동안 replica는 그 행을 모두, 빠르게 내줘야 한다. 재개 후 replica의 행은 primary와 "
    "같아야 한다.",
    "Slave 데이터 보존",
    "# 데이터 동기화 확인\nmysql -h master -e \"INSERT INTO bid VALUES (...)\"\nmysql -h slave -e \"SELECT * FROM bid\"\n\n"
    "# Master 정지\ndocker pause mysql-master\n\n# Slave 데이터 확인\nmysql -h slave -e \"SELECT * FROM bid\"",
    happened=(
        lambda F: L(f"Just before the pause the primary held {F('before_pause.rows')} rows. During the pause the replica "
                    f"answered in {F('replica_read.read_ms')} with {F('replica_read.rows')} rows "
                    f"({F('replica_read.missing_vs_before_pause')} of the primary's missing), while the primary gave no "
                    f"answer within {F('primary_read.read_ms')}.",
                    f"멈추기 직전 primary에는 {F('before_pause.rows')}행이 있었다. 멈춘 동안 replica는 "
                    f"{F('replica_read.read_ms')} 만에 {F('replica_read.rows')}행으로 답했고(primary 대비 누락 "
                    f"{F('replica_read.missing_vs_before_pause')}행), primary는 {F('primary_read.read_ms')} 동안 응답하지 "
                    "않았다."),
        lambda F: L(f"After the resume, the replica missed {F('replica_missing_rows')} rows; {_lost(F)} acknowledged bids "
                    "lost.",
                    f"재개 후 replica의 누락 행은 {F('replica_missing_rows')}행이었다. 유실된 확인 입찰: {_lost(F)}."),
    ),
    why=(lambda F: L("The replica applies the primary's binlog as it comes; a paused primary stops sending, but what the "
                     "replica already applied stays readable, and it catches up after the resume.",
                     "replica는 primary의 binlog를 받는 대로 적용한다. primary가 멈추면 전송도 멈추지만, replica가 이미 "
                     "적용한 데이터는 그대로 읽을 수 있고 재개 후 따라잡는다."),),
    learned=lambda F: L(f"A replica keeps the data readable while the primary is down: {F('replica_read.rows')} rows in "
                        f"{F('replica_read.read_ms')}, {F('replica_read.missing_vs_before_pause')} missing.",
                        f"primary가 멈춰도 replica로 데이터를 읽을 수 있다. {F('replica_read.read_ms')}에 "
                        f"{F('replica_read.rows')}행, 누락 {F('replica_read.missing_vs_before_pause')}행."),
)

STEPS["durability"] = StepText(
    "master 파티션에서 확인된 입찰 (내구성 모드 async, `make durability` 참조)",
    "내구성 비교의 기본 시나리오다(`make durability`가 모드 × 장애별로 돌린다). master를 replica와 Sentinel로부터 20초 동안 "
    "끊고, 클라이언트는 여전히 닿는다. 모드(FAIRBID_DURABILITY): async는 master의 응답 뒤 확인, guard는 master에 "
    "min-replicas-to-write 1 / max-lag 10, wait는 WAIT 1 500으로 replica가 입찰을 가졌음을 확인한 뒤에만 확인한다.",
    "wait 모드만 확인된 입찰을 잃지 않는다 (계획 밖)",
    "",
    closest="docker network disconnect fairbid_network redis-master",
    happened=(lambda F: L(f"Mode {F.env('FAIRBID_DURABILITY')}: {F('lost_acked_during')} of the writes acknowledged "
                          "during the partition were lost.",
                          f"{F.env('FAIRBID_DURABILITY')} 모드: 파티션 중에 확인된 쓰기 가운데 {F('lost_acked_during')}건이 "
                          "사라졌다."),),
    why=(lambda F: L("In async mode an acknowledgement means only that the master has the bid; a master that is then "
                     "replaced takes those bids with it.",
                     "async 모드에서 확인 응답은 master가 입찰을 가졌다는 뜻일 뿐이다. 그 master가 교체되면 그 입찰도 함께 "
                     "사라진다."),),
    learned=lambda F: L(f"In async mode a partition costs acknowledged bids ({_lost(F)} here).",
                        f"async 모드에서는 파티션이 확인된 입찰을 앗아 간다(이번에는 {_lost(F)})."),
)

STEPS["durability-latency"] = StepText(
    "WAIT 후 확인하는 비용, async와 나란히",
    "한 스택의 API 두 대에 같은 부하를 주고 장애는 없다. `api`는 master의 응답 뒤(async), `api-2`는 WAIT 1 500으로 replica가 "
    "입찰을 가졌음을 확인한 뒤에만(wait) 확인한다. 두 입찰자가 동시에 돌기 때문에 p50/p99의 차이는 다른 순간이 아니라 이 "
    "머신에서 wait 모드의 값이다.",
    "wait는 입찰마다 복제 왕복 한 번의 비용이 든다 (계획 밖)",
    "",
    closest="redis-cli WAIT 1 500",
    happened=(lambda F: L(f"async: p50 {F('async.p50_ms')}, p99 {F('async.p99_ms')} over {F('async.requests')} requests; "
                          f"wait: p50 {F('wait.p50_ms')}, p99 {F('wait.p99_ms')} over {F('wait.requests')} requests.",
                          f"async: 요청 {F('async.requests')}건에 p50 {F('async.p50_ms')}, p99 {F('async.p99_ms')}. "
                          f"wait: 요청 {F('wait.requests')}건에 p50 {F('wait.p50_ms')}, p99 {F('wait.p99_ms')}."),),
    why=(lambda F: L("WAIT blocks the reply until a replica acknowledged the write's offset: one replication round trip "
                     "per bid, small on one machine.",
                     "WAIT는 replica가 쓰기의 offset을 확인할 때까지 응답을 붙잡는다. 입찰마다 복제 왕복 한 번이며, 한 머신 "
                     "안에서는 작다."),),
    learned=lambda F: L(f"Waiting for a replica cost p50 {F('async.p50_ms')} -> {F('wait.p50_ms')} here.",
                        f"replica를 기다리는 비용은 이번에 p50 {F('async.p50_ms')} -> {F('wait.p50_ms')}였다."),
)


STEPS["gray-1"] = StepText(
    "CPU를 굶긴 master, 두 가지 quota (throttle, 코어의 20 %와 2 %), failover 없음 예상",
    "master 프로세스를 살려 둔 채 CPU quota를 건다. 먼저 한 코어의 20 %로 20초, 회복한 뒤 2 %로 "
    "20초다. 느린 master는 Sentinel의 down-after와 클라이언트 타임아웃이 맞서는 지점이다. Sentinel의 PING에는 "
    "down-after 안에 답하므로 failover는 없고, 요청은 그 master를 기다리며 클라이언트의 250 ms 타임아웃을 넘긴 요청은 "
    "실패한다. 각 quota 동안 시작된 요청의 에러율과 p99를 "
    "나란히 잰다. 로컬은 하네스 자신의 cgroup(cpu.cfs_quota_us), Docker는 `docker update --cpu-quota`.",
    "굶긴 master는 failover 없이 클라이언트를 느리게 한다. quota가 빡빡할수록 p99가 높고 +switch-master는 없다 "
    "(이 프로젝트의 가설, 계획 밖)",
    "",
    closest="docker update --cpu-period 100000 --cpu-quota 2000 redis-master",
    happened=(lambda F: L(f"At 20 % of a core: p99 {F('slowed.p99_during_ms')}, error rate "
                          f"{F.pct('slowed.error_rate_during')}, failovers {F('slowed.failovers')}. At 2 %: p99 "
                          f"{F('starved.p99_during_ms')}, error rate {F.pct('starved.error_rate_during')}, failovers "
                          f"{F('starved.failovers')}.",
                          f"코어의 20 %에서 p99 {F('slowed.p99_during_ms')}, 에러율 {F.pct('slowed.error_rate_during')}, "
                          f"failover {F('slowed.failovers')}회. 2 %에서 p99 {F('starved.p99_during_ms')}, 에러율 "
                          f"{F.pct('starved.error_rate_during')}, failover {F('starved.failovers')}회."),),
    why=(lambda F: L("A CFS quota lets the process run for its share of every 100 ms period and then holds it until the "
                     "next: a request that arrives while it is held waits for the period's end. Sentinel's PING waits the "
                     "same way, but down-after is seconds, not milliseconds.",
                     "CFS quota는 100 ms 주기마다 제 몫만큼만 프로세스를 돌리고 다음 주기까지 붙잡는다. 붙잡힌 동안 온 요청은 "
                     "주기가 끝날 때까지 기다린다. Sentinel의 PING도 똑같이 기다리지만 down-after는 밀리초가 아니라 초 "
                     "단위다."),),
    learned=lambda F: L(f"A starved master is a latency outage, not a failover: p99 {F('starved.p99_during_ms')} at 2 % "
                        f"of a core, with {F('starved.failovers')} failovers.",
                        f"굶긴 master는 failover가 아니라 지연 장애다. 코어의 2 %에서 p99 {F('starved.p99_during_ms')}, "
                        f"failover {F('starved.failovers')}회."),
)

STEPS["gray-2"] = StepText(
    "패킷 30 %를 잃는 replica 링크, split-brain guard 켬",
    "master와 두 replica 사이 링크에서 30초 동안 패킷의 30 %를 양방향으로 무작위로 버린다(방화벽의 statistic match, "
    "이 커널에는 netem이 없다). Sentinel과 클라이언트는 모든 노드에 그대로 닿는다. guard는 짧은 lag 한도로 켠다"
    "(min-replicas-to-write 1, min-replicas-max-lag 2). 2초 안에 확인해 준 replica가 없으면 master는 쓰기를 "
    "거부한다(NOREPLICAS). 죽은 링크가 아니라 손실 많은 링크가, 건강한 스택이라면 받았을 쓰기를 guard가 거부하게 "
    "만드는가? 거부가 언제 시작되고 몇 건인지를 잰다. \"건강한 스택과 다르다\"도 하나의 답이므로, 검사는 어느 쪽이든 "
    "지켜져야 하는 것만 제한한다.",
    "30 % 손실에서도 TCP 재전송이 replica 하나는 2초 안에 유지하므로 guard는 쓰기를 거부하지 않는다 (이 프로젝트의 가설, "
    "계획 밖)",
    "",
    closest="redis-cli CONFIG SET min-replicas-to-write 1",
    happened=(lambda F: L(f"While the loss lasted the guard refused {F('lossy.noreplicas_during')} writes"
                          + (f" (the first {F('lossy.noreplicas_after_s')} after the loss began)"
                             if F.v("lossy.noreplicas_during") else "")
                          + f"; error rate {F.pct('lossy.error_rate_during')}, p99 {F('lossy.p99_during_ms')}, "
                          f"failovers {F('lossy.failovers')}.",
                          f"손실 동안 guard가 거부한 쓰기는 {F('lossy.noreplicas_during')}건"
                          + (f"(첫 거부: 손실 시작 {F('lossy.noreplicas_after_s')} 뒤)" if F.v("lossy.noreplicas_during") else "")
                          + f", 에러율 {F.pct('lossy.error_rate_during')}, p99 {F('lossy.p99_during_ms')}, "
                          f"failover {F('lossy.failovers')}회."),),
    why=(lambda F: L("A replica acknowledges its offset once a second (REPLCONF ACK); a lost packet is retransmitted "
                     "after TCP's timeout (200 ms at least, doubling), so an acknowledgement is late, not missing. The "
                     "guard counts a replica as good while its last acknowledgement is under max-lag seconds old.",
                     "replica는 1초마다 offset을 확인해 준다(REPLCONF ACK). 잃어버린 패킷은 TCP 타임아웃(최소 200 ms, "
                     "두 배씩 증가) 뒤에 재전송되므로 확인은 사라지지 않고 늦게 온다. guard는 마지막 확인이 max-lag초보다 "
                     "새로운 replica를 정상으로 센다."),),
    learned=lambda F: L(f"At 30 % loss on both replica links the guard refused {F('lossy.noreplicas_during')} writes.",
                        f"두 replica 링크가 30 % 손실일 때 guard는 쓰기 {F('lossy.noreplicas_during')}건을 거부했다."),
)

STEPS["gray-3"] = StepText(
    "끊겼다 붙었다 하는 master 링크 (4초마다 2초 cut, 32초), down-after 1000 ms",
    "master의 네트워크가 2초 끊기고 2초 붙기를 여덟 번 한다. cut 하나하나가 down-after-milliseconds(1000 ms)보다 길어서, "
    "Sentinel은 한 cut에서 failover를 시작하고 다음 순간 구 master가 돌아온 것을 볼 수 있다. failover 횟수를 세고, "
    "복구 뒤 확인된 쓰기를 모두 찾아보며, 스택이 master 하나와 연결된 replica들로 안정되어야 한다.",
    "Sentinel은 cut마다 많아야 한 번 failover하고, 마지막 cut 뒤 구 master는 강등되며 모든 Sentinel이 master 하나에 "
    "합의한다 (이 프로젝트의 가설, 계획 밖)",
    "",
    closest="docker network disconnect fairbid_network redis-master",
    happened=(lambda F: L(f"Over the flap's cuts Sentinel failed over {F('flapping.failovers')} times; "
                          f"{F('lost_acked_writes')} acknowledged writes were lost; the stack "
                          f"{'settled' if F.v('settled_after_heal') else 'did not settle'} after the heal.",
                          f"flap의 cut 동안 Sentinel은 {F('flapping.failovers')}번 failover했고, 확인된 쓰기 "
                          f"{F('lost_acked_writes')}건이 사라졌으며, 복구 뒤 스택은 "
                          f"{'안정되었다' if F.v('settled_after_heal') else '안정되지 않았다'}."),),
    why=(lambda F: L("A cut is detected after down-after of silence plus the time to agree (about 2 s at 1000 ms, LAB.md), "
                     "so a 2 s cut sits on that edge. Once one cut has led to a failover, Sentinel holds the old master "
                     "for a replica to convert: a cut of it starts no second failover, and the conversion waits until "
                     "the node has answered for a while, which a flap does not allow (see +convert-to-slave on the "
                     "timeline). Until then the old master takes the writes of the clients still on it.",
                     "cut은 down-after만큼의 침묵과 합의 시간이 지나야 감지되므로(1000 ms에서 약 2초, LAB.md) 2초 cut은 그 "
                     "경계에 있다. 한 cut이 failover로 이어지면 Sentinel은 구 master를 전환할 replica로 본다. 그 노드를 "
                     "끊어도 두 번째 failover는 시작되지 않고, 전환은 노드가 한동안 응답한 뒤에야 일어나는데 flap은 그럴 "
                     "틈을 주지 않는다(타임라인의 +convert-to-slave 참조). 그때까지 구 master는 아직 그에게 붙어 있는 "
                     "클라이언트의 쓰기를 받는다."),),
    learned=lambda F: L(f"A flapping master link cost {F('flapping.failovers')} failovers and {_lost(F)} acknowledged "
                        "writes.",
                        f"끊겼다 붙었다 하는 master 링크의 비용은 failover {F('flapping.failovers')}회와 확인된 쓰기 유실 "
                        f"{_lost(F)}였다."),
)


# generic sentences a step's own sentences already say
for _sid, _keys in {"redis-1": ("errors",), "redis-2": ("errors",), "redis-4-1": ("sentinel",), "redis-4-2": ("sentinel",),
                    "redis-4-2-guard": ("sentinel",), "redis-4-3-empty": ("sentinel",),
                    "redis-6": ("sentinel",)}.items():
    STEPS[_sid] = replace(STEPS[_sid], drop=_keys)


# ---- the generic analysis of any run ----------------------------------------------------------------
def _fault_errors(f: dict) -> L:
    name = f"{f.get('label')} (`{f.get('action')}` {f.get('node')})"
    if f.get("first_error_s") is None:
        return L(f"{name}, none", f"{name}: 없음")
    window = num(f.get("error_window_s")) + " s" if f.get("error_window_s") is not None else "n/a"
    return L(f"{name}, from {num(f['first_error_s'])} s to {num(f.get('last_error_s'))} s after it (window {window})",
             f"{name}: 장애 {num(f['first_error_s'])} s 뒤부터 {num(f.get('last_error_s'))} s까지(구간 {window})")


def _primary(F: Fig) -> dict:
    zero = F.primary_ms()
    return next((r for r in F.applied() if r["applied_ms"] == zero), {}) if zero is not None else {}


def _primary_node(F: Fig) -> str:
    return str(_primary(F).get("node") or "")


def _primary_action(F: Fig) -> str:
    return str(_primary(F).get("action") or "")


def generic_happened(F: Fig) -> list[tuple[str, Sentence]]:
    """(key, sentence) for what any run shows; a step's text drops the keys it says better itself."""
    out: list[tuple[str, Sentence]] = []
    faulted = F.primary_ms() is not None
    on_redis = _primary_node(F).startswith("redis")
    if faulted and (F.stack.get("sentinels") or 0):
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
                                            "이 스택에는 Sentinel이 없다. 스스로 failover하는 것은 없다.")))
    per_fault = [f for f in F.s.get("faults") or [] if isinstance(f, dict)]
    if faulted and len(per_fault) > 1:  # the top-level window is the first fault's: say each one's
        out.append(("errors", lambda F: L(
            "Client errors, fault by fault: " + "; ".join(_fault_errors(f).en for f in per_fault) + ".",
            "장애별 클라이언트 에러: " + "; ".join(_fault_errors(f).ko for f in per_fault) + ".")))
        out.append(("switch", _errors_vs_switch))
    elif faulted:
        out.append(("errors", lambda F: (
            L("Clients saw no failed request after the fault.", "장애 뒤 클라이언트가 본 실패 요청은 없었다.")
            if F.v("first_error_s") is None and F.v("error_window_s") == 0 else
            L(f"Clients saw failures from {F('first_error_s')} to {F('last_error_s')} after the fault (error window "
              f"{F('error_window_s')}); requests sent after the last failing one succeeded from {F('recovery_s')}.",
              f"클라이언트는 장애 {F('first_error_s')} 뒤부터 {F('last_error_s')}까지 실패를 보았다(에러 구간 "
              f"{F('error_window_s')}). 마지막으로 실패한 요청 뒤에 보낸 요청은 {F('recovery_s')}부터 성공했다."))))
        out.append(("switch", _errors_vs_switch))
    out.append(("overall", lambda F: L(
        f"Over the whole run {F('failed_requests')} of {F('total_requests')} requests failed (error rate "
        f"{F('error_rate')}) at {F('requests_per_s')} requests/s; p99 latency {F('p99_ms')}.",
        f"실행 전체에서 요청 {F('total_requests')}건 중 {F('failed_requests')}건이 실패했다(에러율 {F('error_rate')}, "
        f"초당 {F('requests_per_s')}건, p99 지연 {F('p99_ms')}).")))
    out.append(("loss", lambda F: L(
        f"Every acknowledged write was looked up after healing: {_lost(F)} lost, {F('duplicate_rows')} duplicate rows, "
        f"{F('pending_at_end')} messages pending at the end.",
        f"확인 응답을 받은 쓰기를 복구 뒤 하나하나 조회했다. 유실 {_lost(F)}, 중복 행 {F('duplicate_rows')}, 종료 시 "
        f"pending 메시지 {F('pending_at_end')}.")))
    if F.v("tilt_count"):
        out.append(("tilt", lambda F: L(
            f"Sentinel entered TILT {F('tilt_count')} times ({F('tilt_s')} in all); a Sentinel in TILT does not act.",
            f"Sentinel이 TILT에 {F('tilt_count')}번 들어갔다(모두 {F('tilt_s')}). TILT 중인 Sentinel은 아무것도 하지 "
            "않는다.")))
    if F.v("readonly_errors"):
        out.append(("readonly", lambda F: L(f"{F('readonly_errors')} requests hit a demoted master (READONLY).",
                                            f"요청 {F('readonly_errors')}건이 강등된 master에 닿았다(READONLY).")))
    if (F.v("switches") or 0) > 1:
        out.append(("switches", lambda F: L(f"Sentinel switched the master {F('switches')} times in this run.",
                                            f"이번 실행에서 Sentinel은 master를 {F('switches')}번 바꿨다.")))
    return out


def happened(F: Fig, sid: str) -> list[L]:
    """The generic sentences about the fault first, then the step's own, then the rest of the generic ones."""
    text = STEPS.get(sid)
    generic = [(k, make) for k, make in generic_happened(F) if not text or k not in text.drop]
    first = [make for k, make in generic if k == "sentinel"]
    rest = [make for k, make in generic if k != "sentinel"]
    return say(F, first + list(text.happened if text else ()) + rest)


def checks_sentence(F: Fig) -> L:
    checks = F.s.get("checks") or []
    failed = [c for c in checks if not c.get("passed")]
    if not failed:
        return L(f"All {len(checks)} checks passed.", f"검사 {len(checks)}개가 모두 통과했다.")
    what = "; ".join(f"`{c['metric']}` = {num(c.get('actual')) if c.get('actual') is not None else 'n/a'}, expected "
                     f"`{c['expected']}`" for c in failed)
    return L(f"{len(failed)} of {len(checks)} checks failed: {what}.",
             f"검사 {len(checks)}개 중 {len(failed)}개가 실패했다: {what}.")


def generic_learned(F: Fig) -> L:
    e = F.s.get("expectation") or {}
    rows = "; ".join(f"{c['condition']}: {c['verdict']}" for c in e.get("conditions", []))
    return L(f"The plan's expectation {e.get('verdict', 'not tested')} in this run ({rows or 'no condition'}).",
             f"이번 실행에서 계획의 예상은 '{VERDICT.get(e.get('verdict', 'not tested'), VERDICT['not tested']).ko}'"
             f"({rows or '조건 없음'}).")


# ---- the interview questions (plan 8.2) ---------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    ko: str
    en: str
    points: str  # the plan's answer points, quoted
    runs: tuple[str, ...]  # the runs whose figures answer it
    answer: Callable[[dict], list[L]]
    measured: bool = True


def _q_sentinel(R: dict) -> list[L]:
    out = [L("Sentinel is Redis's own high-availability supervisor: a few sentinel processes watch a master and its "
             "replicas, agree that the master is down, promote a replica and tell clients the new address (clients ask "
             "Sentinel, not a fixed host).",
             "Sentinel은 Redis 자체의 고가용성 감시자다. sentinel 프로세스 몇 개가 master와 replica를 지켜보다가 master가 "
             "죽었다고 합의하면 replica를 승격하고, 클라이언트에게 새 주소를 알려 준다(클라이언트는 고정된 호스트가 아니라 "
             "Sentinel에게 묻는다).")]
    F = R.get("redis-4")
    if F:
        s = F.sentinel
        out.append(L(f"Configuration as run ({F.s['run_id']}): {F.stack.get('sentinels')} Sentinels, quorum "
                     f"{s.get('quorum')}, down-after-milliseconds {num(s.get('down_after_ms'))} ms, failover-timeout "
                     f"{num(s.get('failover_timeout_ms'))} ms.",
                     f"실행한 구성({F.s['run_id']}): Sentinel {F.stack.get('sentinels')}대, quorum {s.get('quorum')}, "
                     f"down-after-milliseconds {num(s.get('down_after_ms'))} ms, failover-timeout "
                     f"{num(s.get('failover_timeout_ms'))} ms."))
        out += say(F, [lambda F: L(f"Failover time: after a kill, +sdown at {F('detect_s')}, +odown at {F('odown_s')}, "
                                   f"+switch-master at {F('failover_s')}.",
                                   f"failover 시간: kill 후 +sdown {F('detect_s')}, +odown {F('odown_s')}, +switch-master "
                                   f"{F('failover_s')}.")])
    G = R.get("redis-4-2")
    if G:
        out += say(G, [lambda F: L(f"After a partition instead of a kill (redis-4-2): +switch-master at "
                                   f"{F('partition.failover_s')} against {F('kill.failover_s')} for the kill.",
                                   f"kill 대신 파티션이면(redis-4-2): +switch-master가 kill의 {F('kill.failover_s')}에 "
                                   f"비해 {F('partition.failover_s')}.")])
    return out


def _q_during(R: dict) -> list[L]:
    out = []
    F = R.get("redis-4")
    if F:
        out += say(F, [lambda F: L(f"They fail for a short while: in redis-4 clients saw errors for {F('error_window_s')} "
                                   f"around a failover of {F('failover_s')} ({F('failed_requests')} of "
                                   f"{F('total_requests')} requests failed), then recovered by themselves.",
                                   f"잠깐 실패한다. redis-4에서 클라이언트는 {F('failover_s')} 걸린 failover 동안 "
                                   f"{F('error_window_s')} 에러를 보았고(요청 {F('total_requests')}건 중 "
                                   f"{F('failed_requests')}건 실패), 그 뒤 스스로 회복했다."),
                       _errors_vs_switch])
    G = R.get("redis-5")
    if G:
        out += say(G, [lambda F: L(f"Whether users see it is the client's doing (redis-5, same kill): untuned, "
                                   f"{F.c('untuned.user_errors', 'user-visible error')} and {F('untuned.duplicates_created')} "
                                   f"duplicate bids; tuned (short timeout, retries with backoff, the same "
                                   f"Idempotency-Key), {F('tuned.user_errors')} and {F('tuned.duplicates_created')}.",
                                   f"사용자에게 보이는지는 클라이언트에 달렸다(redis-5, 같은 kill). 튜닝 전에는 사용자에게 "
                                   f"보인 에러 {F('untuned.user_errors')}건, 중복 입찰 {F('untuned.duplicates_created')}건, "
                                   f"튜닝 후(짧은 timeout, backoff 재시도, 같은 Idempotency-Key)에는 "
                                   f"{F('tuned.user_errors')}건과 {F('tuned.duplicates_created')}건.")])
    return out


def _q_cluster(R: dict) -> list[L]:
    out = [L("No run compares Sentinel with Cluster. Cluster shards the keyspace over several masters; it pays off when "
             "the data or the write rate outgrows one master. FairBid's bid is one atomic script over the idempotency key, "
             "the bid, the auction's top bid and the single bid-stream; in Cluster every key of a script must sit in one "
             "hash slot, so that one stream would pin all bids to one slot, one master, anyway. Sentinel gives failover "
             "without sharding and with fewer moving parts: avoiding over-engineering, as the plan says.",
             "Sentinel과 Cluster를 비교한 실행은 없다. Cluster는 키 공간을 여러 master에 나눠(sharding) 데이터나 쓰기량이 "
             "master 한 대를 넘을 때 값어치를 한다. FairBid의 입찰은 idempotency key, 입찰, 경매의 최고가, 하나뿐인 "
             "bid-stream을 한꺼번에 다루는 원자적 스크립트 하나다. Cluster에서는 스크립트의 모든 키가 같은 hash slot에 "
             "있어야 하므로, 그 stream 하나 때문에 결국 모든 입찰이 한 slot, 즉 master 한 대에 묶인다. Sentinel은 sharding "
             "없이 failover를 주고 움직이는 부분도 적다. 계획이 말한 대로 오버엔지니어링을 피하는 선택이다.")]
    F = R.get("redis-4")
    if F:
        out += say(F, [lambda F: L(f"The measured figures that bear on it: one master carried the whole load, "
                                   f"{F('requests_per_s')} requests/s with p99 {F('p99_ms')} (redis-4), and Sentinel failed "
                                   f"it over in {F('failover_s')}.",
                                   f"이 판단과 관련된 측정값: master 한 대가 부하 전체, 초당 {F('requests_per_s')}건을 "
                                   f"p99 {F('p99_ms')}로 처리했고(redis-4), Sentinel은 {F('failover_s')} 만에 "
                                   "failover했다.")])
    G = R.get("redis-4-2")
    if G:
        out += say(G, [lambda F: L(f"What Cluster would not fix: its replication is asynchronous too, so the "
                                   f"{F('partition.lost_acked_during')} acknowledged writes an isolated master lost in "
                                   "redis-4-2 are a property of asynchronous replication, not of Sentinel (reasoning).",
                                   f"Cluster로도 고쳐지지 않는 것: Cluster의 복제도 비동기이므로, redis-4-2에서 고립된 master가 "
                                   f"잃은 확인 쓰기 {F('partition.lost_acked_during')}건은 Sentinel이 아니라 비동기 복제의 "
                                   "성질이다(설계 판단).")])
    return out


def _q_idem(R: dict) -> list[L]:
    out = [L("Two keys, one at each end. The consumer inserts with a UNIQUE bid_id, so a redelivered message is stored "
             "once; the API takes an Idempotency-Key, so a client's retry returns the first bid instead of placing a "
             "second.",
             "양쪽 끝에 key가 하나씩 있다. consumer는 UNIQUE bid_id로 저장하므로 다시 전달된 메시지도 한 번만 저장되고, API는 "
             "Idempotency-Key를 받으므로 클라이언트가 재시도해도 두 번째 입찰이 아니라 첫 입찰이 돌아온다.")]
    F = R.get("stream-3")
    if F:
        out += say(F, [lambda F: L(f"Measured (stream-3, a consumer killed between commit and ack): "
                                   f"{F('redelivered_duplicates')} re-inserts absorbed, {F('duplicate_rows')} duplicate rows.",
                                   f"측정(stream-3, commit과 ack 사이에서 kill된 consumer): 재삽입 "
                                   f"{F('redelivered_duplicates')}건 흡수, 중복 행 {F('duplicate_rows')}건.")])
    G = R.get("redis-5")
    if G:
        out += say(G, [lambda F: L(f"On the client side (redis-5): retries with a new key each time created "
                                   f"{F('untuned.duplicates_created')} duplicate bids, retries with the same key "
                                   f"{F('tuned.duplicates_created')}.",
                                   "클라이언트 쪽(redis-5): 매번 새 key로 재시도하면 "
                                   f"중복 입찰 {F('untuned.duplicates_created')}건, "
                                   f"같은 key로 재시도하면 {F('tuned.duplicates_created')}건.")])
    return out


def _q_split(R: dict) -> list[L]:
    out = [L("With min-replicas-to-write: a master that cannot reach enough replicas within max-lag refuses writes, so "
             "an isolated master stops taking writes that a failover would erase.",
             "min-replicas-to-write로 막는다. max-lag 안에 충분한 replica에 닿지 못한 master는 쓰기를 거부하므로, 고립된 "
             "master가 failover로 지워질 쓰기를 받지 않는다.")]
    F = R.get("redis-4-1")
    if F:
        out += say(F, [lambda F: L(f"Measured (redis-4-1): NOREPLICAS {F('noreplicas_after_s')} after the master lost its "
                                   f"replicas, {F.c('failovers', 'failover')}, {_lost(F)} lost.",
                                   f"측정(redis-4-1): master가 replica를 잃은 지 {F('noreplicas_after_s')} 뒤 NOREPLICAS, "
                                   f"failover {F('failovers')}회, 유실 {_lost(F)}.")])
    G = R.get("redis-4-2")
    if G:
        out += say(G, [lambda F: L(f"Without it (redis-4-2), a partitioned master acknowledged "
                                   f"{F('partition.lost_acked_during')} writes that were lost.",
                                   f"guard가 없으면(redis-4-2) 파티션된 master가 확인해 준 쓰기 "
                                   f"{F('partition.lost_acked_during')}건이 사라졌다.")])
    H = R.get("redis-4-2-guard")
    if H:
        out += say(H, [lambda F: L(f"With it under the same partition (redis-4-2-guard): {F('partition.lost_acked_during')} "
                                   f"lost, the last acknowledged {F('partition.loss_after_fault_s')} into the cut: the "
                                   "guard bounds split brain to about max-lag, it does not remove it.",
                                   f"같은 파티션에서 guard를 켜면(redis-4-2-guard): 유실 {F('partition.lost_acked_during')}건, "
                                   f"마지막 것은 cut 후 {F('partition.loss_after_fault_s')}에 확인되었다. guard는 split brain을 "
                                   "약 max-lag로 제한할 뿐 없애지는 못한다.")])
    return out


def _q_consumer(R: dict) -> list[L]:
    out = [L("They stay pending under the dead consumer's name until someone claims them; XAUTOCLAIM moves them to a "
             "live consumer, and idempotent persistence makes the reprocessing safe.",
             "죽은 consumer 이름으로 pending에 남아 있다가 누군가 claim하면 넘어간다. XAUTOCLAIM이 살아 있는 consumer로 "
             "옮기고, 멱등한 저장 덕분에 다시 처리해도 안전하다.")]
    for sid, make in (
        ("stream-2", lambda F: L(f"stream-2: {F('xpending.by_consumer.consumer-1')} messages stranded while claiming was off.",
                                 f"stream-2: claim을 꺼 두자 메시지 {F('xpending.by_consumer.consumer-1')}건이 방치되었다.")),
        ("stream-2-1", lambda F: L(f"stream-2-1: one XAUTOCLAIM moved {F('claim.claimed')}; the dead consumer held "
                                   f"{F('claim.after.consumer-1')} afterwards.",
                                   f"stream-2-1: XAUTOCLAIM 한 번으로 {F('claim.claimed')}건이 옮겨졌고, 이후 죽은 consumer의 "
                                   f"pending은 {F('claim.after.consumer-1')}건.")),
        ("stream-2-2", lambda F: L(f"stream-2-2: the app's scheduled claim took them {F('reclaim_s')} after the kill; "
                                   f"{_lost(F)} lost, {F('dead_letters')} poison message dead-lettered.",
                                   f"stream-2-2: 앱의 예약 claim이 kill 후 {F('reclaim_s')} 만에 가져갔다. 유실 {_lost(F)}, "
                                   f"poison 메시지 {F('dead_letters')}건은 dead letter로.")),
    ):
        if R.get(sid):
            out += say(R[sid], [make])
    return out


def _q_old_master(R: dict) -> list[L]:
    out = [L("Sentinel turns it into a replica of the new master by itself, and it resynchronises.",
             "Sentinel이 알아서 새 master의 replica로 만들고, 구 master는 재동기화한다.")]
    F = R.get("redis-4-3")
    if F:
        out += say(F, [lambda F: L(f"Measured (redis-4-3): the old master came back with role {F('old_master.role')}, "
                                   f"master link {F('old_master.master_link_status')}, and the marker written after the "
                                   f"failover (`has_marker` {F('old_master.has_marker')}).",
                                   f"측정(redis-4-3): 구 master는 role {F('old_master.role')}, master link "
                                   f"{F('old_master.master_link_status')} 상태로 돌아왔고, failover 뒤에 쓴 marker도 "
                                   f"가지고 있었다(`has_marker` {F('old_master.has_marker')}).")])
    G = R.get("redis-4-3-empty")
    if G:
        out += say(G, [lambda F: L(f"The trap (redis-4-3-empty): a master without persistence that returns before "
                                   f"down-after runs out stays master, empty, and its replicas follow it: "
                                   f"{F('lost_acked_writes')} acknowledged writes gone from Redis.",
                                   f"함정(redis-4-3-empty): persistence 없는 master가 down-after 전에 돌아오면 빈 채로 "
                                   f"master로 남고 replica도 그것을 따른다. 확인 쓰기 {F('lost_acked_writes')}건이 "
                                   "Redis에서 사라졌다.")])
    return out


QUESTIONS = (
    Question("Redis Sentinel이 뭐예요?", "What is Redis Sentinel?", "자동 failover, 구성 방법, failover 시간",
             ("redis-4", "redis-4-2"), _q_sentinel),
    Question("failover 중 요청은 어떻게 돼요?", "What happens to requests during a failover?",
             "일시적 에러, 클라이언트 재연결, 재시도 로직", ("redis-4", "redis-5"), _q_during),
    Question("왜 Cluster 안 썼어요?", "Why not Redis Cluster?", "데이터 규모상 Sentinel로 충분, 오버엔지니어링 방지",
             ("redis-4", "redis-4-2"), _q_cluster, measured=False),
    Question("멱등성 어떻게 처리했어요?", "How is idempotency handled?", "unique key 체크, 중복 저장 방지",
             ("stream-3", "redis-5"), _q_idem),
    Question("Split Brain 어떻게 방지해요?", "How is split brain prevented?",
             "min-replicas-to-write 설정, 고립된 Master 쓰기 거부", ("redis-4-1", "redis-4-2", "redis-4-2-guard"), _q_split),
    Question("Consumer 죽으면 그 메시지는요?", "What happens to a dead consumer's messages?",
             "XAUTOCLAIM으로 다른 Consumer가 가져감, 멱등성으로 중복 방지", ("stream-2", "stream-2-1", "stream-2-2"),
             _q_consumer),
    Question("failover 후 구 Master 켜면요?", "What happens when the old master comes back after a failover?",
             "Sentinel이 자동으로 Slave로 재구성, 데이터 동기화", ("redis-4-3", "redis-4-3-empty"), _q_old_master),
)

ENV_ITEMS = (("redis", L("Redis", "Redis")), ("sentinel", L("Sentinel", "Sentinel")),
             ("mysql", L("MariaDB / MySQL", "MariaDB / MySQL")), ("python", L("Python", "Python")),
             ("locust", L("Locust", "Locust")), ("cores", L("CPU cores", "CPU 코어")), ("machine", L("machine", "머신")),
             ("kernel", L("kernel", "커널")))
