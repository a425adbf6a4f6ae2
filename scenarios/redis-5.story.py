"""redis-5: its story in the results document, told beside its scenario (redis-5.yaml)."""
from __future__ import annotations

from analysis.results_words import Fig
from analysis.stories import Answer, Story
from bilingual import L, num


def _variant_cfg(F: Fig, name: str) -> L:
    v = next((x for x in F.load.get("variants") or [] if x.get("name") == name), {})
    env = (F.stack.get("api_env") or {}).get(v.get("api", ""), {})
    t, r = env.get("FAIRBID_REDIS_TIMEOUT_S", F.env("FAIRBID_REDIS_TIMEOUT_S")), env.get("FAIRBID_REDIS_RETRIES",
                                                                                         F.env("FAIRBID_REDIS_RETRIES"))
    key = L("the same key", "같은 key") if v.get("same_key") else L("a new key each time", "매번 새 key")
    return L(f"service timeout {t} s, {r} retries; bidder {v.get('retries')} retries, backoff {num(v.get('backoff_s'))} s, "
             f"{key.en}",
             f"서비스 timeout {t} s, 재시도 {r}회; 입찰자 재시도 {v.get('retries')}회, backoff {num(v.get('backoff_s'))} s, "
             f"{key.ko}")


def _redis5_happened(F: Fig) -> L:
    return L(f"Same kill, same run. Untuned ({_variant_cfg(F, 'untuned').en}): {F('untuned.failed_requests')} failed "
             f"requests, {F.c('untuned.user_errors', 'user-visible error')}, "
             f"{F.c('untuned.duplicates_created', 'duplicate bid')}. "
             f"Tuned ({_variant_cfg(F, 'tuned').en}): {F('tuned.failed_requests')} failed requests, "
             f"{F.c('tuned.user_errors', 'user-visible error')}, {F.c('tuned.duplicates_created', 'duplicate bid')}.",
             f"같은 kill, 같은 실행. 튜닝 전({_variant_cfg(F, 'untuned').ko}): 실패 요청 {F('untuned.failed_requests')}건, "
             f"사용자에게 보인 에러 {F('untuned.user_errors')}건, 중복 입찰 {F('untuned.duplicates_created')}건. "
             f"튜닝 후({_variant_cfg(F, 'tuned').ko}): 실패 요청 {F('tuned.failed_requests')}건, 사용자에게 보인 에러 "
             f"{F('tuned.user_errors')}건, 중복 입찰 {F('tuned.duplicates_created')}건.")


STORY = Story(
    "클라이언트 튜닝 — failover 중 튜닝 전과 후를 나란히",
    "API 두 대와 두 종류의 입찰자가 같은 master kill을 맞는다. 튜닝 전: 서비스의 Redis 클라이언트는 최대 10초 기다리고 "
    "재시도하지 않으며, 입찰자는 매번 새 Idempotency-Key로 곧바로 두 번 재시도한다(순진한 재시도). 튜닝 후: 서비스 "
    "클라이언트는 1초 timeout에 backoff를 두고 5번 재시도하고, 입찰자는 같은 key로 backoff를 두고 재시도한다. 에러율, 에러 "
    "구간, 재시도, 사용자에게 보인 에러, 중복 입찰을 비교한다.",
    "일시적 에러 후 자동 복구",
    "# 부하 테스트 중 Master 종료\nk6 run scripts/bid-load.js &\ndocker kill redis-master",
    happened=(_redis5_happened,),
    why=(lambda F: L("Sentinel's failover was the same for both clients; what the user saw was decided by the client: a "
                     "short timeout and retries with backoff ride over the switch, and retrying with the same "
                     "Idempotency-Key makes the retry safe instead of a second bid.",
                     "Sentinel의 failover는 두 클라이언트에게 똑같았다. 사용자가 무엇을 보는지는 클라이언트가 정했다. 짧은 "
                     "timeout과 backoff 재시도는 전환을 넘기고, 같은 Idempotency-Key로 재시도하면 두 번째 입찰이 아니라 "
                     "안전한 재시도가 된다."),),
    learned=lambda F: L(f"The client decides whether a failover is visible: {F('untuned.user_errors')} user-visible errors "
                        f"untuned, {F('tuned.user_errors')} tuned.",
                        f"failover가 사용자에게 보일지는 클라이언트가 정한다. 사용자에게 보인 에러가 튜닝 전 "
                        f"{F('untuned.user_errors')}건, 튜닝 후 {F('tuned.user_errors')}건이었다."),
    chapter="sentinel",
    answers=(
        Answer("during", (
            lambda F: L(f"Whether users see it is the client's doing (redis-5, same kill): untuned, "
                        f"{F.c('untuned.user_errors', 'user-visible error')} and {F('untuned.duplicates_created')} "
                        f"duplicate bids; tuned (short timeout, retries with backoff, the same "
                        f"Idempotency-Key), {F('tuned.user_errors')} and {F('tuned.duplicates_created')}.",
                        f"사용자에게 보이는지는 클라이언트에 달렸다(redis-5, 같은 kill). 튜닝 전에는 사용자에게 "
                        f"보인 에러 {F('untuned.user_errors')}건, 중복 입찰 {F('untuned.duplicates_created')}건, "
                        f"튜닝 후(짧은 timeout, backoff 재시도, 같은 Idempotency-Key)에는 "
                        f"각각 {F('tuned.user_errors')}건, {F('tuned.duplicates_created')}건이었다."),
        )),
        Answer("idempotency", (
            lambda F: L(f"On the client side (redis-5): retries with a new key each time created "
                        f"{F('untuned.duplicates_created')} duplicate bids, retries with the same key "
                        f"{F('tuned.duplicates_created')}.",
                        "클라이언트 쪽(redis-5): 매번 새 key로 재시도하면 "
                        f"중복 입찰 {F('untuned.duplicates_created')}건, "
                        f"같은 key로 재시도하면 {F('tuned.duplicates_created')}건."),
        ), rank=1),  # the client's side, told after the consumer's (stream-3)
    ),
)
