"""What each family of metrics rests on (README, "Evidence rules").

A metric exists only where its evidence exists and agrees with itself; otherwise it is absent
(None) with a reason, and a check on it fails as "not measured: REASON". A figure computed from
a missing file would read 0 (no switch seen, no write lost), which is the one answer a verdict
must never get for free.
"""
from __future__ import annotations

import runfiles as rf
from analysis.load import Run

# families of metrics, by the name's last part (so `partition.failover_s` belongs with `failover_s`)
SENTINEL = ("detect_s", "odown_s", "failover_s", "failovers", "tilt_count", "tilt_s", "switches", "convert_after_heal_s",
            "last_error_follows", "last_error_follows_s")
LOSS = ("lost_acked_writes", "lost_in_redis", "lost_in_mysql", "lost_sets", "lost_acked_during",
        "loss_before_fault_s", "loss_after_fault_s", "loss_after_heal_s", "unknown_landed", "unknown_lost", "duplicates_created",
        "acked_not_in_mysql_or_stream", "pending_gone", "lost_acked")
LOAD = ("total_requests", "failed_requests", "error_rate", "requests_per_s", "p50_ms", "p95_ms", "p99_ms",
        "p50_steady_ms", "p99_steady_ms", "error_window_s", "error_rate_during", "recovery_s", "recovery_after_heal_s",
        "first_error_s", "last_error_s", "error_window_bids_s", "error_window_redis_s", "noreplicas_after_s",
        "noreplicas_during", "p99_during_ms",
        "readonly_errors", "readonly_bids_s", "readonly_redis_s", "requests", "last_error_kind",
        "last_error_after_switch_s", "first_ok_after_switch_s")
HISTORY = ("acked_writes", "acked_bids", "acked_sets", "unknown_writes", "interrupted_at_stop", "refused_writes", "retries",
           "user_errors", "business_refusals", "login_failures")


def cluster_of(run: Run) -> dict | None:
    """The stack's Redis Cluster settings (shards, replicas, node_timeout_ms), or None: not a cluster.
    A cluster has no Sentinel: its observer watches every node's own view (observe/cluster_events.py),
    and run.json's `sentinels` / `sentinel_nodes` name those nodes."""
    cluster = (run.meta.config.get("stack") or {}).get("cluster")
    return cluster if isinstance(cluster, dict) and cluster else None


def _watched_word(run: Run) -> str:
    """What the observer watches in this run, as the evidence messages say it."""
    return "cluster node" if cluster_of(run) else "Sentinel"


def _sentinels_expected(run: Run) -> list[str]:
    """The Sentinels (or cluster nodes) the observer was asked to watch (run.json), or as many as the
    stack had."""
    if run.meta.sentinels is not None:
        return list(run.meta.sentinels)
    cluster = cluster_of(run)
    if cluster:
        n = int(cluster.get("shards") or 0) * (1 + int(cluster.get("replicas") or 0))
    else:
        n = (run.meta.config.get("stack") or {}).get("sentinels") or 0
    seen = sorted({s for s in run.events["sentinel"].dropna().unique()})
    word = "" if cluster else "sentinel "  # the messages say "cluster node #2 (never connected)"
    return seen if len(seen) >= n else seen + [f"{word}#{i + 1} (never connected)" for i in range(len(seen), n)]


def _faulted_sentinels(run: Run) -> set[str]:
    """Sentinels (cluster nodes) a fault of the run acted on (killed, cut): their observer's disconnect
    is the fault's."""
    names = run.meta.sentinel_nodes or {}
    faulted = {f.node for f in run.faults if isinstance(f, rf.Applied)}
    return {addr for addr, node in names.items() if node in faulted}


def sentinel_gap(run: Run, first_fault_ms: float | None) -> str | None:
    """Why the Sentinel events cannot be trusted to be complete, or None when they can: the observer
    was connected to every Sentinel from the first disruptive fault (or the start) to the run's end.
    In a Redis Cluster the same rule holds for every cluster node's view."""
    stack = run.meta.config.get("stack") or {}
    watched = _watched_word(run)
    if not cluster_of(run) and stack.get("sentinels") == 0:
        return "no Sentinel in this stack"
    expected = _sentinels_expected(run)
    if not expected:
        return f"no {watched} was watched"
    until = float(run.meta.test_stop_ms or float("inf"))  # disconnects while healing and verifying don't count
    since = first_fault_ms if first_fault_ms is not None else until  # no fault: connected at some point suffices
    obs = run.events[run.events["event"].isin(["observer-connected", "observer-disconnected"])].sort_values("t_ms")
    excused = _faulted_sentinels(run)
    for name in expected:
        mine = obs[obs["sentinel"] == name]
        before = mine[mine["t_ms"] <= since]
        if not len(before) or before["event"].iloc[-1] != "observer-connected":
            return f"the observer was not connected to {watched} {name} when the first disruptive fault was applied"
        if first_fault_ms is None or name in excused:
            continue
        lost = mine[(mine["t_ms"] > since) & (mine["t_ms"] <= until) & (mine["event"] == "observer-disconnected")]
        if len(lost):
            return f"the observer lost {watched} {name} {(float(lost['t_ms'].min()) - since) / 1000:+.1f} s after the " \
                   "first disruptive fault"
    return None


def acked_in_history(run: Run) -> tuple[int, int]:
    """(bids, sets) the history says were acknowledged: what verification must have looked up."""
    h = run.history
    if not len(h):
        return 0, 0
    ok = h[h["outcome"] == "ok"]
    named = ok["bid_id"].fillna("").astype(str).ne("")
    if "write_key" in ok.columns:  # a write known by its identity, where the service names no id
        named |= ok["write_key"].fillna("").astype(str).ne("")
    bids = ok[(ok["op"] == "bid") & named]
    return int(len(bids)), int((ok["op"] == "set").sum())


def loss_gap(run: Run) -> str | None:
    """Why losses cannot be counted: no settled verification, or a history that disagrees with it."""
    v = run.verify
    if v is None:
        return "no verification (verify.json missing)"
    if not v.checked:
        return f"the verification did not run to the end ({v.redis_error or 'no lookup made'})"
    if v.settled is not True:
        return "the stack had not settled after healing when verification ran"
    if v.stores == [] and acked_in_history(run)[0]:
        return ("the target file names no store to look an acknowledged bid up in "
                "(verify.redis_key, verify.mysql or verify.http)")
    if "http" in (v.stores or []) and not v.http_checked:
        return f"the service's GET of each bid could not be read after healing ({v.http_error or 'no lookup made'})"
    stack = run.meta.config.get("stack") or {}
    if stack.get("mysql_nodes") and v.mysql_expected and not v.mysql_checked:
        return f"MySQL could not be read after healing ({v.mysql_error or 'no lookup made'})"
    bids, sets = acked_in_history(run)
    if (bids, sets) != (v.acked_bids, v.acked_sets):
        return (f"the history holds {bids} acknowledged bids and {sets} SETs, the verification checked "
                f"{v.acked_bids} and {v.acked_sets}")
    if bids + sets == 0:
        return "no acknowledged write to check"
    return None


def incomplete(run: Run, name: str) -> str | None:
    """Why a run file is known to be incomplete (its writer failed or wrote fewer rows than it was sent)."""
    return (run.meta.incomplete_files or {}).get(name)


def load_gap(run: Run) -> str | None:
    if reason := incomplete(run, rf.REQUESTS):
        return f"the per-request log is incomplete ({reason})"
    return None if len(run.requests) else "no request in the per-request log (requests.csv)"


def history_gap(run: Run) -> str | None:
    """The write history is the record of every write: empty beside a log of writes, it was lost."""
    if reason := incomplete(run, rf.HISTORY):
        return f"the write history is incomplete ({reason})"
    writes = int((run.requests["request_type"] == "POST").sum() + (run.requests["name"] == "SET").sum())
    if writes and not len(run.history):
        return f"the history holds no write while the per-request log has {writes}"
    return None


def worker_problems(run: Run) -> list[str]:
    """A distributed run's rows are complete only if every worker's last count arrived and matches
    the rows the master received from it (run.json "workers", harness/relay.py)."""
    workers = run.meta.workers
    if workers is None:
        return []
    if not workers:
        return ["no worker took part in the distributed run"]
    return [w.get("problem") or f"worker {name} is incomplete" for name, w in sorted(workers.items())
            if not w.get("complete")]


def worker_gap(run: Run) -> str | None:
    problems = worker_problems(run)
    return "incomplete history: " + "; ".join(problems) if problems else None


def gaps(run: Run, first_fault_ms: float | None) -> dict[str, str]:
    """{family: reason} for every family of metrics whose evidence is missing. A worker's missing rows
    take away what rests on the rows: the load, the history and the losses counted from it."""
    found = {"sentinel": sentinel_gap(run, first_fault_ms), "loss": loss_gap(run), "load": load_gap(run),
             "history": history_gap(run)}
    if found["history"] and not found["loss"]:  # a write missing from the history is a loss not counted
        found["loss"] = found["history"]
    workers = worker_gap(run)
    if workers:
        found.update(load=workers, history=workers, loss=workers)
    return {k: v for k, v in found.items() if v}


FAMILIES = {"sentinel": SENTINEL, "loss": LOSS, "load": LOAD, "history": HISTORY}


def family_of(metric: str) -> str | None:
    base = metric.rsplit(".", 1)[-1]
    return next((fam for fam, names in FAMILIES.items() if base in names), None)


NOT_SEEN = "no run evidence for it"  # the evidence was there, the thing did not happen in this run
NOT_SEEN_BY_FAMILY = {"sentinel": "no such Sentinel event after the fault (the observer watched every Sentinel)",
                      "load": "no such request in the per-request log"}
NOT_SEEN_IN_CLUSTER = "no such cluster event after the fault (the observer watched every cluster node's view)"


def not_seen(metric: str, run: Run | None = None) -> str:
    """Why a metric is None although its evidence is complete: what it measures did not happen (in a
    Redis Cluster's run, the cluster's own events were the ones watched)."""
    family = family_of(metric) or ""
    if family == "sentinel" and run is not None and cluster_of(run):
        return NOT_SEEN_IN_CLUSTER
    return NOT_SEEN_BY_FAMILY.get(family, NOT_SEEN)


def withhold(metrics: dict, found: dict[str, str]) -> dict[str, str]:
    """Blank, in place, every metric whose family lacks evidence; return {metric: reason}."""
    absent = {}
    for name in list(metrics):
        fam = family_of(name)
        if fam in found:
            metrics[name] = None
            absent[name] = found[fam]
    return absent
