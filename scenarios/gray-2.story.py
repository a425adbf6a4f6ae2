"""gray-2: its story in the results document, told beside its scenario (gray-2.yaml)."""
from __future__ import annotations

from analysis.stories import Story
from bilingual import L

STORY = Story(
    "패킷 30 %를 잃는 replica 링크, split-brain guard 켬",
    "master와 두 replica 사이 링크에서 30초 동안 패킷의 30 %를 양방향으로 무작위로 버린다(방화벽의 statistic match, "
    "이 커널에는 netem이 없다). Sentinel과 클라이언트는 모든 노드에 그대로 닿는다. guard는 짧은 lag 한도로 켠다"
    "(min-replicas-to-write 1, min-replicas-max-lag 2). 2초 안에 ACK를 보낸 replica가 없으면 master는 쓰기를 "
    "거부한다(NOREPLICAS). 죽은 링크가 아니라 손실 많은 링크가, 건강한 스택이라면 받았을 쓰기를 guard가 거부하게 "
    "만드는가? 거부가 언제 시작되고 몇 건인지를 잰다. \"건강한 스택과 다르다\"도 하나의 답이므로, 검사는 어느 쪽이든 "
    "지켜져야 하는 것만 제한한다.",
    "30 % 손실에서도 TCP 재전송이 replica 하나는 2초 안에 유지하므로 guard는 쓰기를 거부하지 않는다 (이 프로젝트의 가설, "
    "계획 밖)",
    "",
    closest="redis-cli CONFIG SET min-replicas-to-write 1",
    happened=(lambda F: L(f"While the loss lasted the guard refused {F('lossy.noreplicas_during')} writes"
                          + (f" (the first {F('lossy.noreplicas_after_s')} after the loss began)"
                             if F.v("lossy.noreplicas_during") else "")
                          + f"; error rate {F.pct('lossy.error_rate_during')}, p99 {F('lossy.p99_during_ms')}, "
                          f"failovers {F('lossy.failovers')}.",
                          f"손실 동안 guard가 거부한 쓰기는 {F('lossy.noreplicas_during')}건"
                          + (f"(첫 거부: 손실 시작 {F('lossy.noreplicas_after_s')} 뒤)" if F.v("lossy.noreplicas_during") else "")
                          + f", 에러율 {F.pct('lossy.error_rate_during')}, p99 {F('lossy.p99_during_ms')}, "
                          f"failover {F('lossy.failovers')}회."),),
    why=(lambda F: L("A replica acknowledges its offset once a second (REPLCONF ACK); a lost packet is retransmitted "
                     "after TCP's timeout (200 ms at least, doubling), so an acknowledgement is late, not missing. The "
                     "guard counts a replica as good while its last acknowledgement is under max-lag seconds old.",
                     "replica는 1초마다 자기 offset을 알린다(REPLCONF ACK). 잃어버린 패킷은 TCP 타임아웃(최소 200 ms, "
                     "두 배씩 증가) 뒤에 재전송되므로 ACK는 사라지지 않고 늦게 온다. guard는 마지막 ACK가 max-lag초 "
                     "이내인 replica를 정상으로 센다."),),
    learned=lambda F: L(f"At 30 % loss on both replica links the guard refused {F('lossy.noreplicas_during')} writes.",
                        f"두 replica 링크가 30 % 손실일 때 guard는 쓰기 {F('lossy.noreplicas_during')}건을 거부했다."),
    chapter="gray",
)
