"""A CPU quota on a container (the `throttle` fault on Docker and on adopted containers), through the
SDK's `container.update(cpu_period=..., cpu_quota=...)` (it has no `nano_cpus`). What the container
had before is written to a ledger in the lab's state directory before the quota is set, so heal,
and `make heal` after a SIGKILL of the orchestrator, put back exactly that.

A container created with `--cpus` (NanoCpus) takes no CFS quota from `docker update`: it is refused,
before the load by `refusal` and again at apply.
"""
from __future__ import annotations

import json
from pathlib import Path

from docker.errors import NotFound

from errors import FaultError

PERIOD_US = 100_000
LEDGER = "throttled.json"


def refusal(container) -> str | None:
    """Why this container cannot be throttled, or None."""
    container.reload()
    nano = container.attrs["HostConfig"].get("NanoCpus") or 0
    if nano:
        return (f"{container.name} was created with --cpus {nano / 1e9:g}: Docker sets no CPU quota on such a "
                "container (throttle needs one created without --cpus)")
    return None


def _ledger(state_dir: Path) -> dict:
    path = state_dir / LEDGER
    return json.loads(path.read_text()) if path.exists() else {}


def _keep(state_dir: Path, ledger: dict) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LEDGER
    if ledger:
        path.write_text(json.dumps(ledger, indent=1))
    elif path.exists():
        path.unlink()


def throttle(container, cpu_percent: float, state_dir: Path) -> dict:
    """Hold the container to cpu_percent % of one core; returns what it had and what was set."""
    why = refusal(container)
    if why:
        raise FaultError(why)
    host = container.attrs["HostConfig"]
    before = {"cpu_period": host.get("CpuPeriod") or 0, "cpu_quota": host.get("CpuQuota") or 0}
    ledger = _ledger(state_dir)
    if container.id in ledger:
        raise FaultError(f"{container.name} is throttled already")
    ledger[container.id] = {"name": container.name, "before": before}
    _keep(state_dir, ledger)  # first: a crash between here and the update still knows what to restore
    quota = max(1000, int(PERIOD_US * cpu_percent / 100))
    container.update(cpu_period=PERIOD_US, cpu_quota=quota)
    return {"container": container.name, "before": before, "cpu_period": PERIOD_US, "cpu_quota": quota,
            "cpu_percent": cpu_percent}


def _put_back(container, before: dict) -> None:
    # -1: no quota (0 would leave the quota as it is); the period goes back where one was set
    kwargs = {"cpu_quota": before["cpu_quota"] if before["cpu_quota"] > 0 else -1}
    if before["cpu_period"]:
        kwargs["cpu_period"] = before["cpu_period"]
    container.update(**kwargs)


def restore(container, state_dir: Path) -> None:
    """Undo `throttle` on this container (a no-op where the ledger has nothing for it). The entry
    leaves the ledger only once the setting is back, read and written again with no wait between
    (another node's throttle may have added its own entry while Docker answered)."""
    entry = _ledger(state_dir).get(container.id)
    if entry is None:
        return
    _put_back(container, entry["before"])
    ledger = _ledger(state_dir)
    ledger.pop(container.id, None)
    _keep(state_dir, ledger)


def heal_all(client, state_dir: Path) -> list[str]:
    """Every container of the ledger back to its own setting; what was done, as lines."""
    done = []
    for cid, entry in list(_ledger(state_dir).items()):
        try:
            _put_back(client.containers.get(cid), entry["before"])
            done.append(f"restored the CPU setting of {entry['name']} ({entry['before']})")
        except NotFound:  # removed since: nothing left to restore
            done.append(f"{entry['name']} is gone: no CPU setting to restore")
        ledger = _ledger(state_dir)
        ledger.pop(cid, None)
        _keep(state_dir, ledger)
    return done
