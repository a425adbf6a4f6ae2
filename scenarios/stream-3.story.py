"""stream-3: its story in the results document, told beside its scenario (stream-3.yaml)."""
from __future__ import annotations

from analysis.stories import Answer, Story
from bilingual import L

STORY = Story(
    "멱등성 처리 — commit과 XACK 사이에서 kill된 consumer",
    "consumer-1은 MySQL commit과 XACK 사이에 1초를 기다리고(그 틈을 맞히기 위한 테스트용 설정), 15초에 그 틈에서 SIGKILL된다. "
    "consumer-2가 메시지를 claim해(idle 5초) 다시 처리한다. 모든 입찰은 한 번만 저장되어야 한다. bid_id별 SELECT COUNT(*)가 "
    "모두 1이어야 하고, UNIQUE bid_id가 흡수한 재삽입 수는 consumer 로그에서 센다.",
    "중복 저장 방지",
    "# Consumer 처리 중 강제 종료 (XACK 전)\n# 재시작 후 같은 메시지 재처리 시도\n\n# RDB 중복 데이터 확인\n"
    "SELECT COUNT(*) FROM bid WHERE bid_id = 'xxx';",
    happened=(
        lambda F: L(f"consumer-1 was killed between its MySQL commit and its XACK with "
                    f"{F.c('before_claim.pending', 'message')} pending; consumer-2 claimed and processed them again. "
                    f"Re-inserts absorbed by the UNIQUE bid_id: {F('redelivered_duplicates')}; duplicate rows in MySQL: "
                    f"{F('duplicate_rows')}.",
                    f"consumer-1은 MySQL commit과 XACK 사이에서 pending 메시지 {F('before_claim.pending')}건을 남기고 "
                    f"kill되었다. consumer-2가 그것을 claim해 다시 처리했고, UNIQUE bid_id가 재삽입 "
                    f"{F('redelivered_duplicates')}건을 흡수해 MySQL의 중복 행은 {F('duplicate_rows')}건이다."),
    ),
    why=(lambda F: L("At-least-once delivery hands a committed but unacknowledged entry out again; the UNIQUE key makes "
                     "the second insert a no-op, so redelivery is safe.",
                     "at-least-once 전달은 commit되었지만 XACK되지 않은 항목을 다시 내준다. UNIQUE key가 두 번째 삽입을 "
                     "무효로 만들기 때문에 재전달이 안전하다."),),
    learned=lambda F: L(f"The UNIQUE bid_id absorbed {F.c('redelivered_duplicates', 'redelivery', 'redeliveries')}: "
                        f"{F.c('duplicate_rows', 'duplicate row')}.",
                        f"UNIQUE bid_id가 재전달 {F('redelivered_duplicates')}건을 흡수했고 "
                        f"중복 행은 {F('duplicate_rows')}건이다."),
    chapter="stream",
    answers=(
        Answer("idempotency", (
            lambda F: L(f"Measured (stream-3, a consumer killed between commit and ack): "
                        f"{F('redelivered_duplicates')} re-inserts absorbed, {F('duplicate_rows')} duplicate rows.",
                        f"측정(stream-3, commit과 XACK 사이에서 kill된 consumer): 재삽입 "
                        f"{F('redelivered_duplicates')}건 흡수, 중복 행 {F('duplicate_rows')}건."),
        )),
    ),
)
