"""A starved node: its CPU quota cut to a share of one core (a gray failure: alive, slow)."""
from __future__ import annotations

from bilingual import L, num
from faults import params as p
from faults.kind import Action
from lab.protocol import Lab
from runfiles import BackendFacts


def _throttle(lab: Lab, node: str, *, cpu_percent: float) -> dict:
    """The node starved of CPU: a CFS quota of cpu_percent % of one core (a cgroup locally, `docker
    update` on a container); what it had before and what was set, for the journal and the heal."""
    return lab.throttle(node, float(cpu_percent))


def _unthrottle(lab: Lab, node: str, state=None, *, cpu_percent: float) -> None:
    """The node's own CPU setting back (with no state, an apply cut short: the backend finds its own)."""
    lab.unthrottle(node, state)


def _throttled(rec: dict, backend: BackendFacts) -> L:
    node, out = rec.get("node"), rec.get("output") if isinstance(rec.get("output"), dict) else {}
    q, per = num(out.get("quota_us") or out.get("cpu_quota")), num(out.get("period_us") or out.get("cpu_period"))
    share = num(out.get("cpu_percent", (rec.get("params") or {}).get("cpu_percent")))
    quota = L(f"{q} of every {per} us ({share} % of a core)", f"{per} us마다 {q} us(코어의 {share} %)")
    if backend.containers:
        return L(f"`docker update` (Docker SDK) of the {node} container: CPU quota {quota.en}",
                 f"{node} 컨테이너를 `docker update`(Docker SDK): CPU quota {quota.ko}")
    return L(f"{node}'s process moved into a cgroup of its own with a CPU quota of {quota.en}",
             f"{node} 프로세스를 CPU quota {quota.ko}인 별도 cgroup으로 옮김")


KINDS = (
    Action("throttle", _throttle, _unthrottle, types={"cpu_percent": p.number(lo=1, hi=100)}, disruptive=True,
           did=_throttled),
)
