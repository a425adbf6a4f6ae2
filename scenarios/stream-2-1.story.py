"""stream-2-1: its story in the results document, told beside its scenario (stream-2-1.yaml)."""
from __future__ import annotations

from analysis.stories import Answer, Story
from bilingual import L

STORY = Story(
    "Pending 메시지 재처리 (XCLAIM) — 주인 잃은 메시지를 손으로 claim(XAUTOCLAIM)",
    "consumer 두 대. consumer-1은 MySQL commit과 XACK 사이에 2초를 기다려 늘 읽고 XACK하지 않은 메시지를 쥐고 있다. 15초에 "
    "consumer-1을 kill하고, 25초에 하네스가 계획의 `XAUTOCLAIM bid-stream bid-group consumer-2 5000 0-0`을 실행한다. 소유권이 "
    "consumer-2로 넘어가고(전후 pending 목록을 기록), consumer-2가 처리하고 XACK한다. 자동 claim은 꺼 두었다.",
    "일정 시간 후 다른 Consumer가 orphan 메시지 처리 가능",
    "# 4. Pending 메시지 확인\nredis-cli XPENDING bid-stream bid-group\n\n# 5. Consumer2가 오래된 pending 메시지 가져오기\n"
    "redis-cli XAUTOCLAIM bid-stream bid-group consumer2 60000 0-0\n\n# 6. Consumer2가 처리 후 XACK\n"
    "redis-cli XACK bid-stream bid-group <message-id>",
    happened=(
        lambda F: L(f"XAUTOCLAIM handed the dead consumer's messages to consumer-2 (claimed: {F('claim.claimed')}); "
                    f"consumer-1's pending count was {F('claim.before.consumer-1')} before the call and "
                    f"{F('claim.after.consumer-1')} after.",
                    f"XAUTOCLAIM이 메시지 {F('claim.claimed')}건을 consumer-2로 옮겼다. consumer-1의 pending은 claim 전 "
                    f"{F('claim.before.consumer-1')}건, 후 {F('claim.after.consumer-1')}건이었다."),
    ),
    why=(lambda F: L("XAUTOCLAIM transfers the ownership of entries idle longer than min-idle-time; the new owner "
                     "processes and acknowledges them like its own, and the dead consumer's pending list empties.",
                     "XAUTOCLAIM은 min-idle-time보다 오래 방치된 항목의 소유권을 넘긴다. 새 주인은 그것을 자기 메시지처럼 "
                     "처리하고 XACK하며, 죽은 consumer의 pending 목록은 비워진다."),),
    learned=lambda F: L(f"One XAUTOCLAIM call hands a dead consumer's messages over ({F('claim.claimed')} here) and they "
                        "are processed.",
                        f"XAUTOCLAIM 한 번으로 죽은 consumer의 메시지가 넘어가고(이번에는 {F('claim.claimed')}건) 처리된다."),
    chapter="stream",
    answers=(
        Answer("dead_consumer", (
            lambda F: L(f"stream-2-1: one XAUTOCLAIM moved {F('claim.claimed')}; the dead consumer held "
                        f"{F('claim.after.consumer-1')} afterwards.",
                        f"stream-2-1: XAUTOCLAIM 한 번으로 {F('claim.claimed')}건이 옮겨졌고, 이후 죽은 consumer의 "
                        f"pending은 {F('claim.after.consumer-1')}건이었다."),
        )),
    ),
)
