"""Print the newest figures of every benchmark (results/bench/*.json) as the README's table.

    python -m bench.summary
    python -m bench.summary --edition OUT [--from results/bench]   # OUT/bench/: the figures and BENCH.md

The second is a reference edition's benchmarks part (docs/results/bench/); analysis/edition.py makes
the rest, from run files alone.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from bench.common import OUT
from bench.overhead import machine_drift


def _loader(directory: Path):
    def load(name: str) -> dict | None:
        path = directory / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else None
    return load


def _verdict(figures: dict) -> str:
    """A target is met only by a figure that says so: a missing or null `met` is a miss."""
    return "met" if figures.get("met") is True else "missed"


TARGETED = ("error_window", "fault_timing", "overhead", "instructions", "ready_time", "failover_settings", "analysis_speed",
            "distributed", "error_window_workers2", "error_window_redis-4_workers2", "ready_time_docker",
            "failover_settings_docker")


def _mmm(s: dict | None) -> str:
    if s is None:  # a figure some run could not read
        return "not measured"
    r = lambda x: round(x, 4)  # noqa: E731 - a median of two runs is their mean: 862.9000000000001
    return f"{r(s['median'])} ({r(s['min'])}-{r(s['max'])})"


def _ints(s: dict | None) -> str:
    if s is None:
        return "not measured"
    return f"{round(s['median']):,} ({round(s['min']):,}-{round(s['max']):,})"


def _against_spread(c: dict, word: str) -> str:
    """bench.overhead.compare's difference as text: "X % more (within the spread of Y)"."""
    if c["worse_by_percent"] is None:
        return "not measured"
    return f"{c['worse_by_percent']} % {word} ({'beyond' if c['beyond_spread'] else 'within'} the spread of {c['spread']})"


def rows(directory: Path = OUT) -> list[tuple[str, str, str, str]]:
    _load = _loader(directory)
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
        top, rated = f["max_rate"], f["scenario_rate"]
        rps, cpu = top["requests_per_s"], rated["cpu_s_per_1000"]
        lat = "; ".join(f"{k[:3]} bare {rated[k]['bare']['median']} / full {rated[k]['full']['median']} ms "
                        f"(spread {rated[k]['spread']})" if rated[k]["bare"] else f"{k[:3]} not measured"
                        for k in ("p50_ms", "p99_ms"))
        drift = machine_drift(rated["runs"])
        moved = (f"; run to run, Locust's CPU per 1,000 against the rest of the machine's: r = {drift}"
                 if drift is not None else "")
        relative = ""
        if ratio := rated.get("cpu_per_service_cpu"):  # files of before the yardstick have none
            relative = (f", in units of the service's CPU per bid read in the same window bare {_mmm(ratio['bare'])}, "
                        f"full {_mmm(ratio['full'])}: {_against_spread(ratio, 'more')}")
        if pinned := _load("overhead_scenario_rate_pinned"):
            pc = pinned["scenario_rate"]["cpu_s_per_1000"]
            moved += (f"; with Locust alone on a core (--pin, {pinned['pairs']} pairs, {pinned['date'][:10]}) "
                      f"CPU s per 1,000 bare "
                      f"{_mmm(pc['bare'])}, full {_mmm(pc['full'])}: {pc['worse_by_percent']} %")
        out.append(("3 harness overhead", "<= 5 % fewer req/s at the maximum; <= 5 % more CPU per 1,000 at "
                    "200/s; latency within the spread",
                    f"{f['pairs']} alternating pairs of {f['seconds']} s: max rate bare {_mmm(rps['bare'])}, full "
                    f"{_mmm(rps['full'])} req/s: {_against_spread(rps, 'fewer')}; at 200/s CPU s per 1,000 bare "
                    f"{_mmm(cpu['bare'])}, full {_mmm(cpu['full'])}: {_against_spread(cpu, 'more')}{relative}; "
                    f"{lat}{moved}",
                    _verdict(f)))
    if f := _load("instructions"):
        per = f["instructions_per_bid"]
        top = sorted(f["extra_per_bid_by_group"].items(), key=lambda kv: -abs(kv[1]))[:3]
        out.append(("3b harness's work in Locust's process", "<= 5 % more instructions per bid (callgrind)",
                    f"{f['pairs']} alternating pairs, {f['users']} users x {f['rate_per_user']} bids/s, {f['seconds']} s "
                    f"windows: bare {_ints(per['bare'])}, full {_ints(per['full'])} per bid: {f['more_percent']} % more; "
                    "the difference by C function: " + ", ".join(f"{g} {v:+,}" for g, v in top), _verdict(f)))
    if f := _load("capacity"):
        knee = f["knee"]
        wrk = f["wrk_same_api"] or {}
        at = f"at {knee['users']} users, {knee['requests_per_s']} req/s" if knee else "not reached"
        out.append(("4 capacity on 2 cores", "(figure)",
                    f"Locust max {f['max_locust_requests_per_s']} bids/s; knee (p95 doubled) {at}; "
                    f"wrk on the same API {wrk.get('requests_per_s')} req/s; redis-benchmark SET "
                    f"{f['redis_benchmark_master']['set_per_s']}/s", "-"))
    for name, label in (("ready_time", "5 stack ready time, local"), ("ready_time_docker", "5b stack ready time, Docker")):
        if f := _load(name):
            out.append((label, f"median <= {f['target_s']} s (5 runs)",
                        f"median {f['up_s']['median']} s, max {f['up_s']['max']} s ({f['up_s']['n']} runs); with a "
                        f"MySQL replica median {f['with_mysql_replica_up_s']['median']} s", _verdict(f)))
    for name, label in (("failover_settings_no_deadline", "6a failover vs down-after, retries only (before)"),
                        ("failover_settings", "6 failover vs down-after"),
                        ("failover_settings_docker", "6b failover vs down-after, Docker")):
        if f := _load(name):
            deadline = f"service deadline {f['deadline_s']} s per operation: " if f.get("deadline_s") else \
                "no deadline (retries only): "
            parts = [f"{r['action']} @{r['down_after_ms']}: switch {r['switch_master_s']} s, last error "
                     f"{r['last_client_error_s']} s, failed bids {r['user_visible_failed_bids']}, lost "
                     f"{r['lost_acked_writes']}" for r in f["rows"]]
            out.append((label, "last error <= switch + 0.5 s; 0 failed bids", deadline + "; ".join(parts),
                        _verdict(f)))
    if f := _load("analysis_speed"):
        out.append(("7 analysis speed", "<= 10 s for 1,000,000 rows", f"{f['report_s']} s for {f['rows']:,} rows",
                    _verdict(f)))
    if f := _load("distributed"):
        parts = [f"{r['workers'] or 'one process'}{' worker(s)' if r['workers'] else ''}: {r['bids_per_s']} bids/s "
                 f"(CPU % of the run: " + ", ".join(f"{k} {v}" for k, v in r["cpu_percent_of_run"].items()) + ")"
                 + (f", relayed rows/s per worker {r['rows_per_s_relayed']}" if r["rows_per_s_relayed"] else "")
                 + f", log gap {r['request_log_gap']}" for r in f["runs"]]
        out.append(("8 distributed load", "Locust's count = the log's (gap <= 0.1 %)", "; ".join(parts), _verdict(f)))
    for name, label in (("error_window_workers2", "1b error window, 2 workers"),
                        ("error_window_redis-4_workers2", "1c redis-4 with 2 workers")):
        if f := _load(name):
            gap = f.get("request_log_sampling_gap_ms")
            sampled = (f"; {f['redis_users']} Redis users, the log's SETs {gap['first']} / {gap['last']} ms apart "
                       "at the edges" if gap else "")
            out.append((label, "within 50 ms of the prober; the run passes",
                        f"request log {f['window_from_request_log_s']} s, prober {f['window_from_prober_s']} s "
                        f"(difference {f['difference_ms']} ms){sampled}; log gap {f['request_log_gap']}; lost "
                        f"{f['lost_acked_writes']}; {'PASS' if f['passed'] else 'FAIL'}",
                        "met" if f.get("met") is True and f.get("passed") else "missed"))
    if f := _load("client_cost"):
        parts = []
        for client in ("redis_py", "ioredis"):
            for name, r in (f.get(client) or {}).items():
                p50, p99 = r["p50_ms"], r["p99_ms"]
                parts.append(f"{client.replace('_', '-')} {name}: p50 {p50['median']} ms, p99 {p99['median']} ms "
                             f"(p99 {p99['min']}-{p99['max']}), failed {r['failed']}" if p50 and p99 else
                             f"{client} {name}: not measured")
        if f.get("ioredis") is None:
            parts.append(f"ioredis not measured: {f.get('ioredis_absent')}")
        out.append(("9 client settings' steady-state cost", "(figure: the recipe's settings against the defaults)",
                    f"SETs through Sentinel at {f['rate_per_s']}/s, {f['pairs']} alternating runs of {f['seconds']} s "
                    "each, no fault: " + "; ".join(parts), "-"))
    return out


def table(directory: Path = OUT) -> str:
    return "\n".join(["| benchmark | target | measured | |", "|---|---|---|---|",
                      *("| " + " | ".join(r) + " |" for r in rows(directory))]) + "\n"


def copy_edition(src: Path, out: Path) -> Path:
    """Every benchmark's figures (NAME.json) copied into OUT/bench/, and the table printed from them."""
    dest = out / "bench"
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.json")):
        shutil.copy2(path, dest / path.name)
    doc = dest / "BENCH.md"
    doc.write_text("# Benchmarks\n\nThe figures of `make bench` (one file per benchmark here, NAME.json), as "
                   "`python -m bench.summary` prints them.\n\n" + table(dest))
    return doc


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.summary", description=__doc__.split("\n\n")[0])
    p.add_argument("--edition", type=Path, default=None, help="copy the figures and their table into EDITION/bench/")
    p.add_argument("--from", dest="src", type=Path, default=OUT, help="the figures' directory (default results/bench)")
    a = p.parse_args(argv)
    if a.edition:
        print(f"wrote {copy_edition(a.src, a.edition)}")
    else:
        print(table(a.src), end="")


if __name__ == "__main__":
    main()
