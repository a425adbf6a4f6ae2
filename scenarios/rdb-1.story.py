"""rdb-1: its story in the results document, told beside its scenario (rdb-1.yaml)."""
from __future__ import annotations

from analysis.results_words import lost
from analysis.stories import Story
from bilingual import L

STORY = Story(
    "현재 상태 확인 — 부하 중 단일 MySQL 일시 정지",
    "MariaDB 서버 한 대를 부하 15초 뒤 20초 동안 멈춘다(SIGSTOP, = docker pause). consumer는 영속화 실패를 로그에 남기고 "
    "메시지를 XACK하지 않은 채 pending으로 둔다. API는 여전히 입찰을 받는다. 재개 후 consumer가 자기 pending 메시지를 다시 "
    "처리하므로 잃는 것도 두 번 저장되는 것도 없어야 한다.",
    "영속화 실패 로그, Stream에 메시지 남아있음",
    "# DB 정지\ndocker pause fairbid-mysql\n\n# Consumer 로그 확인 (저장 실패)",
    happened=(
        lambda F: L(f"While MySQL was paused ({F.held('mysql_paused')}), the consumer logged {F('persist_errors')} failed "
                    f"inserts and left up to {F('max_group_pending')} messages pending; bids were still accepted (error "
                    f"rate {F('error_rate')}). After the resume the backlog drained in {F('drain_s')}.",
                    f"MySQL이 멈춘 {F.held('mysql_paused')} 동안 consumer는 저장 실패 {F('persist_errors')}건을 로그에 "
                    f"남기고 메시지를 최대 {F('max_group_pending')}건 pending으로 두었다. 입찰은 계속 접수되었다(에러율 "
                    f"{F('error_rate')}). 재개 후 적체는 {F('drain_s')} 만에 해소되었다."),
    ),
    why=(lambda F: L("The consumer acknowledges an entry only after MySQL committed it; while MySQL does not answer, "
                     "nothing is acknowledged, so the stream keeps every bid until MySQL is back.",
                     "consumer는 MySQL이 commit한 뒤에만 항목을 XACK한다. MySQL이 응답하지 않는 동안에는 아무것도 "
                     "XACK되지 않으므로 stream이 MySQL이 돌아올 때까지 모든 입찰을 보관한다."),),
    learned=lambda F: L(f"A stopped MySQL stops persistence, not bidding: {F('persist_errors')} failed inserts, {lost(F)} "
                        "lost once it was back.",
                        f"MySQL이 멈추면 입찰이 아니라 영속화가 멈춘다. 저장 실패 {F('persist_errors')}건, 돌아온 뒤 유실 "
                        f"{lost(F)}."),
    chapter="rdb",
)
