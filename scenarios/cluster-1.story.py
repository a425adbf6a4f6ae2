"""cluster-1: its story in the results document, told beside its scenario (cluster-1.yaml)."""
from __future__ import annotations

from analysis.results_words import Fig, Missing, lost
from analysis.stories import Answer, Story, acked_on
from bilingual import L, num


def node_timeout(F: Fig) -> str:
    """The run's cluster-node-timeout, as both documents print it."""
    ms = (F.stack.get("cluster") or {}).get("node_timeout_ms")
    if ms is None:
        raise Missing("cluster.node_timeout_ms")
    return f"{num(ms)} ms"


def between(F: Fig, later: str, earlier: str) -> str:
    """How long after one event of the run another came, in seconds."""
    if not F.has(later, earlier):
        raise Missing(earlier if F.has(later) else later)
    return num(round(F.v(later) - F.v(earlier), 3)) + " s"


def coverage(F: Fig) -> L:
    """cluster-require-full-coverage as run: set by the scenario, or Redis's default (yes)."""
    value = F.conf("cluster-require-full-coverage", "")
    return (L(f"cluster-require-full-coverage {value}", f"cluster-require-full-coverage {value}") if value else
            L("cluster-require-full-coverage yes (Redis's default)", "cluster-require-full-coverage yes(Redis 기본값)"))


def election(F: Fig, p: str = "") -> L:
    """Why the cluster took the time it took: PFAIL after the node timeout, FAIL once most masters report
    it, then the replica's election (`p`: the fault's prefix)."""
    return L(f"A node flags a master PFAIL when it has not answered its pings for cluster-node-timeout "
             f"({node_timeout(F)}): the first +pfail came {F(p + 'detect_s')} after the fault. FAIL needs the PFAIL "
             f"reports of most masters, spread by gossip: +fail came {between(F, p + 'odown_s', p + 'detect_s')} "
             "later. A replica of the shard then waits a short random delay, asks the masters for their votes and, "
             f"with most of them, promotes itself: +promoted came {between(F, p + 'failover_s', p + 'odown_s')} after "
             "+fail.",
             f"노드는 master가 cluster-node-timeout({node_timeout(F)}) 동안 ping에 답하지 않으면 PFAIL로 표시한다. "
             f"첫 +pfail은 장애 {F(p + 'detect_s')} 뒤였다. FAIL이 되려면 과반 master의 PFAIL 보고가 gossip으로 모여야 "
             f"한다. +fail은 그보다 {between(F, p + 'odown_s', p + 'detect_s')} 뒤였다. 그다음 그 shard의 replica가 짧은 "
             "무작위 시간을 기다린 뒤 master들에게 투표를 청하고, 과반을 얻으면 스스로 승격한다. +promoted는 +fail "
             f"{between(F, p + 'failover_s', p + 'odown_s')} 뒤였다.")


def clusterdown_replies(F: Fig) -> L:
    return L(f"The nodes still up answered CLUSTERDOWN {F.c('clusterdown_replies', 'time')} in the run (their INFO "
             "errorstats).",
             f"살아 있는 노드들은 이번 실행에서 CLUSTERDOWN을 {F('clusterdown_replies')}번 답했다(각 노드의 INFO "
             "errorstats).")


def full_coverage(F: Fig) -> L:
    cov = coverage(F)
    return L(f"With {cov.en}, a node refuses every key while any slot has no live master: from +fail to +promoted "
             "the whole cluster refused service, and the CLUSTERDOWN replies came from the shards that had lost "
             "nothing (the killed master answers nothing).",
             f"{cov.ko}에서는 master가 살아 있지 않은 slot이 하나라도 있으면 노드가 모든 키를 거절한다. +fail부터 "
             "+promoted까지 cluster 전체가 서비스를 거절했고, CLUSTERDOWN 응답은 아무것도 잃지 않은 shard들에서 나왔다"
             "(죽은 master는 아무 응답도 하지 않는다).")


def _acknowledged(F: Fig) -> L:
    if (F.stack.get("service_env") or {}).get("FAIRBID_DURABILITY") != "wait":
        return L(f"Bids were acknowledged {acked_on(F).en}: {lost(F)} acknowledged writes were lost.",
                 f"입찰은 {acked_on(F).ko} ACK했다. ACK된 쓰기 유실은 {lost(F)}(이)었다.")
    return L(f"Bids were acknowledged only {acked_on(F).en}, so a bid the killed master took alone was never "
             f"acknowledged: {F.c('unknown_writes', 'bid')} it did not answer ended with their outcome unknown (looked "
             f"up after healing, not counted as acknowledged), and {lost(F)} acknowledged writes were lost.",
             f"입찰은 {acked_on(F).ko}에만 ACK했으므로, 죽은 master만 받은 입찰은 ACK되지 않았다. 응답을 받지 못한 "
             f"입찰 {F('unknown_writes')}건은 결과 불명으로 끝났고(복구 뒤 조회했으며 ACK로 세지 않는다), ACK된 쓰기 "
             f"유실은 {lost(F)}(이)었다.")


STORY = Story(
    "Redis Cluster failover — 부하 중 한 shard의 master kill",
    "shard 3개, 각각 master 1대와 replica 2대(노드 9대. redis-4의 master 1대 + replica 2대처럼 모든 키의 사본이 셋이다), "
    "cluster-node-timeout은 redis-4의 down-after와 같은 5000 ms. stand-in은 redis-py의 cluster 클라이언트를 쓰고, WAIT 1로 "
    "replica가 입찰을 받았음을 확인한 뒤에만 ACK한다. Locust의 Redis 사용자도 같은 클라이언트로 쓴다. 30초 뒤 shard 1"
    "(slot 0을 가진 shard, 그때 어느 노드이든)의 master를 SIGKILL한다. 나머지 master들이 node timeout 뒤 PFAIL로 표시하고 "
    "FAIL에 합의하면, 그 shard의 replica가 투표에서 이겨 스스로 승격한다. 죽은 노드는 테스트가 끝날 때 다시 시작되어 "
    "replica로 합류한다.",
    "cluster도 Sentinel이 master 하나에 하듯 죽은 master의 shard에서 replica를 스스로 승격한다. node timeout에 선출 "
    "시간을 더한 안에 (계획 밖: 계획의 '왜 Cluster 안 썼어요?' 답에는 수치가 없다)",
    "",
    closest="# Master 강제 종료\ndocker kill redis-master",
    happened=(clusterdown_replies,),
    why=(election, full_coverage, _acknowledged),
    learned=lambda F: L(f"The cluster replaced the killed master by itself in {F('failover_s')} ({F('detect_s')} of it to "
                        f"detect the silence), and with bids acknowledged {acked_on(F).en} it lost {lost(F)} "
                        "acknowledged writes.",
                        f"cluster는 죽은 master를 {F('failover_s')} 만에 스스로 교체했고(그중 {F('detect_s')}은(는) 침묵을 "
                        f"알아채는 데 걸렸다), 입찰을 {acked_on(F).ko} ACK하니 ACK된 쓰기 유실은 {lost(F)}(이)었다."),
    chapter="cluster",
    answers=(
        Answer("cluster", (
            lambda F: L(f"Kill, Cluster (cluster-1): +pfail at {F('detect_s')}, +fail at {F('odown_s')}, +promoted at "
                        f"{F('failover_s')}; clients saw errors for {F('error_window_s')}, the last "
                        f"{F('kill.last_error_after_switch_s')} after +promoted; {lost(F)} acknowledged writes lost "
                        f"(bids acknowledged {acked_on(F).en}).",
                        f"kill, Cluster(cluster-1): +pfail {F('detect_s')}, +fail {F('odown_s')}, +promoted "
                        f"{F('failover_s')}. 클라이언트 에러 구간 {F('error_window_s')}, 마지막 에러는 +promoted "
                        f"{F('kill.last_error_after_switch_s')} 뒤. ACK된 쓰기 유실 {lost(F)}(입찰은 {acked_on(F).ko} "
                        "ACK)."),
        ), rank=2),
    ),
)
