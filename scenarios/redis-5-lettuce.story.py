"""redis-5-lettuce: its story in the results document, told beside its scenario (redis-5-lettuce.yaml)."""
from __future__ import annotations

from analysis.results_words import Fig, Missing
from analysis.stories import Answer, Story, client_variant
from bilingual import L

VARIANTS = ("defaults", "plan", "tuned")


def _name(F: Fig) -> str:
    """The client the run measured, by name: what its apps answered, else the stand-in's."""
    answers = [s for s in (F.s.client_settings or {}).values() if isinstance(s, dict)]
    found = next((f"Lettuce {s['lettuceVersion']}" if s.get("lettuceVersion") else f"{s['client']} {s.get('version', '')}"
                  for s in answers if s.get("lettuceVersion") or s.get("client")), None)
    return found.strip() if found else "redis-py"


def _client(F: Fig) -> L:
    """Which client the run measured: Lettuce where the apps answered their settings, else the stand-in's."""
    if F.s.client_settings:
        return L(f"{_name(F)}, each copy's settings as it answered them (client-settings.json)",
                 f"{_name(F)}, 각 사본의 설정은 앱이 직접 답한 값(client-settings.json)")
    return L("the stand-in's redis-py client: only the timeouts and retries apply",
             "stand-in의 redis-py 클라이언트: timeout과 재시도만 적용된다")


def _tuned_verdict(F: Fig) -> L:
    ended, users = F.v("tuned.last_error_after_switch_s"), F.v("tuned.user_errors")
    if ended is None or users is None:
        raise Missing("tuned.last_error_after_switch_s")
    if ended <= 0.5 and users == 0:
        return L(f"The tuned client's errors ended with the switch ({F('tuned.last_error_after_switch_s')} after it) and "
                 "no user saw a failure.",
                 f"튜닝한 클라이언트의 에러는 전환과 함께 끝났고(전환 {F('tuned.last_error_after_switch_s')} 뒤), 사용자에게 "
                 "보인 실패는 없었다.")
    return L(f"The tuned client's errors ran on {F('tuned.last_error_after_switch_s')} past the switch and "
             f"{F.c('tuned.user_errors', 'user')} saw a failure.",
             f"튜닝한 클라이언트의 에러는 전환 뒤 {F('tuned.last_error_after_switch_s')} 더 이어졌고 사용자에게 보인 실패가 "
             f"{F('tuned.user_errors')}건이었다.")


def story(fault_en: str, fault_ko: str, cmd: str, closest: str = "") -> Story:
    return Story(
        f"클라이언트 튜닝 — {fault_ko} 때 한 클라이언트의 설정 세 가지를 나란히",
        "같은 서비스의 사본 세 개가 각자의 Redis 클라이언트 설정으로 같은 장애를 맞는다. defaults: Spring Boot 기본값"
        "(timeout 미설정 = Lettuce의 60초, pool 없음)과 매번 새 Idempotency-Key로 곧바로 두 번 재시도하는 입찰자. plan: "
        "계획서의 설정(timeout 3000ms, pool max-active 8). tuned: 이 프로젝트의 권장값(1초 timeout, TCP keepalive와 "
        "TCP_USER_TIMEOUT, 재연결 간격 최대 200ms, 연결이 끊긴 동안 명령 거부, idempotency key가 있는 입찰만 서버에서 5번 "
        "재시도)과 같은 key로 backoff를 두고 재시도하는 입찰자.",
        "일시적 에러 후 자동 복구",
        cmd,
        closest=closest,
        happened=(lambda F: L(f"Client: {_client(F).en}.", f"클라이언트: {_client(F).ko}."),
                  *(lambda F, v=v: client_variant(F, v) for v in VARIANTS)),
        why=(_tuned_verdict,),
        learned=lambda F: L(f"On {_name(F)} the settings decide what users see: "
                            f"{F('defaults.user_errors')} user-visible failures with Spring Boot's defaults, "
                            f"{F('plan.user_errors')} with the plan's, {F('tuned.user_errors')} tuned.",
                            f"{_name(F)}에서도 사용자가 무엇을 보는지는 설정이 정한다. 사용자에게 보인 실패가 "
                            f"Spring Boot 기본값 {F('defaults.user_errors')}건, 계획서 설정 {F('plan.user_errors')}건, "
                            f"튜닝 후 {F('tuned.user_errors')}건이었다."),
        chapter="sentinel",
        answers=(Answer("during", (
            lambda F: L(f"On {_name(F)} ({fault_en}): with the plan's settings "
                        f"{F.c('plan.failed_requests', 'request')} failed and {F.c('plan.user_errors', 'user')} saw it; "
                        f"tuned, {F.c('tuned.failed_requests', 'request')} failed, the last "
                        f"{F('tuned.last_error_after_switch_s')} after +switch-master, and "
                        f"{F.c('tuned.user_errors', 'user')} saw a failure.",
                        f"{_name(F)}에서({fault_ko}): 계획서 설정으로는 요청 "
                        f"{F('plan.failed_requests')}건이 실패했고 사용자에게 보인 실패가 {F('plan.user_errors')}건, "
                        f"튜닝 후에는 {F('tuned.failed_requests')}건이 실패했고 마지막 실패는 +switch-master "
                        f"{F('tuned.last_error_after_switch_s')} 뒤, 사용자에게 보인 실패는 {F('tuned.user_errors')}건이었다."),
        ), rank=-1),),
    )


KILL_CMD = "# 부하 테스트 중 Master 종료\nk6 run scripts/bid-load.js &\ndocker kill redis-master"
STORY = story("a master kill", "master 종료", KILL_CMD)
