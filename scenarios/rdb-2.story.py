"""rdb-2: its story in the results document, told beside its scenario (rdb-2.yaml)."""
from __future__ import annotations

from analysis.results_words import lost
from analysis.stories import Story
from bilingual import L

STORY = Story(
    "Replication 구성 — MySQL primary와 replica, primary 일시 정지",
    "MariaDB primary(binlog, server-id 1)와 replica(server-id 2, GTID replication). 멈추기 직전에 primary의 행 수를 세고, "
    "primary를 20초 동안 멈춘다(SIGSTOP). 그동안 replica는 그 행을 모두, 빠르게 내줘야 한다. 재개 후 replica의 행은 primary와 "
    "같아야 한다.",
    "Slave 데이터 보존",
    "# 데이터 동기화 확인\nmysql -h master -e \"INSERT INTO bid VALUES (...)\"\nmysql -h slave -e \"SELECT * FROM bid\"\n\n"
    "# Master 정지\ndocker pause mysql-master\n\n# Slave 데이터 확인\nmysql -h slave -e \"SELECT * FROM bid\"",
    happened=(
        lambda F: L(f"Just before the pause the primary held {F('before_pause.rows')} rows. During the pause the replica "
                    f"answered in {F('replica_read.read_ms')} with {F('replica_read.rows')} rows "
                    f"({F('replica_read.missing_vs_before_pause')} of the primary's missing), while the primary gave no "
                    f"answer within {F('primary_read.read_ms')}.",
                    f"멈추기 직전 primary에는 {F('before_pause.rows')}행이 있었다. 멈춘 동안 replica는 "
                    f"{F('replica_read.read_ms')} 만에 {F('replica_read.rows')}행으로 답했고(primary 대비 누락 "
                    f"{F('replica_read.missing_vs_before_pause')}행), primary는 {F('primary_read.read_ms')} 동안 응답하지 "
                    "않았다."),
        lambda F: L(f"After the resume, the replica missed {F('replica_missing_rows')} rows; {lost(F)} acknowledged bids "
                    "lost.",
                    f"재개 후 replica의 누락 행은 {F('replica_missing_rows')}행이었다. ACK된 입찰 유실: {lost(F)}."),
    ),
    why=(lambda F: L("The replica applies the primary's binlog as it comes; a paused primary stops sending, but what the "
                     "replica already applied stays readable, and it catches up after the resume.",
                     "replica는 primary의 binlog를 받는 대로 적용한다. primary가 멈추면 전송도 멈추지만, replica가 이미 "
                     "적용한 데이터는 그대로 읽을 수 있고 재개 후 따라잡는다."),),
    learned=lambda F: L(f"A replica keeps the data readable while the primary is down: {F('replica_read.rows')} rows in "
                        f"{F('replica_read.read_ms')}, {F('replica_read.missing_vs_before_pause')} missing.",
                        f"primary가 멈춰도 replica로 데이터를 읽을 수 있다. {F('replica_read.read_ms')}에 "
                        f"{F('replica_read.rows')}행, 누락 {F('replica_read.missing_vs_before_pause')}행."),
    chapter="rdb",
)
