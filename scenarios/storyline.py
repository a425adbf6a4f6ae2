"""The plan's storyline (8.1), the chapters the results document tells its steps in, in order, and the
interview questions (8.2) it answers with figures. Each step names its chapter and adds its answers in its
own story file (ID.story.py beside ID.yaml); analysis/stories.py reads this file and those."""
from __future__ import annotations

from analysis.stories import Chapter, Comparison, Figure, Group, Question, Row, lost_by_client
from bilingual import L


def _pair(label: L, sentinel: str, cluster: str, metric: str, *, prefix: tuple[str, str] = ("", ""), **fig) -> Row:
    """A row of the Sentinel-against-Cluster table: one metric of a Sentinel run beside a cluster run's
    (`prefix`: the fault each is measured from, as its run names it)."""
    return Row(label, ((Figure(sentinel, prefix[0] + metric, **fig),), (Figure(cluster, prefix[1] + metric, **fig),)))


def _lost(label: L, sentinel: str, cluster: str, metric: str, prefix: tuple[str, str]) -> Row:
    return _pair(label, sentinel, cluster, metric, prefix=prefix, of="acked_writes", note=lost_by_client)


def _coverage(F) -> L:
    value = F.conf("cluster-require-full-coverage", "yes")
    return L(f"cluster-require-full-coverage {value}", f"cluster-require-full-coverage {value}")


KILL, CUT = ("", "kill."), ("partition.", "partition.")
SENTINEL_VS_CLUSTER = Comparison(
    columns=(L("Sentinel", "Sentinel"), L("Redis Cluster", "Redis Cluster")),
    groups=(
        Group(L("The master killed", "master kill"), (
            _pair(L("detection: +sdown / +pfail (`detect_s`)", "감지: +sdown / +pfail (`detect_s`)"),
                  "redis-4", "cluster-1", "detect_s", prefix=KILL),
            _pair(L("agreement: +odown / +fail (`odown_s`)", "합의: +odown / +fail (`odown_s`)"),
                  "redis-4", "cluster-1", "odown_s", prefix=KILL),
            _pair(L("failover: +switch-master / +promoted (`failover_s`)",
                    "failover: +switch-master / +promoted (`failover_s`)"),
                  "redis-4", "cluster-1", "failover_s", prefix=KILL),
            _pair(L("client error window (`error_window_s`)", "클라이언트 에러 구간 (`error_window_s`)"),
                  "redis-4", "cluster-1", "error_window_s", prefix=KILL),
            _lost(L("acknowledged writes lost / acknowledged (`lost_acked_writes`)",
                    "유실된 ACK 쓰기 / ACK된 쓰기 (`lost_acked_writes`)"),
                  "redis-4", "cluster-1", "lost_acked_writes", prefix=("", "")),
        )),
        Group(L("The master cut off, clients still reaching it", "master만 차단, 클라이언트는 여전히 닿음"), (
            _pair(L("detection: +sdown / +pfail (`detect_s`)", "감지: +sdown / +pfail (`detect_s`)"),
                  "redis-4-2", "cluster-2", "detect_s", prefix=CUT),
            _pair(L("agreement: +odown / +fail (`odown_s`)", "합의: +odown / +fail (`odown_s`)"),
                  "redis-4-2", "cluster-2", "odown_s", prefix=CUT),
            _pair(L("failover: +switch-master / +promoted (`failover_s`)",
                    "failover: +switch-master / +promoted (`failover_s`)"),
                  "redis-4-2", "cluster-2", "failover_s", prefix=CUT),
            _pair(L("client error window (`error_window_s`)", "클라이언트 에러 구간 (`error_window_s`)"),
                  "redis-4-2", "cluster-2", "error_window_s", prefix=CUT),
            _lost(L("acknowledged writes lost during the cut / acknowledged (`lost_acked_during`)",
                    "차단 중 유실된 ACK 쓰기 / ACK된 쓰기 (`lost_acked_during`)"),
                  "redis-4-2", "cluster-2", "lost_acked_during", prefix=CUT),
            _pair(L("the last lost write acknowledged, after the cut began (`loss_after_fault_s`)",
                    "유실된 마지막 쓰기의 ACK 시점, 차단 시작 기준 (`loss_after_fault_s`)"),
                  "redis-4-2", "cluster-2", "loss_after_fault_s", prefix=CUT),
        )),
        Group(L("One shard left with no copy (its replicas, then its master, killed)",
                "사본이 하나도 남지 않은 shard (replica들에 이어 master까지 kill)"), (
            Row(L("error rate while the shard was down (`error_rate_during`): every key, or one shard's keys",
                  "shard가 죽어 있는 동안의 에러율 (`error_rate_during`): 모든 키인가, 한 shard의 키인가"),
                (L("— (no shards: every key is on the one master)", "— (shard가 없다. 모든 키가 master 한 대에 있다)"),
                 (Figure("cluster-3", "shard-down.error_rate_during", note=_coverage),
                  Figure("cluster-3-partial", "shard-down.error_rate_during", note=_coverage)))),
        )),
    ),
    reading=L("Read the cut's rows together. Sentinel's isolated master refuses nothing (that run has no split-brain "
              "guard): its clients see few errors, and it acknowledges writes that will be lost until Sentinel turns it "
              "into a replica, after the heal. A cluster master cut off in the minority refuses writes by itself once it "
              "has missed most masters for about the node timeout: its clients see errors instead, and its "
              "acknowledgements stop during the cut.",
              "차단의 행들은 함께 읽어야 한다. Sentinel 쪽의 고립된 master는 아무것도 거절하지 않는다(그 실행에는 split "
              "brain guard가 없다). 그래서 클라이언트는 에러를 거의 보지 않고, master는 복구 뒤 Sentinel이 replica로 "
              "바꿀 때까지 결국 사라질 쓰기에 ACK를 보낸다. cluster에서 소수 쪽으로 끊긴 master는 과반의 master와 node "
              "timeout 남짓 연락이 끊기면 스스로 쓰기를 거절한다. 그래서 클라이언트는 대신 에러를 보고, ACK는 차단 "
              "중에 멈춘다."),
)

CHAPTERS = (
    Chapter("spof",
            L("1. The single point of failure, shown", "1. SPOF 인식"),
            "Redis가 메인 DB인데 단일 인스턴스 → 죽으면 서비스 터짐\n→ 장애 시뮬레이션으로 증명",
            L("The plan starts from today's single points of failure: Redis is FairBid's main store and runs as one "
              "instance, so when it dies the service dies with it. The first step proves this with a fault instead of "
              "asserting it.",
              "계획의 출발점은 지금 구조의 단일 장애점(SPOF)이다. Redis가 FairBid의 메인 DB인데 인스턴스가 하나뿐이라, "
              "Redis가 죽으면 서비스도 함께 죽는다. 첫 단계는 이것을 말이 아니라 장애 시뮬레이션으로 증명한다.")),
    Chapter("replication",
            L("2. Step by step: replication and persistence", "2. 단계별 해결: Replication과 Persistence"),
            "Replication → \"수동 failover 불편하네\"",
            L("Replication is the first answer: copies of the data on two replicas. The plan expects it to work and to "
              "be tedious: promoting a replica and repointing the service are hand steps. Persistence (AOF) answers "
              "another question: what a restarted node still holds.",
              "첫 번째 해법은 Replication이다. 데이터 사본을 replica 두 대에 둔다. 계획은 이것이 동작은 하되 번거로울 "
              "것이라고 예상했다. replica 승격과 서비스 재연결이 모두 손으로 하는 일이기 때문이다. Persistence(AOF)는 "
              "다른 질문에 답한다. 다시 시작한 노드에 무엇이 남아 있는가.")),
    Chapter("sentinel",
            L("3. Step by step: Sentinel", "3. 단계별 해결: Sentinel"),
            "Sentinel → \"자동 failover 편하네\"\n→ 각 단계에서 불편함 체감 후 다음 단계 필요성 이해",
            L("Sentinel automates what replication left to a person: three Sentinels watch the master, agree that it is "
              "down (quorum 2) and promote a replica. The steps after it look at what the automation does not settle by "
              "itself: split brain under a partition, the old master's return, the client during the switch, and what "
              "to watch.",
              "Sentinel은 Replication에서 사람이 하던 일을 자동으로 한다. Sentinel 세 대가 master를 지켜보다가 죽었다고 "
              "합의하면(quorum 2) replica를 승격한다. 이어지는 단계들은 자동화만으로 풀리지 않는 것들을 본다. "
              "네트워크 파티션에서의 split brain, 구 master의 복귀, 전환 중의 클라이언트, 그리고 무엇을 관찰해야 하는가.")),
    Chapter("stream",
            L("4. Extending: the stream consumers", "4. 확장: Stream/Consumer"),
            "Redis 경험을 바탕으로 Consumer, RDB까지 장애 대응 설계",
            L("With Redis covered, the plan carries the same questions to the bid-stream consumer. One consumer is a "
              "single point of failure too; a consumer group shares the work, XAUTOCLAIM rescues what a dead consumer "
              "held, and idempotent persistence makes the redelivery safe. Two steps beyond the plan follow the group "
              "across a Redis failover.",
              "Redis에서 얻은 경험을 bid-stream consumer로 넓힌다. consumer가 하나면 그것도 SPOF다. Consumer Group이 "
              "일을 나누고, 죽은 consumer가 쥐고 있던 메시지는 XAUTOCLAIM으로 다른 consumer가 가져가며, 멱등한 저장이 "
              "재처리를 안전하게 만든다. 계획에 없는 두 단계는 Redis failover를 거치는 동안의 Consumer Group을 따라간다.")),
    Chapter("rdb",
            L("5. Extending: the RDB", "5. 확장: RDB"),
            "→ 전체 아키텍처에 고가용성 적용",
            L("Last, MySQL: a single server fails persistence the moment it stops; a replica keeps the data readable "
              "while the primary is down.",
              "마지막은 RDB다. MySQL이 하나뿐이면 멈추는 순간 영속화가 실패한다. replica를 두면 primary가 멈춘 동안에도 "
              "데이터를 읽을 수 있다.")),
    Chapter("durability",
            L("6. Beyond the plan: what an acknowledgement is worth", "6. 계획 밖: ACK된 쓰기는 얼마나 믿을 만한가"),
            "",
            L("Not in the plan: what an acknowledged bid is worth when the master is partitioned, and what waiting for a "
              "replica before acknowledging costs. Both questions come from redis-4-2's finding.",
              "계획에는 없는 단계다. master가 파티션되었을 때 ACK된 입찰이 정말 남는지, 그리고 ACK 전에 replica를 "
              "기다리는 비용이 얼마인지를 잰다. 두 질문 모두 redis-4-2의 발견에서 나왔다.")),
    Chapter("gray",
            L("7. Beyond the plan: gray failures", "7. 계획 밖: 회색 장애"),
            "",
            L("Not in the plan: a node that is slow, lossy or flapping rather than dead, which is how outages more often "
              "look in production. Each step states this project's hypothesis (the plan has none here) and measures "
              "it: a CPU-starved master, lossy replica links under the split-brain guard, a master link that comes "
              "and goes.",
              "계획에는 없는 단계다. 죽은 노드가 아니라 느리거나, 패킷을 잃거나, 끊겼다 붙었다 하는 노드다. 실제 장애는 "
              "이런 모습인 경우가 더 많다. 각 단계는 이 프로젝트의 가설을 밝히고(계획에는 이 부분이 없다) 그것을 잰다. "
              "CPU를 극도로 제한한 master, split-brain guard 아래의 손실 많은 replica 링크, 끊겼다 붙었다 하는 master 링크다.")),
    Chapter("cluster",
            L("8. Beyond the plan: Sentinel against Cluster", "8. 계획 밖: Sentinel 대 Cluster"),
            "| 왜 Cluster 안 썼어요? | 데이터 규모상 Sentinel로 충분, 오버엔지니어링 방지 |",
            L("Not a step of the plan: its interview table asks why FairBid does not use Redis Cluster, and answers "
              "without a figure that at FairBid's data size Sentinel is enough and Cluster would be over-engineering. "
              "These steps measure the other side. The stand-in runs on a Redis Cluster whose shards each hold a master "
              "and its replicas, its bids spread over the shards, and takes Sentinel's faults: the master killed, and "
              "the master cut off while clients still reach it. Then a fault only a cluster has: one shard left with "
              "no copy, with cluster-require-full-coverage yes and no. The table sets each beside Sentinel's run of "
              "the same fault.",
              "계획의 단계는 아니다. 계획의 면접 질문표는 왜 Redis Cluster를 쓰지 않았는지 묻고, 수치 없이 데이터 "
              "규모상 Sentinel로 충분하며 Cluster는 오버엔지니어링이라고 답한다. 이 단계들은 그 반대편을 잰다. "
              "stand-in을 shard마다 master와 replica를 둔 Redis Cluster 위에서 돌려 입찰을 shard들에 나누고, Sentinel이 "
              "맞은 장애를 똑같이 건다. master kill, 그리고 클라이언트는 닿는 채로 master만 끊는 차단이다. 이어서 "
              "cluster에만 있는 장애, 사본이 하나도 남지 않은 shard를 cluster-require-full-coverage yes와 no로 본다. "
              "아래 표는 각 장애를 같은 장애를 맞은 Sentinel 실행과 나란히 놓는다."),
            plan_from="8.2",
            compare=SENTINEL_VS_CLUSTER),
)
OTHER = Chapter("other",
                L("9. Other scenarios", "9. 기타 시나리오"),
                "",
                L("Scenarios of the catalog outside the plan's storyline.", "계획의 스토리라인 밖에 있는 카탈로그 시나리오."))


# the questions in the plan's order; `opening` is said before any run's figures (the stories' Answers)
QUESTIONS = (
    Question("sentinel", "Redis Sentinel이 뭐예요?", "What is Redis Sentinel?",
             "자동 failover, 구성 방법, failover 시간",
             (L("Sentinel is Redis's own high-availability supervisor: a few sentinel processes watch a master and its "
                "replicas, agree that the master is down, promote a replica and tell clients the new address (clients ask "
                "Sentinel, not a fixed host).",
                "Sentinel은 Redis 자체의 고가용성 감시자다. sentinel 프로세스 몇 개가 master와 replica를 지켜보다가 master가 "
                "죽었다고 합의하면 replica를 승격하고, 클라이언트에게 새 주소를 알려 준다(클라이언트는 고정된 호스트가 아니라 "
                "Sentinel에게 묻는다)."),)),
    Question("during", "failover 중 요청은 어떻게 돼요?", "What happens to requests during a failover?",
             "일시적 에러, 클라이언트 재연결, 재시도 로직"),
    Question("cluster", "왜 Cluster 안 썼어요?", "Why not Redis Cluster?",
             "데이터 규모상 Sentinel로 충분, 오버엔지니어링 방지",
             (L("Redis Cluster shards the keyspace over several masters, each with its own replicas, and its nodes fail "
                "over by themselves, without Sentinel; it pays off when the data or the write rate outgrows one master. "
                "A bid is one Lua script over the idempotency key, the auction's top bid, the bid and the bid stream, and "
                "in a cluster a script sees the keys of one hash slot only. So the stand-in on a cluster keys each bid by "
                "one of six hash-tag buckets, `{fb0}` to `{fb5}`, chosen by its auction, two per shard, with a stream per "
                "bucket: the bids spread over the shards, and each script still sees only its bucket's keys.",
                "Redis Cluster는 키 공간을 여러 master에 나누고(sharding) master마다 replica를 두며, failover도 Sentinel "
                "없이 노드들이 직접 한다. 데이터나 쓰기량이 master 한 대를 넘어설 때 쓸모가 있다. FairBid의 입찰은 "
                "idempotency key, 경매의 최고가, 입찰, bid stream을 한꺼번에 다루는 Lua 스크립트 하나이고, cluster에서 "
                "스크립트는 한 hash slot의 키만 볼 수 있다. 그래서 cluster 위의 stand-in은 입찰마다 경매에 따라 hash tag "
                "bucket 여섯 개(`{fb0}`~`{fb5}`, shard마다 두 개) 중 하나를 키에 붙이고, stream도 bucket마다 하나씩 둔다. "
                "입찰은 shard들에 퍼지고, 스크립트 하나는 여전히 자기 bucket의 키만 본다."),)),
    Question("idempotency", "멱등성 어떻게 처리했어요?", "How is idempotency handled?",
             "unique key 체크, 중복 저장 방지",
             (L("Two keys, one at each end. The consumer inserts with a UNIQUE bid_id, so a redelivered message is stored "
                "once; the API takes an Idempotency-Key, so a client's retry returns the first bid instead of placing a "
                "second.",
                "양쪽 끝에 key가 하나씩 있다. consumer는 UNIQUE bid_id로 저장하므로 다시 전달된 메시지도 한 번만 저장되고, API는 "
                "Idempotency-Key를 받으므로 클라이언트가 재시도해도 두 번째 입찰이 아니라 첫 입찰이 돌아온다."),)),
    Question("split_brain", "Split Brain 어떻게 방지해요?", "How is split brain prevented?",
             "min-replicas-to-write 설정, 고립된 Master 쓰기 거부",
             (L("With min-replicas-to-write: a master that cannot reach enough replicas within max-lag refuses writes, so "
                "an isolated master stops taking writes that a failover would erase.",
                "min-replicas-to-write로 막는다. max-lag 안에 충분한 replica에 닿지 못한 master는 쓰기를 거부하므로, 고립된 "
                "master가 failover로 지워질 쓰기를 받지 않는다."),)),
    Question("dead_consumer", "Consumer 죽으면 그 메시지는요?", "What happens to a dead consumer's messages?",
             "XAUTOCLAIM으로 다른 Consumer가 가져감, 멱등성으로 중복 방지",
             (L("They stay pending under the dead consumer's name until someone claims them; XAUTOCLAIM moves them to a "
                "live consumer, and idempotent persistence makes the reprocessing safe.",
                "죽은 consumer 이름으로 pending에 남아 있다가 누군가 claim하면 넘어간다. XAUTOCLAIM이 살아 있는 consumer로 "
                "옮기고, 멱등한 저장 덕분에 다시 처리해도 안전하다."),)),
    Question("old_master", "failover 후 구 Master 켜면요?", "What happens when the old master comes back after a failover?",
             "Sentinel이 자동으로 Slave로 재구성, 데이터 동기화",
             (L("Sentinel turns it into a replica of the new master by itself, and it resynchronises.",
                "Sentinel이 알아서 새 master의 replica로 만들고, 구 master는 재동기화한다."),)),
)
