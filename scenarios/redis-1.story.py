"""redis-1: its story in the results document, told beside its scenario (redis-1.yaml)."""
from __future__ import annotations

from analysis.results_words import Fig
from analysis.stories import Story
from bilingual import L


def _redis1_why(F: Fig) -> L:
    base = L("With one Redis and no replica there is nothing to fail over to; every bid goes through Redis, so the "
             "service is down for as long as Redis is.",
             "Redis가 하나뿐이고 replica가 없으니 넘겨받을 곳이 없다. 모든 입찰이 Redis를 거치므로 Redis가 죽어 있는 "
             "시간이 곧 서비스 중단 시간이다.")
    rate = F.v("error_rate_during")
    if F.in_containers and rate is not None and rate < 0.95:
        return L(base.en + " Not every bid failed on Docker: a killed container's address goes silent instead of "
                 "refusing connections, so bids sent late in the outage hung in the service's timeout and retries and "
                 "succeeded once Redis was back.",
                 base.ko + " Docker에서 모든 입찰이 실패하지 않은 이유는, 죽은 컨테이너의 주소가 연결을 거부하지 않고 "
                 "침묵하기 때문이다. 장애 막바지에 보낸 입찰은 서비스의 timeout과 재시도 속에 걸려 있다가 Redis가 돌아오자 "
                 "성공했다.")
    return base


def _chapter_note(F: Fig) -> list[L]:
    if not F.has("error_rate_during", "error_window_s"):
        return []
    return [L(f"Measured (redis-1): while the only Redis was down, {F.pct('error_rate_during')} of requests failed, "
              f"for an error window of {F('error_window_s')}.",
              f"측정 결과(redis-1): 하나뿐인 Redis가 내려가 있는 동안 요청의 {F.pct('error_rate_during')}가 실패했고 "
              f"에러 구간은 {F('error_window_s')}(이)었다.")]


STORY = Story(
    "현재 상태 확인 — 단일 Redis 인스턴스를 부하 중에 강제 종료(SPOF)",
    "replica도 Sentinel도 없는 Redis 한 대에 서비스가 직접 붙는다. 부하 중에 Redis를 SIGKILL(docker kill)하고, "
    "같은 데이터 디렉터리(AOF)로 다시 띄운다. 에러율, 첫 에러와 마지막 에러, 재시작 후 입찰이 다시 성공하기까지의 "
    "시간을 기록한다.",
    "서비스 완전 중단",
    "# Redis 강제 종료\ndocker kill redis-master\n\n# 서비스 요청\ncurl -X POST http://localhost:8080/api/bids",
    happened=(
        lambda F: L(f"While Redis was down ({F.held('outage')}), {F.pct('error_rate_during')} of requests failed; "
                    f"the first error came {F('first_error_s')} after the kill and the errors lasted "
                    f"{F('error_window_s')}.",
                    f"Redis가 내려가 있던 {F.held('outage')} 동안 요청의 {F.pct('error_rate_during')}가 실패했다. "
                    f"첫 에러는 kill 후 {F('first_error_s')}에 났고, 에러는 {F('error_window_s')} 동안 이어졌다."),
        lambda F: L(f"Bids succeeded again {F('recovery_after_heal_s')} after Redis was started again.",
                    f"Redis를 다시 띄우자 {F('recovery_after_heal_s')} 만에 입찰이 다시 성공했다."),
    ),
    why=(_redis1_why,),
    learned=lambda F: L(f"A single Redis is a single point of failure: {F.pct('error_rate_during')} of requests failed "
                        "while it was down"
                        + (", the rest hung on the silent container and succeeded by retry once it was back."
                           if F.in_containers and (F.v("error_rate_during") or 1) < 0.95 else "."),
                        f"단일 Redis는 그대로 SPOF다. 내려가 있는 동안 요청의 {F.pct('error_rate_during')}가 실패했"
                        + ("고, 나머지는 침묵하는 컨테이너에 걸려 있다가 돌아온 뒤 재시도로 성공했다."
                           if F.in_containers and (F.v("error_rate_during") or 1) < 0.95 else "다.")),
    drop=("errors",),
    chapter="spof",
    chapter_note=_chapter_note,
    bound_ko={
        ("error_rate_during", "docker"):
        "죽은 컨테이너의 주소는 bridge 위에서 연결을 거부하지 않고 침묵한다. 그래서 장애 마지막 몇 초에 보낸 입찰은 서비스의 "
        "timeout과 재시도(3 s, 3회)에 걸려 있다가 컨테이너가 다시 시작되면 성공한다.",
    },
)
