"""The Redis settings that decide durability and the split-brain guard, read from every Redis node
before the first fault and from the master after healing (config.json).

A setting given on one node's command line and not in a config file (FairBid's guard,
`--min-replicas-to-write 1 --min-replicas-max-lag 10`, on its first master only) is gone once a
replica is promoted; nothing in the stack says so. The analysis compares the old master's values
with the new one's (`config_drift`, analysis/stack_findings.py).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from redis.exceptions import RedisError

from lab import clients
from lab.protocol import Lab
from observe.base import RunEnd
from runfiles import CONFIG
from runfiles import CONFIG_SETTINGS as SETTINGS


def read(lab: Lab, name: str) -> dict[str, str] | str:
    """The node's values of SETTINGS, or why they could not be read (a node down, CONFIG renamed)."""
    try:
        client = clients.node(lab, name, timeout=3)
        try:
            return {k: str(v) for k, v in client.config_get(*SETTINGS).items() if k in SETTINGS}
        finally:
            client.close()
    except (RedisError, OSError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"


class ConfigSnapshot:
    files = (CONFIG,)

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.path: Path | None = None
        self.record: dict = {}

    def start(self, run_dir: Path) -> None:
        self.path = run_dir / CONFIG
        nodes = [n for n in self.lab.node_names() if self.lab.kind(n) == "redis"]
        try:
            master = self.lab.master()
        except Exception as exc:  # no master named now: the snapshot says so, and no drift is measured
            master = None
            self.record["master_error"] = f"{type(exc).__name__}: {exc}"
        self.record.update(before={"t_ms": time.time() * 1000, "master": master,
                                   "nodes": {n: read(self.lab, n) for n in nodes}})
        self._write()

    def ready(self, timeout_s: float = 0) -> bool:
        return True

    def stop(self, end: RunEnd) -> None:
        if self.path is None or end.interrupted:
            return
        try:
            master = self.lab.master()
            self.record["after"] = {"t_ms": time.time() * 1000, "master": master, "values": read(self.lab, master)}
        except Exception as exc:  # recorded: the drift is then absent, with this reason
            self.record["after_error"] = f"{type(exc).__name__}: {exc}"
        self._write()

    def _write(self) -> None:
        self.path.write_text(json.dumps(self.record, indent=1) + "\n")

