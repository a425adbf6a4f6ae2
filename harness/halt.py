"""A scenario's `halt:` section: conditions watched live in the orchestrator while the load runs.
When one holds, the load stops, every fault is healed, the verification still runs, and the run is
marked halted with the reason (it does not pass): an attack stopped when a health check breaks.

    halt:
      error_rate: {above: 0.5, for: 5s}   # share of failed requests over the last 10 s, held this long
      node_not_back: {after: 20s}         # a healed node still not answering this long after its heal
      no_master: {for: 30s}               # no Sentinel names a master that is up, this long
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import gevent
from redis.exceptions import RedisError

from configfile.validation import MISSING, Fields
from lab import clients, topology
from lab.protocol import Lab

log = logging.getLogger("halt")
KEYS = {"error_rate": {"above", "for"}, "node_not_back": {"after"}, "no_master": {"for"}}
ERROR_WINDOW_S = 10  # the error rate is read over Locust's last 10 whole seconds


@dataclass(frozen=True)
class Halt:
    error_rate_above: float | None = None
    error_rate_for_s: float = 0.0
    node_not_back_after_s: float | None = None
    no_master_for_s: float | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.error_rate_above, self.node_not_back_after_s, self.no_master_for_s))

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def parse(top: Fields) -> Halt:
    h = top.section("halt", KEYS)
    given = {k: k in h.data for k in KEYS}
    parts = {k: h.section(k, allowed) for k, allowed in KEYS.items()}
    er, back, master = parts["error_rate"], parts["node_not_back"], parts["no_master"]
    return Halt(
        error_rate_above=er.number("above", MISSING if given["error_rate"] else None, 0, 1, above=True),
        error_rate_for_s=er.duration("for", 0.0, above=False),
        node_not_back_after_s=back.duration("after", MISSING if given["node_not_back"] else None),
        no_master_for_s=master.duration("for", MISSING if given["no_master"] else None, above=False))


class HaltWatch:
    """Evaluates the conditions every `interval_s` (bounded by max_s); the first that holds calls
    `on_halt(reason)` once and the watch ends."""

    def __init__(self, halt: Halt, lab: Lab, stats, faults_path: Path, on_halt: Callable[[str], None],
                 max_s: float, interval_s: float = 0.5) -> None:
        self.halt, self.lab, self.stats, self.faults_path = halt, lab, stats, faults_path
        self.on_halt, self.max_s, self.interval_s = on_halt, max_s, interval_s
        self._since: dict[str, float] = {}  # condition -> monotonic time it began to hold
        self._running = False
        self._greenlet: gevent.Greenlet | None = None

    def start(self) -> None:
        self._running = True
        self._greenlet = gevent.spawn(self._loop)

    def stop(self) -> None:
        self._running = False
        if self._greenlet is not None and self._greenlet is not gevent.getcurrent():
            self._greenlet.join(timeout=5)
            self._greenlet.kill(block=True, timeout=2)

    def _loop(self) -> None:
        deadline = time.monotonic() + self.max_s
        while self._running and time.monotonic() < deadline:
            reason = self.check()
            if reason:
                log.warning("halting the run: %s", reason)
                self._running = False
                self.on_halt(reason)
                return
            gevent.sleep(self.interval_s)

    def _held(self, name: str, holds: bool, for_s: float) -> bool:
        """True once `holds` has been true without a break for `for_s`."""
        if not holds:
            self._since.pop(name, None)
            return False
        since = self._since.setdefault(name, time.monotonic())
        return time.monotonic() - since >= for_s

    def check(self) -> str | None:
        h = self.halt
        if h.error_rate_above is not None:
            rate = self.error_rate()
            if self._held("error_rate", rate is not None and rate > h.error_rate_above, h.error_rate_for_s):
                return (f"error rate {rate:.3f} over the last {ERROR_WINDOW_S} s above {h.error_rate_above:g} "
                        f"for {h.error_rate_for_s:g} s")
        if h.node_not_back_after_s is not None:
            late = self.nodes_not_back(h.node_not_back_after_s)
            if late:
                return f"{', '.join(late)} not back {h.node_not_back_after_s:g} s after its heal"
        if h.no_master_for_s is not None and self.lab.sentinel_addrs():
            if self._held("no_master", not self.master_known(), h.no_master_for_s):
                return f"no Redis master known to Sentinel for {h.no_master_for_s:g} s"
        return None

    def error_rate(self) -> float | None:
        """Failed over all requests in Locust's last whole seconds (None: no request in them)."""
        total = self.stats.total
        now = int(time.time())
        seconds = range(now - ERROR_WINDOW_S, now)
        requests = sum(total.num_reqs_per_sec.get(s, 0) for s in seconds)
        failures = sum(total.num_fail_per_sec.get(s, 0) for s in seconds)
        return failures / requests if requests else None

    def nodes_not_back(self, after_s: float) -> list[str]:
        """Nodes healed more than after_s ago (faults.jsonl) that are not running or do not answer."""
        if not self.faults_path.exists():
            return []
        now_ms = time.time() * 1000
        healed: dict[str, float] = {}
        for line in self.faults_path.read_text().splitlines():
            record = json.loads(line) if line.strip() else {}
            if "healed_ms" in record and record.get("outcome", "ok") == "ok":
                healed[record["node"]] = max(healed.get(record["node"], 0), record["healed_ms"])
        return sorted(n for n, t in healed.items() if now_ms - t > after_s * 1000 and not self.answers(n))

    def answers(self, name: str) -> bool:
        if name not in self.lab.node_names():
            return True  # not one of the lab's nodes (a target's role resolved elsewhere): not watched
        try:
            if not self.lab.alive(name) or self.lab.paused(name):
                return False
            return clients.ping(self.lab, name, timeout=0.5) if self.lab.kind(name) in ("redis", "sentinel") else True
        except (RedisError, OSError):
            return False

    def master_known(self) -> bool:
        """Some reachable Sentinel names a master it does not consider down."""
        for host, port in self.lab.sentinel_addrs():
            view = topology.sentinel_view(host, port, self.lab.config.master_name, self.lab.secrets)
            if view and topology.is_up(view):
                return True
        return False
