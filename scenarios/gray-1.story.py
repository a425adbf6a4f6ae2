"""gray-1: its story in the results document, told beside its scenario (gray-1.yaml)."""
from __future__ import annotations

from analysis.stories import Story
from bilingual import L

STORY = Story(
    "CPU를 극도로 제한한 master, 두 가지 quota (throttle, 코어의 20 %와 2 %), failover 없음 예상",
    "master 프로세스를 살려 둔 채 CPU quota를 건다. 먼저 한 코어의 20 %로 20초, 회복한 뒤 2 %로 "
    "20초다. 느린 master는 Sentinel의 down-after와 클라이언트 타임아웃이 맞서는 지점이다. Sentinel의 PING에는 "
    "down-after 안에 답하므로 failover는 없고, 요청은 그 master를 기다리며 클라이언트의 250 ms 타임아웃을 넘긴 요청은 "
    "실패한다. 각 quota 동안 시작된 요청의 에러율과 p99를 "
    "나란히 잰다. 로컬은 하네스 자신의 cgroup(cpu.cfs_quota_us), Docker는 `docker update --cpu-quota`.",
    "CPU가 제한된 master는 failover 없이 클라이언트를 느리게 한다. quota가 빡빡할수록 p99가 높고 +switch-master는 없다 "
    "(이 프로젝트의 가설, 계획 밖)",
    "",
    closest="docker update --cpu-period 100000 --cpu-quota 2000 redis-master",
    happened=(lambda F: L(f"At 20 % of a core: p99 {F('slowed.p99_during_ms')}, error rate "
                          f"{F.pct('slowed.error_rate_during')}, failovers {F('slowed.failovers')}. At 2 %: p99 "
                          f"{F('starved.p99_during_ms')}, error rate {F.pct('starved.error_rate_during')}, failovers "
                          f"{F('starved.failovers')}.",
                          f"코어의 20 %에서 p99 {F('slowed.p99_during_ms')}, 에러율 {F.pct('slowed.error_rate_during')}, "
                          f"failover {F('slowed.failovers')}회. 2 %에서 p99 {F('starved.p99_during_ms')}, 에러율 "
                          f"{F.pct('starved.error_rate_during')}, failover {F('starved.failovers')}회."),),
    why=(lambda F: L("A CFS quota lets the process run for its share of every 100 ms period and then holds it until the "
                     "next: a request that arrives while it is held waits for the period's end. Sentinel's PING waits the "
                     "same way, but down-after is seconds, not milliseconds.",
                     "CFS quota는 100 ms 주기마다 제 몫만큼만 프로세스를 돌리고 다음 주기까지 붙잡는다. 붙잡힌 동안 온 요청은 "
                     "주기가 끝날 때까지 기다린다. Sentinel의 PING도 똑같이 기다리지만 down-after는 밀리초가 아니라 초 "
                     "단위다."),),
    learned=lambda F: L(f"A starved master is a latency outage, not a failover: p99 {F('starved.p99_during_ms')} at 2 % "
                        f"of a core, with {F('starved.failovers')} failovers.",
                        f"CPU가 제한된 master는 failover가 아니라 지연 장애다. 코어의 2 %에서 p99 {F('starved.p99_during_ms')}, "
                        f"failover {F('starved.failovers')}회."),
    chapter="gray",
)
