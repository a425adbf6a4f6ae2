"""The stand-in's environment as the lab drives it: every FAIRBID_* variable fairbid/settings.py reads,
how a value of each is checked, which of the harness's settings (lab/service_settings.py) each one is,
and the stream names the lab reads back from it (in cluster mode one per bucket: cluster_streams).
This is the stand-in's adapter: the one place the harness's setting names become FAIRBID_* names and
back; a team's service gets them through its target file's env_map instead.

The lab knows the stand-in by its outside (environment, API, log lines), as it knows a team's service
by its target file, never by importing its code: fairbid/ is the system under test and runs alone
(tests/test_boundaries.py). tests/test_standin_env.py holds this table to what Settings.from_env reads
and refuses, so a setting added there and not here fails a test.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from redis.crc import key_slot

from lab.service_settings import SETTINGS

DURABILITY_MODES = ("async", "guard", "wait")


def _addresses(value: str) -> None:
    """"h1:p1,h2:p2": each port a whole number."""
    for part in filter(None, (p.strip() for p in value.split(","))):
        int(part.rpartition(":")[2])


def _durability(value: str) -> None:
    if value not in DURABILITY_MODES:
        raise ValueError(f"FAIRBID_DURABILITY must be one of {', '.join(DURABILITY_MODES)}, not {value!r}")


def _optional_float(value: str) -> None:
    if value:
        float(value)


# each variable and its check, which raises ValueError where the stand-in would refuse the value
VARIABLES: dict[str, Callable[[str], object]] = {
    "FAIRBID_SENTINELS": _addresses, "FAIRBID_MASTER_NAME": str, "FAIRBID_REDIS": _addresses, "FAIRBID_CLUSTER": _addresses,
    "FAIRBID_REDIS_PASSWORD": str, "FAIRBID_SENTINEL_PASSWORD": str, "FAIRBID_REDIS_TIMEOUT_S": float,
    "FAIRBID_REDIS_RETRIES": int, "FAIRBID_REDIS_BACKOFF_CAP_S": float, "FAIRBID_REDIS_DEADLINE_S": _optional_float,
    "FAIRBID_MYSQL_HOST": str, "FAIRBID_MYSQL_PORT": int, "FAIRBID_MYSQL_USER": str, "FAIRBID_MYSQL_PASSWORD": str,
    "FAIRBID_MYSQL_DB": str, "FAIRBID_MYSQL_TIMEOUT_S": float, "FAIRBID_BIND_HOST": str, "FAIRBID_BIND_PORT": int,
    "FAIRBID_STREAM": str, "FAIRBID_GROUP": str, "FAIRBID_CONSUMER_NAME": str, "FAIRBID_CLAIM_INTERVAL_S": float,
    "FAIRBID_CLAIM_IDLE_MS": int, "FAIRBID_MAX_DELIVERIES": int, "FAIRBID_DEAD_LETTER_STREAM": str,
    "FAIRBID_ACK_DELAY_MS": int, "FAIRBID_DURABILITY": _durability, "FAIRBID_WAIT_REPLICAS": int,
    "FAIRBID_WAIT_TIMEOUT_MS": int,
}


PREFIX = "FAIRBID_"  # the stand-in names each setting so: claim_idle_ms is FAIRBID_CLAIM_IDLE_MS


def variable(setting: str) -> str:
    """The stand-in's variable of one of the harness's settings (claim_idle_ms -> FAIRBID_CLAIM_IDLE_MS)."""
    if setting not in SETTINGS:
        raise KeyError(f"{setting!r} is not a setting the harness knows")
    return PREFIX + setting.upper()


def setting(name: str) -> str | None:
    """The harness's setting one of the stand-in's variables is (FAIRBID_CLAIM_IDLE_MS -> claim_idle_ms),
    or None where `name` is no variable of the stand-in's."""
    short = name.removeprefix(PREFIX).lower()
    return short if name in VARIABLES and short in SETTINGS else None


def is_standin(name: str) -> bool:
    """A variable in the stand-in's namespace (known to it or not): kept out of what a target is given."""
    return name.startswith(PREFIX)


def environment(settings: dict[str, str]) -> dict[str, str]:
    """The harness's settings as the stand-in's environment (its client, run by the harness's Redis users)."""
    return {variable(k): v for k, v in settings.items()}


def as_settings(env: dict[str, str]) -> dict[str, str]:
    """The stand-in's environment as a scenario writes it (stack.service_env, a restart's env) in the
    harness's setting names, for a service that is not the stand-in; a variable that is no setting of the
    harness's is left out (a target is refused it before anything starts: harness/target_check.py)."""
    return {name: v for k, v in env.items() if (name := setting(k))}


def check(key: str, value: str) -> None:
    """Raises ValueError (the stand-in's own message) where the stand-in would refuse this value."""
    VARIABLES[key](value)


@dataclass(frozen=True)
class StreamNames:
    """The stream, consumer group and dead-letter stream the stand-in runs with."""

    stream: str
    group: str
    dead_letter_stream: str


def stream_names(env: dict[str, str]) -> StreamNames:
    """The names in the service's environment, or the stand-in's defaults."""
    return StreamNames(stream=env.get("FAIRBID_STREAM", "bid-stream"), group=env.get("FAIRBID_GROUP", "bid-group"),
                       dead_letter_stream=env.get("FAIRBID_DEAD_LETTER_STREAM", "bid-stream-dead"))


CLUSTER_THIRDS = ((0, 5461), (5461, 10923), (10923, 16384))  # the slot ranges `redis-cli --cluster create` gives 3 masters


@cache  # a fixed rule: the monitor asks for the streams every sample
def cluster_tags() -> tuple[str, ...]:
    """The stand-in's six bucket hash tags in cluster mode (FAIRBID_CLUSTER), by its rule (fairbid/cluster_keys.py,
    restated here as the lab may not import it): scanning fb0, fb1, ..., the first two whose slot lies in each
    third of the slot space, in scan order."""
    tags: list[str] = []
    per_third = [0, 0, 0]
    i = 0
    while len(tags) < 6:
        tag = f"fb{i}"
        third = next(n for n, (lo, hi) in enumerate(CLUSTER_THIRDS) if lo <= key_slot(tag.encode()) < hi)
        if per_third[third] < 2:
            per_third[third] += 1
            tags.append(tag)
        i += 1
    return tuple(tags)  # cached: immutable


def cluster_streams(stream: str) -> list[str]:
    """Every bucket stream the stand-in writes in cluster mode for one base name (bid-stream -> bid-stream:{fb0}, ...);
    the same for its dead-letter stream."""
    return [f"{stream}:{{{tag}}}" for tag in cluster_tags()]
