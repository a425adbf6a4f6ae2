"""gray-3: its story in the results document, told beside its scenario (gray-3.yaml)."""
from __future__ import annotations

from analysis.results_words import lost
from analysis.stories import Story, loss_after_heal
from bilingual import L

STORY = Story(
    "끊겼다 붙었다 하는 master 링크 (4초마다 2초 차단, 32초), down-after 1000 ms",
    "master의 네트워크가 2초 끊기고 2초 붙기를 여덟 번 한다. 차단 한 번 한 번이 down-after-milliseconds(1000 ms)보다 길어서, "
    "Sentinel은 한 차단에서 failover를 시작하고 다음 순간 구 master가 돌아온 것을 볼 수 있다. failover 횟수를 세고, "
    "복구 뒤 ACK된 쓰기를 모두 찾아보며, 스택이 master 하나와 연결된 replica들로 안정되어야 한다.",
    "Sentinel은 차단마다 많아야 한 번 failover하고, 마지막 차단 뒤 구 master는 강등되며 모든 Sentinel이 master 하나에 "
    "합의한다 (이 프로젝트의 가설, 계획 밖)",
    "",
    closest="docker network disconnect fairbid_network redis-master",
    happened=(lambda F: L(f"Over the flap's cuts Sentinel failed over {F('flapping.failovers')} times; "
                          f"{F('lost_acked_writes')} acknowledged writes were lost; the stack "
                          f"{'settled' if F.v('settled_after_heal') else 'did not settle'} after the heal.",
                          f"flap의 차단 동안 Sentinel은 {F('flapping.failovers')}번 failover했고, ACK된 쓰기 "
                          f"{F('lost_acked_writes')}건이 사라졌으며, 복구 뒤 스택은 "
                          f"{'안정되었다' if F.v('settled_after_heal') else '안정되지 않았다'}."),
              lambda F: loss_after_heal(F, "flapping")),
    why=(lambda F: L("A cut is detected after down-after of silence plus the time to agree (about 2 s at 1000 ms on "
                     "these machines), so a 2 s cut sits on that edge. Once one cut has led to a failover, Sentinel "
                     "holds the old master for a replica to convert: a cut of it starts no second failover, and the "
                     "conversion waits until the node has answered for a while, which a flap does not allow (see "
                     "+convert-to-slave on the "
                     "timeline). Until then the old master takes the writes of the clients still on it.",
                     "차단은 down-after만큼의 침묵과 합의 시간이 지나야 감지되므로(이 머신에서 1000 ms일 때 약 2초) "
                     "2초 차단은 그 경계에 있다. 한 차단이 failover로 이어지면 Sentinel은 구 master를 전환할 replica로 "
                     "본다. 그 노드를 끊어도 두 번째 failover는 시작되지 않고, 전환은 노드가 한동안 응답한 뒤에야 "
                     "일어나는데 flap은 그럴 틈을 주지 않는다(타임라인의 +convert-to-slave 참조). "
                     "그때까지 구 master는 아직 그에게 붙어 있는 "
                     "클라이언트의 쓰기를 받는다."),),
    learned=lambda F: L(f"A flapping master link cost {F('flapping.failovers')} failovers and {lost(F)} acknowledged "
                        "writes.",
                        f"끊겼다 붙었다 하는 master 링크의 비용은 failover {F('flapping.failovers')}회와 ACK된 쓰기 유실 "
                        f"{lost(F)}(이)었다."),
    chapter="gray",
)
