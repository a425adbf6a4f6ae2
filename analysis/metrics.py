"""Metrics of one run, by name (README, "Run outputs"), from the run files only.

One wall clock: the fault journal, the Sentinel events and the request log are all stamped by
time.time() on this machine, so their differences need no clock alignment. Time metrics are
measured from the applied time of a disruptive fault; the top-level ones from the first, and each
named fault gets its own as `NAME.metric` (so a run can compare a kill with a cut).
"""
from __future__ import annotations

import json
import re

import pandas as pd

import runfiles as rf
from analysis import evidence, stack_findings
from analysis.load import Run
from analysis.monitor_series import series, stream_ids


def disruptive(record: rf.JournalLine | dict) -> bool:
    """Whether a journaled fault opens a fault window: the journal says so (its kind declares it, and
    `python -m faults.upgrade RUN_DIR` adds it to a journal written before it was recorded). A fault
    window (fault_windows) is asked the same."""
    if isinstance(record, dict):
        return bool(record.get("disruptive"))
    return isinstance(record, rf.Applied) and bool(record.disruptive)

FAULT_METRICS = (
    "detect_s", "odown_s", "failover_s", "failovers", "error_window_s", "error_rate_during", "recovery_s",
    "recovery_after_heal_s", "p99_during_ms", "noreplicas_during",
    "first_error_s", "last_error_s", "noreplicas_after_s", "lost_acked_during", "loss_before_fault_s",
    "loss_after_fault_s", "loss_after_heal_s", "convert_after_heal_s", "last_error_kind", "last_error_follows",
    "last_error_follows_s", "last_error_after_switch_s", "first_ok_after_switch_s",
)
METRICS = (
    "failover_s", "detect_s", "odown_s", "failovers", "error_window_s", "error_rate_during", "recovery_s",
    "recovery_after_heal_s", "p99_during_ms", "noreplicas_during",
    "error_rate", "failed_requests", "total_requests", "requests_per_s", "p50_ms", "p95_ms", "p99_ms",
    "acked_writes", "acked_bids", "acked_sets", "unknown_writes", "lost_acked_writes", "lost_in_redis",
    "lost_in_mysql", "lost_sets", "duplicate_rows", "duplicates_created", "pending_at_end", "dead_letters",
    "fault_delay_ms", "faults_applied", "faults_failed", "faults_unhealed", "settled_after_heal", "first_error_s",
    "last_error_s", "error_window_bids_s", "error_window_redis_s", "noreplicas_after_s", "lost_acked_during",
    "loss_before_fault_s", "loss_after_fault_s", "refused_writes", "unknown_landed", "unknown_lost", "switches",
    "tilt_count", "tilt_s", "readonly_errors", "readonly_bids_s", "readonly_redis_s", "acked_not_in_mysql_or_stream",
    "pending_before", "pending_gone", "group_id_backwards", "group_id_back_ms", "group_recreated", "group_reread_entries",
    "monitor_samples",
    "max_replica_lag_bytes", "retries", "redirections", "clusterdown_replies",
    "max_group_lag", "max_group_pending", "max_group_backlog", "drain_s", "orphaned_max", "reclaim_s", "persist_errors",
    "redelivered_duplicates", "replica_missing_rows", "mysql_replica_max_lag_s", "p50_steady_ms", "p99_steady_ms",
    "locust_requests", "request_log_gap", "workers",
    "business_refusals", "key_collisions", "unknown_unresolvable", "login_failures", "backlog_at_end",
    "readers_stopped", "config_drift", "consumption_before_per_s", "consumption_after_per_s", "consumption_resumed_s",
    "drain_per_s", "sentinels_agree", "interrupted_at_stop", "loss_after_heal_s", "convert_after_heal_s",
    "last_error_kind", "last_error_follows", "last_error_follows_s",
)
VARIANT_METRICS = ("requests", "failed_requests", "error_rate", "error_window_s", "p50_ms", "p99_ms", "retries",
                   "user_errors", "duplicates_created", "last_error_after_switch_s", "first_ok_after_switch_s",
                   "lost_acked", "p50_steady_ms", "p99_steady_ms")


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), nd)


def fault_windows(run: Run) -> list[dict]:
    """Applied disruptive faults in time order, each until the next one (or the end of the run)."""
    healed = {f.fault: f.healed_ms for f in run.faults if isinstance(f, rf.Healed)}
    applied = sorted((f for f in run.faults if disruptive(f)), key=lambda f: f.applied_ms)
    out = []
    for i, f in enumerate(applied):
        out.append({**f.to_json(), "healed_ms": healed.get(f.fault),
                    "since_ms": applied[i - 1].applied_ms if i else float("-inf"),
                    "until_ms": applied[i + 1].applied_ms if i + 1 < len(applied) else float("inf"),
                    "label": f.name or f"{f.action} {f.node}"})
    return out


def primary_fault(run: Run) -> dict | None:
    """The first disruptive fault that was really applied: the zero of the run's time axis."""
    windows = fault_windows(run)
    return windows[0] if windows else None


def headline_fault(run: Run, windows: list[dict] | None = None) -> tuple[int, str] | None:
    """Which fault's own figures head the run (its failover, detection, error window), and why: the
    fault in whose effect the most failed requests fall (each failure belongs to the window it ends
    in), else, with no failure, the first after which Sentinel failed over, else the first. Never the
    first fault while another one's effect holds the errors (a replica paused, then the master killed)."""
    windows = fault_windows(run) if windows is None else windows
    if not windows:
        return None
    req = run.requests
    fails = req[~req["ok"]]["end_ms"] if len(req) else pd.Series(dtype=float)
    counts = [int(((fails >= w["applied_ms"]) & (fails < w["until_ms"])).sum()) for w in windows]
    if max(counts) > 0:
        return counts.index(max(counts)), f"{max(counts)} of the run's failed requests fall in its effect"
    switches = switch_events(run.events)["t_ms"] if len(run.events) else pd.Series(dtype=float)
    for i, w in enumerate(windows):
        if ((switches >= w["applied_ms"]) & (switches < w["until_ms"])).any():
            return i, "no request failed; Sentinel failed over after it"
    return 0, "no request failed and no failover: the first fault"


SAME_SWITCH_MS = 5000  # every Sentinel announces one switch: within this span, the same payload is one failover

# The moments of a failover, by name: as Sentinel announces them (pub/sub) and as a Redis Cluster's own
# nodes show them (observe/cluster_events.py, each node's CLUSTER NODES diffed). Every reader of a
# failover's timeline takes its names from here.
DETECT_EVENTS = ("+sdown", "+pfail")  # one Sentinel / one node's view: the master unreachable (master only)
ODOWN_EVENTS = ("+odown", "+fail")  # agreed down: Sentinel's quorum, the cluster masters' majority (master only)
FAILOVER_EVENTS = ("+switch-master", "+promoted")  # a replica took over
CONVERT_EVENTS = ("+convert-to-slave", "+demoted")  # the old master made a replica


def switch_events(events: pd.DataFrame) -> pd.DataFrame:
    """One row per failover: the first +switch-master of each, whichever Sentinel said it (A->B, B->A,
    A->B again is three failovers, though two payloads are equal), and the first +promoted of each,
    whichever cluster node's view showed it (first_of_each)."""
    sw = events[events["event"] == "+switch-master"].sort_values("t_ms")
    keep, last = [], None
    for idx, e in sw.iterrows():
        if last is None or e["data"] != last["data"] or e["t_ms"] - last["t_ms"] > SAME_SWITCH_MS:
            keep.append(idx)
            last = e
    sentinel, cluster = sw.loc[keep], first_of_each(events, "+promoted")
    if not len(cluster):
        return sentinel
    return pd.concat([sentinel, cluster]).sort_values("t_ms", kind="stable") if len(sentinel) else cluster


def _node_and_epoch(data) -> tuple[str | None, str | None]:
    """The observed node and its config epoch in a cluster event's data, "<role> <name> <ip:port> epoch <n>"."""
    parts = str(data).split()
    return (parts[1] if len(parts) > 1 else None,
            parts[4] if len(parts) > 4 and parts[3] == "epoch" else None)


def first_of_each(events: pd.DataFrame, name: str) -> pd.DataFrame:
    """The first record of each cluster role change (+promoted, +demoted), every observing node seeing
    it once: the same node within SAME_SWITCH_MS of its last kept one is the same change, and so is
    the same node with the same config epoch later (a node back from a kill catching up on it:
    a failover gives the new master a new epoch, so a new one never carries an old one's)."""
    rows = events[events["event"] == name].sort_values("t_ms", kind="stable")
    keep, last = [], {}
    for idx, e in rows.iterrows():
        node, epoch = _node_and_epoch(e["data"])
        prev = last.get(node)
        if prev is None or (e["t_ms"] - prev[0] > SAME_SWITCH_MS and (epoch is None or epoch != prev[1])):
            keep.append(idx)
            last[node] = (e["t_ms"], epoch)
    return rows.loc[keep]


def _first_event(events: pd.DataFrame, names: str | tuple[str, ...], start: float, end: float,
                 master_only: bool = False):
    names = (names,) if isinstance(names, str) else names
    sel = events[(events["event"].isin(names)) & (events["t_ms"] >= start) & (events["t_ms"] < end)]
    if master_only:
        sel = sel[sel["data"].astype(str).str.startswith("master ")]
    return float(sel["t_ms"].min()) if len(sel) else None


def error_window(req: pd.DataFrame, fault_ms: float, until_ms: float = float("inf")) -> dict:
    """From the per-request log: failures that ended from the fault on and before the next fault (a
    failure belongs to the fault in effect when it ended: a request sent just before a kill that fails
    after it is the kill's, not the previous fault's)."""
    fails = req[(~req["ok"]) & (req["end_ms"] >= fault_ms) & (req["end_ms"] < until_ms)]
    if not len(fails):
        return {"error_window_s": 0.0, "recovery_s": 0.0, "first_error_s": None, "last_error_s": None}
    first, last_start, last_end = fails["start_ms"].min(), fails["start_ms"].max(), fails["end_ms"].max()
    after = req[req["ok"] & (req["start_ms"] >= last_start)]
    recovered = after["end_ms"].min() if len(after) else None
    return {
        "error_window_s": _r((last_end - first) / 1000),
        "recovery_s": _r((recovered - fault_ms) / 1000) if recovered is not None else None,
        "first_error_s": _r((first - fault_ms) / 1000),
        "last_error_s": _r((last_end - fault_ms) / 1000),
    }


def lost_history(run: Run) -> pd.DataFrame:
    """The acknowledged writes that verification did not find, with their acknowledgement times."""
    h, v = run.history, run.verify
    if not len(h) or v is None or not v.checked:
        return h.iloc[0:0]
    lost_bids = set(v.missing_in_redis or []) | set(v.missing_in_mysql) | set(v.missing_in_http)
    lost_keys = set(v.missing_sets)
    ok = h[h["outcome"] == "ok"]
    if v.keyed:
        return pd.concat([ok[(ok["op"] == "set") & ok["key"].isin(lost_keys)], by_identity(ok, v.missing_in_mysql)])
    return ok[((ok["op"] == "bid") & ok["bid_id"].isin(lost_bids)) | ((ok["op"] == "set") & ok["key"].isin(lost_keys))]


def by_identity(ok: pd.DataFrame, missing: list[str]) -> pd.DataFrame:
    """Acknowledged bids known by identity, for a list of lost identities that may repeat (a key written
    n times with m rows stored lost n - m of them): the earliest acknowledged writes of each key, as many
    as it lost. A key repeats when a failover rewinds the price and hands the same amount out again: the
    write before the rewind is the one lost, the later one stored."""
    bids = ok[(ok["op"] == "bid") & ok["write_key"].fillna("").astype(str).ne("")]
    counts = pd.Series([json.dumps(json.loads(k)) for k in missing], dtype="object").value_counts()
    if not len(bids) or not len(counts):
        return bids.iloc[0:0]
    keyed = bids.assign(_key=bids["write_key"].astype(str).map(lambda k: json.dumps(json.loads(k))))
    keyed = keyed[keyed["_key"].isin(counts.index)].sort_values("t_end_ms")
    rank = keyed.groupby("_key").cumcount()
    return keyed[rank < keyed["_key"].map(counts)].drop(columns="_key")


def fault_metrics(run: Run, w: dict, lost: pd.DataFrame) -> dict:
    t0, until, ev, req = w["applied_ms"], w["until_ms"], run.events, run.requests
    m = {}
    for key, names, master_only in (("detect_s", DETECT_EVENTS, True), ("odown_s", ODOWN_EVENTS, True),
                                    ("failover_s", FAILOVER_EVENTS, False)):
        t = _first_event(ev, names, t0, until, master_only)
        m[key] = _r((t - t0) / 1000) if t is not None else None
    switches = switch_events(ev)
    m["failovers"] = int(((switches["t_ms"] >= t0) & (switches["t_ms"] < until)).sum())
    m.update(error_window(req, t0, until))
    fault_end = w.get("healed_ms") or until
    inside = req[(req["start_ms"] >= t0) & (req["start_ms"] < fault_end)]
    m["error_rate_during"] = _r((~inside["ok"]).mean(), 5) if len(inside) else None
    # a gray failure's cost is latency as much as errors: p99 of the requests started while it lasted
    m["p99_during_ms"] = _r(inside["response_time_ms"].astype(float).quantile(0.99), 1) if len(inside) else None
    if w.get("healed_ms"):
        ok_after = req[req["ok"] & (req["start_ms"] >= w["healed_ms"])]
        m["recovery_after_heal_s"] = _r((ok_after["end_ms"].min() - w["healed_ms"]) / 1000) if len(ok_after) else None
    else:
        m["recovery_after_heal_s"] = None
    norep = req[(req["start_ms"] >= t0) & (req["start_ms"] < until) & req["exception"].str.contains("NOREPLICAS")]
    m["noreplicas_after_s"] = _r((norep["start_ms"].min() - t0) / 1000) if len(norep) else None
    # writes the guard refused (min-replicas-to-write) while the fault lasted; absent without requests then
    refused = inside["exception"].str.contains("NOREPLICAS")
    m["noreplicas_during"] = int(refused.sum()) if len(inside) else None
    end_ms = lost["t_end_ms"].astype(float) if len(lost) else pd.Series(dtype=float)
    during = end_ms[(end_ms >= t0) & (end_ms < until)]
    before = end_ms[(end_ms < t0) & (end_ms >= w.get("since_ms", float("-inf")))]  # not an earlier fault's loss
    m["lost_acked_during"] = int(len(during))
    m["loss_before_fault_s"] = _r((t0 - before.min()) / 1000) if len(before) else 0.0
    m["loss_after_fault_s"] = _r((during.max() - t0) / 1000) if len(during) else 0.0
    m.update(after_heal(ev, w, during))
    m.update(last_error(req, ev, w))
    m.update(against_switch(req, ev, w))  # every client of the run together; per variant in variant_metrics
    return m


ERROR_KINDS = (("cluster down", ("CLUSTERDOWN", "ClusterDownError", "cluster is down")),
               ("redirections used up", ("TTL exhausted", "MOVED", "ASK ")),  # a cluster client's redirect limit
               ("slot not covered", ("SlotNotCovered", "not covered")),
               ("timeout", ("Timeout", "timed out", "504")),
               ("demoted master", ("READONLY", "is now a slave", "is now a replica")), ("noreplicas", ("NOREPLICAS",)),
               ("no master", ("MasterNotFound", "No master")), ("refused", ("refused", "Connection reset")),
               # a client that fails a command at once while it has no connection (Lettuce's REJECT_COMMANDS,
               # ioredis without its offline queue), one whose connection closed under it, one that cancelled it
               ("rejected while disconnected", ("Commands are rejected", "enableOfflineQueue", "not connected")),
               ("connection closed", ("Connection closed", "Connection disconnected", "Connection is closed")),
               ("cancelled", ("CancellationException", "cancelled")),
               ("retries used up", ("max retries", "maxRetriesPerRequest")))  # ioredis: reconnects failed N times


def error_kind(exception: str) -> str:
    """What a failed request's own error says it was (the first kind whose words it carries)."""
    return next((kind for kind, words in ERROR_KINDS if any(w in exception for w in words)), "other")


def last_error(req: pd.DataFrame, ev: pd.DataFrame, w: dict) -> dict:
    """What the run shows of the last failed request of a fault's window: its kind (from its own error
    text), and the last of the fault, its failover, its heal and the old master's conversion to a
    replica that came before it ended, with the seconds between: what a sentence about why errors
    ended when they did may rest on. All absent where no request failed in the window."""
    fails = req[(~req["ok"]) & (req["end_ms"] >= w["applied_ms"]) & (req["start_ms"] < w["until_ms"])]
    if not len(fails):
        return {"last_error_kind": None, "last_error_follows": None, "last_error_follows_s": None}
    last = fails.loc[fails["end_ms"].idxmax()]
    moments = {"the fault": w["applied_ms"], "heal": w.get("healed_ms")}
    for name in (*FAILOVER_EVENTS, *CONVERT_EVENTS):  # a cluster's: the first node to show each change
        seen = first_of_each(ev, name) if name in ("+promoted", "+demoted") and len(ev) else ev
        moments[name] = _last_event(seen, name, w["applied_ms"], last["end_ms"])
    before = {k: t for k, t in moments.items() if t is not None and t <= last["end_ms"]}
    follows = max(before, key=before.get)
    return {"last_error_kind": error_kind(str(last["exception"])), "last_error_follows": follows,
            "last_error_follows_s": _r((last["end_ms"] - before[follows]) / 1000)}


def _last_event(events: pd.DataFrame, name: str, start: float, end: float) -> float | None:
    sel = events[(events["event"] == name) & (events["t_ms"] >= start) & (events["t_ms"] <= end)] if len(events) else events
    return float(sel["t_ms"].max()) if len(sel) else None


def after_heal(ev: pd.DataFrame, w: dict, lost_end_ms: pd.Series) -> dict:
    """What a fault's heal did not end at once: the last acknowledged write later lost, after the heal
    (an old master cut off keeps acknowledging until Sentinel converts it into a replica, about 10 s
    after it is back; 0.0 where the last lost write came before the heal), and that conversion
    (+convert-to-slave) after the heal. Both absent for a fault never healed in the run."""
    healed = w.get("healed_ms")
    if not healed:
        return {"loss_after_heal_s": None, "convert_after_heal_s": None}
    last = lost_end_ms.max() if len(lost_end_ms) else None
    convert = _first_event(ev, CONVERT_EVENTS, healed, w["until_ms"], False)
    return {"loss_after_heal_s": _r(max(0.0, (last - healed) / 1000)) if last is not None else 0.0,
            "convert_after_heal_s": _r((convert - healed) / 1000) if convert is not None else None}


def replica_lag(mon: pd.DataFrame) -> pd.DataFrame:
    """(t_ms, source, lag): each replica's offset behind the master sampled in the same round."""
    offs = mon[mon["metric"] == "master_repl_offset"][["t_ms", "source", "value"]]
    roles = mon[mon["metric"] == "role"][["t_ms", "source", "value"]].rename(columns={"value": "role"})
    df = offs.merge(roles, on=["t_ms", "source"])
    df = df.assign(loop=(df["t_ms"] // 250).astype(int), off=pd.to_numeric(df["value"], errors="coerce"))
    rows = []
    for _, grp in df.groupby("loop"):
        masters = grp[grp["role"] == "master"]
        if len(masters) == 1:
            top = masters["off"].iloc[0]
            # one round is not atomic: a replica read after the master may be ahead; that is lag 0
            rows += [(r.t_ms, r.source, max(0, top - r.off)) for r in grp[grp["role"] == "slave"].itertuples()]
    return pd.DataFrame(rows, columns=["t_ms", "source", "lag"])


def group_id_moves(mon: pd.DataFrame) -> dict:
    """The group's last-delivered-id as sampled: how often it moved backwards (a failover to a replica
    that had not seen the latest deliveries, redis#5433, #7105) and the largest step back, in ms of id time."""
    ids = list(stream_ids(mon)["id"])
    if not ids:
        return {}
    back, worst, top = 0, 0, ids[0]
    for prev, cur in zip(ids, ids[1:]):
        if cur == (0, 0):  # a group recreated from the start: counted as such (group_recreated), not as a step
            top = cur
            continue
        if cur < prev and prev != (0, 0):
            back += 1
        worst = max(worst, top[0] - cur[0]) if top != (0, 0) else worst
        top = max(top, cur)
    return {"group_id_backwards": back, "group_id_back_ms": worst}


def _counted(values: pd.Series, from_zero: bool) -> int:
    """What a counter added over its samples, across a restart that set it back to 0 (a killed node).
    `from_zero`: the node was sampled without it before (a node lists an error's count only from the
    first such reply), so its first value was all added during the run."""
    step = values.diff().fillna(values.iloc[0] if from_zero else 0)
    return int(step.where(step >= 0, values).sum())


def cluster_replies(run: Run, mon: pd.DataFrame) -> dict:
    """MOVED and ASK redirections and CLUSTERDOWN replies the cluster's nodes sent during the run (INFO
    errorstats, sampled by the monitor): a cluster client follows a redirection itself, so no failed
    request counts it. Absent outside a cluster, or without a sample of its nodes (a node lists a
    reply's count only from the first one, so a sampled node without it sent none)."""
    up = mon[(mon["metric"] == "up") & (mon["value"].astype(str) == "1")]
    if not (run.meta.config.get("stack") or {}).get("cluster") or not len(up):
        return {"redirections": None, "clusterdown_replies": None}
    first_up = up.groupby("source")["t_ms"].apply(lambda t: t.astype(float).min())
    out = {}
    for key, names in (("redirections", ("errorstat_MOVED", "errorstat_ASK")),
                       ("clusterdown_replies", ("errorstat_CLUSTERDOWN",))):
        total = 0
        for (source, _metric), g in mon[mon["metric"].isin(names)].groupby(["source", "metric"]):
            g = g.assign(t_ms=g["t_ms"].astype(float)).sort_values("t_ms")
            total += _counted(g["value"].astype(float), from_zero=first_up.get(source, float("inf")) < g["t_ms"].iloc[0])
        out[key] = total
    return out


def monitor_metrics(run: Run) -> dict:
    mon = run.monitor
    if not len(mon):
        return {"monitor_samples": 0}
    rounds = int(((mon["source"] == "stream") & mon["metric"].isin(["xlen", "reachable"])).sum())
    lag = replica_lag(mon)
    glag, gpend = series(mon, "stream", "lag"), series(mon, "stream", "pending")
    if len(glag):  # the lag the run added: an adopted stack's stream has a history (and Redis 7.0 can
        # report a constant offset after a failover), the stand-in's starts at 0 either way
        glag = glag.sort_values("t_ms")
        glag = glag.assign(v=(glag["v"] - glag["v"].iloc[0]).clip(lower=0))
    m = {"monitor_samples": rounds, "max_replica_lag_bytes": int(lag["lag"].max()) if len(lag) else None,
         "max_group_lag": int(glag["v"].max()) if len(glag) else None,
         "max_group_pending": int(gpend["v"].max()) if len(gpend) else None}
    if len(glag) and len(gpend):  # entries in the stream not yet processed, read or not (consumers differ)
        both = glag.merge(gpend, on="t_ms", suffixes=("_lag", "_pending"))
        m["max_group_backlog"] = int((both["v_lag"] + both["v_pending"]).max()) if len(both) else None
    m.update(group_id_moves(mon))
    m.update(cluster_replies(run, mon))
    sbm = series(mon, "mysql-2", "seconds_behind_master")
    m["mysql_replica_max_lag_s"] = float(sbm["v"].max()) if len(sbm) else None
    fault = primary_fault(run)
    if fault is None:
        return m
    if fault.get("healed_ms") and len(glag) and len(gpend):
        both = glag.merge(gpend, on="t_ms", suffixes=("_lag", "_pending"))
        drained = both[(both["t_ms"] >= fault["healed_ms"]) & (both["v_lag"] == 0) & (both["v_pending"] == 0)]
        m["drain_s"] = _r((drained["t_ms"].min() - fault["healed_ms"]) / 1000) if len(drained) else None
    own = series(mon, fault["node"], "pending")
    if len(own):
        end = fault.get("healed_ms") or fault["until_ms"]
        during = own[(own["t_ms"] >= fault["applied_ms"]) & (own["t_ms"] <= end)]
        m["orphaned_max"] = int(during["v"].max()) if len(during) else 0
        held = during[during["v"] > 0]
        if len(held):
            freed = during[(during["t_ms"] > held["t_ms"].min()) & (during["v"] == 0)]
            m["reclaim_s"] = _r((freed["t_ms"].min() - fault["applied_ms"]) / 1000) if len(freed) else None
    return m


def log_metrics(run: Run) -> tuple[dict, dict[str, str]]:
    """What the consumers said of themselves (logs/consumer-*.log, copied into the run; on a target with
    no consumer node, its apps' logs, since they consume inside), read with the patterns of the service
    that ran (the stand-in's, or those its target file gives). A figure whose pattern the target does not
    give is absent, with the reason."""
    patterns, standin = rf.service_logs(run.meta.service)
    wanted = {"persist_errors": patterns["persist_error"], "redelivered_duplicates": patterns["redelivered"],
              "readers_stopped": patterns["reader_stopped"]}
    compiled = {k: re.compile(p) for k, p in wanted.items() if p}
    counts = dict.fromkeys(compiled, 0)
    recreated = reread = 0
    paths = sorted((run.dir / rf.LOGS).glob("consumer-*.log"))
    if not paths and not standin:  # a target without consumer nodes consumes inside its apps (FairBid's shape)
        paths = sorted((run.dir / rf.LOGS).glob("api*.log"))
    if not paths:  # no log read is no figure, not 0
        why = "no consumer log in the run (logs/consumer-*.log, or a target's app logs where its apps consume)"
        names = (*wanted, "group_recreated", "group_reread_entries")
        return dict.fromkeys(names), dict.fromkeys(names, why)
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            for metric, rx in compiled.items():
                if found := rx.search(line):
                    counts[metric] += int(found.group(1)) if rx.groups else 1
            if standin and "recreated from 0 after NOGROUP: " in line:
                recreated += 1
                reread += int(line.split("recreated from 0 after NOGROUP: ", 1)[1].split()[0])
    absent = {k: "no log pattern for it (a target file's logs.persist_error / redelivered / reader_stopped)"
              for k, p in wanted.items() if not p}
    out = {k: counts.get(k) for k in wanted}
    if standin:
        out.update(group_recreated=recreated, group_reread_entries=reread)
    else:
        absent.update(group_recreated="only the stand-in's consumer reports group recreation",
                      group_reread_entries="only the stand-in's consumer reports group recreation")
        out.update(group_recreated=None, group_reread_entries=None)
    return out, absent


def _answered(outcomes: pd.Series) -> bool:
    """Whether a bid's attempts end in no failure the user saw: one was acknowledged or refused by the
    service's own rule, or the load's own stop interrupted it (not the system's failure)."""
    return bool(outcomes.isin(("ok", "refused", rf.INTERRUPTED_AT_STOP)).any())


def variant_metrics(run: Run) -> dict[str, dict]:
    """Per client variant (a bid request's name ending ` [VARIANT]`): what its users saw."""
    req, h, out = run.requests, run.history, {}
    declared = {v["name"] for v in (run.meta.config.get("load") or {}).get("variants") or []}
    # the bids' request name is the path the bid is sent to (a target's own), then " [VARIANT]"
    names = [n for n in req["name"].unique() if isinstance(n, str) and (m := re.search(r" \[([^\]]+)\]$", n))
             and (not declared or m.group(1) in declared)]
    fault = primary_fault(run)
    lost = variant_losses(run) if "variant" in h.columns else None
    for name in names:
        variant = name[name.rindex(" [") + 2:-1]
        sub = req[req["name"] == name]
        hv = h[h["variant"] == variant] if "variant" in h.columns and len(h) else h.iloc[0:0]
        intents = hv.groupby("intent")["outcome"].apply(_answered) if len(hv) else pd.Series()
        dup = (run.verify.duplicates_by_variant if run.verify else {}).get(variant)
        out[variant] = {
            "requests": int(len(sub)), "failed_requests": int((~sub["ok"]).sum()),
            "error_rate": _r((~sub["ok"]).mean(), 5) if len(sub) else None,
            "error_window_s": error_window(sub, fault["applied_ms"])["error_window_s"] if fault else None,
            "p50_ms": _r(sub["response_time_ms"].quantile(0.5), 1) if len(sub) else None,
            "p99_ms": _r(sub["response_time_ms"].quantile(0.99), 1) if len(sub) else None,
            **steady_latency(sub, fault),
            "retries": int((pd.to_numeric(hv["attempt"], errors="coerce") > 1).sum()) if len(hv) else 0,
            "user_errors": int((~intents).sum()) if len(intents) else 0,
            "duplicates_created": dup,
            **against_switch(sub, run.events, fault),
            "errors_by_kind": errors_by_kind(sub, fault),
            "lost_acked": lost_count(lost[lost["variant"] == variant]) if lost is not None else None,
        }
    return out


def variant_losses(run: Run) -> pd.DataFrame | None:
    """The acknowledged writes a variant's users lost, as lost_acked_writes counts them for the run
    (lost_history: missing from any store the service names). None without a settled verification,
    or where the history cannot place every lost write."""
    v = run.verify
    if evidence.loss_gap(run) or v.keyed and not v.mysql_checked:
        return None
    lost = lost_history(run)
    expected = (len(v.missing_in_mysql) if v.keyed else
                len(set(v.missing_in_redis or []) | set(v.missing_in_mysql) | set(v.missing_in_http))) + len(v.missing_sets)
    return lost if lost_count(lost) == expected else None  # a lost write the history cannot place: no count


def lost_count(rows: pd.DataFrame) -> int:
    """Lost writes among history rows: a bid by its id (a replayed bid repeats its row), a bid known by
    identity by its row (by_identity matched them by multiplicity), a SET by its key."""
    bids, sets = rows[rows["op"] == "bid"], rows[rows["op"] == "set"]
    named = bids["bid_id"].notna() & bids["bid_id"].astype(str).ne("")
    return int(bids[named]["bid_id"].nunique() + (~named).sum() + sets["key"].nunique())


STEADY_MS = 10_000  # a variant's cost in steady state: the last 10 s before the fault, past a JVM's warm-up


def steady_latency(req: pd.DataFrame, fault: dict | None) -> dict:
    """p50/p99 of the requests that ended in the 10 s before the first fault: what a client's settings
    cost when nothing fails, after the start's warm-up (absent with no such request)."""
    steady = (req[(req["end_ms"] < fault["applied_ms"]) & (req["end_ms"] >= fault["applied_ms"] - STEADY_MS)]
              if fault else req)
    rt = steady["response_time_ms"].astype(float)
    return {"p50_steady_ms": _r(rt.quantile(0.5), 1) if len(steady) else None,
            "p99_steady_ms": _r(rt.quantile(0.99), 1) if len(steady) else None}


def against_switch(req: pd.DataFrame, events: pd.DataFrame, fault: dict | None) -> dict:
    """One client's requests against the fault's failover (its first +switch-master): when its last
    failure ended (negative: before the switch; with no failure at all, the fault's own moment: its
    errors ended there) and when its first request sent after the switch succeeded. Absent with no
    switch in the fault's window, or no request of this client sent after it."""
    switch = _first_event(events, FAILOVER_EVENTS, fault["applied_ms"], fault["until_ms"]) if fault else None
    after = req[req["start_ms"] >= switch] if switch is not None else req.iloc[0:0]
    if not len(after):  # no switch, or this client sent nothing after it: nothing says when its errors ended
        return {"last_error_after_switch_s": None, "first_ok_after_switch_s": None}
    fails = req[(~req["ok"]) & (req["end_ms"] >= fault["applied_ms"]) & (req["end_ms"] < fault["until_ms"])]
    last = fails["end_ms"].max() if len(fails) else fault["applied_ms"]
    ok = after[after["ok"]]
    return {"last_error_after_switch_s": _r((last - switch) / 1000),
            "first_ok_after_switch_s": _r((ok["end_ms"].min() - switch) / 1000) if len(ok) else None}


def errors_by_kind(req: pd.DataFrame, fault: dict | None) -> dict[str, int]:
    """The fault's failed requests by what their own error says (error_kind): a timeout, a refused
    connection, a demoted master, ... (only the kinds seen)."""
    if fault is None:
        return {}
    fails = req[(~req["ok"]) & (req["end_ms"] >= fault["applied_ms"]) & (req["end_ms"] < fault["until_ms"])]
    return {str(k): int(n) for k, n in fails["exception"].astype(str).map(error_kind).value_counts().items()}


def _flatten(d: dict, prefix: str) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict) and k != "entries":  # a probe's raw entries are evidence, not metrics
            out.update(_flatten(v, f"{prefix}.{k}"))
        elif not isinstance(v, (dict, list)):
            out[f"{prefix}.{k}"] = v
    return out


def compute(run: Run) -> dict:
    """Every metric by name (absent ones None); see `measure` for the reasons."""
    return measure(run)[0]


def measure(run: Run) -> tuple[dict, dict[str, str]]:
    """({metric: value}, {metric: why it is absent}). Named faults, probes and client variants add
    `NAME.metric` entries; a family whose evidence is missing is withheld (analysis.evidence)."""
    req, m = run.requests, {}
    total = len(req)
    m["total_requests"] = total
    m["failed_requests"] = int((~req["ok"]).sum())
    m["error_rate"] = _r(m["failed_requests"] / total, 5) if total else None
    span_s = (req["end_ms"].max() - req["start_ms"].min()) / 1000 if total else 0
    m["requests_per_s"] = _r(total / span_s, 1) if span_s > 0 else None
    for q in (50, 95, 99):
        m[f"p{q}_ms"] = _r(req["response_time_ms"].astype(float).quantile(q / 100), 1) if total else None

    first = primary_fault(run)
    steady = req[req["end_ms"] < first["applied_ms"]] if first else req
    for q in (50, 99):  # before any disruptive fault: the cost of a mode, not of the failure
        m[f"p{q}_steady_ms"] = _r(steady["response_time_ms"].astype(float).quantile(q / 100), 1) if len(steady) else None
    applied = [f for f in run.faults if isinstance(f, rf.Applied)]
    m["faults_applied"] = len(applied)
    m["faults_failed"] = sum(1 for f in run.faults if isinstance(f, (rf.Failed, rf.HealFailed)))
    healed = {f.fault for f in run.faults if isinstance(f, rf.Healed)}
    m["faults_unhealed"] = sum(1 for f in applied if f.fault not in healed and disruptive(f))
    m["fault_delay_ms"] = _r(max(f.delay_ms for f in applied), 1) if applied else None

    lost = lost_history(run)
    windows = fault_windows(run)
    per_fault = [fault_metrics(run, w, lost) for w in windows]
    if per_fault:
        head = windows[headline_fault(run, windows)[0]]
        m.update(per_fault[windows.index(head)])
        for kind, label in (("POST", "bids"), ("redis", "redis")):
            sub = req[req["request_type"] == kind] if kind == "POST" else req[req["request_type"] != "POST"]
            m[f"error_window_{label}_s"] = (error_window(sub, head["applied_ms"], head["until_ms"])
                                            ["error_window_s"] if len(sub) else None)
    extra = {}
    for w, fm in zip(windows, per_fault):
        if w.get("name"):
            extra.update({f"{w['name']}.{k}": v for k, v in fm.items()})
    for f in applied:
        if f.name and isinstance(f.output, dict) and not disruptive(f):
            extra.update(_flatten(f.output, f.name))

    h = run.history
    m["acked_bids"], m["acked_sets"] = evidence.acked_in_history(run)
    m["acked_writes"] = m["acked_bids"] + m["acked_sets"]
    m["unknown_writes"] = int((h["outcome"] == "unknown").sum()) if len(h) else 0
    # in flight when the load itself stopped: looked up like unknown ones, never a failure a user saw
    m["interrupted_at_stop"] = int((h["outcome"] == rf.INTERRUPTED_AT_STOP).sum()) if len(h) else 0
    m["refused_writes"] = int((h["outcome"] == "fail").sum()) if len(h) else 0  # nothing stored (not a refusal by rule)
    refusals = h[(h["op"] == "bid") & (h["outcome"] == "refused")] if len(h) else h
    if (run.meta.service or {}).get("refusals"):  # only where the target declares business refusals
        m["business_refusals"] = int(len(refusals))
        extra.update({f"refusals.{code}": int(n) for code, n in refusals["error"].fillna("").value_counts().items()})
    if len(h) and (h["op"] == "login").any():
        m["login_failures"] = int(((h["op"] == "login") & (h["outcome"] == "fail")).sum())
    m["retries"] = int((pd.to_numeric(h["attempt"], errors="coerce") > 1).sum()) if "attempt" in h.columns else 0

    v = run.verify or rf.VerifyResult()
    unlooked = v.not_looked_up  # what the service model does not give
    if v.checked:
        lost_redis, lost_mysql = set(v.missing_in_redis or []), set(v.missing_in_mysql)
        m["lost_in_redis"] = len(lost_redis) if v.missing_in_redis is not None else None
        m["lost_in_mysql"] = len(lost_mysql) if v.mysql_checked else None
        m["lost_sets"] = len(v.missing_sets)
        lost_http = set(v.missing_in_http)  # a bid is lost where any store the service names lacks it
        m["lost_acked_writes"] = len(lost_redis | lost_mysql | lost_http) + m["lost_sets"]
        if v.keyed:  # known by identity: a key may repeat, so the lost writes are counted, not the keys
            m["lost_in_mysql"] = len(v.missing_in_mysql) if v.mysql_checked else None
            m["lost_acked_writes"] = m["lost_in_mysql"] + m["lost_sets"] if v.mysql_checked else None
            m["key_collisions"] = v.key_collisions
            m["unknown_unresolvable"] = v.unknown_unresolvable
        m.update(duplicate_rows=v.duplicate_rows, duplicates_created=v.duplicates_created,
                 pending_at_end=v.pending_at_end, dead_letters=v.dead_letters, backlog_at_end=v.backlog_at_end)
        m["settled_after_heal"] = v.settled
        if v.stream_checked:  # the stream against the acknowledged bids, across the failover
            m["acked_not_in_mysql_or_stream"] = len(v.acked_not_in_mysql_or_stream)
            if v.pending_before is not None:  # followed by id (entries the pending probes saw before the fault)
                m["pending_before"], m["pending_gone"] = v.pending_before, len(v.pending_before_gone)
        if v.unknown_landed is not None:  # each write of unknown outcome looked up by its client-side identity
            m["unknown_landed"], m["unknown_lost"] = len(v.unknown_landed), len(v.unknown_lost or [])
    m.update(monitor_metrics(run))
    logm, log_absent = log_metrics(run)
    m.update(logm)
    if v.replica_checked:
        m["replica_missing_rows"] = v.replica_missing_rows
    for variant, vm in variant_metrics(run).items():
        extra.update(_flatten(vm, variant))  # errors_by_kind: VARIANT.errors_by_kind.timeout, ...
    m.update(control_plane_metrics(run))
    selfm, self_absent = self_check_metrics(run)
    m.update(selfm)
    stack_absent: dict[str, str] = {}
    for figures, why in (stack_findings.config_drift(run), stack_findings.consumption(run, first),
                         stack_findings.drain_rate(run, first, m.get("drain_s")), stack_findings.sentinels_agree(run)):
        m.update({k: v for k, v in figures.items() if k in METRICS})
        extra.update({k: v for k, v in figures.items() if k not in METRICS})
        stack_absent.update(why)
    out = {k: m.get(k) for k in METRICS}
    out.update(extra)
    absent = evidence.withhold(out, evidence.gaps(run, first["applied_ms"] if first else None))
    absent.update({k: why for k, why in {**log_absent, **unlooked, **self_absent, **stack_absent}.items()
                   if k in out and k not in absent})
    absent.update({k: evidence.not_seen(k, run) for k, v in out.items() if v is None and k not in absent})
    return out, absent


def self_check_metrics(run: Run) -> tuple[dict, dict[str, str]]:
    """The harness checked against Locust: its own request count (its stats, every worker's last report
    in) against the rows of the per-request log. A relative gap; absent where Locust's count was not
    recorded (an interrupted run, a run of an older version)."""
    workers = run.meta.workers
    m = {"workers": len(workers) if workers is not None else None, "locust_requests": run.meta.locust_requests}
    absent = {} if workers is not None else {"workers": "not a distributed run"}
    n = m["locust_requests"]
    if n is None:
        why = "Locust's own request count was not recorded (the run did not end normally)"
        return {**m, "request_log_gap": None}, {**absent, "locust_requests": why, "request_log_gap": why}
    if not n:  # nothing counted: no figure to hold the log to (a check on it must not pass on nothing)
        return {**m, "request_log_gap": None}, {**absent, "request_log_gap": "Locust counted no request"}
    m["request_log_gap"] = _r(abs(len(run.requests) - n) / n, 6)
    return m, absent


def control_plane_metrics(run: Run) -> dict:
    """Confounds of a failover: Sentinels in TILT (they stop acting), every +switch-master, and
    clients still writing to a demoted master (READONLY), per client kind."""
    ev, req = run.events, run.requests
    m = {"switches": int(len(switch_events(ev)))}
    tilts = ev[ev["event"].isin(["+tilt", "-tilt"])].sort_values("t_ms")
    end_ms = float(run.meta.test_stop_ms or (ev["t_ms"].max() if len(ev) else 0))
    total, count = 0.0, 0
    for _, grp in tilts.groupby("sentinel"):
        since = None
        for e in grp.itertuples():
            if e.event == "+tilt" and since is None and e.t_ms <= end_ms:
                since, count = e.t_ms, count + 1
            elif e.event == "-tilt" and since is not None:  # clipped at the run's end
                total, since = total + max(0.0, min(e.t_ms, end_ms) - since), None
        if since is not None:  # still in TILT when the run ended
            total += max(0.0, end_ms - since)
    m["tilt_count"], m["tilt_s"] = count, _r(total / 1000)
    ro = req[~req["ok"] & req["exception"].str.contains("READONLY|ReadOnlyError|read only replica", regex=True)]
    m["readonly_errors"] = int(len(ro))
    for label, sel in (("bids", ro["request_type"] == "POST"), ("redis", ro["request_type"] != "POST")):
        kind = ro[sel]
        m[f"readonly_{label}_s"] = _r((kind["end_ms"].max() - kind["start_ms"].min()) / 1000) if len(kind) else 0.0
    return m


def per_fault_table(run: Run) -> list[dict]:
    """One row per disruptive fault, for the report and summary.json's `faults` (same evidence rules)."""
    lost, windows = lost_history(run), fault_windows(run)
    found = evidence.gaps(run, windows[0]["applied_ms"] if windows else None)
    rows = []
    for w in windows:
        fm = fault_metrics(run, w, lost)
        evidence.withhold(fm, found)
        rows.append({"label": w["label"], "action": w["action"], "node": w["node"], **fm})
    return rows
