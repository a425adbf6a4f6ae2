"""redis-4-2-guard: its story in the results document, told beside its scenario (redis-4-2-guard.yaml)."""
from __future__ import annotations

from analysis.stories import Answer, Story, partition_happened, partition_loss
from bilingual import L

STORY = Story(
    "네트워크 파티션 장애 — split-brain guard(min-replicas-to-write 1, max-lag 10)를 켠 master 파티션",
    "redis-4-2와 같은 kill과 파티션을 guard를 켠 상태로 반복한다. guard가 있으면 고립된 master는 차단 후 약 max-lag초 뒤 "
    "쓰기를 멈춰야 한다. 파티션 동안 ACK되고도 사라진 쓰기가 언제까지 생겼는지 잰다.",
    "guard가 고립된 master의 쓰기 ACK를 약 max-lag초로 제한 (계획 4-1과 4-2의 결합)",
    "# redis.conf (Master)\nmin-replicas-to-write 1\nmin-replicas-max-lag 10\n\n"
    "docker network disconnect fairbid_network redis-master",
    happened=(partition_happened, partition_loss),
    why=(lambda F: L(f"The guard does not prevent the split brain, it shortens it: the isolated master keeps acknowledging "
                     f"until max-lag ({F.conf('min-replicas-max-lag')} s) runs out, and what it acknowledged until then is "
                     "still erased when it rejoins.",
                     "guard는 split brain을 막지 않고 짧게 만든다. 고립된 master는 "
                     f"max-lag({F.conf('min-replicas-max-lag')} s)가 "
                     "다 될 때까지 쓰기에 ACK를 보내고, 그때까지 ACK한 쓰기는 replica로 돌아올 때 여전히 지워진다."),),
    learned=lambda F: L(f"The guard bounds the loss to the first {F('partition.loss_after_fault_s')} of the partition "
                        f"({F('partition.lost_acked_during')} writes); it does not remove it.",
                        f"guard는 유실을 파티션 시작 후 {F('partition.loss_after_fault_s')} 이내로 줄일 뿐"
                        f"(쓰기 {F('partition.lost_acked_during')}건) 없애지는 못한다."),
    drop=("sentinel",),
    chapter="sentinel",
    answers=(
        Answer("split_brain", (
            lambda F: L(f"With it under the same partition (redis-4-2-guard): {F('partition.lost_acked_during')} "
                        f"lost, the last acknowledged {F('partition.loss_after_fault_s')} into the cut: the "
                        "guard bounds split brain to about max-lag, it does not remove it.",
                        f"같은 파티션에서 guard를 켜면(redis-4-2-guard): 유실 {F('partition.lost_acked_during')}건, "
                        f"마지막 것은 차단 후 {F('partition.loss_after_fault_s')}에 ACK되었다. guard는 split brain을 "
                        "약 max-lag로 제한할 뿐 없애지는 못한다."),
        )),
    ),
)
