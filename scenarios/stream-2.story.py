"""stream-2: its story in the results document, told beside its scenario (stream-2.yaml)."""
from __future__ import annotations

from analysis.stories import Answer, Story
from bilingual import L

STORY = Story(
    "Consumer Group 구성 — consumer 두 대 중 하나를 kill",
    "bid-group에 consumer 두 대. 부하 15초 뒤 consumer-1을 SIGKILL하고 그대로 둔다. 다른 consumer가 계속 소비하므로 그룹의 "
    "lag는 작게 유지되지만, consumer-1이 읽고 XACK하지 않은 메시지는 그 이름으로 pending에 남는다(consumer별 XPENDING). "
    "여기서는 orphan을 보여 주려고 자동 claim을 꺼 두었다(idle 기준 10분).",
    "다른 Consumer가 처리",
    "# Consumer 2개 실행\njava -jar app.jar --consumer.id=1 &\njava -jar app.jar --consumer.id=2 &\n\n# 하나 종료\n"
    "kill -9 <consumer-1-pid>\n\n# 메시지 처리 확인\nredis-cli XPENDING bid-stream bid-group",
    happened=(
        lambda F: L(f"consumer-2 kept the group's lag at {F('max_group_lag')} entries at most, while the dead "
                    f"consumer-1 kept {F.c('xpending.by_consumer.consumer-1', 'message')} pending under its name "
                    f"(at most {F('orphaned_max')}).",
                    f"consumer-2가 그룹의 lag를 최대 {F('max_group_lag')}건으로 유지하는 동안, 죽은 consumer-1 이름으로 "
                    f"메시지 {F('xpending.by_consumer.consumer-1')}건이 pending에 남았다(최대 {F('orphaned_max')}건)."),
    ),
    why=(lambda F: L("A consumer group shares new entries among the consumers that read, but an entry read and not "
                     "acknowledged belongs to its reader until someone claims it; automatic claiming was off here.",
                     "Consumer Group은 새 항목을 읽는 consumer들에게 나눠 주지만, 읽고 XACK하지 않은 항목은 누군가 claim할 "
                     "때까지 읽은 consumer의 것으로 남는다. 여기서는 자동 claim을 꺼 두었다."),),
    learned=lambda F: L(f"The group survives a dead consumer for new messages, not for the ones it held: "
                        f"{F('xpending.by_consumer.consumer-1')} stayed stranded.",
                        f"그룹은 새 메시지에 대해서는 consumer 하나가 죽어도 버티지만, 죽은 consumer가 쥔 메시지는 아니다. "
                        f"{F('xpending.by_consumer.consumer-1')}건이 방치되었다."),
    chapter="stream",
    answers=(
        Answer("dead_consumer", (
            lambda F: L(f"stream-2: {F('xpending.by_consumer.consumer-1')} messages stranded while claiming was off.",
                        f"stream-2: claim을 꺼 두자 메시지 {F('xpending.by_consumer.consumer-1')}건이 방치되었다."),
        )),
    ),
)
