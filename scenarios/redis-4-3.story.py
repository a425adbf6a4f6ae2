"""redis-4-3: its story in the results document, told beside its scenario (redis-4-3.yaml)."""
from __future__ import annotations

from analysis.stories import Answer, Story
from bilingual import L

STORY = Story(
    "구 Master 복구 시 동작 — failover 후 구 master의 복귀",
    "master를 kill하면 Sentinel이 failover한다. 새 master에 marker를 쓰고, 구 master를 다시 시작한다(docker start). 사람 "
    "손 없이 구 master가 새 master의 replica가 되어 failover 뒤에 쓴 데이터(marker 포함)를 가져야 한다.",
    "Sentinel이 자동으로 구 Master를 Slave로 재구성",
    "# 1. 현재 Master 확인\nredis-cli -p 26379 SENTINEL get-master-addr-by-name mymaster\n\n# 2. Master 종료 → failover 발생\n"
    "docker kill redis-master\n\n# 3. 새 Master에 데이터 쓰기\nredis-cli -h <새 Master IP> SET after-failover \"new-data\"\n\n"
    "# 4. 구 Master 재시작\ndocker start redis-master\n\n# 5. 구 Master 역할 확인\nredis-cli -p 6379 INFO replication\n\n"
    "# 6. 구 Master에서 데이터 확인\nredis-cli -p 6379 GET after-failover",
    happened=(
        lambda F: L(f"A marker was written on the new master at {F.at('marker')} and the old master was started again at "
                    f"{F.at('old_master_back')}.",
                    f"{F.at('marker')}에 새 master에 marker를 쓰고, {F.at('old_master_back')}에 구 master를 다시 시작했다."),
        lambda F: L(f"At {F.at('old_master')} the old master reported role {F('old_master.role')}, master link "
                    f"{F('old_master.master_link_status')}, and held the marker: {F('old_master.has_marker')}.",
                    f"{F.at('old_master')}에 구 master는 role {F('old_master.role')}, master link "
                    f"{F('old_master.master_link_status')} 상태였고, marker 보유 여부는 {F('old_master.has_marker')}(이)었다."),
    ),
    why=(lambda F: L("Sentinel keeps the old master on its books as a replica of the new one; as soon as it answers "
                     "again, Sentinel sends it REPLICAOF the new master, and it resynchronises and receives what was "
                     "written meanwhile. No hand step.",
                     "Sentinel은 구 master를 새 master의 replica로 기록해 둔다. 구 master가 다시 응답하자마자 Sentinel이 "
                     "REPLICAOF 새 master를 보내고, 구 master는 재동기화하며 그사이 쓰인 데이터를 받는다. "
                     "사람 손이 필요 없다."),),
    learned=lambda F: L(f"The old master came back as a replica (role {F('old_master.role')}, link "
                        f"{F('old_master.master_link_status')}) holding the data written after the failover, with no "
                        "hand step.",
                        f"구 master는 사람 손 없이 replica로 돌아왔고(role {F('old_master.role')}, link "
                        f"{F('old_master.master_link_status')}), failover 뒤에 쓴 데이터도 가지고 있었다."),
    chapter="sentinel",
    answers=(
        Answer("old_master", (
            lambda F: L(f"Measured (redis-4-3): the old master came back with role {F('old_master.role')}, "
                        f"master link {F('old_master.master_link_status')}, and the marker written after the "
                        f"failover (`has_marker` {F('old_master.has_marker')}).",
                        f"측정(redis-4-3): 구 master는 role {F('old_master.role')}, master link "
                        f"{F('old_master.master_link_status')} 상태로 돌아왔고, failover 뒤에 쓴 marker도 "
                        f"가지고 있었다(`has_marker` {F('old_master.has_marker')})."),
        )),
    ),
)
