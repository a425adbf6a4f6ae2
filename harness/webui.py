"""fairbid-ha in Locust's web UI: a "Faults & failover" tab, a live timeline page, the end of a run
(healing, verifying, the verdict) and the project's report beside Locust's own.

Locust has no API for markers on its own charts (locustio/locust#2397) and its extra-tab hook draws
tables only, so:
- the tab's rows (faults as journaled, Sentinel events) come through the `extended_stats` of
  /stats/requests;
- /fairbid/timeline is a page of its own: requests/s, failures/s and p95 per second since the test's
  start, each fault's band and the Sentinel events, drawn as SVG by harness/webui_static/timeline.js
  from /fairbid/timeline.json (read from the run's files as they grow);
- a panel added to Locust's page (harness/webui_static/fairbid-ui.js, from /fairbid/status) says
  the run's phase after the stop ("healing", "verifying", ...), then its verdict, failed checks, key
  figures and links: /fairbid/report (the project's report as a page), the run's report.md and
  plots (/fairbid/run/NAME: fixed names of the current or last run's directory, nothing else);
- Locust's HTML report (/stats/report, also the downloaded one) gets the verdict and the faults table
  at its top.
Nothing any page loads comes from outside this web UI.
"""
from __future__ import annotations

import csv
import html
import io
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Response, abort, jsonify, request, send_from_directory

import runfiles as rf
from analysis.metrics import CONVERT_EVENTS, DETECT_EVENTS, FAILOVER_EVENTS, ODOWN_EVENTS

TAB_KEY = "fairbid-faults"
# Sentinel's events and a Redis Cluster's (observe/cluster_events.py), by the analysis' names
SHOWN_EVENTS = (*DETECT_EVENTS, "-sdown", "-pfail", *ODOWN_EVENTS, "-odown", "-fail", *FAILOVER_EVENTS, "+failover-end",
                "+tilt", "-tilt", *CONVERT_EVENTS, "+promoted-slave", "observer-disconnected")
MAX_ROWS = 300
STATIC = Path(__file__).resolve().parent / "webui_static"
STATIC_FILES = ("fairbid-ui.js", "timeline.js", "fairbid.css")
# what /fairbid/run/NAME serves of the run directory, by these names only
RUN_FILES = {rf.REPORT: "text/plain; charset=utf-8", "timeline.png": "image/png", "monitor.png": "image/png",
             rf.SUMMARY: "application/json", rf.RUN_JSON: "application/json"}
KEY_FIGURES = ("failover_s", "error_window_s", "lost_acked_writes", "acked_writes")
P95 = 0.95


@dataclass
class Shown:
    """The run the web UI shows: the current one, or the last one once it has ended."""

    run_dir: Path | None = None
    t0_ms: float | None = None  # the test's start
    t1_ms: float | None = None  # its stop, once stopped
    phase: str = "idle"  # idle (no run yet), then harness.session.PHASES
    scenario: str = ""
    title: str = ""
    load: dict = field(default_factory=dict)  # the scenario's load (config.load)


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


# ---- the timeline: requests.csv read as it grows ----------------------------------------------------
def quantile(xs: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (pandas' default, as timeline.png's p95)."""
    xs = sorted(xs)
    pos = (len(xs) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


class RequestBins:
    """requests.csv of one run in 1 s bins since the test's start (by each request's start, as
    timeline.png bins): requests, failures, latencies. Each read takes the whole lines added since the
    last one; a line still being written waits for the next read."""

    def __init__(self, path: Path, t0_ms: float) -> None:
        self.path, self.t0_ms = path, t0_ms
        self.offset = 0
        self.columns: list[str] | None = None
        self.bins: dict[int, list] = {}  # second -> [requests, failures, [latencies]]

    def read(self) -> None:
        try:
            with self.path.open("rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except OSError:
            return
        end = chunk.rfind(b"\n")
        if end < 0:
            return
        self.offset += end + 1
        rows = csv.reader(io.StringIO(chunk[:end + 1].decode("utf-8", errors="replace")))
        if self.columns is None:
            self.columns = next(rows, None)
        cols = {name: i for i, name in enumerate(self.columns or ())}
        try:
            at, rt, exc = cols["timestamp"], cols["response_time_ms"], cols["exception"]
        except KeyError:
            return
        for row in rows:
            try:
                sec = math.floor((float(row[at]) * 1000 - self.t0_ms) / 1000)
                latency = float(row[rt] or 0)
            except (IndexError, ValueError):
                continue
            b = self.bins.setdefault(sec, [0, 0, []])
            b[0] += 1
            b[1] += 1 if row[exc] else 0
            b[2].append(latency)

    def series(self) -> list[dict]:
        """Every second from the first to the last seen (a second without requests: 0 of each)."""
        if not self.bins:
            return []
        out = []
        for sec in range(min(self.bins), max(self.bins) + 1):
            n, fails, lat = self.bins.get(sec, (0, 0, []))
            out.append({"t": sec, "rps": n, "fps": fails, "p95": round(quantile(lat, P95), 1) if lat else None})
        return out


def fault_bands(run_dir: Path, t0_ms: float, now_ms: float) -> tuple[list[dict], list[dict]]:
    """Each disruptive fault as a band (applied to healed, or to now while in place), its effect
    ending at the first failover after it, +switch-master or +promoted (as timeline.png shades it); hand steps and probes
    as marks."""
    events = rf.read_events(run_dir)
    switches = sorted(e.t_ms for e in events if e.event in FAILOVER_EVENTS)
    applied: dict[int, rf.Applied] = {}
    healed: dict[int, float] = {}
    steps = []
    for rec in rf.read_journal(run_dir):
        if isinstance(rec, rf.Applied):
            if rec.disruptive:
                applied[rec.fault] = rec
            else:
                steps.append({"t": round((rec.applied_ms - t0_ms) / 1000, 3), "name": rec.name or rec.action})
        elif isinstance(rec, rf.Healed):
            healed[rec.fault] = rec.healed_ms
    bands = []
    for idx, app in sorted(applied.items()):
        end = healed.get(idx)
        until = end if end is not None else now_ms
        switch = next((t for t in switches if app.applied_ms <= t < until), None)
        bands.append({"fault": idx, "label": f"{app.name or app.action} {app.node}", "action": app.action,
                      "node": app.node, "from": round((app.applied_ms - t0_ms) / 1000, 3),
                      "effect_to": round(((switch if switch is not None else until) - t0_ms) / 1000, 3),
                      "to": round((until - t0_ms) / 1000, 3), "healed": end is not None})
    return bands, steps


class Timeline:
    """/fairbid/timeline.json: the run's series, bands and events since its start (one reader per run)."""

    def __init__(self) -> None:
        self._bins: RequestBins | None = None

    def data(self, shown: Shown, now_ms: float) -> dict:
        if shown.run_dir is None or shown.t0_ms is None:
            return {"run_id": None, "phase": shown.phase, "series": [], "faults": [], "events": [], "steps": []}
        path = shown.run_dir / rf.REQUESTS
        if self._bins is None or self._bins.path != path:
            self._bins = RequestBins(path, shown.t0_ms)
        self._bins.read()
        if shown.t1_ms is not None:  # stopped: the axis ends at the stop (healing goes on after it)
            now_ms = min(now_ms, shown.t1_ms)
        bands, steps = fault_bands(shown.run_dir, shown.t0_ms, now_ms)
        events = [{"t": round((e.t_ms - shown.t0_ms) / 1000, 3), "event": e.event, "sentinel": e.sentinel}
                  for e in rf.read_events(shown.run_dir) if e.event in SHOWN_EVENTS]
        return {"run_id": shown.run_dir.name, "scenario": shown.scenario, "title": shown.title,
                "phase": shown.phase, "now": round((now_ms - shown.t0_ms) / 1000, 3),
                "series": self._bins.series(), "faults": bands, "events": events, "steps": steps}


# ---- the end of a run: phase, verdict, figures, links -----------------------------------------------
def verdict_of(s: rf.Summary) -> str:
    if s.interrupted:
        return "interrupted"
    if s.halted:
        return "halted"
    return "PASS" if s.passed else "FAIL"


def status(shown: Shown) -> dict:
    """/fairbid/status: what the panel shows."""
    out = {"phase": shown.phase, "scenario": shown.scenario, "title": shown.title, "nominal_load": shown.load,
           "run_id": shown.run_dir.name if shown.run_dir else None, "verdict": None}
    if shown.run_dir is None:
        return out
    files = {name: f"fairbid/run/{name}" for name in RUN_FILES if (shown.run_dir / name).exists()}
    out["links"] = {"timeline_page": "fairbid/timeline", "report_page": "fairbid/report", "files": files}
    s = rf.Summary.load(shown.run_dir) if shown.phase in ("done", "interrupted") else None
    if s is None:
        meta = rf.RunMeta.load(shown.run_dir)
        if shown.phase == "interrupted" and meta is not None:
            out["verdict"] = "interrupted"
            out["reasons"] = [f"interrupted ({meta.interrupt_reason or 'unknown'}): healed, not verified"]
        return out
    m = s.metrics
    out.update(verdict=verdict_of(s), reasons=s.not_passed_because,
               failed_checks=[{"name": c.name, "metric": c.metric, "expected": c.expected, "actual": c.actual,
                               "reason": c.reason} for c in s.checks if not c.passed],
               figures={k: m.get(k) for k in KEY_FIGURES}, absent={k: s.absent.get(k) for k in KEY_FIGURES
                                                                    if m.get(k) is None},
               load_as_run=s.load_as_run.to_json() if s.load_as_run else None,
               load_said=s.load_as_run.said() if s.load_as_run else None,
               load_differs=s.load_as_run.differs((s.config or {}).get("load")) if s.load_as_run else [])
    return out


def _fig(v) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1 else f"{v:.3f}".rstrip("0").rstrip(".")
    return str(v)


def verdict_html(shown: Shown, base: str) -> str:
    """The verdict, key figures, failed checks and faults table of the shown run, as an HTML section
    (the project's report page; the top of Locust's HTML report). `base`: the web UI's root URL."""
    e = html.escape
    if shown.run_dir is None:
        return "<section class='fairbid'><p>fairbid-ha: no run yet.</p></section>"
    st = status(shown)
    run = e(shown.run_dir.name)
    parts = [f"<section class='fairbid' id='fairbid-verdict'><h2>fairbid-ha run <code>{run}</code>: "
             f"{e(shown.scenario)}</h2>", f"<p>{e(shown.title)}</p>"]
    if st["verdict"] is None:
        parts.append(f"<p class='phase'>The run is {e(shown.phase)}: the verdict comes after healing and "
                     f"verifying.</p>")
    else:
        cls = "pass" if st["verdict"] == "PASS" else "fail"
        parts.append(f"<p class='verdict {cls}'>Verdict: <b>{e(st['verdict'])}</b></p>")
        if st.get("reasons"):
            parts.append("<ul class='reasons'>" + "".join(f"<li>{e(r)}</li>" for r in st["reasons"]) + "</ul>")
        fig = st.get("figures") or {}
        if fig:
            lost = (f"{_fig(fig['lost_acked_writes'])} of {_fig(fig['acked_writes'])}"
                    if fig.get("lost_acked_writes") is not None else "n/a")
            parts.append(f"<p class='figures'>failover_s <b>{_fig(fig['failover_s'])}</b> · error_window_s "
                         f"<b>{_fig(fig['error_window_s'])}</b> · lost_acked_writes <b>{lost}</b></p>")
        if st.get("load_said"):
            differs = "; differs from the scenario: " + ", ".join(st["load_differs"]) if st["load_differs"] else ""
            parts.append(f"<p class='load'>Load as run: {e(st['load_said'])}{e(differs)}</p>")
    bands, _ = fault_bands(shown.run_dir, shown.t0_ms or 0, shown.t0_ms or 0)
    parts.append("<table class='faults'><tr><th>#</th><th>fault</th><th>node</th><th>applied (s since start)</th>"
                 "<th>healed</th></tr>" + "".join(
                     f"<tr><td>{b['fault']}</td><td>{e(b['label'])}</td><td>{e(b['node'])}</td><td>{b['from']}</td>"
                     f"<td>{b['to'] if b['healed'] else 'not healed'}</td></tr>" for b in bands) + "</table>")
    links = [f"<a href='{base}fairbid/report'>project report</a>", f"<a href='{base}fairbid/timeline'>timeline</a>"]
    links += [f"<a href='{base}{path}'>{e(name)}</a>" for name, path in (st.get("links") or {}).get("files", {}).items()]
    parts.append("<p class='links'>" + " · ".join(links) + "</p></section>")
    return "".join(parts)


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="{base}fairbid/static/fairbid.css"></head><body class="fairbid-page">
<nav><a href="{base}">Locust</a> · <a href="{base}fairbid/timeline">Timeline</a> ·
<a href="{base}fairbid/report">Project report</a> · <a href="{base}stats/report">Locust's report</a></nav>
{body}
{scripts}</body></html>"""


def install(environment, current: Callable[[], Shown], on_swarm: Callable[[dict], None] | None = None,
            on_stop: Callable[[str], None] | None = None) -> None:
    """Add the tab, the pages and routes; `current()` gives the run on show. `on_swarm(form)` is told
    the start form's values (users, spawn rate, run time) as Locust takes them; `on_stop(by)` who asks
    the load to stop: the stop button (rf.WEB_UI), the form's run time running out (rf.TIME_LIMIT)."""
    web_ui = environment.web_ui
    if web_ui is None:
        return
    app = web_ui.app
    web_ui.template_args["extended_tabs"] = [{"title": "Faults & failover", "key": TAB_KEY}]
    web_ui.template_args["extended_tables"] = [{"key": TAB_KEY, "structure": [
        {"key": "t", "title": "s since test start"}, {"key": "source", "title": "source"},
        {"key": "what", "title": "what"}, {"key": "detail", "title": "detail"}]}]
    timeline = Timeline()
    guard = web_ui.auth_required_if_enabled

    def base() -> str:  # the web UI's root, as the browser asked for it (--web-base-path included)
        return request.host_url.rstrip("/") + _web_base(environment) + "/"

    @app.before_request
    def _seen():
        if request.method != "POST":
            return
        if request.endpoint == "locust.swarm" and on_swarm is not None:
            on_swarm(request.form.to_dict())
        elif request.endpoint == "locust.stop" and on_stop is not None:
            on_stop(rf.WEB_UI)

    if on_stop is not None and hasattr(web_ui, "_stop_runners"):  # the form's run time: Locust's own timer
        stop_runners = web_ui._stop_runners

        def _time_limit() -> None:
            on_stop(rf.TIME_LIMIT)
            stop_runners()
        web_ui._stop_runners = _time_limit

    @app.after_request
    def _extend(response):
        if request.endpoint == "locust.request_stats" and response.is_json:
            payload = response.get_json()
            payload["extended_stats"] = [{"key": TAB_KEY, "data": timeline_rows(current().run_dir,
                                                                                current().t0_ms)}]
            response.set_data(json.dumps(payload))
        elif request.endpoint == "locust.index" and response.mimetype == "text/html":
            script = f'<script src="{_web_base(environment)}/fairbid/static/fairbid-ui.js"></script>'
            response.set_data(response.get_data(as_text=True).replace("</body>", script + "</body>", 1))
        elif request.endpoint == "locust.stats_report" and response.mimetype == "text/html":
            style = (STATIC / "fairbid.css").read_text()
            section = f"<style>{style}</style>{verdict_html(current(), base())}"
            text = response.get_data(as_text=True)
            at = text.find('<div id="root">')  # the report's own page: its script holds "<body" too
            at = at if at >= 0 else text.find(">", text.rfind("<body")) + 1
            response.set_data(text[:at] + section + text[at:])
        return response

    @app.route("/fairbid/static/<name>")
    @guard
    def fairbid_static(name: str):
        if name not in STATIC_FILES:
            abort(404)
        return send_from_directory(STATIC, name, max_age=0)

    @app.route("/fairbid/status")
    @guard
    def fairbid_status():
        return jsonify(status(current()))

    @app.route("/fairbid/timeline.json")
    @guard
    def fairbid_timeline_json():
        return jsonify(timeline.data(current(), time.time() * 1000))

    @app.route("/fairbid/timeline")
    @guard
    def fairbid_timeline():
        shown = current()
        body = ("<h1>Timeline <small id='tl-title'></small></h1><p class='key'>seconds since the test's start · "
                "<span class='k-band'>red</span>: a fault in effect until the failover or its heal, "
                "<span class='k-hatch'>grey</span>: still in place after the failover · purple: Sentinel events · "
                "green: probes and hand steps</p><div id='timeline'>no run yet: start one from Locust's page</div>")
        return Response(PAGE.format(title=f"fairbid-ha timeline {html.escape(shown.scenario)}", base=base(),
                                    body=body, scripts=f'<script src="{base()}fairbid/static/fairbid-ui.js"></script>'
                                                       f'<script src="{base()}fairbid/static/timeline.js"></script>'),
                        mimetype="text/html")

    @app.route("/fairbid/report")
    @guard
    def fairbid_report():
        shown = current()
        body = verdict_html(shown, base())
        if shown.run_dir is not None:
            imgs = "".join(f"<p><img src='{base()}fairbid/run/{n}' alt='{n}'></p>"
                           for n in ("timeline.png", "monitor.png") if (shown.run_dir / n).exists())
            report = shown.run_dir / rf.REPORT
            text = html.escape(report.read_text()) if report.exists() else "report.md is written when the run ends"
            body += f"{imgs}<h2>report.md</h2><pre class='report'>{text}</pre>"
        pending = shown.phase not in ("idle", "done", "interrupted")  # the page reloads until the verdict is in
        return Response(PAGE.format(title=f"fairbid-ha report {html.escape(shown.scenario)}", base=base(),
                                    body=body, scripts="<script>setTimeout(() => location.reload(), 2000)</script>"
                                    if pending else ""), mimetype="text/html")

    @app.route("/fairbid/run/<name>")
    @guard
    def fairbid_run_file(name: str):
        run_dir = current().run_dir
        if name not in RUN_FILES or run_dir is None or not (run_dir / name).is_file():
            abort(404)
        return Response((run_dir / name).read_bytes(), mimetype=RUN_FILES[name].split(";")[0],
                        content_type=RUN_FILES[name])


def _web_base(environment) -> str:
    opts = environment.parsed_options
    return ((getattr(opts, "web_base_path", "") or "") if opts is not None else "").rstrip("/")
