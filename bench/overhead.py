"""Benchmark 3: what the harness costs the load generator, bare Locust (no per-request log, history,
observers, monitor) against the full harness (a scenario with no fault), same API, same users.

    python -m bench.overhead [--seconds 30] [--pairs 4]

Three regimes. At Locust's maximum rate (50 users as fast as they can go) the cost is the requests/s
lost. At the scenarios' rate (40 users x 5 bids/s = 200/s), where both reach the offered rate, it is
Locust-process CPU per 1,000 requests and the latency (p50/p99). At a trickle (4 users x 1 bid/s) it
is the part of the extra CPU paid per second whatever the load (fixed_cost). The CPU target is
judged on Locust's CPU in units of the service's CPU over the same window (the service does the same
work per bid in either mode, and the VM's speed, which moved CPU seconds per bid by up to 40 %
between runs at one rate, divides out), with the raw seconds a veto where they rise more than 5 %
and beyond their spread. A figure one can quote: the modes alternate (bare first in one pair, full
first in the next), every run starts from the same stack state (the bids of the runs before removed
from Redis, the stream and MySQL), and each figure is read over the same steady window of the load,
timed from its first bid (CPU from /proc, and the bids the master stored, counted by Redis itself:
Locust's own count moves once a second, an error of up to 1 s in 22), so start-up and the full
run's analysis afterwards are outside it. Beside each run: what the rest of the machine did in the
window and the process's context switches, to tell the harness's own work from contention for the
2 cores. min/median/max are printed; the difference counts only where it is larger than the spread
of either mode.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.common import OUT, ROOT, bids_scenario, cpu_seconds, fresh_lab, locust_cmd, save
from lab import clients
from lab.protocol import Lab, nodes_of, service_settings

REGIMES = {"max_rate": {"users": 50, "rate_per_user": 40}, "scenario_rate": {"users": 40, "rate_per_user": 5},
           "trickle": {"users": 4, "rate_per_user": 1}}
WARMUP_S = 4  # after the load's first bid: every user spawned and past its first requests


def reset_state(lab: Lab) -> None:
    """Every run starts where the first did: no bids in Redis, an empty stream, an empty table."""
    master = clients.master(lab, timeout=10)
    stream = service_settings(lab).stream
    for pattern in ("bid:*", "idem:*", "auction:*"):
        batch = []
        for key in master.scan_iter(match=pattern, count=5000):
            batch.append(key)
            if len(batch) >= 5000:
                master.unlink(*batch)
                batch = []
        if batch:
            master.unlink(*batch)
    master.xtrim(stream, maxlen=0, approximate=False)
    with lab.mysql_connect(timeout_s=10) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM bid")
        conn.commit()
    master.wait(len(nodes_of(lab, "redis")) - 1, 5000)  # the replicas have the deletes before the next run


def _machine() -> dict:
    """The whole machine's CPU so far (/proc/stat, in seconds): busy (all but idle and iowait) and steal
    (time the hypervisor gave this VM's cores to someone else)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    return {"busy": (sum(fields[:8]) - fields[3] - fields[4]) / tick, "steal": fields[7] / tick}


def _switches(pid: int) -> dict:
    """The process's voluntary and involuntary context switches so far, summed over its threads."""
    out = {"voluntary": 0, "involuntary": 0}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                out["voluntary" if line[0] == "v" else "involuntary"] += int(line.split()[1])
    return out


def bids_stored(master) -> int:
    """Bids the master has run the store script for (INFO commandstats, EVALSHA): one per bid request,
    counted the instant it is read, where Locust's own count moves once a second."""
    return int(master.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))


def children(pid: int) -> list[int]:
    """The process's children (the full harness's observers' process, its run files' writers)."""
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]


def _children_cpu(pid: int) -> float:
    """CPU seconds so far of the process's children."""
    total = 0.0
    for child in children(pid):
        try:
            total += cpu_seconds(child)
        except FileNotFoundError:  # ended meanwhile
            pass
    return total


def wait_for_first_bid(master, timeout_s: float) -> float:
    """Until the master stores a bid (bounded); the monotonic time it was seen."""
    before, deadline = bids_stored(master), time.monotonic() + timeout_s
    while bids_stored(master) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    return time.monotonic()


def alternating(lab: Lab, pairs: int, run) -> list[dict]:
    """run(mode, master) for `pairs` pairs, bare first in one pair and full first in the next, each from
    the same stack state and with a client of the master of its own."""
    runs = []
    for i in range(pairs):
        for mode in (("bare", "full") if i % 2 == 0 else ("full", "bare")):
            reset_state(lab)
            master = clients.master(lab)
            try:
                runs.append(run(mode, master))
            finally:
                master.close()
    return runs


def _sample(pid: int, master, yardstick: list[int]) -> dict:
    return {"t": time.monotonic(), "cpu": cpu_seconds(pid), "children": _children_cpu(pid), "bids": bids_stored(master),
            "service": sum(cpu_seconds(p) for p in yardstick), **_machine(), **_switches(pid)}


class Pinning:
    """--pin: Locust alone on the last core; the stack, the bench and the full harness's other
    processes (observers, run files' writers) on the others. What is left of the difference is then
    Locust's own work, not the other processes' share of its core and caches."""

    def __init__(self, lab: Lab) -> None:
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) < 2:
            raise SystemExit("--pin needs 2 cores or more")
        self.locust, self.rest = {cores[-1]}, set(cores[:-1])
        os.sched_setaffinity(0, self.rest)
        for name in lab.node_names():
            self.move(lab.pid(name))

    def move(self, pid: int) -> None:
        """Every thread of one of this bench's processes onto the other cores."""
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                os.sched_setaffinity(int(task.name), self.rest)
            except (OSError, ValueError):  # ended meanwhile
                pass

    def move_children(self, pid: int) -> None:
        for child in children(pid):
            self.move(child)

    def locust_preexec(self):
        return lambda: os.sched_setaffinity(0, self.locust)


def one_run(path: Path, mode: str, users: int, seconds: int, work: Path, master, yardstick: list[int],
            pin: Pinning | None = None) -> dict:
    """One Locust process; its CPU, the bids stored, the machine's CPU, the process's context
    switches and the CPU of the service's processes (`yardstick`: the same work per bid in either
    mode) sampled at two instants inside its steady load."""
    prefix = Path(tempfile.mkdtemp(dir=work)) / "locust"
    cmd = locust_cmd(path, users, seconds, prefix, ["--bare"] if mode == "bare" else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "FAIRBID_HA_RESULTS": str(work)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=pin.locust_preexec() if pin else None)
    started = time.monotonic()
    try:
        # the window is timed from the load's first bid: the full harness's session (its observers'
        # process, the environment's description) starts before the users do, and Locust's start
        # before that, so a window timed from Locust's start would take in the full run's spawn
        first_bid = wait_for_first_bid(master, 120)
        time.sleep(WARMUP_S)
        if pin:  # the full harness's processes inherited Locust's core
            pin.move_children(proc.pid)
        s0 = _sample(proc.pid, master, yardstick)
        time.sleep(max(0.0, first_bid + seconds - 4 - time.monotonic()))  # ends before Locust's own stop
        s1 = _sample(proc.pid, master, yardstick)
    finally:
        proc.wait(timeout=seconds + 300)
    stats = pd.read_csv(f"{prefix}_stats.csv")
    agg = stats[stats["Name"] == "Aggregated"].iloc[0]
    d = {k: s1[k] - s0[k] for k in s0}
    requests = d["bids"]
    per_s = (lambda v: round(v / d["t"], 3))
    return {"mode": mode, "load_began_s": round(first_bid - started, 2), "window_s": round(d["t"], 2),
            "requests_per_s": round(requests / d["t"], 1),
            "cpu_s_per_1000": round(d["cpu"] / requests * 1000, 4) if requests else None,
            "service_cpu_s_per_1000": round(d["service"] / requests * 1000, 4) if requests else None,
            # Locust's CPU per bid in units of the service's, read in the same window: the VM's speed,
            # which moves both from run to run, divides out
            "cpu_per_service_cpu": round(d["cpu"] / d["service"], 4) if d["service"] else None,
            "cpu_percent": round(d["cpu"] / d["t"] * 100, 1),
            "p50_ms": float(agg["50%"]), "p99_ms": float(agg["99%"]), "failures": int(agg["Failure Count"]),
            # what else the machine did in the window (cores busy, of 2), what the hypervisor took, and
            # how often Locust's process gave up a core (voluntary: waiting on I/O) or lost it
            "machine_busy_cores": per_s(d["busy"]), "others_busy_cores": per_s(d["busy"] - d["cpu"]),
            "children_busy_cores": per_s(d["children"]),
            "steal_cores": per_s(d["steal"]), "voluntary_switches_per_1000": round(d["voluntary"] / requests * 1000, 1),
            "involuntary_switches_per_1000": round(d["involuntary"] / requests * 1000, 1)}


def spread(values: list[float]) -> dict:
    return {"min": min(values), "median": round(statistics.median(values), 4), "max": max(values)}


def compare(runs: list[dict], key: str, higher_is_worse: bool) -> dict:
    """Full against bare on one figure: the medians' difference and whether it exceeds the spread.
    A figure some run could not read (no requests, no service CPU) is absent, all of it None."""
    bare = [r.get(key) for r in runs if r["mode"] == "bare"]
    full = [r.get(key) for r in runs if r["mode"] == "full"]
    if not bare or not full or None in bare + full:
        return {"bare": None, "full": None, "worse_by_percent": None, "spread": None, "beyond_spread": None}
    b, f = spread(bare), spread(full)
    worse = (f["median"] - b["median"]) if higher_is_worse else (b["median"] - f["median"])
    noise = max(b["max"] - b["min"], f["max"] - f["min"])
    return {"bare": b, "full": f, "worse_by_percent": round(worse / b["median"] * 100, 2) if b["median"] else None,
            "spread": round(noise, 4), "beyond_spread": worse > noise}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--pairs", type=int, default=4)
    p.add_argument("--regimes", default=",".join(REGIMES), help="a subset of " + ", ".join(REGIMES))
    p.add_argument("--pin", action="store_true", help="Locust alone on a core (a part of the bench: no target judged)")
    a = p.parse_args()
    regimes = {r: REGIMES[r] for r in a.regimes.split(",")}
    work = OUT / "runs" / "overhead"
    figures: dict = {"seconds": a.seconds, "pairs": a.pairs, "regimes": REGIMES, "pinned": a.pin}
    path = bids_scenario(work, "bench-overhead", "Harness overhead", 50, f"{a.seconds}s", 40)
    lab = fresh_lab(path)
    try:
        pin = Pinning(lab) if a.pin else None
        yardstick = [lab.pid(n) for n in nodes_of(lab, "api")]
        for regime, load in regimes.items():
            path = bids_scenario(work, "bench-overhead", "Harness overhead", load["users"], f"{a.seconds}s",
                                 load["rate_per_user"])

            def run(mode: str, master, path=path, users=load["users"], regime=regime) -> dict:
                print(regime, out := one_run(path, mode, users, a.seconds, work, master, yardstick, pin), flush=True)
                return out

            runs = alternating(lab, a.pairs, run)
            figures[regime] = {"runs": runs,
                               "requests_per_s": compare(runs, "requests_per_s", higher_is_worse=False),
                               "cpu_s_per_1000": compare(runs, "cpu_s_per_1000", higher_is_worse=True),
                               "service_cpu_s_per_1000": compare(runs, "service_cpu_s_per_1000", higher_is_worse=True),
                               "cpu_per_service_cpu": compare(runs, "cpu_per_service_cpu", higher_is_worse=True),
                               "p50_ms": compare(runs, "p50_ms", higher_is_worse=True),
                               "p99_ms": compare(runs, "p99_ms", higher_is_worse=True),
                               "cpu_percent": compare(runs, "cpu_percent", higher_is_worse=True)}
    finally:
        lab.down()
    if "trickle" in figures and "scenario_rate" in figures:
        figures["fixed_cost"] = fixed_cost(figures["trickle"], figures["scenario_rate"])
    if set(regimes) != set(REGIMES) or a.pin:
        save("overhead_" + "_".join(regimes) + ("_pinned" if a.pin else ""), figures)  # a part: no target judged
        return
    judge(figures)
    save("overhead", figures)


def judge(figures: dict) -> None:
    """The targets, on the maximum-rate and scenario-rate figures; a figure not measured misses its target."""
    top, rated = figures["max_rate"], figures["scenario_rate"]
    figures["cost_percent"] = top["requests_per_s"]["worse_by_percent"]
    figures["cpu_more_percent"] = rated["cpu_s_per_1000"]["worse_by_percent"]
    figures["cpu_more_percent_per_service_cpu"] = rated["cpu_per_service_cpu"]["worse_by_percent"]
    figures["latency_beyond_spread"] = [k for k in ("p50_ms", "p99_ms") if rated[k]["beyond_spread"]]
    figures["targets"] = {"throughput_cost_percent_max": 5, "cpu_more_percent_max": 5,
                          "latency": "no p50/p99 difference beyond the spread"}
    figures["cpu_met"] = cpu_met(rated)
    figures["met"] = bool(figures["cost_percent"] is not None and figures["cost_percent"] <= 5 and figures["cpu_met"]
                          and all(rated[k]["beyond_spread"] is False for k in ("p50_ms", "p99_ms")))


def cpu_met(rated: dict) -> bool:
    """At most 5 % more Locust CPU per bid, read in units of the service's CPU per bid (the VM's speed
    moved CPU seconds per bid by up to 40 % between runs at one rate and divides out of the ratio);
    and the seconds themselves no more than 5 % up beyond their spread, or the yardstick hid a cost."""
    relative, seconds = rated["cpu_per_service_cpu"], rated["cpu_s_per_1000"]
    if relative["worse_by_percent"] is None or seconds["worse_by_percent"] is None:  # not measured: not met
        return False
    return bool(relative["worse_by_percent"] <= 5 and (seconds["worse_by_percent"] <= 5 or not seconds["beyond_spread"]))


def machine_drift(runs: list[dict]) -> float | None:
    """Pearson's r, over one regime's runs of both modes, between the Locust process's CPU per 1,000 bids
    and the rest of the machine's (the stack, the harness's other processes). Near 1: the two move
    together from run to run, so what moved was the machine's speed, not the harness's work (seen
    here: both by 40 % between runs at the same rate, with the same instructions per bid)."""
    pairs = [(r["cpu_s_per_1000"], r["others_busy_cores"] / r["requests_per_s"] * 1000) for r in runs
             if r.get("others_busy_cores") is not None and r.get("cpu_s_per_1000") and r.get("requests_per_s")]
    if len(pairs) < 3:
        return None
    return round(statistics.correlation(*zip(*pairs)), 3)


def fixed_cost(trickle: dict, rated: dict) -> dict:
    """How much of the extra CPU at the scenarios' rate is paid per second whatever the load (the full
    harness's timers and observers' share of Locust's process), read at a trickle of 4 requests/s where
    the per-request part is all but gone: its extra CPU share, and that share spread over the rated
    run's requests, against the extra CPU per 1,000 requests measured there."""
    extra_cpu_s_per_s = (trickle["cpu_percent"]["full"]["median"] - trickle["cpu_percent"]["bare"]["median"]) / 100
    rate = round(statistics.median(r["requests_per_s"] for r in rated["runs"]), 1)
    extra_per_1000 = rated["cpu_s_per_1000"]["full"]["median"] - rated["cpu_s_per_1000"]["bare"]["median"]
    fixed_per_1000 = extra_cpu_s_per_s / rate * 1000
    return {"extra_cpu_s_per_s_at_trickle": round(extra_cpu_s_per_s, 4), "rated_requests_per_s": rate,
            "as_cpu_s_per_1000_at_rate": round(fixed_per_1000, 4), "extra_cpu_s_per_1000_at_rate": round(extra_per_1000, 4),
            "fixed_share_of_extra": round(fixed_per_1000 / extra_per_1000, 3) if extra_per_1000 > 0 else None}

if __name__ == "__main__":
    main()
