"""cluster-3: its story in the results document, told beside its scenario (cluster-3.yaml); cluster-3-partial
tells the same story with cluster-require-full-coverage no (cluster-3-partial.story.py)."""
from __future__ import annotations

from analysis.results_words import Fig, Missing
from analysis.stories import Answer, Story
from bilingual import L, num

FAULT = "shard-down."  # the master's kill, after both replicas': the fault this step is about


def _full(F: Fig) -> bool:
    return F.conf("cluster-require-full-coverage", "yes") == "yes"


def _migration(F: Fig) -> str:
    return F.conf("cluster-allow-replica-migration", "yes")


def _share(F: Fig) -> str:
    """One shard's share of the keyspace: the buckets and the SET keys spread evenly over the shards."""
    shards = (F.stack.get("cluster") or {}).get("shards")
    if not shards:
        raise Missing("cluster.shards")
    return f"1/{shards} ({num(round(100 / shards, 1))} %)"


def _down(F: Fig) -> L:
    p = FAULT
    head = L(f"The cluster flagged the shard's master +pfail {F(p + 'detect_s')} after its kill and +fail at "
             f"{F(p + 'odown_s')}.",
             f"cluster는 shard의 master를 kill {F(p + 'detect_s')} 뒤 +pfail로, {F(p + 'odown_s')}에 +fail로 표시했다.")
    if F.v(p + "failovers") is None:
        raise Missing(p + "failovers")
    if F.v(p + "failovers"):  # a replica was there after all: replica migration moved one in
        tail = L(f" Yet a replica was promoted {F(p + 'failover_s')} after the kill: with "
                 f"cluster-allow-replica-migration {_migration(F)}, a replica of another shard had moved to the orphaned "
                 "master once its own replicas were dead, and the shard never went down.",
                 f" 그런데도 kill {F(p + 'failover_s')} 뒤 replica 하나가 승격되었다. cluster-allow-replica-migration "
                 f"{_migration(F)}(이)라서 자기 replica를 모두 잃은 master에게 다른 shard의 replica가 옮겨 와 있었고, "
                 "shard는 한 번도 멈추지 않았다.")
    else:
        tail = L(f" Both its replicas were dead already, so nothing was promoted ({F.c(p + 'failovers', 'failover')}): "
                 "no copy of the shard's slots was left until the test stopped.",
                 f" replica 둘은 이미 죽어 있었으므로 승격된 것이 없었다(failover {F(p + 'failovers')}회). 테스트가 끝날 "
                 "때까지 그 shard의 slot은 사본이 하나도 없었다.")
    return L(head.en + tail.en, head.ko + tail.ko)


def _rate(F: Fig) -> L:
    p = FAULT
    return L(f"While the shard was down {F.pct(p + 'error_rate_during')} of requests failed "
             f"(`error_rate_during` {F.n(p + 'error_rate_during')}); the shard held {_share(F)} of the keyspace. The "
             f"nodes answered CLUSTERDOWN {F.c('clusterdown_replies', 'time')} in the run.",
             f"shard가 죽어 있는 동안 요청의 {F.pct(p + 'error_rate_during')}가 실패했다(`error_rate_during` "
             f"{F.n(p + 'error_rate_during')}). 그 shard가 가진 키는 전체의 {_share(F)}(이)었다. 노드들은 이번 실행에서 "
             f"CLUSTERDOWN을 {F('clusterdown_replies')}번 답했다.")


def _why(F: Fig) -> L:
    if _full(F):
        said = L("With cluster-require-full-coverage yes a node refuses every key while any slot has no live master: "
                 "once the shard was marked FAIL, bids and SETs failed on every shard with CLUSTERDOWN, not only on the "
                 "dead one; only between the kill and +fail were the failures the dead shard's own.",
                 "cluster-require-full-coverage yes에서는 master가 살아 있지 않은 slot이 하나라도 있으면 노드가 모든 "
                 "키를 거절한다. shard가 FAIL로 표시된 뒤로는 죽은 shard만이 아니라 모든 shard에서 입찰과 SET이 "
                 "CLUSTERDOWN으로 실패했다. 죽은 shard의 키만 실패한 것은 kill부터 +fail까지뿐이었다.")
    else:
        said = L("With cluster-require-full-coverage no the other shards keep serving their own slots: only the dead "
                 "shard's keys failed (the bids of the auctions in its buckets, the SETs in its slots), their clients "
                 "refused by its dead master's address.",
                 "cluster-require-full-coverage no에서는 다른 shard들이 자기 slot을 계속 서비스한다. 실패한 것은 죽은 "
                 "shard의 키뿐이었고(그 shard의 bucket에 속한 경매의 입찰, 그 slot의 SET), 그 요청들은 죽은 master의 "
                 "주소에서 연결을 거부당했다.")
    if _migration(F) == "no":
        more = L(" Replica migration is off in this step: with it on, as Redis has it by default, the first run of "
                 "cluster-3 saw a replica of another shard move to the orphaned master and be promoted when it died, "
                 "and the shard never went down.",
                 " 이 단계에서는 replica migration을 껐다. Redis 기본값대로 켜 두었던 cluster-3의 첫 실행에서는 다른 "
                 "shard의 replica가 replica를 잃은 master에게 옮겨 왔다가 master가 죽자 승격되었고, shard는 멈추지 "
                 "않았다.")
        said = L(said.en + more.en, said.ko + more.ko)
    return said


def _learned(F: Fig) -> L:
    p = FAULT
    if F.v(p + "failovers"):
        return L(f"Replica migration kept the shard alive: a migrated replica was promoted {F(p + 'failover_s')} after "
                 f"the master's kill and {F.pct(p + 'error_rate_during')} of requests failed meanwhile.",
                 f"replica migration이 shard를 살렸다. 옮겨 온 replica가 master kill {F(p + 'failover_s')} 뒤 승격되었고 "
                 f"그동안 실패한 요청은 {F.pct(p + 'error_rate_during')}(이)었다.")
    if _full(F):
        return L(f"With full coverage required, one shard without a copy stopped {F.pct(p + 'error_rate_during')} of "
                 f"requests, though it held {_share(F)} of the keys: a cluster's loss of one shard is every key's.",
                 f"full coverage를 요구하면 사본 없는 shard 하나가 요청의 {F.pct(p + 'error_rate_during')}를 멈췄다. "
                 f"그 shard가 가진 키는 {_share(F)}(이)었는데도 그랬다. cluster에서 shard 하나를 잃으면 모든 키를 잃는다.")
    return L(f"Without full coverage, one shard without a copy cost {F.pct(p + 'error_rate_during')} of requests, "
             f"close to its {_share(F)} of the keys: the other shards kept serving.",
             f"full coverage를 요구하지 않으면 사본 없는 shard 하나의 비용은 요청의 {F.pct(p + 'error_rate_during')}(이)었다. "
             f"그 shard가 가진 키 {_share(F)}에 가깝다. 다른 shard들은 계속 서비스했다.")


def _answer(F: Fig) -> L:
    p, cov = FAULT, F.conf("cluster-require-full-coverage", "yes")
    if _full(F):
        return L(f"What only a cluster adds: a shard can be left with no copy while the rest are fine. With "
                 f"cluster-require-full-coverage {cov} ({F.s.scenario}) {F.pct(p + 'error_rate_during')} of requests "
                 "failed while it was down: every key, not only that shard's.",
                 f"cluster에만 있는 위험: 나머지는 멀쩡한데 shard 하나에 사본이 하나도 남지 않을 수 있다. "
                 f"cluster-require-full-coverage {cov}({F.s.scenario})이면 그 shard가 죽어 있는 동안 요청의 "
                 f"{F.pct(p + 'error_rate_during')}가 실패했다. 그 shard의 키만이 아니라 모든 키다.")
    return L(f"With it set to {cov} ({F.s.scenario}), {F.pct(p + 'error_rate_during')} failed: only the shard's own "
             f"keys, about its {_share(F)} of the keyspace.",
             f"{cov}(으)로 두면({F.s.scenario}) {F.pct(p + 'error_rate_during')}만 실패했다. 그 shard의 키, 키 공간의 "
             f"{_share(F)} 정도다.")


def story(full: bool) -> Story:
    value = "yes" if full else "no"
    return Story(
        f"Redis Cluster — 사본이 하나도 남지 않은 shard, cluster-require-full-coverage {value}",
        "노드 9대, shard 3개(각각 master 1대와 replica 2대), cluster-node-timeout 2000 ms, cluster-require-full-coverage "
        f"{value}. shard 2의 replica 둘을 5초 간격으로 kill하고(첫 replica가 FAIL로 표시된 뒤 둘째를 고르도록), 이어서 "
        "그 master를 kill한다. shard 2의 slot은 사본이 하나도 남지 않는다(replica migration은 껐다. 켜 두면 다른 shard의 "
        "replica가 replica를 잃은 master에게 옮겨 온다). "
        + ("full coverage yes에서는 cluster가 그 shard를 FAIL로 표시하는 순간부터 모든 키가 실패한다. 덮이지 않은 slot이 "
           "하나라도 있으면 cluster가 서비스를 거절(CLUSTERDOWN)한다." if full else
           "full coverage no에서는 죽은 shard의 키(약 3분의 1)만 실패하고 다른 shard들은 계속 서비스한다."),
        "계획은 Sentinel을 기준으로 규모를 잡았다. master 한 대가 모든 키를 가진다. "
        + ("cluster에서는 shard 하나를 잃으면 모든 키를 잃는다(full coverage 요구)" if full else
           "cluster에서는 shard 하나를 잃어도 그 shard의 키만 잃는다")
        + " (계획 밖, 계획에 수치 없음)",
        "",
        closest="# Master 강제 종료\ndocker kill redis-master",
        happened=(_down, _rate),
        why=(_why,),
        learned=_learned,
        drop=("sentinel",),
        chapter="cluster",
        answers=(Answer("cluster", (_answer,), rank=5 if full else 6),),
    )


STORY = story(full=True)
