"""redis-4-3-empty: its story in the results document, told beside its scenario (redis-4-3-empty.yaml)."""
from __future__ import annotations

from analysis.stories import Answer, Story
from bilingual import L, num

STORY = Story(
    "구 Master 복구 시 동작 — persistence 없는 구 master가 failover 전에 빈 채로 복귀",
    "같은 스택을 persistence 없이(appendonly no, RDB 없음) 띄운다. master를 kill하고 2초 뒤, down-after-milliseconds(5초)가 "
    "지나기 전에 다시 시작한다. Sentinel은 failover하지 않고, 구 master는 빈 데이터셋으로 master 자리에 돌아오며, replica는 "
    "그것을 따라 재동기화한다. kill 전에 ACK된 쓰기를 모두 조회한다. HA 스택이 AOF를 쓰는 이유다.",
    "persistence 없이 failover 전에 재시작한 master는 replica까지 비운다 (계획 밖, 4-3의 변형)",
    "",
    closest="docker kill redis-master\ndocker start redis-master",
    happened=(
        lambda F: L(f"The master was back {F.held('restart_empty')} after the kill, before down-after-milliseconds "
                    f"({num(F.sentinel.get('down_after_ms'))} ms) ran out: {F.c('failovers', 'failover')}.",
                    f"master는 kill 후 {F.held('restart_empty')} 만에, down-after-milliseconds"
                    f"({num(F.sentinel.get('down_after_ms'))} ms)가 지나기 전에 돌아왔다. failover는 {F('failovers')}회였다."),
        lambda F: L(f"{F('lost_in_redis')} of {F('acked_bids')} acknowledged bids and {F('lost_sets')} of "
                    f"{F('acked_sets')} acknowledged SETs were gone from Redis (MySQL, filled by the consumer before the "
                    f"kill, missed {F('lost_in_mysql')} bids), and redis-2 was still a replica (role "
                    f"{F('replica_after.role')}).",
                    f"ACK된 입찰 {F('acked_bids')}건 중 {F('lost_in_redis')}건, SET {F('acked_sets')}건 중 "
                    f"{F('lost_sets')}건이 Redis에서 사라졌다(kill 전에 consumer가 옮겨 둔 MySQL에서 빠진 입찰은 "
                    f"{F('lost_in_mysql')}건). redis-2는 여전히 replica였다(role {F('replica_after.role')})."),
    ),
    why=(lambda F: L("Sentinel never saw the master down for long enough, so the old master stayed master: restarted "
                     "empty, with its replicas resynchronising from it and dropping everything they held.",
                     "Sentinel이 보기에 master가 충분히 오래 죽어 있지 않았으므로 구 master가 그대로 master로 남았다. 빈 채로 "
                     "다시 시작한 master를 replica들이 따라 재동기화하면서 가지고 있던 데이터를 모두 버렸다."),),
    learned=lambda F: L(f"Without persistence a quick restart is worse than a crash: {F('lost_acked_writes')} acknowledged "
                        f"writes gone from Redis, with {F.c('failovers', 'failover')} and "
                        f"{F.c('failed_requests', 'failed request')} to show for it. This is why the HA stacks run AOF.",
                        f"persistence가 없으면 빠른 재시작이 장애보다 나쁘다. failover {F('failovers')}회, 실패한 요청 "
                        f"{F('failed_requests')}건인데도 ACK된 쓰기 {F('lost_acked_writes')}건이 Redis에서 사라졌다. "
                        "HA 스택이 AOF를 쓰는 이유다."),
    drop=("sentinel",),
    chapter="sentinel",
    answers=(
        Answer("old_master", (
            lambda F: L(f"The trap (redis-4-3-empty): a master without persistence that returns before "
                        f"down-after runs out stays master, empty, and its replicas follow it: "
                        f"{F('lost_acked_writes')} acknowledged writes gone from Redis.",
                        f"함정(redis-4-3-empty): persistence 없는 master가 down-after 전에 돌아오면 빈 채로 "
                        f"master로 남고 replica도 그것을 따른다. ACK된 쓰기 {F('lost_acked_writes')}건이 "
                        "Redis에서 사라졌다."),
        )),
    ),
)
