"""A scenario against an adopted target, before any load: what it asks that the live system is not,
or that the harness may not do there. Every problem is named at once, and nothing starts.

Counts of Redis nodes and Sentinels must match (redis-2 needs no Sentinel; the guard scenarios need
directives the harness cannot set on a Redis it does not own); the Sentinel timings the checks assume
are read with SENTINEL MASTER; settings and restarts with env reach owned processes only, through the
variables the target maps.
"""
from __future__ import annotations

import requests

from faults.actions import ACTIONS
from harness.scenario import Scenario
from lab import clients, standin_env
from lab.spec import CLIENT_ENV
from lab.target import TargetLab, untaken

SENTINEL_FIELDS = {"down_after_ms": "down-after-milliseconds", "failover_timeout_ms": "failover-timeout",
                   "quorum": "quorum", "parallel_syncs": "parallel-syncs"}


def _count_problems(sc: Scenario, lab: TargetLab, live: bool = True) -> list[str]:
    t, s, out = lab.target, sc.stack, []
    for kind, asked, exact in (("redis", s.redis, True), ("sentinel", s.sentinels, True), ("mysql", s.mysql, False),
                               ("app", s.apis, False)):
        have = t.count(kind)
        if (exact and have != asked) or have < asked:
            out.append(f"the scenario's stack has {asked} {kind} node(s), the target {have}")
    consumers = [n for n in t.nodes if n.kind == "consumer"]
    owned = [n for n in consumers if n.process]
    # a target with no consumer node consumes inside its apps (FairBid's shape): the stand-in's one
    # consumer (the default) is that; more, named by the scenario, would reach nothing
    if not consumers and s.consumers > 1:
        out.append(f"stack.consumers {s.consumers}: the target names no consumer node (its apps consume "
                   "inside); a scenario that needs separate consumers needs a target that names them")
    elif consumers and (owned and len(owned) < s.consumers or not owned and len(consumers) != s.consumers):
        out.append(f"the scenario's stack has {s.consumers} consumer(s), the target "
                   f"{len(consumers)} ({len(owned)} started by the harness)")
    if s.redis_conf and not live:
        out.append(f"stack.redis_conf {sorted(s.redis_conf)}: the harness does not reconfigure a Redis it does not "
                   "own; the live master must already run them")
    return out


def _redis_conf_problems(sc: Scenario, lab: TargetLab) -> list[str]:
    """The directives the scenario assumes, against what the master runs now: the harness does not
    reconfigure a Redis it does not own, so a stack runs such a step only as it is (FairBid's guard is
    on its first master only: after a failover the step is refused, naming the setting)."""
    if not sc.stack.redis_conf:
        return []
    try:  # asked of the Sentinels directly: the target is not adopted yet
        master = None
        for host, port in lab.sentinel_addrs(lab.current_nodes()):
            sentinel = clients.sentinel_at(host, port, timeout=2, password=lab.secrets.sentinel)
            try:
                master = sentinel.sentinel_get_master_addr_by_name(lab.config.master_name)
            finally:
                sentinel.close()
            if master:
                break
        if not master:
            raise LookupError("no Sentinel names a master")
        client = clients.redis_at(master[0], int(master[1]), timeout=3, password=lab.secrets.redis)
        master = f"{master[0]}:{master[1]}"
        try:
            live = {k: str(v) for k, v in client.config_get(*sc.stack.redis_conf).items()}
        finally:
            client.close()
    except Exception as exc:  # said as the problem it is: nothing to compare with
        return [f"stack.redis_conf: the master's settings could not be read ({type(exc).__name__}: {exc})"]
    return [f"stack.redis_conf.{k}: the master ({master}) runs {live.get(k)!r}, the scenario assumes {str(v)!r}; "
            "the harness does not reconfigure a Redis it does not own"
            for k, v in sorted(sc.stack.redis_conf.items()) if live.get(k) != str(v)]


def _sentinel_problems(sc: Scenario, lab: TargetLab) -> list[str]:
    """The timings the scenario's checks were written for, against what each Sentinel says it runs."""
    if not sc.stack.sentinels:
        return []
    out = []
    for host, port in lab.sentinel_addrs(lab.current_nodes()):
        client = clients.sentinel_at(host, port, timeout=2, password=lab.secrets.sentinel)
        try:
            live = client.sentinel_master(lab.config.master_name)
        except Exception as exc:  # a Sentinel that does not answer is a problem before the load
            out.append(f"Sentinel {host}:{port} does not answer SENTINEL MASTER {lab.config.master_name}: {exc}")
            continue
        finally:
            client.close()
        for field, key in SENTINEL_FIELDS.items():
            want, have = getattr(sc.stack.sentinel, field), live.get(key)
            if have is not None and int(have) != want:
                out.append(f"Sentinel {host}:{port} runs {key} {have}; the scenario's checks assume {want}")
    return out


def _settings_problems(sc: Scenario, lab: TargetLab) -> list[str]:
    """stack.service_env and restart env: only for owned processes, through the target's env_map. Both
    are written in the stand-in's names: each variable is read as the harness's setting it is
    (lab/standin_env.py), which an owned process's env_map must map (or say it has none of)."""
    owned = [n for n in lab.target.nodes if n.process]
    client = set(CLIENT_ENV.values())  # the stand-in's client tuning: the adopted service keeps its own
    explicit = {k: v for k, v in sc.stack.service_env.items() if k not in client}
    out = []
    for key in sorted(explicit):
        setting = standin_env.setting(key)
        if not any(n.process.takes(setting) for n in owned):
            mapped = f"process.env_map: {setting}" if setting else "process.env_map"
            out.append(f"stack.service_env.{key}: no process the harness starts maps it ({mapped}); "
                       "an adopted container runs with its own settings")
    for api, env in sorted(sc.stack.api_env.items()):
        node = lab.target.node(api)
        if node is None or node.process is None:
            out.append(f"stack.api_env.{api}: no app the harness starts plays {api} (as: {api}, process:); "
                       "an adopted container runs with its own settings")
        elif missing := untaken(node.process, env):
            out.append(f"stack.api_env.{api}: {node.key} maps no variable for {', '.join(missing)} (process.env_map)")
    for f in sc.faults:
        node = lab.target.node(f.target.node) if f.target.node else None
        if f.target.node and node is None:
            out.append(f"faults[{f.index}] (line {f.line}): {f.target.node} is not a node of the target")
            continue
        if f.action == "restart" and (f.params.get("env") or {}):
            if node is None or node.process is None:
                out.append(f"faults[{f.index}] (line {f.line}): restart with env acts on a process the harness "
                           f"owns; {f.target} is an adopted container")
            elif missing := untaken(node.process, f.params["env"]):
                out.append(f"faults[{f.index}] (line {f.line}): {node.key} maps no variable for {', '.join(missing)}")
        if ACTIONS[f.action].needs_address and node is not None and node.process is not None:
            out.append(f"faults[{f.index}] (line {f.line}): {node.key} is a host process; it has no network to cut")
    return out


def problems(sc: Scenario, lab: TargetLab, live: bool = True) -> list[str]:
    """Everything that stops this scenario on this target (live: also ask the Sentinels)."""
    out = _count_problems(sc, lab, live) + _settings_problems(sc, lab)
    if live:
        out += _sentinel_problems(sc, lab) + _throttle_problems(sc, lab) + _redis_conf_problems(sc, lab)
    return out


def machine_problems(sc: Scenario, lab) -> list[str]:
    """What this machine cannot do that the scenario asks, on any backend, before anything starts:
    a throttle of a local process needs cgroup v1's cpu controller (lab/cpu_quota.py)."""
    if not lab.host_processes() or not any(f.action == "throttle" for f in sc.faults):
        return []
    from lab import cpu_quota

    why = cpu_quota.available()
    return [f"faults[{f.index}] (line {f.line}): throttle: {why}" for f in sc.faults if f.action == "throttle"] if why else []


def _throttle_problems(sc: Scenario, lab: TargetLab) -> list[str]:
    """A throttle on a container created with --cpus cannot be applied (Docker takes no CFS quota on
    it): refused here, before the load, for the named node or every Redis a role may resolve to."""
    faults = [f for f in sc.faults if f.action == "throttle"]
    if not faults:
        return []
    from lab import container_cpu

    nodes = lab.current_nodes()
    out = []
    for f in faults:
        names = [f.target.node] if f.target.node else [n for n, x in nodes.items() if x["kind"] == "redis"]
        for name in names:
            facts = nodes.get(name) or {}
            if facts.get("owned") or not facts.get("container_id"):
                continue
            why = container_cpu.refusal(lab.docker.containers.get(facts["container_id"]))
            if why:
                out.append(f"faults[{f.index}] (line {f.line}): {why}")
    return out


def answers(lab: TargetLab) -> list[str]:
    """Each node asked whether it answers (Redis and Sentinel PING, MySQL connect, the bid URL, an owned
    process not yet started), one line each; "does not answer" marks the ones that do not."""
    out = []
    for name, f in lab.nodes.items():
        kind, addr = f["kind"], lab.address(name)
        try:
            if f.get("owned"):
                out.append(f"{name}: started by the harness at run time")
                continue
            if kind in ("redis", "sentinel"):
                clients.ping(lab, name, timeout=2)
            elif kind == "mysql":
                if lab.target.verify.mysql is None:
                    out.append(f"{name}: no account in the target file (verify.mysql): not asked")
                    continue
                lab.mysql_connect(name, timeout_s=3).close()
            elif kind == "api":
                requests.get(lab.url(name), timeout=3)  # any HTTP answer: the service listens
            out.append(f"{name}: answers at {addr[0]}:{addr[1]}")
        except Exception as exc:  # the answer is the point of the dry run
            out.append(f"{name}: does not answer at {addr}: {type(exc).__name__}: {exc}")
    return out
