"""stream-2-2: its story in the results document, told beside its scenario (stream-2-2.yaml)."""
from __future__ import annotations

from analysis.results_words import lost
from analysis.stories import Answer, Story
from bilingual import L

STORY = Story(
    "자동 Claim 로직 구현 — consumer 안의 주기적 orphan claim과 poison 메시지",
    "consumer 두 대가 앱 자체의 주기적 claim을 돌린다(계획은 30초마다 60초 이상 idle, 여기서는 5초마다 10초 이상 idle). "
    "consumer-1은 XACK하지 않은 메시지를 쥔 채(commit과 XACK 사이 2초) 15초에 kill된다. consumer-2의 예약된 XAUTOCLAIM이 혼자 "
    "그것을 가져가고, kill부터 회수까지의 시간을 잰다. 20초에 넣은 poison 항목은 3번까지 전달된 뒤 막힘 없이 dead-letter "
    "stream으로 옮겨진다.",
    "Consumer 장애 시에도 메시지 유실 없음",
    "# Consumer1 강제 종료 (XACK 전)\nkill -9 <consumer1-pid>\n\n# 30초 대기\n\n# Consumer2 로그 확인 (claim 발생하는지)",
    happened=(
        lambda F: L(f"consumer-1 died holding up to {F.c('orphaned_max', 'unacknowledged message')}; consumer-2's scheduled "
                    f"claim (every {F.env('FAIRBID_CLAIM_INTERVAL_S')} s, idle over {F.env('FAIRBID_CLAIM_IDLE_MS')} ms) "
                    f"took them {F('reclaim_s')} after the kill.",
                    f"consumer-1은 XACK하지 않은 메시지를 최대 {F('orphaned_max')}건 쥔 채 죽었다. consumer-2의 예약 claim"
                    f"({F.env('FAIRBID_CLAIM_INTERVAL_S')} s마다, {F.env('FAIRBID_CLAIM_IDLE_MS')} ms 이상 idle)이 kill 후 "
                    f"{F('reclaim_s')} 만에 그것을 가져갔다."),
        lambda F: L(f"The poison entry went to the dead-letter stream after {F.env('FAIRBID_MAX_DELIVERIES')} deliveries "
                    f"(dead letters: {F('dead_letters')}).",
                    f"poison 항목은 {F.env('FAIRBID_MAX_DELIVERIES')}번 전달된 뒤 dead-letter stream으로 옮겨졌다"
                    f"(dead letter {F('dead_letters')}건)."),
    ),
    why=(lambda F: L("The claim loop is the plan's scheduled autoClaim: the reclaim time is bounded by the idle threshold "
                     "plus the claim interval. A message that fails on every delivery would otherwise be claimed forever; "
                     "the delivery count from XPENDING moves it aside.",
                     "claim 루프는 계획의 @Scheduled autoClaim 그대로다. 회수 시간의 상한은 idle 기준에 claim 주기를 더한 "
                     "값이다. 매번 실패하는 메시지는 그대로 두면 끝없이 claim되므로, XPENDING의 전달 횟수로 따로 옮긴다."),),
    learned=lambda F: L(f"The app's own claim loop rescues a dead consumer's messages in {F('reclaim_s')} with nobody "
                        f"watching ({lost(F)} lost).",
                        f"앱의 claim 루프는 아무도 보지 않아도 죽은 consumer의 메시지를 {F('reclaim_s')} 만에 구해 낸다"
                        f"(유실 {lost(F)})."),
    chapter="stream",
    answers=(
        Answer("dead_consumer", (
            lambda F: L(f"stream-2-2: the app's scheduled claim took them {F('reclaim_s')} after the kill; "
                        f"{lost(F)} lost, {F('dead_letters')} poison message dead-lettered.",
                        f"stream-2-2: 앱의 예약 claim이 kill 후 {F('reclaim_s')} 만에 가져갔다. 유실 {lost(F)}, "
                        f"poison 메시지 {F('dead_letters')}건은 dead letter로 옮겨졌다."),
        )),
    ),
)
