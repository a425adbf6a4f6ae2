"""durability-latency: its story in the results document, told beside its scenario (durability-latency.yaml)."""
from __future__ import annotations

from analysis.stories import Story
from bilingual import L

STORY = Story(
    "WAIT 후 ACK하는 비용, async와 나란히",
    "한 스택의 API 두 대에 같은 부하를 주고 장애는 없다. `api`는 master가 응답하면 바로(async), `api-2`는 WAIT 1 500으로 "
    "replica가 입찰을 받았음을 확인한 뒤에만(wait) ACK한다. 두 입찰자가 동시에 돌기 때문에 p50/p99의 차이는 다른 순간이 아니라 "
    "이 머신에서 wait 모드의 값이다.",
    "wait는 입찰마다 복제 왕복 한 번의 비용이 든다 (계획 밖)",
    "",
    closest="redis-cli WAIT 1 500",
    happened=(lambda F: L(f"async: p50 {F('async.p50_ms')}, p99 {F('async.p99_ms')} over {F('async.requests')} requests; "
                          f"wait: p50 {F('wait.p50_ms')}, p99 {F('wait.p99_ms')} over {F('wait.requests')} requests.",
                          f"async: 요청 {F('async.requests')}건에 p50 {F('async.p50_ms')}, p99 {F('async.p99_ms')}. "
                          f"wait: 요청 {F('wait.requests')}건에 p50 {F('wait.p50_ms')}, p99 {F('wait.p99_ms')}."),),
    why=(lambda F: L("WAIT blocks the reply until a replica acknowledged the write's offset: one replication round trip "
                     "per bid, small on one machine.",
                     "WAIT는 replica가 그 쓰기의 offset까지 받았다고 알릴 때까지 응답을 붙잡는다. 입찰마다 복제 왕복 한 번이며, "
                     "한 머신 안에서는 작다."),),
    learned=lambda F: L(f"Waiting for a replica cost p50 {F('async.p50_ms')} -> {F('wait.p50_ms')} here.",
                        f"replica를 기다리는 비용: 이번 실행에서 p50이 {F('async.p50_ms')}에서 {F('wait.p50_ms')}(으)로 늘었다."),
    chapter="durability",
)
