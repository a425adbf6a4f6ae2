"""The plan's storyline (8.1), the chapters the results document tells its steps in, in order, and the
interview questions (8.2) it answers with figures. Each step names its chapter and adds its answers in its
own story file (ID.story.py beside ID.yaml); analysis/stories.py reads this file and those."""
from __future__ import annotations

from analysis.stories import Chapter, Question
from bilingual import L

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
)
OTHER = Chapter("other",
                L("8. Other scenarios", "8. 기타 시나리오"),
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
             (L("No run compares Sentinel with Cluster. Cluster shards the keyspace over several masters; it pays off when "
                "the data or the write rate outgrows one master. FairBid's bid is one atomic script over the idempotency key, "
                "the bid, the auction's top bid and the single bid-stream; in Cluster every key of a script must sit in one "
                "hash slot, so that one stream would pin all bids to one slot, one master, anyway. Sentinel gives failover "
                "without sharding and with fewer moving parts: avoiding over-engineering, as the plan says.",
                "Sentinel과 Cluster를 비교한 실행은 없다. Cluster는 키 공간을 여러 master에 나눠(sharding) 데이터나 쓰기량이 "
                "master 한 대로 감당하기 어려울 때 쓸모가 있다. FairBid의 입찰은 idempotency key, 입찰, 경매의 최고가, 하나뿐인 "
                "bid-stream을 한꺼번에 다루는 원자적 스크립트 하나다. Cluster에서는 스크립트의 모든 키가 같은 hash slot에 "
                "있어야 하므로, 그 stream 하나 때문에 결국 모든 입찰이 한 slot, 즉 master 한 대에 묶인다. Sentinel은 sharding "
                "없이 failover를 제공하고 구성 요소도 적다. 계획이 말한 대로 오버엔지니어링을 피하는 선택이다."),),
             measured=False),
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
