"""stream-4: its story in the results document, told beside its scenario (stream-4.yaml)."""
from __future__ import annotations

from analysis.stories import Story, group_happened
from bilingual import L

STORY = Story(
    "Redis failover를 거치는 Consumer Group (그룹이 바쁠 때 master kill)",
    "계획의 3장과 4장을 함께 본다. consumer 두 대가 MySQL commit과 XACK 사이에 200 ms를 두고 일하므로 항상 pending 항목이 있다. "
    "pending 항목과 그 입찰을 기록한 뒤 Redis master를 SIGKILL한다(20초 뒤 replica로 복귀). 복구 뒤 ACK된 입찰은 모두 MySQL "
    "또는 stream에 있어야 하고, failover 전에 pending이던 항목은 이후에도 pending이거나 처리되어 있어야 한다. 그룹의 "
    "last-delivered-id를 250 ms마다 기록해 후퇴(redis#5433, #7105)를 잰다.",
    "(계획 밖, 이 프로젝트의 가설) Sentinel failover를 거쳐도 Redis와 MySQL 사이에서 입찰이 사라지지 않고, 그룹의 위치가 뒤로 "
    "물러나지 않는다",
    "",
    closest="# 부하 중 Consumer Group이 일하는 동안\ndocker kill redis-master\nredis-cli XPENDING bid-stream bid-group",
    happened=(group_happened,),
    why=(lambda F: L("Consumer-group state replicates asynchronously with the stream: after a failover the new master has "
                     "the group as the replica last saw it, so entries can be handed out again; the UNIQUE bid_id makes "
                     "that harmless as long as no entry itself is lost.",
                     "Consumer Group의 상태는 stream과 함께 비동기로 복제된다. failover 뒤 새 master는 replica가 마지막으로 "
                     "본 그룹 상태를 가지므로 항목이 다시 전달될 수 있다. 항목 자체가 사라지지 않는 한 UNIQUE bid_id 덕분에 "
                     "해가 없다."),),
    learned=lambda F: L(f"Across a kill and its failover: {F('acked_not_in_mysql_or_stream')} bids lost between Redis and "
                        f"MySQL, {F.c('group_id_backwards', 'step')} backwards of the group.",
                        f"kill과 failover를 거치며 Redis와 MySQL 사이에서 사라진 입찰 {F('acked_not_in_mysql_or_stream')}건, "
                        f"그룹 위치 후퇴 {F('group_id_backwards')}회."),
    chapter="stream",
)
