"""durability: its story in the results document, told beside its scenario (durability.yaml)."""
from __future__ import annotations

from analysis.results_words import lost
from analysis.stories import Story
from bilingual import L

STORY = Story(
    "master 파티션에서 ACK된 입찰 (내구성 모드 async, `make durability` 참조)",
    "내구성 비교의 기본 시나리오다(`make durability`가 모드 × 장애별로 돌린다). master를 replica와 Sentinel로부터 20초 동안 "
    "끊고, 클라이언트는 여전히 닿는다. 모드(FAIRBID_DURABILITY): async는 master가 응답하면 바로 ACK, guard는 master에 "
    "min-replicas-to-write 1 / max-lag 10, wait는 WAIT 1 500으로 replica가 입찰을 받았음을 확인한 뒤에만 ACK한다.",
    "wait 모드만 ACK된 입찰을 잃지 않는다 (계획 밖)",
    "",
    closest="docker network disconnect fairbid_network redis-master",
    happened=(lambda F: L(f"Mode {F.env('FAIRBID_DURABILITY')}: {F('lost_acked_during')} of the writes acknowledged "
                          "during the partition were lost.",
                          f"{F.env('FAIRBID_DURABILITY')} 모드: 파티션 중에 ACK된 쓰기 가운데 {F('lost_acked_during')}건이 "
                          "사라졌다."),),
    why=(lambda F: L("In async mode an acknowledgement means only that the master has the bid; a master that is then "
                     "replaced takes those bids with it.",
                     "async 모드에서 ACK는 master가 입찰을 받았다는 뜻일 뿐이다. 그 master가 교체되면 그 입찰도 함께 "
                     "사라진다."),),
    learned=lambda F: L(f"In async mode a partition costs acknowledged bids ({lost(F)} here).",
                        f"async 모드에서는 파티션이 ACK된 입찰을 앗아 간다(이번에는 {lost(F)})."),
    chapter="durability",
)
