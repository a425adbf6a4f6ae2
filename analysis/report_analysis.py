"""The "what was done, what happened, why" lines of a record, stated from the figures only."""
from __future__ import annotations

import runfiles as rf
from analysis.load import Run
from analysis.metrics import primary_fault


def _interrupted(m: dict) -> str:
    """Writes the load's own stop cut short: looked up with the unknown ones, never counted as failures."""
    n = m.get("interrupted_at_stop")
    return f" and {n} in flight when the load stopped (looked up with them, not failures)" if n else ""

def fmt(v: object) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1 else f"{v:.3f}".rstrip("0").rstrip(".")
    return str(v)


def analysis_lines(run: Run, s: rf.Summary) -> list[str]:
    m, cfg = s.metrics, s.config
    fault = primary_fault(run)
    out = []
    if fault is None:
        out.append("No disruptive fault was applied in this run, so no failover or error window is measured.")
    else:
        out.append(f"Done: `{fault['action']}` on {fault['node']} (target {fault['target']}) under load of "
                   f"{fmt(m['requests_per_s'])} requests/s.")
        sentinel = (cfg.get("stack") or {}).get("sentinel") or {}
        if m["detect_s"] is not None:
            out.append(f"Sentinel marked the master subjectively down {fmt(m['detect_s'])} s after the fault "
                       f"(down-after-milliseconds = {sentinel.get('down_after_ms')}), objectively down at "
                       f"{fmt(m['odown_s'])} s, and switched master at {fmt(m['failover_s'])} s.")
        elif sentinel:
            out.append("No Sentinel declared the master down after the fault in this run.")
        if m["first_error_s"] is None:
            out.append("Clients saw no failed request after the fault.")
        else:
            out.append(f"Clients saw failures from {fmt(m['first_error_s'])} s to {fmt(m['last_error_s'])} s after the "
                       f"fault (error window {fmt(m['error_window_s'])} s; HTTP bids {fmt(m['error_window_bids_s'])} s, "
                       f"Redis through Sentinel {fmt(m['error_window_redis_s'])} s); first success after the last "
                       f"failure at {fmt(m['recovery_s'])} s.")
            if m["failover_s"] is not None and m["last_error_s"] is not None:
                lag = m["last_error_s"] - m["failover_s"]
                if lag > 0.5:
                    out.append(f"Errors ended {fmt(lag)} s after +switch-master: the window is set by the client "
                               "(reconnect, rediscovery and retry after the switch), not by Sentinel.")
                elif lag >= 0:
                    out.append(f"Errors ended {fmt(lag)} s after +switch-master: the window is set by Sentinel's "
                               "detection and failover; the client followed the switch at once.")
                else:
                    out.append(f"The last failure ended {fmt(-lag)} s before +switch-master: requests sent later were "
                               f"held by the client's retries and succeeded after the switch (p99 latency "
                               f"{fmt(m['p99_ms'])} ms). Sentinel's failover bounds the stall; the retry budget "
                               "decides whether it shows as errors or as latency.")
    out.append(f"Overall error rate {fmt(m['error_rate'])} ({m['failed_requests']} of {m['total_requests']} requests); "
               f"p95 latency {fmt(m['p95_ms'])} ms.")
    if m["lost_acked_writes"] is not None:
        out.append(f"History check: {m['acked_writes']} acknowledged writes ({m['acked_bids']} bids, {m['acked_sets']} "
                   f"Redis SETs), each looked up after healing: {m['lost_acked_writes']} lost (Redis {fmt(m['lost_in_redis'])}, "
                   f"MySQL {fmt(m['lost_in_mysql'])}, SETs {m['lost_sets']}); "
                   f"{m['unknown_writes']} with unknown outcome{_interrupted(m)}; "
                   f"{fmt(m['duplicate_rows'])} duplicate rows; {fmt(m['pending_at_end'])} messages pending at the end.")
        if m["unknown_landed"] is not None:
            out.append(f"Writes of unknown outcome (timeout, 5xx, reset), each looked up after healing by its "
                       f"idempotency key or key: {m['unknown_landed']} landed, {m['unknown_lost']} did not; "
                       f"{m['refused_writes']} writes were refused for sure (4xx, or the store said not stored).")
    else:
        why = s.absent.get("lost_acked_writes", "no verification")
        out.append(f"Acknowledged writes lost: not measured ({why}).")
    out += _contract_lines(m)
    if m["tilt_count"]:
        out.append(f"Sentinel entered TILT {m['tilt_count']} time(s) for {fmt(m['tilt_s'])} s in all: a Sentinel in "
                   "TILT does not act, so the failover figures of that span are not Sentinel's normal behaviour.")
    if m["readonly_errors"]:
        out.append(f"{m['readonly_errors']} requests hit a demoted master (READONLY): HTTP bids for "
                   f"{fmt(m['readonly_bids_s'])} s, the Redis users for {fmt(m['readonly_redis_s'])} s.")
    if m["switches"] and m["switches"] > 1:
        out.append(f"Sentinel switched the master {m['switches']} times in this run (each marked on the timeline).")
    failed = [c for c in s.checks if not c.passed]
    out.append("Every check passed." if not failed else
               "Failed checks: " + "; ".join(f"{c.metric} = {fmt(c.actual)}, expected {c.expected}"
                                            for c in failed) + ".")
    return out


def _contract_lines(m: dict) -> list[str]:
    """What a real service's contract adds: refusals by its own rules, writes known only by identity."""
    out = []
    if m.get("business_refusals") is not None:
        codes = sorted(((k.split(".", 1)[1], v) for k, v in m.items() if k.startswith("refusals.")), key=lambda x: -x[1])
        detail = ", ".join(f"{code or 'no code'} {n}" for code, n in codes)
        out.append(f"Business refusals (the service's own rules said no): {m['business_refusals']}"
                   + (f" ({detail})" if detail else "") + "; they are answers, not failures, and count in neither "
                   "the error rate nor the error window.")
    if m.get("unknown_unresolvable"):
        out.append(f"{m['unknown_unresolvable']} writes of unknown outcome carried no identity to look them up by (the "
                   "server chose a field of it, e.g. the amount of a ONE_TOUCH bid): unresolvable, counted neither "
                   "landed nor lost.")
    if m.get("key_collisions"):
        out.append(f"{m['key_collisions']} identities were written more than once (a rewound price hands the same "
                   "amount out again): those writes are judged by how many rows hold the identity.")
    if m.get("login_failures"):
        out.append(f"{m['login_failures']} logins failed: those bidders placed no bid until a login succeeded.")
    return out
