"""redis-6: its story in the results document, told beside its scenario (redis-6.yaml)."""
from __future__ import annotations

from analysis.stories import Story
from bilingual import L

STORY = Story(
    "모니터링 — replica 일시 정지와 failover 중의 관찰",
    "계획의 관찰 지표를 250 ms마다 monitor.csv에 기록하고 부하 타임라인 아래에 그린다. INFO replication(role, link, "
    "offset → lag), memory, stats, clients, Sentinel이 보는 master, stream 길이와 pending 수. replica 하나를 10초 멈추고"
    "(lag가 커지지만 failover는 없음), 이어서 master를 kill한다(모든 신호에 failover가 보인다).",
    "Master/Slave 상태, 메모리 사용량, 커넥션 수, replication lag를 시간에 따라 관찰할 수 있다",
    "# Redis INFO\nredis-cli INFO replication\nredis-cli INFO memory\nredis-cli INFO stats\n\n# Sentinel 상태\n"
    "redis-cli -p 26379 SENTINEL master mymaster",
    happened=(
        lambda F: L(f"{F('monitor_samples')} monitor samples were taken. The paused replica fell behind by up to "
                    f"{F('max_replica_lag_bytes')} with {F.c('replica_pause.failovers', 'failover')}; the master kill was "
                    f"failed over in {F('master_kill.failover_s')}.",
                    f"모니터 샘플 {F('monitor_samples')}개를 모았다. 멈춘 replica는 최대 {F('max_replica_lag_bytes')}만큼 "
                    f"뒤처졌지만 failover는 {F('replica_pause.failovers')}회였고, master kill은 "
                    f"{F('master_kill.failover_s')} 만에 failover되었다."),
    ),
    why=(lambda F: L("A paused replica is not a failed master: Sentinel marks it down but promotes nothing, and the lag "
                     "shows only in the offsets. The master kill shows in every signal at once: roles, offsets, clients "
                     "and the stream (monitor.png).",
                     "멈춘 replica는 죽은 master가 아니다. Sentinel은 그것을 down으로 표시할 뿐 아무것도 승격하지 않고, lag는 "
                     "offset에만 드러난다. master kill은 role, offset, 클라이언트 수, stream 등 모든 신호에 한꺼번에 "
                     "나타난다(monitor.png)."),),
    learned=lambda F: L(f"Lag is visible only in replication offsets (up to {F('max_replica_lag_bytes')} here); a failover "
                        "shows in every signal.",
                        f"lag는 replication offset에서만 보이고(이번에는 최대 {F('max_replica_lag_bytes')}), failover는 모든 "
                        "신호에 나타난다."),
    drop=("sentinel",),
    chapter="sentinel",
)
