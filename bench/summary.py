"""Print the newest figures of every benchmark (results/bench/*.json) as the README's table.

    python -m bench.summary
"""
from __future__ import annotations

import json

from bench.common import OUT


def _load(name: str) -> dict | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _verdict(figures: dict) -> str:
    """A target is met only by a figure that says so: a missing or null `met` is a miss."""
    return "met" if figures.get("met") is True else "missed"


TARGETED = ("error_window", "fault_timing", "overhead", "ready_time", "failover_settings", "analysis_speed")


def rows() -> list[tuple[str, str, str, str]]:
    out = [(name, "(see bench/)", f"not measured: no results/bench/{name}.json", "missed")
           for name in TARGETED if _load(name) is None]
    if f := _load("error_window"):
        out.append(("1 error-window accuracy", "within 50 ms of an independent 5 ms prober",
                    f"request log {f['window_from_request_log_s']} s, prober {f['window_from_prober_s']} s "
                    f"(difference {f['difference_ms']} ms); Locust's 1 s CSV {f['window_from_locust_1s_csv_s']} s",
                    _verdict(f)))
    if f := _load("fault_timing"):
        d = f["delay_ms"]
        out.append(("2 fault timing", "median <= 50 ms, max <= 200 ms",
                    f"{f['faults']} faults under {f['requests_per_s']} req/s: median {d['median']} ms, p95 {d['p95']} ms, "
                    f"max {d['max']} ms", _verdict(f)))
    if f := _load("overhead"):
        out.append(("3 harness overhead", "<= 5 % fewer requests/s",
                    f"bare {f['mean_bare']} req/s, full {f['mean_full']} req/s ({f['users']} users, {f['seconds']} s x "
                    f"{len(f['requests_per_s']['bare'])}): {f['cost_percent']} %", _verdict(f)))
    if f := _load("capacity"):
        knee = f["knee"]
        wrk = f["wrk_same_api"] or {}
        at = f"at {knee['users']} users, {knee['requests_per_s']} req/s" if knee else "not reached"
        out.append(("4 capacity on 2 cores", "(figure)",
                    f"Locust max {f['max_locust_requests_per_s']} bids/s; knee (p95 doubled) {at}; "
                    f"wrk on the same API {wrk.get('requests_per_s')} req/s; redis-benchmark SET "
                    f"{f['redis_benchmark_master']['set_per_s']}/s", "-"))
    if f := _load("ready_time"):
        out.append(("5 stack ready time", "<= 5 s",
                    f"median {f['up_s']['median']} s, max {f['up_s']['max']} s ({f['up_s']['n']} runs); with a MySQL "
                    f"replica median {f['with_mysql_replica_up_s']['median']} s", _verdict(f)))
    if f := _load("failover_settings"):
        parts = [f"{r['action']} @{r['down_after_ms']}: switch {r['switch_master_s']} s, last error "
                 f"{r['last_client_error_s']} s, failed bids {r['user_visible_failed_bids']}" for r in f["rows"]]
        out.append(("6 failover vs down-after", "last error <= switch + 0.5 s; 0 failed bids", "; ".join(parts),
                    _verdict(f)))
    if f := _load("analysis_speed"):
        out.append(("7 analysis speed", "<= 10 s for 1,000,000 rows", f"{f['report_s']} s for {f['rows']:,} rows",
                    _verdict(f)))
    return out


def main() -> None:
    print("| benchmark | target | measured | |\n|---|---|---|---|")
    for r in rows():
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
