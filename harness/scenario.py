"""Scenario files (scenarios/*.yaml): the stack, the load, the fault schedule, the checks and the
plan's expectation. Everything is validated on load, before any server starts."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.checks import Check, parse_checks
from analysis.expectation import Expectation, parse_expectation
from analysis.metrics import METRICS
from errors import ConfigError
from faults.durations import parse_duration
from faults.schedule import FaultSpec, parse_schedule
from harness import yaml_lines
from lab.config import ROOT
from lab.spec import SentinelTimings, StackSpec

SCENARIO_DIR = ROOT / "scenarios"
TOP_KEYS = {"id", "title", "plan_step", "group", "description", "expectation", "stack", "client", "load", "faults",
            "checks"}
LOAD_KEYS = {"users", "spawn_rate", "run_time", "bid_weight", "redis_weight", "rate_per_user", "auctions", "variants"}
VARIANT_KEYS = {"name", "api", "retries", "backoff_s", "same_key"}
CLIENT_ENV = {"timeout_s": "FAIRBID_REDIS_TIMEOUT_S", "retries": "FAIRBID_REDIS_RETRIES",
              "backoff_cap_s": "FAIRBID_REDIS_BACKOFF_CAP_S"}


@dataclass(frozen=True)
class Variant:
    """A kind of bidding client: which API node it calls and how it retries (client-side)."""

    name: str = "default"
    api: str = "api"
    retries: int = 0  # extra attempts after a failed or unknown one
    backoff_s: float = 0.0  # first wait; doubles each attempt
    same_key: bool = True  # retry with the same Idempotency-Key (safe) or a new one (naive)


@dataclass(frozen=True)
class Load:
    users: int = 50
    spawn_rate: float = 25
    run_time_s: float = 90
    bid_weight: int = 4
    redis_weight: int = 1
    rate_per_user: float = 5.0  # requests per second per user (Poisson arrivals)
    auctions: int = 20
    variants: tuple[Variant, ...] = (Variant(),)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    plan_step: str
    group: str
    description: str
    expectation: Expectation
    stack: StackSpec
    load: Load
    faults: list[FaultSpec]
    checks: list[Check]
    redis_client: dict = field(default_factory=dict)
    path: Path | None = None

    def settings(self) -> dict:
        load = {**vars(self.load), "variants": [vars(v) for v in self.load.variants]}
        return {"stack": self.stack.settings(), "load": load, "redis_user_client": self.redis_client}


def find(name: str) -> Path:
    """A scenario by id (scenarios/ID.yaml) or by path."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return p
    candidate = SCENARIO_DIR / f"{name}.yaml"
    if candidate.exists():
        return candidate
    known = ", ".join(sorted(x.stem for x in SCENARIO_DIR.glob("*.yaml")))
    raise ConfigError(f"no scenario {name!r} (known: {known})")


def _section(raw: dict, key: str, source: str, allowed: set[str]) -> dict:
    sec = raw.get(key) or {}
    if not isinstance(sec, dict):
        raise ConfigError(f"{source}:{raw.line_of(key)}: {key} must be a mapping")
    unknown = set(sec) - allowed
    if unknown:
        k = sorted(unknown)[0]
        raise ConfigError(f"{source}:{sec.line_of(k)}: {key}.{k}: unknown key (known: {', '.join(sorted(allowed))})")
    return sec


def _variants(ld: dict, source: str) -> tuple[Variant, ...]:
    raw = ld.get("variants")
    if raw is None:
        return (Variant(),)
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{source}:{ld.line_of('variants')}: load.variants must be a non-empty list")
    out = []
    for i, v in enumerate(raw):
        if not isinstance(v, dict) or "name" not in v or set(v) - VARIANT_KEYS:
            raise ConfigError(f"{source}:{getattr(v, 'line', 0)}: load.variants[{i}]: needs `name`; keys: "
                              f"{', '.join(sorted(VARIANT_KEYS))}")
        out.append(Variant(name=str(v["name"]), api=str(v.get("api", "api")), retries=int(v.get("retries", 0)),
                           backoff_s=float(v.get("backoff_s", 0)), same_key=bool(v.get("same_key", True))))
    return tuple(out)


def load(name: str) -> Scenario:
    path = find(name)
    source = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    raw = yaml_lines.load(path.read_text(), source)
    unknown = set(raw) - TOP_KEYS
    if unknown:
        k = sorted(unknown)[0]
        raise ConfigError(f"{source}:{raw.line_of(k)}: unknown key {k!r} (known: {', '.join(sorted(TOP_KEYS))})")
    for key in ("id", "title"):
        if not raw.get(key):
            raise ConfigError(f"{source}: missing `{key}`")
    try:
        st = _section(raw, "stack", source, {"redis", "sentinels", "mysql", "consumers", "apis", "sentinel",
                                             "redis_conf", "service_env", "api_env"})
        sen = _section(st, "sentinel", source, set(SentinelTimings.__dataclass_fields__)) if "sentinel" in st else {}
        client = _section(raw, "client", source, set(CLIENT_ENV))
        env = {CLIENT_ENV[k]: str(v) for k, v in client.items()}
        env.update({str(k): str(v) for k, v in (st.get("service_env") or {}).items()})
        stack = StackSpec(redis=int(st.get("redis", 3)), sentinels=int(st.get("sentinels", 3)),
                          mysql=int(st.get("mysql", 1)), consumers=int(st.get("consumers", 1)),
                          apis=int(st.get("apis", 1)),
                          api_env={str(a): {str(k): str(v) for k, v in e.items()} for a, e in (st.get("api_env") or {}).items()},
                          sentinel=SentinelTimings(**{k: int(v) for k, v in sen.items()}),
                          redis_conf={str(k): str(v) for k, v in (st.get("redis_conf") or {}).items()},
                          service_env=env)
        ld = _section(raw, "load", source, LOAD_KEYS)
        load_ = Load(users=int(ld.get("users", 50)), spawn_rate=float(ld.get("spawn_rate", 25)),
                     run_time_s=parse_duration(ld.get("run_time", 90)), bid_weight=int(ld.get("bid_weight", 4)),
                     redis_weight=int(ld.get("redis_weight", 1)), rate_per_user=float(ld.get("rate_per_user", 5)),
                     auctions=int(ld.get("auctions", 20)), variants=_variants(ld, source))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: bad stack/load/client value: {exc}") from None
    faults = parse_schedule(raw.get("faults"), source, set(stack.node_names()), load_.run_time_s)
    for v in load_.variants:
        if v.api not in stack.api_names():
            raise ConfigError(f"{source}: variant {v.name!r} calls {v.api!r}, not an API node of this stack "
                              f"({', '.join(stack.api_names())}; set stack.apis)")
    prefixes = {f.name for f in faults if f.name} | {v.name for v in load_.variants}
    def is_known(m: str) -> bool:
        return m in METRICS or ("." in m and m.split(".", 1)[0] in prefixes)

    checks = parse_checks(raw.get("checks"), source, is_known)
    expectation = parse_expectation(raw.get("expectation"), source, raw.line_of("expectation"), is_known)
    return Scenario(id=str(raw["id"]), title=str(raw["title"]), plan_step=str(raw.get("plan_step", "")),
                    group=str(raw.get("group", str(raw["id"]).split("-")[0])),
                    description=str(raw.get("description", "")), expectation=expectation,
                    stack=stack, load=load_, faults=faults, checks=checks,
                    redis_client={k: client[k] for k in client}, path=path)


def catalog(group: str | None = None) -> list[Path]:
    """Scenario files of a group (the id's prefix: redis, stream, rdb), in file-name order."""
    paths = sorted(SCENARIO_DIR.glob("*.yaml"))
    return [p for p in paths if group in (None, "", "all") or p.stem.split("-")[0] == group]
