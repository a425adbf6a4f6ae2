"""redis-4-2: its story in the results document, told beside its scenario (redis-4-2.yaml)."""
from __future__ import annotations

from analysis.results_words import Fig, Missing
from analysis.stories import Answer, Story, acked_on, partition_happened, partition_loss
from bilingual import L, num


def _diff(F: Fig, a: str, b: str) -> str:
    if not F.has(a, b):
        raise Missing(a if F.v(a) is None else b)
    return num(round(F.v(a) - F.v(b), 3)) + " s"


STORY = Story(
    "네트워크 파티션 장애 — master 파티션(프로세스는 살아 있음)과 kill 비교, guard 없음",
    "먼저 master를 kill하고(15초 뒤 재시작), 안정된 뒤 새 master를 replica와 Sentinel로부터 20초 동안 끊는다. 클라이언트는 "
    "여전히 그 master에 닿는다(프로세스는 살아 있다. Redis 네트워크에서만 docker network disconnect한 것과 같다). 한 실행 "
    "안에서 두 장애의 감지와 failover 시간을 잰다. guard가 없으면 고립된 master는 계속 쓰기에 ACK를 보내고, 그 쓰기는 "
    "replica로 돌아갈 때 사라진다.",
    "docker kill보다 감지 시간 더 걸림 (타임아웃 대기)",
    "# Master 네트워크만 끊기 (프로세스는 살아있음)\ndocker network disconnect fairbid_network redis-master\n\n"
    "# Sentinel 로그 확인 (sdown → odown → failover)\ndocker logs -f sentinel-1\n\n# 새 Master 확인\n"
    "redis-cli -p 26379 SENTINEL get-master-addr-by-name mymaster\n\n# 네트워크 복구\n"
    "docker network connect fairbid_network redis-master",
    happened=(partition_happened, partition_loss),
    why=(lambda F: L(f"Both are detected after down-after-milliseconds ({num(F.sentinel.get('down_after_ms'))} ms) of "
                     f"silence; the partition took {_diff(F, 'partition.detect_s', 'kill.detect_s')} longer to detect and "
                     f"{_diff(F, 'partition.failover_s', 'kill.failover_s')} longer to fail over here. The clients still "
                     "reached the isolated master and it went on acknowledging writes: when it rejoined as a replica of "
                     "the new master, its own writes were discarded. That is split brain without the guard.",
                     f"둘 다 down-after-milliseconds({num(F.sentinel.get('down_after_ms'))} ms) 동안 응답이 없어야 감지된다. "
                     f"이번 실행에서 파티션은 kill보다 감지가 {_diff(F, 'partition.detect_s', 'kill.detect_s')}, failover가 "
                     f"{_diff(F, 'partition.failover_s', 'kill.failover_s')} 더 걸렸다. 클라이언트는 고립된 master에 계속 "
                     "닿았고 master는 계속 쓰기에 ACK를 보냈다. 새 master의 replica로 돌아갈 때 그 쓰기는 버려졌다. "
                     "guard 없는 split brain이다."),),
    learned=lambda F: L(f"A partition is detected {_diff(F, 'partition.detect_s', 'kill.detect_s')} later than a kill; "
                        f"worse, the isolated master acknowledged {F('partition.lost_acked_during')} writes that the "
                        "failover erased.",
                        f"파티션은 kill보다 {_diff(F, 'partition.detect_s', 'kill.detect_s')} 늦게 감지된다. 더 큰 문제는 "
                        f"고립된 master가 ACK한 쓰기 {F('partition.lost_acked_during')}건을 failover가 지워 버린다는 "
                        "것이다."),
    drop=("sentinel",),
    chapter="sentinel",
    answers=(
        Answer("sentinel", (
            lambda F: L(f"After a partition instead of a kill (redis-4-2): +switch-master at "
                        f"{F('partition.failover_s')} against {F('kill.failover_s')} for the kill.",
                        f"kill 대신 파티션이면(redis-4-2): +switch-master까지 kill은 {F('kill.failover_s')}, "
                        f"파티션은 {F('partition.failover_s')}(이)었다."),
        )),
        Answer("cluster", (
            lambda F: L(f"Partition, Sentinel (redis-4-2): +sdown at {F('partition.detect_s')}, +odown at "
                        f"{F('partition.odown_s')}, +switch-master at {F('partition.failover_s')}. The isolated master "
                        f"acknowledged {F('partition.lost_acked_during')} writes that were lost, the last "
                        f"{F('partition.loss_after_fault_s')} after the cut began (bids acknowledged {acked_on(F).en}).",
                        f"파티션, Sentinel(redis-4-2): +sdown {F('partition.detect_s')}, +odown {F('partition.odown_s')}, "
                        f"+switch-master {F('partition.failover_s')}. 고립된 master는 쓰기 "
                        f"{F('partition.lost_acked_during')}건에 ACK를 보냈고 그 쓰기는 사라졌다. 마지막 것은 차단 시작 "
                        f"{F('partition.loss_after_fault_s')} 뒤에 ACK되었다(입찰은 {acked_on(F).ko} ACK)."),
        ), rank=3),
        Answer("split_brain", (
            lambda F: L(f"Without it (redis-4-2), a partitioned master acknowledged "
                        f"{F('partition.lost_acked_during')} writes that were lost.",
                        f"guard가 없으면(redis-4-2) 파티션된 master가 ACK한 쓰기 "
                        f"{F('partition.lost_acked_during')}건이 사라졌다."),
        )),
    ),
)
