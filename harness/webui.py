"""A "Faults" tab in Locust's web UI: the fault journal and the Sentinel events of the current run.

Locust has no API for markers on its own charts (locustio/locust#2397), so the timeline is a
table of its own, fed through the `extended_stats` of /stats/requests.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from flask import request

import runfiles as rf

TAB_KEY = "fairbid-faults"
SHOWN_EVENTS = ("+sdown", "-sdown", "+odown", "-odown", "+switch-master", "+failover-end", "+tilt", "-tilt",
                "+convert-to-slave", "+promoted-slave", "observer-disconnected")
MAX_ROWS = 300


def timeline_rows(run_dir: Path | None, t0_ms: float | None) -> list[dict]:
    """Rows of the tab, oldest first: faults as journaled, Sentinel events of interest."""
    if run_dir is None or t0_ms is None:
        return []
    rows = []
    for rec in rf.read_journal(run_dir):  # a line being written is skipped until it is whole
        where = getattr(rec, "node", None) or getattr(rec, "target", None)
        delay = f"delay {rec.delay_ms} ms" if isinstance(rec, rf.Applied) else ""
        rows.append({"t": f"{(rec.t_ms - t0_ms) / 1000:.3f}", "source": "fault",
                     "what": f"{rec.event}: {rec.action if isinstance(rec, rf.FaultRecord) else None} {where}",
                     "detail": getattr(rec, "error", None) or delay, "_t": rec.t_ms})
    for e in rf.read_events(run_dir):
        if e.event in SHOWN_EVENTS:
            rows.append({"t": f"{(e.t_ms - t0_ms) / 1000:.3f}", "source": "sentinel", "what": e.event,
                         "detail": f"{e.sentinel} {e.data or ''}", "_t": e.t_ms})
    rows.sort(key=lambda r: r.pop("_t"))
    return rows[-MAX_ROWS:]


def install(environment, current: Callable[[], tuple[Path | None, float | None]]) -> None:
    """Add the tab; `current()` gives the run directory and test start (ms) of the run on show."""
    web_ui = environment.web_ui
    if web_ui is None:
        return
    web_ui.template_args["extended_tabs"] = [{"title": "Faults & failover", "key": TAB_KEY}]
    web_ui.template_args["extended_tables"] = [{"key": TAB_KEY, "structure": [
        {"key": "t", "title": "s since test start"}, {"key": "source", "title": "source"},
        {"key": "what", "title": "what"}, {"key": "detail", "title": "detail"}]}]

    @web_ui.app.after_request
    def _add_timeline(response):
        if request.path != "/stats/requests" or not response.is_json:
            return response
        payload = response.get_json()
        payload["extended_stats"] = [{"key": TAB_KEY, "data": timeline_rows(*current())}]
        response.set_data(json.dumps(payload))
        return response
