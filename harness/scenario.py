"""Scenario files (scenarios/*.yaml): the stack, the load, the fault schedule, the checks and the
plan's expectation. Everything is validated on load, in one pass, before any server starts: every
field typed and range-checked, every problem reported at once with its file and line."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.checks import Check, parse_checks
from analysis.expectation import Expectation, parse_expectation
from analysis.metrics import METRICS
from configfile import yaml_lines
from configfile.validation import MISSING, Fields, Problems, scalars
from errors import ConfigError
from faults.schedule import NAME_RE, FaultSpec, check_schedule
from harness.campaign_bounds import CampaignBounds
from harness.campaign_bounds import parse as parse_campaign
from harness.halt import Halt
from harness.halt import parse as parse_halt
from lab.config import ROOT
from lab.spec import (
    CLIENT_ENV,
    NODE_LIMITS,
    REDIS_INT_MAX,
    ClusterSpec,
    SentinelTimings,
    StackSpec,
    read_env,
    redis_directive_problem,
)

SCENARIO_DIR = ROOT / "scenarios"
TOP_KEYS = {"id", "title", "plan_step", "group", "description", "expectation", "stack", "client", "load", "faults",
            "checks", "halt", "campaign"}
STACK_KEYS = {*NODE_LIMITS, "sentinel", "redis_conf", "service_env", "api_env", "cluster"}
CLUSTER_LIMITS = {"shards": (3, 3), "replicas": (0, 2), "node_timeout_ms": (100, REDIS_INT_MAX)}  # 9 addresses per lab
LOAD_KEYS = {"users", "spawn_rate", "run_time", "bid_weight", "redis_weight", "rate_per_user", "auctions", "variants"}
VARIANT_KEYS = {"name", "api", "retries", "backoff_s", "same_key"}
ID_RE = r"[A-Za-z0-9][A-Za-z0-9._-]*"  # it names the run directory: no slashes
# What one Locust process can offer (README, "Limits of one run"): past it the offered rate is not the
# rate sent, and every figure per second means nothing
MAX_USERS = 1000
MAX_OFFERED_PER_S = 2000
MAX_RUN_TIME_S = 24 * 3600
MAX_RETRIES = 20  # client-side retries double their wait each time: 20 is already hours

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
    halt: Halt = field(default_factory=Halt)  # conditions that stop the run early (harness/halt.py)
    campaign: CampaignBounds = field(default_factory=CampaignBounds)  # a seeded campaign's draw (harness/campaign_bounds.py)

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


def _source(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _sentinel(st: Fields, sentinels: int) -> SentinelTimings:
    """Timings Redis accepts, and a quorum the Sentinels can reach (a quorum above their number never
    agrees: the run would go on to the end and fail for want of a failover)."""
    sen = st.section("sentinel", set(SentinelTimings.__dataclass_fields__))
    timings = SentinelTimings(**{k: sen.integer(k, getattr(SentinelTimings, k), 1, REDIS_INT_MAX)
                                 for k in SentinelTimings.__dataclass_fields__})
    if 0 < sentinels < timings.quorum:
        default = "" if "quorum" in sen.data else " (the default)"
        line = sen.line("quorum") if "quorum" in sen.data else st.line("sentinels")
        st.problems.add(line, "stack.sentinel.quorum", f"{timings.quorum}{default} is more than the {sentinels} "
                                                       "Sentinel(s) of this stack: no failover could ever be agreed")
    return timings


def _api_env(f: Fields, apis: list[str], nodes: set[str]) -> dict[str, dict[str, str]]:
    out = {}
    for api in f.data:
        if api not in apis:
            f.bad(api, f"not an API node of this stack ({', '.join(apis)}; set stack.apis)")
        else:
            out[api] = read_env(f.section(api), nodes)
    return out


def _client(top: Fields) -> dict:
    """The service's Redis client settings, as written (they become FAIRBID_* variables)."""
    c = top.section("client", CLIENT_ENV)
    ok = {"timeout_s": c.number("timeout_s", None, 0, above=True),
          "retries": c.integer("retries", None, 0, MAX_RETRIES),
          "backoff_cap_s": c.number("backoff_cap_s", None, 0),
          "deadline_s": c.number("deadline_s", None, 0, above=True)}
    return {k: c.data[k] for k, v in ok.items() if v is not None}


def _cluster(st: Fields, counts: dict) -> ClusterSpec | None:
    """A Redis Cluster in place of master, replicas and Sentinels: its nodes are redis-1..redis-N, so a
    count of Redis nodes or Sentinels beside it is refused (they would mean another topology).
    3 shards: the lab configs offer nine cluster addresses (3 x (1 + 2 replicas)), and the stand-in's hash tags spread over 3."""
    if "cluster" not in st.data:
        return None
    c = st.section("cluster", set(CLUSTER_LIMITS))
    spec = ClusterSpec(**{k: c.integer(k, getattr(ClusterSpec, k), lo, hi) for k, (lo, hi) in CLUSTER_LIMITS.items()})
    for key in ("redis", "sentinels"):
        if key in st.data:
            st.bad(key, f"a cluster stack has no {key} count of its own (its nodes: stack.cluster shards x "
                        "(1 + replicas); no Sentinel runs beside it)")
    counts.update(redis=spec.nodes, sentinels=0)
    return spec


def _stack(top: Fields, client: dict) -> StackSpec:
    st = top.section("stack", STACK_KEYS)
    counts = {k: st.integer(k, getattr(StackSpec, k), lo, hi) for k, (lo, hi) in NODE_LIMITS.items()
              if not ("cluster" in st.data and k in ("redis", "sentinels"))}
    counts.setdefault("redis", StackSpec.redis)
    counts.setdefault("sentinels", StackSpec.sentinels)
    cluster = _cluster(st, counts)
    shape = StackSpec(**counts, cluster=cluster)
    nodes = set(shape.node_names())
    service_env = {CLIENT_ENV[k]: str(v) for k, v in client.items()}
    service_env.update(read_env(st.section("service_env"), nodes))
    redis_conf = scalars(st.section("redis_conf"), lambda key, _v: redis_directive_problem(key))
    return StackSpec(**counts, cluster=cluster, sentinel=_sentinel(st, counts["sentinels"]), redis_conf=redis_conf,
                     service_env=service_env, api_env=_api_env(st.section("api_env"), shape.api_names(), nodes))


def _variants(ld: Fields, apis: list[str]) -> tuple[Variant, ...]:
    """Kinds of bidding client, each with a name of its own (it prefixes its metrics) and an API node."""
    out: list[Variant] = []
    for _i, v in ld.items("variants"):
        v.unknown(VARIANT_KEYS)
        name = v.text("name", MISSING, NAME_RE, "is not a variant name (letters, digits, _ and -)")
        if name in {x.name for x in out}:
            v.bad("name", f"{name!r} names two variants")
        api = v.text("api", Variant.api)
        if api not in apis:
            v.bad("api", f"{api!r} is not an API node of this stack ({', '.join(apis)}; set stack.apis)")
        out.append(Variant(name=name or "", api=api, retries=v.integer("retries", Variant.retries, 0, MAX_RETRIES),
                           backoff_s=v.number("backoff_s", Variant.backoff_s, 0),
                           same_key=v.boolean("same_key", Variant.same_key)))
    return tuple(out) or (Variant(),)


def _load(top: Fields, stack: StackSpec) -> Load:
    ld = top.section("load", LOAD_KEYS)
    users = ld.integer("users", Load.users, 1, MAX_USERS)
    rate = ld.number("rate_per_user", Load.rate_per_user, 0, above=True)
    if users * rate > MAX_OFFERED_PER_S:
        ld.bad("rate_per_user", f"{users} users x {rate:g} requests/s = {users * rate:g} requests/s, more than one "
                                f"Locust process offers ({MAX_OFFERED_PER_S}/s, see README)")
    weights = {k: ld.integer(k, getattr(Load, k), 0) for k in ("bid_weight", "redis_weight")}
    if not any(weights.values()):
        ld.bad("bid_weight", "bid_weight and redis_weight are both 0: no user would send anything")
    return Load(users=users, spawn_rate=ld.number("spawn_rate", Load.spawn_rate, 0, above=True),
                run_time_s=ld.duration("run_time", Load.run_time_s, 1, MAX_RUN_TIME_S, above=False),
                rate_per_user=rate, auctions=ld.integer("auctions", Load.auctions, 1),
                variants=_variants(ld, stack.api_names()), **weights)


def _absorb(problems: Problems, key: str, raw: yaml_lines.LineDict, parse, *args) -> object:
    """Run another module's parser on raw[key], its ConfigError folded into this file's problems (and
    a value it did not foresee refused as malformed rather than ending in a traceback)."""
    try:
        return parse(raw.get(key), *args)
    except ConfigError as exc:
        problems.absorb(exc)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        problems.add(raw.line_of(key), key, f"malformed ({type(exc).__name__}: {exc})")
    return None


def load(name: str) -> Scenario:
    """The scenario, or one ConfigError naming every problem of the file (file:line: field: why)."""
    path = find(name)
    source = _source(path)
    raw = yaml_lines.load_file(path, source)
    problems = Problems(source)
    top = Fields(raw, "", problems)
    top.unknown(TOP_KEYS)
    sid = top.text("id", MISSING, ID_RE, "is not an id (letters, digits, ., _ and -; it names the run directory)")
    texts = {k: top.text(k, "") for k in ("plan_step", "description")}
    title, group = top.text("title", MISSING), top.text("group", (sid or "").split("-")[0])
    client = _client(top)
    stack = _stack(top, client)
    load_ = _load(top, stack)
    halt = parse_halt(top)
    run_time = None if "load.run_time" in problems.failed else load_.run_time_s
    faults = check_schedule(raw.get("faults"), problems, set(stack.node_names()), run_time, raw.line_of("faults"))
    shards = stack.cluster.shards if stack.cluster else 0
    for f in faults:
        if f.target.shard and f.target.shard > shards:
            problems.add(f.line, f"faults[{f.index}].target.shard",
                         f"{f.target.shard} is not a shard of this stack ("
                         + (f"stack.cluster has {shards}" if shards else "no stack.cluster: shards are a cluster's") + ")")
    variant_names = {v.name for v in load_.variants}
    declared = variant_names if load_.variants != (Variant(),) else set()
    for f in faults:
        if f.name in declared:
            problems.add(f.line, f"faults[{f.index}].name", f"{f.name!r} also names a variant: their metrics would mix")
    prefixes = {f.name for f in faults if f.name} | variant_names

    def is_known(m: str) -> bool:
        return m in METRICS or ("." in m and m.split(".", 1)[0] in prefixes)

    checks = _absorb(problems, "checks", raw, parse_checks, source, is_known)
    expectation = _absorb(problems, "expectation", raw, parse_expectation, source, raw.line_of("expectation"), is_known)
    # a drawn schedule names no fault: an invariant may use the plain metrics and the variants' only
    campaign = parse_campaign(top, run_time, source,
                              lambda m: m in METRICS or ("." in m and m.split(".", 1)[0] in variant_names))
    problems.check()
    return Scenario(id=sid, title=title, group=group, expectation=expectation, stack=stack, load=load_, faults=faults,
                    checks=checks, redis_client=client, path=path, halt=halt,
                    campaign=campaign, **texts)


def catalog(group: str | None = None) -> list[Path]:
    """Scenario files of a group (a scenario's `group`, by default its id's prefix: redis, stream, rdb),
    in file-name order. Every file is validated on the way: a broken catalog stops before any run."""
    paths = sorted(SCENARIO_DIR.glob("*.yaml"))
    return [p for p in paths if group in (None, "", "all") or load(str(p)).group == group]
