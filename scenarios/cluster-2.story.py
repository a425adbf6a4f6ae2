"""cluster-2: its story in the results document, told beside its scenario (cluster-2.yaml)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from analysis.results_words import Fig, Missing
from analysis.stories import Answer, Story, acked_on, partition_loss
from bilingual import L, num

_spec = importlib.util.spec_from_file_location("cluster_1_story", Path(__file__).with_name("cluster-1.story.py"))
_kill = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_kill)


def _variants(F: Fig) -> list[tuple[str, L]]:
    """(name, when its API acknowledged a bid) of each client variant the run measured."""
    out = [(v["name"], acked_on(F, v.get("api"))) for v in F.load.get("variants") or []
           if F.v(f"{v['name']}.lost_acked") is not None]
    if not out:
        raise Missing("lost_acked")
    return out


def _kinds(F: Fig, name: str) -> str:
    kinds = sorted(((k.split(".", 2)[2], v) for k, v in F.m.items() if k.startswith(f"{name}.errors_by_kind.") and v),
                   key=lambda kv: -kv[1])
    return ", ".join(f"{k} {num(v)}" for k, v in kinds)


def _by_variant(F: Fig) -> L:
    """Each client's acknowledged bids lost, with when its API acknowledged them."""
    parts = [(name, ack, F(name + ".lost_acked")) for name, ack in _variants(F)]
    return L("; ".join(f"the `{name}` client's bids, acknowledged {ack.en}: {n} lost" for name, ack, n in parts),
             ", ".join(f"{ack.ko} ACK한 `{name}` 클라이언트의 입찰 유실은 {n}건" for name, ack, n in parts) + "(이)었다")


def _clients(F: Fig) -> L:
    """Each bidding client's acknowledged bids lost and its failed requests (by kind), then Locust's SETs."""
    en, ko = [], []
    for name, ack in _variants(F):
        kinds = _kinds(F, name)
        en.append(f"`{name}` (bids acknowledged {ack.en}) lost {F.c(name + '.lost_acked', 'acknowledged bid')} and "
                  f"saw {F.c(name + '.failed_requests', 'failed request')}" + (f" ({kinds})" if kinds else ""))
        ko.append(f"`{name}`(입찰은 {ack.ko} ACK)은(는) ACK된 입찰 {F(name + '.lost_acked')}건을 잃었고 실패 요청은 "
                  f"{F(name + '.failed_requests')}건이었다" + (f"({kinds})" if kinds else ""))
    return L("; ".join(en) + f". Locust's Redis users, whose SETs wait for no replica, lost {F('lost_sets')} of "
             f"{F('acked_sets')} acknowledged SETs.",
             ". ".join(ko) + f". replica를 기다리지 않는 Locust의 Redis 사용자는 ACK된 SET {F('acked_sets')}건 중 "
             f"{F('lost_sets')}건을 잃었다.")


def _minority(F: Fig) -> L:
    return L("The majority side saw a silent master, as after a kill, and failed it over; the cut master, in the "
             "minority, did not know it had been replaced. It went on acknowledging writes until it had missed most "
             f"masters for about cluster-node-timeout ({_kill.node_timeout(F)}), then refused them (CLUSTERDOWN). "
             f"When the cut healed it saw the newer epoch and turned replica ({F('partition.convert_after_heal_s')} "
             "after the heal), dropping what it had acknowledged alone.",
             "다수 쪽은 kill 때처럼 응답 없는 master를 보고 failover했다. 소수 쪽에 남은 차단된 master는 자신이 교체된 "
             "줄 몰랐다. 과반의 master와 cluster-node-timeout(" + _kill.node_timeout(F) + ") 남짓 연락이 끊길 때까지 쓰기에 "
             "계속 ACK를 보냈고, 그 뒤에야 CLUSTERDOWN으로 거절했다. 차단이 풀리자 더 새로운 epoch를 보고 replica가 "
             f"되었으며(복구 {F('partition.convert_after_heal_s')} 뒤), 혼자 ACK했던 쓰기는 버려졌다.")


def _wait(F: Fig) -> L:
    return L("Cluster's replication is asynchronous, as Sentinel's is: an acknowledgement on the master's reply is lost "
             "with the minority's writes. A client whose bids wait for a replica (WAIT) got no confirmation from the cut "
             f"master, whose replicas were out of reach: {F.c('unknown_writes', 'bid')} ended refused with their outcome "
             "unknown instead of acknowledged.",
             "Cluster의 복제도 Sentinel처럼 비동기다. master의 응답만으로 한 ACK는 소수 쪽의 쓰기와 함께 사라진다. 입찰마다 "
             "replica를 기다리는(WAIT) 클라이언트는 replica에 닿지 못하는 차단된 master에게서 확인을 받지 못했다. 입찰 "
             f"{F('unknown_writes')}건이 ACK 대신 결과 불명으로 거절되었다.")


STORY = Story(
    "Redis Cluster 파티션 — 한 shard의 master를 cluster에서 차단(클라이언트는 여전히 닿음), async 대 wait",
    "노드 9대, shard 3개(각각 master 1대와 replica 2대), cluster-node-timeout 5000 ms. 30초 뒤 shard 1의 master를 다른 모든 "
    "cluster 노드로부터 20초 동안 끊고, API와 Locust는 여전히 그 master에 닿는다. 다수 쪽은 그 master를 FAIL로 표시하고 "
    "replica 하나를 승격한다. 소수 쪽에 남은 차단된 master는 node timeout 동안 과반의 master와 연락이 끊길 때까지 쓰기에 "
    "ACK를 보내다가 그 뒤 거절(CLUSTERDOWN)한다. 차단이 풀리면 더 새로운 epoch를 알고 승격된 노드의 replica가 되며, 혼자 "
    "ACK한 쓰기를 버린다. 입찰 클라이언트 두 종류가 나란히 돈다. `async`(api: master가 응답하면 ACK)와 `wait`(api-2: "
    "WAIT 1로 replica가 입찰을 받았음을 확인한 뒤에만 ACK).",
    "소수 쪽 master는 node timeout 동안 쓰기를 계속 받고 그 쓰기는 사라진다. WAIT 1을 쓰면 그중 어느 것도 ACK되지 "
    "않는다 (계획 밖, 계획의 4-2에 대응)",
    "",
    closest="# Master 네트워크만 끊기 (프로세스는 살아있음)\ndocker network disconnect fairbid_network redis-master",
    happened=(partition_loss, _clients, _kill.clusterdown_replies),
    why=(lambda F: _kill.election(F, "partition."), _minority, _wait),
    learned=lambda F: L(f"A cut master in a cluster kept acknowledging writes for {F('partition.loss_after_fault_s')} and "
                        f"{F('partition.lost_acked_during')} of them were lost; {_by_variant(F).en}.",
                        f"cluster에서 차단된 master는 {F('partition.loss_after_fault_s')} 동안 쓰기에 ACK를 계속 보냈고 그중 "
                        f"{F('partition.lost_acked_during')}건이 사라졌다. {_by_variant(F).ko}."),
    chapter="cluster",
    answers=(
        Answer("cluster", (
            lambda F: L(f"Partition, Cluster (cluster-2): +pfail at {F('partition.detect_s')}, +fail at "
                        f"{F('partition.odown_s')}, +promoted at {F('partition.failover_s')}. The cut master, in the "
                        f"minority, acknowledged {F('partition.lost_acked_during')} writes that were lost, the last "
                        f"{F('partition.loss_after_fault_s')} after the cut began, then refused writes (CLUSTERDOWN) "
                        f"and turned replica {F('partition.convert_after_heal_s')} after the heal. Its replication is "
                        f"asynchronous too: {_by_variant(F).en}.",
                        f"파티션, Cluster(cluster-2): +pfail {F('partition.detect_s')}, +fail {F('partition.odown_s')}, "
                        f"+promoted {F('partition.failover_s')}. 소수 쪽의 차단된 master는 쓰기 "
                        f"{F('partition.lost_acked_during')}건에 ACK를 보냈고 그 쓰기는 사라졌다. 마지막 것은 차단 시작 "
                        f"{F('partition.loss_after_fault_s')} 뒤에 ACK되었고, 그 뒤 master는 쓰기를 거절했으며"
                        f"(CLUSTERDOWN) 복구 {F('partition.convert_after_heal_s')} 뒤 replica가 되었다. cluster의 복제도 "
                        f"비동기다. {_by_variant(F).ko}."),
        ), rank=4),
    ),
)
