"""redis-4: its story in the results document, told beside its scenario (redis-4.yaml)."""
from __future__ import annotations

from analysis.results_words import Fig, errors_vs_switch, lost
from analysis.stories import Answer, Story, acked_on
from bilingual import L, num


def _sentinel_timing(F: Fig, prefix: str = "") -> L:
    da = F.sentinel.get("down_after_ms")
    extra = num(round(F.v(prefix + "failover_s") - da / 1000, 3)) + " s" if da and F.has(prefix + "failover_s") else None
    tail = (L(f" The {extra} beyond down-after-milliseconds were the vote (quorum {F.sentinel.get('quorum')}), the "
              "leader election and the promotion.",
              f" down-after-milliseconds를 넘긴 {extra}은(는) 투표(quorum {F.sentinel.get('quorum')}), 리더 선출, 승격에 "
              "쓰였다.") if extra else L("", ""))
    return L(f"Sentinel waits down-after-milliseconds ({num(da)} ms) of silence before +sdown, then needs a quorum "
             "for +odown." + tail.en,
             f"Sentinel은 down-after-milliseconds({num(da)} ms) 동안 응답이 없어야 +sdown을 내리고, quorum이 모여야 "
             "+odown이 된다." + tail.ko)


def _configuration(F: Fig) -> L:
    s = F.sentinel
    return L(f"Configuration as run ({F.s.run_id}): {F.stack.get('sentinels')} Sentinels, quorum "
             f"{s.get('quorum')}, down-after-milliseconds {num(s.get('down_after_ms'))} ms, failover-timeout "
             f"{num(s.get('failover_timeout_ms'))} ms.",
             f"실행한 구성({F.s.run_id}): Sentinel {F.stack.get('sentinels')}대, quorum {s.get('quorum')}, "
             f"down-after-milliseconds {num(s.get('down_after_ms'))} ms, failover-timeout "
             f"{num(s.get('failover_timeout_ms'))} ms.")


def _chapter_note(F: Fig) -> list[L]:
    if not F.has("failover_s", "error_window_s"):
        return []
    return [L(f"Measured (redis-4): Sentinel promoted a replica {F('failover_s')} after the kill, with no hand step; "
              f"clients saw errors for {F('error_window_s')}.",
              f"측정 결과(redis-4): Sentinel은 kill 후 {F('failover_s')} 만에 사람 손 없이 replica를 승격했고, "
              f"클라이언트는 {F('error_window_s')} 동안 에러를 보았다.")]


STORY = Story(
    "Sentinel 구성 — 부하 중 master kill과 자동 failover",
    "master 1대, replica 2대, Sentinel 3대(quorum 2). 부하 중에 master를 SIGKILL(docker kill)한다. Sentinel이 이를 감지하고 "
    "합의해 replica를 승격한다. 구 master는 테스트가 끝날 때 다시 시작되어 replica로 합류해야 한다.",
    "5-10초 내 자동 failover",
    "# Master 강제 종료\ndocker kill redis-master\n\n# Sentinel 로그 확인\ndocker logs sentinel-1\n\n# 새 Master 확인\n"
    "redis-cli -p 26379 SENTINEL get-master-addr-by-name mymaster",
    why=(_sentinel_timing,),
    learned=lambda F: L(f"Sentinel replaced the killed master in {F('failover_s')} with no hand step, and {lost(F)} "
                        "acknowledged writes were lost.",
                        f"Sentinel은 죽은 master를 사람 손 없이 {F('failover_s')} 만에 교체했고, ACK된 쓰기 유실은 "
                        f"{lost(F)}(이)었다."),
    chapter="sentinel",
    chapter_note=_chapter_note,
    answers=(
        Answer("sentinel", (
            _configuration,
            lambda F: L(f"Failover time: after a kill, +sdown at {F('detect_s')}, +odown at {F('odown_s')}, "
                        f"+switch-master at {F('failover_s')}.",
                        f"failover 시간: kill 후 +sdown {F('detect_s')}, +odown {F('odown_s')}, +switch-master "
                        f"{F('failover_s')}."),
        )),
        Answer("during", (
            lambda F: L(f"They fail for a short while: in redis-4 clients saw errors for {F('error_window_s')} "
                        f"around a failover of {F('failover_s')} ({F('failed_requests')} of "
                        f"{F('total_requests')} requests failed), then recovered by themselves.",
                        f"잠깐 실패한다. redis-4에서 클라이언트는 {F('failover_s')} 걸린 failover 동안 "
                        f"{F('error_window_s')} 동안 에러를 보았고(요청 {F('total_requests')}건 중 "
                        f"{F('failed_requests')}건 실패), 그 뒤 스스로 회복했다."),
            errors_vs_switch,
        )),
        Answer("cluster", (
            lambda F: L(f"Kill, Sentinel (redis-4): +sdown at {F('detect_s')}, +odown at {F('odown_s')}, "
                        f"+switch-master at {F('failover_s')}; clients saw errors for {F('error_window_s')}; {lost(F)} "
                        f"acknowledged writes lost (bids acknowledged {acked_on(F).en}). One master carried the whole "
                        f"load, {F('requests_per_s')} requests/s with p99 {F('p99_ms')}.",
                        f"kill, Sentinel(redis-4): +sdown {F('detect_s')}, +odown {F('odown_s')}, +switch-master "
                        f"{F('failover_s')}. 클라이언트 에러 구간 {F('error_window_s')}, ACK된 쓰기 유실 {lost(F)}(입찰은 "
                        f"{acked_on(F).ko} ACK). master 한 대가 부하 전체, 초당 {F('requests_per_s')}건을 p99 "
                        f"{F('p99_ms')}로 처리했다."),
        ), rank=1),
    ),
)
