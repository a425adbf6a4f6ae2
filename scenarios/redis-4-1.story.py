"""redis-4-1: its story in the results document, told beside its scenario (redis-4-1.yaml)."""
from __future__ import annotations

from analysis.results_words import lost
from analysis.stories import Answer, Story
from bilingual import L

STORY = Story(
    "Split Brain 방지 — min-replicas-to-write, master를 replica들로부터 차단",
    "min-replicas-to-write 1, min-replicas-max-lag 10. master를 두 replica로부터 25초 동안 끊는다(프로세스는 살아 있고 "
    "Sentinel과 클라이언트는 여전히 닿는다). Sentinel에게는 master가 보이므로 failover는 없다. master는 차단 후 약 max-lag초 "
    "뒤부터 쓰기를 거부(NOREPLICAS)하고, 복구 후 다시 받아야 한다.",
    "Master가 고립되면 쓰기 거부 → Split Brain 방지",
    "# redis.conf (Master)\nmin-replicas-to-write 1\nmin-replicas-max-lag 10\n\n# Master와 Slave 사이 네트워크 끊기\n"
    "docker network disconnect fairbid_network redis-slave-1\ndocker network disconnect fairbid_network redis-slave-2\n\n"
    "# Master에 쓰기 시도\nredis-cli -p 6379 SET test \"hello\"",
    happened=(
        lambda F: L(f"The master answered NOREPLICAS from {F('noreplicas_after_s')} after it lost both replicas "
                    f"(min-replicas-max-lag {F.conf('min-replicas-max-lag')}).",
                    f"master는 두 replica를 잃고 {F('noreplicas_after_s')} 뒤부터 NOREPLICAS로 쓰기를 거부했다"
                    f"(min-replicas-max-lag {F.conf('min-replicas-max-lag')})."),
        lambda F: L(f"Sentinel did not fail over ({F.c('failovers', 'failover')}); writes succeeded again "
                    f"{F('recovery_after_heal_s')} after the cut was healed.",
                    f"Sentinel은 failover하지 않았고(failover {F('failovers')}회), 차단을 풀자 "
                    f"{F('recovery_after_heal_s')} 만에 쓰기가 다시 성공했다."),
    ),
    why=(lambda F: L(f"With min-replicas-to-write {F.conf('min-replicas-to-write')} the master counts the replicas that "
                     "acknowledged within max-lag seconds; when both stop answering, the count falls to zero after about "
                     "max-lag and it refuses writes. The Sentinels still reached it, so nothing failed over and the "
                     "refused writes were refused, not lost.",
                     f"min-replicas-to-write {F.conf('min-replicas-to-write')}(이)면 master는 max-lag초 안에 응답한 replica "
                     "수를 센다. 두 replica가 모두 응답하지 않으면 약 max-lag초 뒤 그 수가 0이 되고 쓰기를 거부한다. "
                     "Sentinel은 여전히 master에 닿았으므로 failover는 없었고, 거부된 쓰기는 잃은 것이 아니라 거절된 것이다."),),
    learned=lambda F: L(f"The guard turns an isolated master read-only {F('noreplicas_after_s')} after it loses its "
                        f"replicas: writes are refused, not lost ({lost(F)}).",
                        f"guard는 replica를 잃은 master를 {F('noreplicas_after_s')} 뒤 쓰기 거부 상태로 만든다. 쓰기는 "
                        f"잃는 것이 아니라 거절된다(유실 {lost(F)})."),
    drop=("sentinel",),
    chapter="sentinel",
    answers=(
        Answer("split_brain", (
            lambda F: L(f"Measured (redis-4-1): NOREPLICAS {F('noreplicas_after_s')} after the master lost its "
                        f"replicas, {F.c('failovers', 'failover')}, {lost(F)} lost.",
                        f"측정(redis-4-1): master가 replica를 잃고 {F('noreplicas_after_s')} 뒤 NOREPLICAS, "
                        f"failover {F('failovers')}회, 유실 {lost(F)}."),
        )),
    ),
)
