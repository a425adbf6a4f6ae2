"""Where the Locust process spends its time: py-spy samples of one run at the scenarios' rate
(40 users x 5 bids/s), taken for 20 s inside the load, full harness and bare, grouped by who
called (the monitor, the Sentinel observer, the history, the request log, the pipe that hands both
to their writer process, the users, gevent's hub).

    python -m bench.profile [--seconds 20]

Shares of all samples; a sample is one stack of the main thread or a helper thread that was not
idle, so the shares say what took the time, and the counts compare the two modes.
"""
from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import OUT, ROOT, bids_scenario, fresh_lab, locust_cmd, save

PY_SPY = Path(sys.executable).with_name("py-spy")
# innermost frame naming one of these decides the sample's group
GROUPS = (("observe/monitor", "monitor"), ("observe/sentinel_events", "sentinel observer"),
          ("observe/row_writer", "run files' pipe"), ("observe/history", "history"),
          ("csv_request_logger", "request log"), ("RunRequestLogger._on_request", "request log"), ("place_bid", "bid users"),
          ("set_key", "redis users"), ("harness/relay", "relay"), ("faults/", "faults"))
DETAIL = ("mysql_connect", "master_votes", "BaseLab.master", ".info ")


def group(frames: list[str]) -> str:
    for frame in reversed(frames):
        for marker, name in GROUPS:
            if marker in frame:
                return name
    if any("threadpool.py" in f for f in frames):
        return "gevent threadpool (waiting)"
    if any("hub.py" in f for f in frames[-2:]):
        return "gevent hub"
    return "other"


def shares(raw: Path) -> dict:
    """py-spy's raw output (`stack count` lines) as shares per group and per detail of the monitor."""
    groups, detail, total = collections.Counter(), collections.Counter(), 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, n = line.rsplit(" ", 1)
        frames, count = stack.split(";"), int(n)
        total += count
        groups[group(frames)] += count
        for d in DETAIL:
            if any(d in f for f in frames):
                detail[d.strip(" .")] += count
    pct = lambda c: {k: round(v / total * 100, 1) for k, v in c.most_common()}  # noqa: E731
    return {"samples": total, "percent": pct(groups), "monitor_detail_percent": pct(detail)}


def profile(path: Path, bare: bool, seconds: int, work: Path) -> dict:
    out = work / f"pyspy-{'bare' if bare else 'full'}.txt"
    cmd = locust_cmd(path, 40, seconds + 15, extra=["--bare"] if bare else [])
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "FAIRBID_HA_RESULTS": str(work)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(10)  # started, users spawned
        subprocess.run([str(PY_SPY), "record", "-r", "200", "-f", "raw", "-o", str(out), "--pid", str(proc.pid),
                        "--duration", str(seconds)], check=True, timeout=seconds + 60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        proc.wait(timeout=seconds + 300)
    return shares(out)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=20)
    a = p.parse_args()
    work = OUT / "runs" / "profile"
    path = bids_scenario(work, "bench-profile", "Where Locust's time goes", 40, f"{a.seconds + 15}s", 5)
    lab = fresh_lab(path)
    try:
        figures = {mode: profile(path, mode == "bare", a.seconds, work) for mode in ("full", "bare")}
    finally:
        lab.down()
    save("profile", {"seconds": a.seconds, "rate": "40 users x 5 bids/s", **figures})


if __name__ == "__main__":
    main()
