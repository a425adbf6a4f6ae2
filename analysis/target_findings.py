"""The part of a results document that only a team's own stack has: which target ran, and per run what
its contract and its stack showed (business refusals, writes that could not be resolved, settings
lost in the failover, consumption that stopped or went on, Sentinels that disagree).

Written from each run's summary.json and run.json alone, in both languages, for a document made
with `--target NAME` (analysis/results_doc.py); the stand-in's documents have no such section.
"""
from __future__ import annotations

from pathlib import Path

import runfiles as rf
from analysis.results_words import L, num

ROOT = Path(__file__).resolve().parent.parent

COLUMNS = (L("step", "단계"), L("verdict", "판정"), L("failover", "failover"), L("lost / acked", "유실 / ACK"),
           L("refusals by rule", "규칙에 따른 거절"), L("unknown: unresolvable", "결과 불명: 판별 불가"),
           L("settings lost in the failover", "failover로 사라진 설정"),
           L("consumption before → end (resumed after)", "소비 속도 전 → 끝 (재개까지)"),
           L("consumers' readers stopped", "멈춘 consumer 읽기 루프"), L("backlog at end", "종료 시 backlog"),
           L("Sentinels agree", "Sentinel 합의"))


def shown(file: object) -> str:
    """A target file as a reader of the document finds it: relative to the repository where it is one of
    its files (also for a run recorded in another checkout, which named it by its absolute path there)."""
    path = Path(str(file))
    if not path.is_absolute():
        return str(file)
    tails = (Path(*path.parts[i:]) for i in range(1, len(path.parts)))
    return str(next((t for t in tails if (ROOT / t).is_file()), path))


def _value(m: dict, name: str, unit: str = "") -> str:
    v = m.get(name)
    return "-" if v is None else f"{num(v)}{unit}"


def _refusals(m: dict) -> str:
    if m.get("business_refusals") is None:
        return "-"
    codes = sorted(((k.split(".", 1)[1], v) for k, v in m.items() if k.startswith("refusals.") and v), key=lambda x: -x[1])
    return f"{num(m['business_refusals'])}" + (f" ({', '.join(f'{c} {num(n)}' for c, n in codes)})" if codes else "")


def _drift(m: dict, lang: str) -> str:
    if m.get("config_drift") is None:
        return "-"
    settings = [f"`{k.split('.', 1)[1]}` {v}" for k, v in sorted(m.items())
                if k.startswith("config_drift.") and k != "config_drift.master"]
    return ", ".join(settings) if settings else L("none", "없음")(lang)


def _consumption(m: dict, lang: str) -> str:
    before, after = _value(m, "consumption_before_per_s", "/s"), _value(m, "consumption_after_per_s", "/s")
    resumed = m.get("consumption_resumed_s")
    tail = f"{num(resumed)} s" if resumed is not None else L("never", "재개 안 됨")(lang)
    return f"{before} → {after} ({tail})"


def _agree(m: dict, lang: str) -> str:
    v = m.get("sentinels_agree")
    return "-" if v is None else (L("yes", "예") if v else L("no", "아니오"))(lang)


def lines(runs: dict, order: list[str], lang: str) -> list[str]:
    """The target's section: its name and file, then one row per run."""
    ran = [runs[sid] for sid in order if sid in runs]
    targets = sorted({f"{(r.meta.target or {}).get('name', '?')} (`{shown((r.meta.target or {}).get('file'))}`)"
                      for r in ran})
    out = [L("## The target and what its stack showed", "## 대상 스택과 그 스택이 보여 준 것")(lang), "",
           L(f"Every run here was made against the team's own stack described by the target file {', '.join(targets)}: "
             "the harness acted on the containers and processes it names and on nothing else, placed bids through the "
             "service's own API as the file says, and looked each acknowledged write up where the file says it must be. "
             "Business refusals are the service's answers by its own rules and count in no failure figure; an unknown "
             "write with no identity to look it up by is unresolvable, never counted landed or lost.",
             f"여기의 모든 실행은 대상 파일 {', '.join(targets)}이(가) 설명하는 팀 자체 스택에서 돌았다. 하네스는 그 파일에 "
             "명시된 컨테이너와 프로세스에만 작용했고, 파일에 적힌 대로 서비스 자체 API로 입찰했으며, ACK된 쓰기를 "
             "파일에 적힌 위치에서 하나씩 찾았다. 규칙에 따른 거절은 서비스의 정상 응답이라 어떤 실패 수치에도 들어가지 "
             "않고, 찾아볼 식별자가 없는 결과 불명 쓰기는 판별 불가로 남을 뿐 저장됨이나 유실로 세지 않는다.")(lang), "",
           "| " + " | ".join(c(lang) for c in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in ran:
        m = r.summary.metrics or {}
        verdict = "PASS" if r.summary.passed else "FAIL"
        lost = f"{_value(m, 'lost_acked_writes')} / {_value(m, 'acked_writes')}"
        out.append(f"| `{r.scenario}` | {verdict} | {_value(m, 'failover_s', ' s')} | {lost} | {_refusals(m)} | "
                   f"{_value(m, 'unknown_unresolvable')} | {_drift(m, lang)} | {_consumption(m, lang)} | "
                   f"{_value(m, 'readers_stopped')} | {_value(m, 'backlog_at_end')} | {_agree(m, lang)} |")
    out.append("")
    for r in ran:
        said = [x(lang) for x in _notes(r.summary.metrics or {}, r.summary.absent or {}, r.summary.checks or [])]
        if said:
            out.append(f"- `{r.scenario}`: " + " ".join(said))
    return out + [""]


def _notes(m: dict, absent: dict, checks: list[rf.CheckResult]) -> list[L]:
    """What a run's own figures say of the guard and the consumers, sentence by sentence."""
    out = []
    check_failed = any(c.metric == "backlog_at_end" and not c.passed for c in checks)
    fails = (L(": the backlog check fails.", ": backlog 검사는 실패한다.") if check_failed else L(".", "."))
    if m.get("config_drift.min-replicas-to-write"):
        old, _, new = m["config_drift.min-replicas-to-write"].partition(" -> ")
        out.append(L(f"The master after healing runs min-replicas-to-write {new} where the master before the fault ran "
                     f"{old}: the split-brain guard did not survive the failover.",
                     f"장애 뒤 master의 min-replicas-to-write는 {new}(이)다(장애 전 master는 {old}): split-brain "
                     "방지 설정이 failover를 넘어오지 못했다."))
    stopped, backlog = m.get("readers_stopped"), m.get("backlog_at_end")
    resumed = m.get("consumption_resumed_s")
    if stopped:
        out.append(L(f"{num(stopped)} of the consumers' read loops ended on a read error and did not start again.",
                     f"consumer의 읽기 루프 {num(stopped)}개가 읽기 오류로 끝났고 다시 시작하지 않았다."))
    if resumed is not None and backlog == 0:
        out.append(L(f"The group delivered again {num(resumed)} s after the fault and nothing was left unread at the end"
                     + (": the read loops that never saw an error carried the group." if stopped else "."),
                     f"그룹은 장애 {num(resumed)}초 뒤 다시 전달했고 끝에 읽히지 않은 항목은 없었다"
                     + (": 오류를 겪지 않은 읽기 루프가 그룹을 이어받았다." if stopped else ".")))
    elif resumed is None and m.get("consumption_stopped_s") is not None:
        at = num(m["consumption_stopped_s"])
        out.append(_then(L(f"Consumption stopped: the group delivered nothing new from {at} s after the fault to the "
                           f"load's end while entries waited; {num(backlog)} were unread or pending at the end",
                           f"소비가 멈췄다: 그룹은 장애 {at}초 뒤부터 부하가 끝날 때까지, 읽을 항목이 있는데도 새 항목을 "
                           f"전달하지 않았다. 끝에 {num(backlog)}개가 읽히지 않았거나 pending이었다"), fails))
    elif backlog:
        out.append(_then(L(f"{num(backlog)} entries were still unread or pending at the end",
                           f"끝에 {num(backlog)}개 항목이 아직 읽히지 않았거나 pending이었다"), fails))
    if m.get("drain_per_s") is not None and m.get("drain_s") is not None:
        out.append(L(f"After the heal the group drained in {num(m['drain_s'])} s, reading {num(m['drain_per_s'])} "
                     "entries/s.",
                     f"복구 뒤 그룹은 {num(m['drain_s'])}초 만에 밀린 항목을 비웠다(초당 {num(m['drain_per_s'])}개 읽음)."))
    if m.get("acked_not_in_mysql_or_stream"):
        out.append(L(f"{num(m['acked_not_in_mysql_or_stream'])} acknowledged bids are neither in MySQL nor in the stream.",
                     f"ACK된 입찰 {num(m['acked_not_in_mysql_or_stream'])}건이 MySQL에도 stream에도 없다."))
    return out


def _then(first: L, rest: L) -> L:
    return L(first.en + rest.en, first.ko + rest.ko)
