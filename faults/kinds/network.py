"""Faults on a node's network, process alive: cut (all peers or some, one way or both), loss of a
share of its packets, a flap that cuts and reconnects; and the one-shot undo connect."""
from __future__ import annotations

import time

import gevent
import gevent.event

from bilingual import L, num
from configfile.durations import parse_duration
from errors import FaultError
from faults import params as p
from faults.kind import Action, Draw
from lab.protocol import Lab
from runfiles import BackendFacts

PEER_WORDS = {"replicas": L("the other Redis nodes", "다른 Redis 노드"), "sentinels": L("the Sentinels", "Sentinel"),
              "others": L("the other Redis nodes and the Sentinels", "다른 Redis 노드와 Sentinel")}


def peers_of(lab: Lab, node: str, raw) -> list[str]:
    """Peer names: a list of nodes, or one of the groups replicas / sentinels / others."""
    if raw is None:
        return []
    names = lab.node_names()
    redis_nodes = [n for n in names if lab.kind(n) == "redis" and n != node]
    sentinels = [n for n in names if lab.kind(n) == "sentinel"]
    groups = {"replicas": redis_nodes, "sentinels": sentinels, "others": redis_nodes + sentinels}
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        out += groups.get(item, [item])
    return [x for x in dict.fromkeys(out) if x != node]


def _cut(lab: Lab, node: str, *, peers: str | list | None = None, one_way: bool = False) -> dict:
    """Network cut, process alive (docker network disconnect): from every peer, or only `peers`
    (names, or replicas / sentinels / others), both ways unless one_way; healed by reconnecting."""
    resolved = peers_of(lab, node, peers)
    if not resolved:
        lab.disconnect(node)
        return {"peers": []}
    for peer in resolved:
        lab.disconnect(node, peer, one_way=bool(one_way))
    return {"peers": resolved}


def _connect(lab: Lab, node: str, state=None, *, peers: str | list | None = None, one_way: bool = False) -> None:
    """Reconnect a cut node: exactly the peers the cut resolved to."""
    peers = (state or {}).get("peers") if state else peers_of(lab, node, peers)
    if not peers:
        lab.connect(node)
    for peer in peers:
        lab.connect(node, peer)


def _loss(lab: Lab, node: str, *, percent: float, peers: str | list | None = None) -> dict:
    """A random share (%) of the node's packets dropped both ways, from every peer or only `peers`
    (the firewall's statistic match: this kernel has no netem); the rules as applied, for the journal."""
    resolved = peers_of(lab, node, peers)
    rules = []
    for peer in resolved or [None]:
        rules += lab.lose(node, float(percent), peer)
    return {"percent": float(percent), "peers": resolved, "rules": rules}


def _unloss(lab: Lab, node: str, state=None, *, percent: float, peers: str | list | None = None) -> None:
    """Remove exactly the loss rules: those of the peers the loss resolved to."""
    resolved = (state or {}).get("peers") if state else peers_of(lab, node, peers)
    for peer in resolved or [None]:
        lab.unlose(node, float(percent), peer)


_FLAPS: dict[int, tuple] = {}  # flap id -> (its greenlet, its stop event, the cuts and errors so far)


def _flap(lab: Lab, node: str, *, period, cut_share: float = 0.5, peers: str | list | None = None,
          duration_s: float | None = None) -> dict:
    """A cut that comes and goes: cut for period x cut_share, connected for the rest, for the fault's
    duration (a bounded count of cycles); the first cut is made before this returns. The heal asks
    the cycles to stop and waits for the one under way (never killed mid-rule), then reconnects."""
    period_s, share = parse_duration(period), float(cut_share)
    if duration_s is None:
        raise FaultError("flap needs a duration")
    cycles = max(1, int(-(-float(duration_s) // period_s)))  # ceil: the last cycle ends at the heal at the latest
    state = {"period_s": period_s, "cut_s": round(period_s * share, 3), "cycles": cycles,
             "peers": peers_of(lab, node, peers)}
    cuts: list[list[float]] = []
    errors: list[str] = []
    stop = gevent.event.Event()
    t0 = time.monotonic()

    def until(t: float) -> bool:  # a fixed grid from the first cut; False once the heal asked to stop
        return not stop.wait(max(0.0, t0 + t - time.monotonic()))

    def loop() -> None:
        for i in range(cycles):
            try:
                if i:
                    if not until(i * period_s):
                        return
                    _cut(lab, node, peers=state["peers"] or None)
                    cuts.append([round(time.time() * 1000, 3), None])
                if not until(i * period_s + state["cut_s"]):
                    return
                _connect(lab, node, {"peers": state["peers"]})
                cuts[-1][1] = round(time.time() * 1000, 3)
            except Exception as exc:  # journaled by the heal; the next cycle tries again
                errors.append(f"cycle {i + 1}: {type(exc).__name__}: {exc}")

    _cut(lab, node, peers=state["peers"] or None)
    cuts.append([round(time.time() * 1000, 3), None])
    state["flap"] = id(cuts)
    _FLAPS[id(cuts)] = (gevent.spawn(loop), stop, cuts, errors)
    return state


def _unflap(lab: Lab, node: str, state=None, *, period=None, cut_share: float = 0.5,
            peers: str | list | None = None) -> dict:
    """Stop the cycles, reconnect, and report the cuts as they were made (wall clock ms)."""
    greenlet, stop, cuts, errors = _FLAPS.pop((state or {}).get("flap"), (None, None, [], []))
    if greenlet is not None:
        stop.set()
        greenlet.join(timeout=30)  # a rule under way finishes first: the reconnect below comes after it
    _connect(lab, node, {"peers": (state or {}).get("peers") or []} if state else None, peers=peers)
    now = round(time.time() * 1000, 3)
    out = {"cuts": [[a, b if b is not None else now] for a, b in cuts]}
    return {**out, "errors": errors} if errors else out


def _flap_period(params: dict, duration_s: float | None) -> list[tuple[str, str]]:
    period = params.get("period")
    if duration_s is not None and period and period > duration_s:
        return [("period", f"{period:g} s is longer than the flap's duration ({duration_s:g} s): not one cycle")]
    return []


# ---- how each is said ------------------------------------------------------------------------------
def _output(rec: dict) -> dict:
    return rec.get("output") if isinstance(rec.get("output"), dict) else {}


def _peer_words(rec: dict) -> L | None:
    resolved = _output(rec).get("peers")
    if resolved:
        names = ", ".join(resolved)
        return L(names, names)
    raw = (rec.get("params") or {}).get("peers")
    if raw is None:
        return None
    if isinstance(raw, str) and raw in PEER_WORDS:
        return PEER_WORDS[raw]
    names = ", ".join(raw) if isinstance(raw, list) else str(raw)
    return L(names, names)


def _cut_said(rec: dict, backend: BackendFacts) -> L:
    node, peers, dock = rec.get("node"), _peer_words(rec), backend.containers
    way = L(" one way (what it sends)", " 한 방향(보내는 쪽)만") if (rec.get("params") or {}).get("one_way") else L("", "")
    if peers is None:
        if dock:
            return L(f"`docker network disconnect` (Docker SDK) of {node}; its process stays alive",
                     f"{node} 노드를 `docker network disconnect`(Docker SDK). 프로세스는 살아 있음")
        return L(f"DROP rules on `lo` for {node}'s address, both ways; its process stays alive",
                 f"`lo`에서 {node} 주소를 양방향 DROP 규칙으로 차단. 프로세스는 살아 있음")
    if dock:
        return L(f"DROP rules inside {node}'s network namespace (entered with nsenter) for {peers.en}{way.en}; "
                 "clients still reach it",
                 f"{node}의 network namespace 안(nsenter)에서 {peers.ko} 쪽 통신을 DROP 규칙으로 차단{way.ko}. "
                 "클라이언트는 여전히 접근 가능")
    return L(f"DROP rules on `lo` between {node}'s address and {peers.en}{way.en}; clients still reach it",
             f"`lo`에서 {node} 주소와 {peers.ko} 사이를 DROP 규칙으로 차단{way.ko}. 클라이언트는 여전히 접근 가능")


def _cut_undone(rec: dict, backend: BackendFacts) -> L:
    if backend.containers and (rec.get("params") or {}).get("peers") is None:
        return L("`docker network connect`, same address", "`docker network connect`, 같은 주소")
    return L("exactly those rules removed", "그 규칙만 정확히 제거")


def _connected(rec: dict, backend: BackendFacts) -> L:
    node = rec.get("node")
    return L(f"{node} reconnected", f"{node} 재연결")


def _loss_said(rec: dict, backend: BackendFacts) -> L:
    node, peers = rec.get("node"), _peer_words(rec)
    share = num(_output(rec).get("percent", (rec.get("params") or {}).get("percent")))
    where = (L(f"in {node}'s network namespace", f"{node}의 network namespace 안에서") if backend.containers
             else L(f"on `lo` for {node}'s address", f"`lo`에서 {node} 주소에"))
    towards = (L(f", towards {peers.en}", f", {peers.ko} 쪽") if peers is not None else L("", ""))
    return L(f"random DROP rules (`statistic`, {share} % of packets) {where.en}{towards.en}, both ways; "
             "its process stays alive",
             f"{where.ko}{towards.ko} 무작위 DROP 규칙(`statistic`, 패킷의 {share} %)을 양방향으로. 프로세스는 살아 있음")


def _flap_said(rec: dict, backend: BackendFacts) -> L:
    node, out = rec.get("node"), _output(rec)
    cut = L(f"{num(out.get('cut_s'))} s cut every {num(out.get('period_s'))} s, {num(out.get('cycles'))} times",
            f"{num(out.get('period_s'))}초마다 {num(out.get('cut_s'))}초 차단, {num(out.get('cycles'))}회")
    return L(f"a cut of {node} that comes and goes: {cut.en}", f"{node} 노드를 끊었다 붙였다 함: {cut.ko}")


KINDS = (
    Action("cut", _cut, _connect, types={"peers": p.peers(), "one_way": p.boolean()}, disruptive=True,
           needs_address=True, undone_by="connect", did=_cut_said, undone=_cut_undone,
           campaign=(Draw("cut", 3, (5.0, 20.0)),
                     # a cut from the other nodes only: the node keeps its clients (split brain for a master)
                     Draw("partition", 4, (5.0, 20.0), params={"peers": "others"}))),
    Action("loss", _loss, _unloss, types={"percent": p.number(lo=0.01, hi=100), "peers": p.peers()},  # 4 digits
           disruptive=True, needs_address=True, did=_loss_said),
    Action("flap", _flap, _unflap, types={"period": p.duration(lo=0.2), "cut_share": p.number(lo=0.05, hi=0.95),
                                          "peers": p.peers()},
           disruptive=True, needs_duration=True, needs_address=True, check=_flap_period, did=_flap_said),
    Action("connect", _connect, types={"peers": p.peers(), "one_way": p.boolean()}, did=_connected),
)
