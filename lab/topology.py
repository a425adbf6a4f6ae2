"""Roles as Sentinel sees them, for either backend: after one failover the node names lie."""
from __future__ import annotations

from collections import Counter

from redis.exceptions import RedisError

from lab import clients
from lab.secrets import LabSecrets

NO_AUTH = LabSecrets()  # a stack without passwords

SENTINEL_TIMEOUT_S = 0.5


def _ask(host: str, port: int, question, auth: LabSecrets = NO_AUTH):
    """One question to one Sentinel; None if it does not answer (down, paused, cut)."""
    client = clients.sentinel_at(host, port, SENTINEL_TIMEOUT_S, password=auth.sentinel)
    try:
        return question(client)
    except RedisError:
        return None
    finally:
        client.close()


def master_votes(sentinels: list[tuple[str, int]], name: str, auth: LabSecrets = NO_AUTH) -> Counter:
    """How many reachable Sentinels name each (host, port) as the master."""
    votes: Counter = Counter()
    for host, port in sentinels:
        addr = _ask(host, port, lambda c: c.sentinel_get_master_addr_by_name(name), auth)
        if addr:
            votes[(addr[0], int(addr[1]))] += 1
    return votes


def is_up(state: dict) -> bool:
    """Not subjectively or objectively down, nor disconnected, in a Sentinel's view."""
    return not (state.get("is_sdown") or state.get("is_odown") or state.get("is_disconnected"))


def current_master(sentinels: list[tuple[str, int]], name: str, auth: LabSecrets = NO_AUTH) -> tuple[str, int] | None:
    """The master named by most reachable Sentinels (None if none answers)."""
    votes = master_votes(sentinels, name, auth)
    return votes.most_common(1)[0][0] if votes else None


def sentinel_view(host: str, port: int, name: str, auth: LabSecrets = NO_AUTH) -> dict | None:
    return _ask(host, port, lambda c: c.sentinel_master(name), auth)


def replicas(sentinels: list[tuple[str, int]], name: str, auth: LabSecrets = NO_AUTH) -> list[tuple[str, int]]:
    """Replicas that the first reachable Sentinel sees up (not s_down/o_down/disconnected)."""
    for host, port in sentinels:
        rows = _ask(host, port, lambda c: c.sentinel_slaves(name), auth)
        if rows is not None:
            return [(r["ip"], int(r["port"])) for r in rows if is_up(r)]
    return []


def replica_linked(addr: tuple[str, int], master: tuple[str, int], auth: LabSecrets = NO_AUTH) -> bool:
    """The node itself says it is a replica with its link up, and the master lists it among its
    replicas (Sentinel's list lags behind: an old master that came back is listed as replica while
    it still acts as a master). The master's own list is used because a replica may name its master
    by a host name (Compose) that only its network resolves."""
    client = clients.redis_at(*addr, SENTINEL_TIMEOUT_S, password=auth.redis)
    top = clients.redis_at(*master, SENTINEL_TIMEOUT_S, password=auth.redis)
    try:
        info, minfo = client.info("replication"), top.info("replication")
    except RedisError:
        return False
    finally:
        client.close()
        top.close()
    listed = {v.get("ip") for k, v in minfo.items() if k.startswith("slave") and isinstance(v, dict)}
    return info.get("role") == "slave" and info.get("master_link_status") == "up" and addr[0] in listed


def settled(sentinels: list[tuple[str, int]], name: str, replicas_n: int, auth: LabSecrets = NO_AUTH) -> bool:
    """All Sentinels agree on one master that they see up, with every replica and every other Sentinel,
    and every replica really replicates from that master."""
    views = [sentinel_view(h, p, name, auth) for h, p in sentinels]
    if not views or any(v is None for v in views):
        return False
    masters = {(v["ip"], int(v["port"])) for v in views}
    return (len(masters) == 1
            and all(v.get("is_master") and is_up(v) for v in views)
            and all(int(v["num-slaves"]) >= replicas_n for v in views)
            and all(int(v["num-other-sentinels"]) >= len(sentinels) - 1 for v in views)
            and all(len(replicas([(h, p)], name, auth)) >= replicas_n for h, p in sentinels)
            and all(replica_linked(r, next(iter(masters)), auth) for r in replicas(sentinels[:1], name, auth)))
