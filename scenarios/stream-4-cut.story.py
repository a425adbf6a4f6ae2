"""stream-4-cut: its story in the results document, told beside its scenario (stream-4-cut.yaml)."""
from __future__ import annotations

from analysis.stories import Story, group_happened, loss_after_heal
from bilingual import L

STORY = Story(
    "Redis master 파티션을 거치는 Consumer Group (클라이언트는 여전히 닿음)",
    "stream-4와 같지만 master를 replica와 Sentinel로부터 20초 동안 끊는다. API와 consumer는 여전히 그 master에 닿아, Sentinel이 "
    "replica를 승격하고 구 master가 그 replica로 돌아와 혼자 받은 것을 지울 때까지 고립된 master에서 쓰고 읽고 ACK한다. "
    "그 뒤 stream을 ACK된 입찰과 대조한다. 고립된 master가 ACK한 입찰 중 무엇이 지워지기 전에 consumer를 거쳐 MySQL에 "
    "닿았고, 무엇이 양쪽 모두에서 사라졌는가.",
    "(계획 밖, 이 프로젝트의 가설) 파티션과 failover를 거쳐도 Redis와 MySQL 사이에서 입찰이 사라지지 않는다",
    "",
    closest="docker network disconnect fairbid_network redis-master\nredis-cli XPENDING bid-stream bid-group",
    happened=(lambda F: L(f"The isolated master acknowledged {F('partition.lost_acked_during')} writes that Redis lost "
                          "when it rejoined.",
                          f"고립된 master가 ACK한 쓰기 가운데 {F('partition.lost_acked_during')}건은 그 master가 "
                          "replica로 돌아올 때 Redis에서 사라졌다."),
              group_happened, lambda F: loss_after_heal(F, "partition")),
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
                        f"ACK된 입찰 {F('acked_not_in_mysql_or_stream')}건이 "
                        "MySQL에도 stream에도 없었다."
                        if F.v("acked_not_in_mysql_or_stream") else
                        "이번에는 consumer가 지워지기 전에 고립된 master의 입찰을 모두 저장했다. 얼마나 구해 내는지는 실행마다 "
                        "다르다."),
    chapter="stream",
)
