"""redis-2: its story in the results document, told beside its scenario (redis-2.yaml)."""
from __future__ import annotations

from analysis.results_words import Fig
from analysis.stories import Story
from bilingual import L


def _chapter_note(F: Fig) -> list[L]:
    if not F.has("last_error_s", "sync.missing_keys", "sync.keys_checked"):
        return []
    return [L(f"Measured (redis-2): the replicas held every key ({F('sync.missing_keys')} of {F('sync.keys_checked')} "
              f"missing), yet clients kept failing until {F('last_error_s')} after the kill, when the service had been "
              "repointed by hand.",
              f"측정 결과(redis-2): replica에는 모든 키가 있었지만(키 {F('sync.keys_checked')}개 중 누락 "
              f"{F('sync.missing_keys')}개), 서비스를 손으로 다시 연결할 때까지, 즉 kill 후 {F('last_error_s')}까지 "
              "클라이언트 에러가 이어졌다.")]


STORY = Story(
    "Replication 구성 — Sentinel 없이 수동 failover",
    "master 1대와 replica 2대, Sentinel은 없다. 서비스는 master 주소로 설정되어 있다. 먼저 master의 모든 키를 두 "
    "replica에서 하나씩 조회하고, master를 kill한 뒤 redis-2를 손으로 승격(REPLICAOF NO ONE)한다. 서비스는 스스로 "
    "따라가지 못하므로 redis-2를 가리키도록 손으로 다시 설정해 재시작한다. 마지막으로 남은 replica가 누구를 따르는지 본다.",
    "수동 failover 가능하지만 번거로움 체감",
    "# 데이터 동기화 확인\nredis-cli -p 6379 SET test \"hello\"\nredis-cli -p 6380 GET test\n\n# Master 종료\n"
    "docker kill redis-master\n\n# Slave 수동 승격\nredis-cli -p 6380 REPLICAOF NO ONE",
    happened=(
        lambda F: L(f"Before the kill, {F('sync.keys_checked')} keys of the master were looked up on both replicas: "
                    f"{F('sync.missing_keys')} missing.",
                    f"kill 전에 master의 키 {F('sync.keys_checked')}개를 두 replica에서 조회했고, 누락은 "
                    f"{F('sync.missing_keys')}개였다."),
        lambda F: L(f"redis-2 was promoted at {F.at('promoted')} and reported role {F('promoted.role')}, yet clients "
                    f"kept failing until {F('last_error_s')}: the service was repointed to redis-2 and restarted "
                    f"by hand at {F.at('repoint_api')}, and requests succeeded again from "
                    f"{F('recovery_s')}.",
                    f"redis-2는 {F.at('promoted')}에 승격되어 role이 {F('promoted.role')}(으)로 바뀌었지만, 클라이언트 "
                    f"에러는 {F('last_error_s')}까지 이어졌다. 서비스를 {F.at('repoint_api')}에 손으로 redis-2로 "
                    f"다시 설정해 재시작했고, 요청은 {F('recovery_s')}부터 다시 성공했다."),
        lambda F: L(f"At the end, the other replica (redis-3) still followed {F('other_replica.follows')} "
                    f"(link {F('other_replica.master_link_status')}).",
                    f"끝까지 남은 replica(redis-3)가 따르는 master는 여전히 {F('other_replica.follows')}(이)었다"
                    f"(link {F('other_replica.master_link_status')})."),
    ),
    why=(lambda F: L("Replication copies the data but decides nothing: no process notices that the master is gone, "
                     "promotes a replica, tells the clients or re-points the other replica. Each of those was a "
                     "hand step here, and the service was down until the last of them.",
                     "Replication은 데이터를 복사할 뿐 아무것도 결정하지 않는다. master가 죽었음을 알아채고, replica를 "
                     "승격하고, 클라이언트에게 알리고, 남은 replica를 새 master에 붙이는 일을 아무도 하지 않는다. "
                     "여기서는 그 모두를 손으로 했고, 마지막 손작업이 끝날 때까지 서비스는 멈춰 있었다."),),
    learned=lambda F: L(f"Replication keeps the data ({F('sync.missing_keys')} of {F('sync.keys_checked')} keys "
                        f"missing) but not the service: errors lasted until the hand repoint, {F('last_error_s')} "
                        "after the kill.",
                        f"Replication은 데이터는 지키지만(키 {F('sync.keys_checked')}개 중 누락 "
                        f"{F('sync.missing_keys')}개) 서비스는 지키지 못한다. 손으로 다시 연결할 때까지, kill 후 "
                        f"{F('last_error_s')} 동안 에러가 이어졌다."),
    drop=("errors",),
    chapter="replication",
    chapter_note=_chapter_note,
)
