"""A scenario's story in the results document, kept beside the scenario, and the storyline it is told in.

Each scenario of the catalog has its story in a file next to its scenario file: `scenarios/ID.story.py`
beside `scenarios/ID.yaml`, defining `STORY = Story(...)`: the plan's command, the Korean title and
summary, the sentences of what happened, why and what was learned, the chapter it is told in, what it
adds to its chapter's opening and to the interview questions. The plan's storyline (the chapters in
order, 8.1) and its interview questions (8.2) are `scenarios/storyline.py`. Both are read by path
(the scenarios folder is read from the checkout, not installed), so a new scenario with its story is
one folder, and no scenario id is written in analysis/. A chapter may open with a table that sets several
scenarios' runs side by side (`Comparison`, declared in the storyline by scenario and metric): the
document fills it from the edition's runs when it is built.

Story files import from analysis/ and bilingual.py only (tests/test_boundaries.py holds them to it);
the sentences more than one story tells are here, below, not copied.
"""
from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.results_words import Fig, Missing, Sentence, generic_happened, say
from bilingual import L, num
from errors import ConfigError

STORY_SUFFIX = ".story.py"
STORYLINE = "storyline.py"


# ---- what a story file and the storyline declare ---------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """A figure of a chapter's comparison: `metric` of the edition's run of `scenario` (the newest taken),
    shown as "metric / of" where `of` is given, then `note` (what it says about the run) in parentheses."""

    scenario: str
    metric: str
    of: str | None = None
    note: Callable[[Fig], L | None] | None = None


@dataclass(frozen=True)
class Row:
    """A row of a comparison: its label, then for each column its figures (several: one after another),
    or a text where no run of that column applies."""

    label: L
    cells: tuple[tuple[Figure, ...] | L, ...]


@dataclass(frozen=True)
class Group:
    """Rows about one fault, under a heading row that links each column's runs."""

    label: L
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Comparison:
    """A table a chapter opens with, side by side: its figures come from the edition's runs when the
    document is built (analysis/results_doc.comparison_lines), never written here."""

    columns: tuple[L, ...]
    groups: tuple[Group, ...]
    reading: L | None = None  # how to read it, said under it without a figure


@dataclass(frozen=True)
class Chapter:
    key: str
    title: L
    plan: str  # the plan's own words, quoted
    intro: L
    plan_from: str = "8.1"  # where in the plan they are
    compare: Comparison | None = None


@dataclass(frozen=True)
class Question:
    key: str  # what a story's Answer names
    ko: str
    en: str
    points: str  # the plan's answer points, quoted
    opening: tuple[L, ...] = ()  # what is said before any run's figures
    measured: bool = True


@dataclass(frozen=True)
class Answer:
    """What a run of this scenario adds to an interview question (by its key): sentences on its figures.
    A question tells its answers in `rank` order, then by scenario id (natural order)."""

    question: str
    sentences: tuple[Sentence, ...]
    rank: int = 0


@dataclass(frozen=True)
class Story:
    """A step of the results document as its scenario tells it; the English title, plan step and
    summary are the scenario file's own (title, plan_step, description)."""

    title_ko: str
    about_ko: str
    expect_ko: str  # the plan's own words where it has them
    plan_cmd: str  # the plan's command block ("" = not in the plan)
    closest: str = ""  # beyond the plan: the nearest command of the plan
    happened: tuple[Sentence, ...] = ()
    why: tuple[Sentence, ...] = ()
    learned: Sentence | None = None
    drop: tuple[str, ...] = ()  # generic sentences (keys of generic_happened) this step says better itself
    chapter: str | None = None  # the key of its chapter in the storyline; None: "other scenarios"
    chapter_note: Callable[[Fig], list[L]] | None = None  # what its run adds to its chapter's opening
    answers: tuple[Answer, ...] = ()
    bound_ko: dict[tuple[str, str], str] = field(default_factory=dict)  # (metric, backend): a bound's reason in Korean


# ---- the stories as read from the scenarios folder -------------------------------------------------
def natural_key(sid: str) -> tuple:
    """step-4 < step-4-1 < step-4-2-guard < step-5 < step-10: the order of steps within a chapter."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", sid))


@dataclass(frozen=True)
class Storybook:
    chapters: tuple[Chapter, ...]
    other: Chapter  # where a step without a chapter is told
    questions: tuple[Question, ...]
    stories: dict[str, Story]

    def story(self, sid: str) -> Story | None:
        return self.stories.get(sid)

    def steps_of(self, chapter: str | None) -> list[str]:
        return sorted((sid for sid, s in self.stories.items() if s.chapter == chapter), key=natural_key)

    def answers_to(self, question: str) -> list[tuple[str, Answer]]:
        found = [(sid, a) for sid, s in self.stories.items() for a in s.answers if a.question == question]
        return sorted(found, key=lambda x: (x[1].rank, natural_key(x[0])))


def _module(path: Path):
    name = "scenario_story_" + re.sub(r"\W", "_", path.name.removesuffix(".py"))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(directory: Path) -> Storybook:
    """The storyline and every story file in the scenarios folder.

    Raises ConfigError for a story file with no `STORY`, beside no scenario file, or naming a chapter or
    question the storyline does not have."""
    directory = Path(directory)
    line = _module(directory / STORYLINE) if (directory / STORYLINE).exists() else None
    chapters = tuple(getattr(line, "CHAPTERS", ()))
    other = getattr(line, "OTHER", None) or Chapter("other", L("Other scenarios", "기타 시나리오"), "", L("", ""))
    questions = tuple(getattr(line, "QUESTIONS", ()))
    stories = {}
    for path in sorted(directory.glob("*" + STORY_SUFFIX)):
        sid = path.name.removesuffix(STORY_SUFFIX)
        story = getattr(_module(path), "STORY", None)
        if not isinstance(story, Story):
            raise ConfigError(f"{path}: defines no STORY = Story(...)")
        if not (directory / f"{sid}.yaml").exists():
            raise ConfigError(f"{path}: no scenario {sid}.yaml beside it")
        if story.chapter is not None and story.chapter not in {c.key for c in chapters}:
            raise ConfigError(f"{path}: chapter {story.chapter!r} is not in {directory / STORYLINE}")
        unknown = {a.question for a in story.answers} - {q.key for q in questions}
        if unknown:
            raise ConfigError(f"{path}: no interview question {', '.join(sorted(unknown))} in {directory / STORYLINE}")
        stories[sid] = story
    return Storybook(chapters, other, questions, stories)


def happened(F: Fig, story: Story | None) -> list[L]:
    """The generic sentences about the fault first, then the step's own, then the rest of the generic ones."""
    generic = [(k, make) for k, make in generic_happened(F) if not story or k not in story.drop]
    first = [make for k, make in generic if k == "sentinel"]
    rest = [make for k, make in generic if k != "sentinel"]
    return say(F, first + list(story.happened if story else ()) + rest)


# ---- sentences more than one story tells -------------------------------------------------------------
def aof_story(mode: str, expect_ko: str, about_tail: str = "", **more) -> Story:
    """A single Redis with AOF (appendfsync `mode`) killed with -9 and restarted on its data directory."""
    lost_zero = L("AOF data is written to the file before Redis replies and only the fsync is deferred, so a killed "
                  "process loses nothing the kernel already has; only a crash of the machine (not measurable here) would "
                  "lose the last second.",
                  "AOF는 Redis가 응답하기 전에 파일에 쓰이고 fsync만 미뤄진다. 그래서 프로세스가 죽어도 커널이 이미 받은 "
                  "데이터는 남는다. 마지막 1초를 잃는 것은 머신 자체가 죽을 때뿐이며, 이는 여기서 측정할 수 없다.")
    return Story(
        f"Persistence 설정 — AOF appendfsync {mode}, kill -9 후 재시작",
        f"Redis 한 대를 appendonly yes, appendfsync {mode} 설정으로 띄운다. 부하 중에 SIGKILL하고 3초 뒤 같은 데이터 디렉터리로 "
        "다시 시작한 뒤, ACK된 쓰기를 하나하나 조회한다."
        + about_tail,
        expect_ko,
        "# redis.conf\nappendonly yes\nappendfsync everysec\n\n# 데이터 입력\nredis-cli SET bid:123 \"data\"\n\n"
        "# Redis 강제 종료 + 재시작\ndocker kill redis-master\ndocker start redis-master\n\n# 데이터 확인\n"
        "redis-cli GET bid:123",
        happened=(
            lambda F: L(f"After the restart on the same data directory, {F('lost_in_redis')} of {F('acked_bids')} "
                        f"acknowledged bids and {F('lost_sets')} of {F('acked_sets')} acknowledged SETs were missing "
                        "from Redis.",
                        f"같은 데이터 디렉터리로 다시 시작한 뒤, ACK된 입찰 {F('acked_bids')}건 중 "
                        f"{F('lost_in_redis')}건, SET {F('acked_sets')}건 중 {F('lost_sets')}건이 Redis에 없었다."),
            lambda F: (L(f"The oldest missing write had been acknowledged {F('loss_before_fault_s')} before the kill.",
                         f"사라진 쓰기 중 가장 오래된 것은 kill {F('loss_before_fault_s')} 전에 ACK된 것이었다.")
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
                            f"AOF {mode} 설정은 kill -9로 ACK된 쓰기 {F('acked_writes')}건 중 {F('lost_acked_writes')}건을 잃었다"
                            + (". 계획의 \"최대 1초 유실\"은 프로세스 kill이 아니라 머신 장애의 비용이다."
                               if F.v("lost_acked_writes") == 0 and mode == "everysec" else ".")),
        **more,
    )


def partition_happened(F: Fig) -> L:
    return L(f"Kill: +sdown at {F('kill.detect_s')}, +switch-master at {F('kill.failover_s')}. Partition: +sdown at "
             f"{F('partition.detect_s')}, +switch-master at {F('partition.failover_s')} (each from its own fault).",
             f"kill: +sdown {F('kill.detect_s')}, +switch-master {F('kill.failover_s')}. 파티션: +sdown "
             f"{F('partition.detect_s')}, +switch-master {F('partition.failover_s')}(각각 자기 장애 시점 기준).")


def partition_loss(F: Fig) -> L:
    n = F.v("partition.lost_acked_during")
    if n is None:
        raise Missing("partition.lost_acked_during")
    if not n:
        return L("No write acknowledged during the partition was lost.",
                 "파티션 중에 ACK된 쓰기는 하나도 사라지지 않았다.")
    said = L(f"During the partition the isolated master acknowledged {F('partition.lost_acked_during')} writes that "
             f"were gone once it rejoined as a replica; the last of them was acknowledged {F('partition.loss_after_fault_s')} "
             "after the cut began.",
             f"파티션 동안 고립된 master는 쓰기 {F('partition.lost_acked_during')}건에 ACK를 보냈고, 이 쓰기들은 master가 "
             f"replica로 돌아오자 사라졌다. 그중 마지막 것은 차단 시작 {F('partition.loss_after_fault_s')} 뒤에 ACK된 것이었다.")
    tail = loss_after_heal(F, "partition")
    return said if tail is None else L(f"{said.en} {tail.en}", f"{said.ko} {tail.ko}")


def loss_after_heal(F: Fig, fault: str = "") -> L | None:
    """The loss tail a cut leaves: writes lost after its heal, until Sentinel converts the old master
    (loss_after_heal_s, convert_after_heal_s of that fault); nothing where the run did not measure it."""
    p = f"{fault}." if fault else ""
    tail, convert = F.v(f"{p}loss_after_heal_s"), F.v(f"{p}convert_after_heal_s")
    if tail is None:
        return None
    if not tail:
        return L("No write acknowledged after the heal was lost.", "복구 뒤에 ACK된 쓰기는 사라지지 않았다.")
    conv = (L(f"; Sentinel converted the old master into a replica {F(p + 'convert_after_heal_s')} after the heal, and "
              "until then it went on acknowledging writes it would lose",
              f". Sentinel은 복구 {F(p + 'convert_after_heal_s')} 뒤에야 구 master를 replica로 바꾸었고, 그때까지 구 "
              "master는 잃게 될 쓰기에 계속 ACK를 보냈다") if convert is not None else L("", ""))
    return L(f"The loss outlasted the cut: the last lost write was acknowledged {F(p + 'loss_after_heal_s')} after the "
             f"heal{conv.en}.",
             f"유실은 차단보다 오래 갔다. 마지막으로 유실된 쓰기는 복구 {F(p + 'loss_after_heal_s')} 뒤에 ACK된 것이었다"
             f"{conv.ko}.")


def group_happened(F: Fig) -> L:
    return L(f"Acknowledged bids in neither MySQL nor the stream: {F('acked_not_in_mysql_or_stream')}. Of the "
             f"{F('pending_before')} entries pending before the fault, {F('pending_gone')} were gone after it. The group's "
             f"last-delivered-id stepped backwards {F.c('group_id_backwards', 'time')} (by {F('group_id_back_ms')}), and "
             f"the UNIQUE bid_id absorbed {F.c('redelivered_duplicates', 'redelivery', 'redeliveries')}.",
             f"MySQL에도 stream에도 없는 ACK된 입찰은 {F('acked_not_in_mysql_or_stream')}건이었다. 장애 전 pending 항목 "
             f"{F('pending_before')}건 중 {F('pending_gone')}건이 장애 뒤 사라졌고, 그룹의 last-delivered-id는 "
             f"{F('group_id_backwards')}번({F('group_id_back_ms')}만큼) 뒤로 물러났으며, UNIQUE bid_id가 재전달 "
             f"{F('redelivered_duplicates')}건을 흡수했다.")



def client_variant(F: Fig, name: str) -> L:
    """One client variant of a run against the failover: its errors (by kind), when they ended against
    +switch-master and when the first request sent after it succeeded, what its users saw, what it
    lost and duplicated. A figure the run lacks ends the sentence before it (Missing)."""
    p = f"{name}."
    kinds = sorted(((k.split(".", 2)[2], v) for k, v in F.m.items() if k.startswith(f"{p}errors_by_kind.") and v),
                   key=lambda kv: -kv[1])
    kinds_en = ", ".join(f"{k} {num(v)}" for k, v in kinds)
    ended = F.v(f"{p}last_error_after_switch_s")
    if ended is None:
        raise Missing(f"{p}last_error_after_switch_s")
    if not F.v(f"{p}failed_requests"):
        when_en, when_ko = "no request of it failed", "실패한 요청이 없었다"
    elif ended >= 0:
        when_en = f"its last error ended {num(ended)} s after +switch-master"
        when_ko = f"마지막 에러는 +switch-master {num(ended)}초 뒤에 끝났다"
    else:
        when_en = f"its last error ended {num(-ended)} s before +switch-master"
        when_ko = f"마지막 에러는 +switch-master {num(-ended)}초 전에 끝났다"
    first_ok = F.v(f"{p}first_ok_after_switch_s")
    ok_en = f", the first request sent after the switch succeeded {num(first_ok)} s after it" if first_ok is not None else ""
    ok_ko = f". 전환 뒤 처음 보낸 요청은 전환 {num(first_ok)}초 뒤에 성공했다" if first_ok is not None else ""
    return L(f"{name}: {F.c(p + 'failed_requests', 'failed request')}" + (f" ({kinds_en})" if kinds else "")
             + f"; {when_en}{ok_en}; {F.c(p + 'user_errors', 'user-visible failure')}, "
             f"{F.c(p + 'duplicates_created', 'duplicate bid')}, {F.c(p + 'lost_acked', 'acknowledged bid')} lost.",
             f"{name}: 실패 요청 {F(p + 'failed_requests')}건" + (f"({kinds_en})" if kinds else "")
             + f". {when_ko}{ok_ko}. 사용자에게 보인 실패 {F(p + 'user_errors')}건, 중복 입찰 "
             f"{F(p + 'duplicates_created')}건, 유실된 ACK 입찰 {F(p + 'lost_acked')}건.")


def client_variants(F: Fig) -> list[L]:
    """Every client variant of the run, in the scenario's order (client_variant)."""
    out = []
    for v in F.load.get("variants") or []:
        try:
            out.append(client_variant(F, v["name"]))
        except Missing:
            continue
    return out



def acked_on(F: Fig, api: str | None = None) -> L:
    """When the service (or one of its APIs) acknowledged a bid in the run: on the master's reply
    (FAIRBID_DURABILITY async, the stand-in's default, or guard) or only after WAIT (wait)."""
    env = {**(F.stack.get("service_env") or {}), **((F.stack.get("api_env") or {}).get(api) or {})}
    mode = env.get("FAIRBID_DURABILITY", "async")
    if mode == "wait":
        n = env.get("FAIRBID_WAIT_REPLICAS", "1")
        return L(f"after WAIT {n}", f"WAIT {n} 뒤")
    if mode == "guard":
        return L("on the master's reply, min-replicas-to-write set", "min-replicas-to-write를 건 master의 응답 시")
    return L("on the master's reply", "master의 응답 시")


def lost_by_client(F: Fig) -> L:
    """The acknowledged writes a run lost, by who wrote them: each client variant's bids (with when its
    API acknowledged them), else the bids as the service acknowledged them, then Locust's SETs."""
    variants = [v for v in F.load.get("variants") or [] if F.v(f"{v['name']}.lost_acked") is not None]
    if variants:
        parts = [(v["name"], F.n(v["name"] + ".lost_acked"), acked_on(F, v.get("api"))) for v in variants]
        bids = L("bids: " + "; ".join(f"`{name}` {n}, acknowledged {a.en}" for name, n, a in parts),
                 "입찰: " + "; ".join(f"`{name}` {n}건, {a.ko} ACK" for name, n, a in parts))
    else:
        if not F.has("lost_acked_writes", "lost_sets"):
            raise Missing("lost_sets" if F.has("lost_acked_writes") else "lost_acked_writes")
        n, a = num(F.v("lost_acked_writes") - F.v("lost_sets")), acked_on(F)
        bids = L(f"bids {n}, acknowledged {a.en}", f"입찰 {n}건, {a.ko} ACK")
    return L(f"{bids.en}; Locust's SETs {F.n('lost_sets')}", f"{bids.ko}; Locust의 SET {F.n('lost_sets')}건")
