"""The target's `setup:` steps, made once the stack answers and before the load: auctions created by a
seller through the service's own API (or rows written by SQL), their reply fields captured into the
pools the load draws from.

A step that fails stops the run before any fault or load, naming the step, the status and the reply:
a load against fixtures that do not exist would only measure refusals.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from errors import HarnessError
from harness import calls
from lab import templates
from lab.protocol import Lab
from lab.target_spec import SetupStep


class SetupFailed(HarnessError):
    """A fixture could not be made: nothing was started."""


@dataclass
class Fixtures:
    pools: dict[str, list]
    record: dict  # run.json's "setup": each step's calls and time, each pool's size and values


def describe(steps: tuple[SetupStep, ...], base_url: str) -> list[str]:
    """What `make plan` shows: each step as it would be sent, and the pools it fills."""
    lines = []
    for step in steps:
        sample = {"n": 0}
        if step.sql:
            what = f"SQL on {step.node}: {templates.fill_text(step.sql, sample)}"
        else:
            body = templates.fill(step.body, sample) if step.body is not None else None
            what = f"{step.method} {base_url}{templates.fill_text(step.path, sample, encode=True)}"
            what += (f" headers {step.headers}" if step.headers else "") + (f" body {body}" if body is not None else "")
        pools = ", ".join(f"{name} <- {path}" for name, path in step.capture.items())
        lines.append(f"setup {step.name}: {step.repeat} x {what}" + (f"; pools: {pools}" if pools else ""))
    return lines


def make(lab: Lab, steps: tuple[SetupStep, ...], base_url: str, timeout_s: float = 10.0) -> Fixtures:
    pools: dict[str, list] = {}
    record = {"steps": [], "pools": {}}
    with requests.Session() as http:
        for step in steps:
            t0 = time.monotonic()
            for n in range(step.repeat):
                values = {"n": n}
                if step.sql:
                    _sql(lab, step, values)
                    continue
                for name, value in _call(http, base_url, step, values, timeout_s).items():
                    pools.setdefault(name, []).append(value)
            record["steps"].append({"name": step.name, "calls": step.repeat, "s": round(time.monotonic() - t0, 3)})
    record["pools"] = {name: {"size": len(values), "values": values[:1000]} for name, values in pools.items()}
    return Fixtures(pools=pools, record=record)


def _call(http: requests.Session, base_url: str, step: SetupStep, values: dict, timeout_s: float) -> dict:
    try:
        return calls.call(http, base_url, step, values, timeout_s)
    except calls.CallFailed as exc:
        url = base_url.rstrip("/") + templates.fill_text(step.path, values, encode=True)
        raise SetupFailed(f"setup step {step.name!r} (line {step.line}), call {values['n'] + 1} of {step.repeat}: "
                          f"{step.method} {url}: {exc}") from None


def _sql(lab: Lab, step: SetupStep, values: dict) -> None:
    import pymysql

    try:
        conn = lab.mysql_connect(step.node, timeout_s=10)
        try:
            with conn.cursor() as cur:
                cur.execute(templates.fill_text(step.sql, values))
            conn.commit()
        finally:
            conn.close()
    except pymysql.MySQLError as exc:
        raise SetupFailed(f"setup step {step.name!r} (line {step.line}), statement {values['n'] + 1} of "
                          f"{step.repeat} on {step.node}: {type(exc).__name__}: {exc}") from None
