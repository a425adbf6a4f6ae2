"""stream-1: its story in the results document, told beside its scenario (stream-1.yaml)."""
from __future__ import annotations

from analysis.stories import Story
from bilingual import L

STORY = Story(
    "현재 상태 확인 — 단일 consumer를 부하 중에 kill한 뒤 재시작",
    "consumer는 하나다. 부하 시작 15초 뒤 bid stream을 소비하는 프로세스를 SIGKILL하고 20초 뒤 다시 시작한다. 입찰은 계속 "
    "접수되므로 consumer가 없는 동안 XLEN과 그룹의 lag가 늘어나고, 재시작하면 적체를 처리한다. ACK된 입찰은 모두 MySQL에 "
    "정확히 한 번 있어야 한다.",
    "메시지 쌓임, 재시작 후 처리",
    "# Consumer 강제 종료\ndocker kill fairbid-app\n\n# Stream 길이 확인\nredis-cli XLEN bid-stream",
    happened=(
        lambda F: L(f"While the consumer was down, the group's lag grew to {F('max_group_lag')} entries; after the restart "
                    f"it drained in {F('drain_s')}. Bids were still accepted (error rate {F('error_rate')}).",
                    f"consumer가 없는 동안 그룹의 lag는 {F('max_group_lag')}건까지 늘었고, 재시작 후 {F('drain_s')} 만에 "
                    f"해소되었다. 입찰은 계속 접수되었다(에러율 {F('error_rate')})."),
    ),
    why=(lambda F: L("The API only appends to the stream; the consumer alone moves bids into MySQL. While it is down the "
                     "stream is a buffer, and the group remembers where it stopped.",
                     "API는 stream에 추가만 하고, 입찰을 MySQL로 옮기는 것은 consumer뿐이다. consumer가 없는 동안 stream은 "
                     "버퍼가 되고, 그룹은 어디까지 읽었는지 기억한다."),),
    learned=lambda F: L(f"A single consumer is a single point of failure for persistence, not for bidding: the backlog "
                        f"({F('max_group_lag')}) waits in the stream and drains in {F('drain_s')}.",
                        f"단일 consumer는 입찰이 아니라 영속화의 SPOF다. 적체({F('max_group_lag')}건)는 stream에서 기다리다 "
                        f"{F('drain_s')} 만에 해소된다."),
    chapter="stream",
)
