"""The web UI's pages of harness/webui.py without a lab: a Locust Environment made here, a run directory
copied from docs/results with a per-request log and Sentinel events made up, Flask's test client."""
from __future__ import annotations

import json
import shutil
import sys

import gevent
import pytest
from locust import User, constant, task
from locust.env import Environment

import runfiles as rf
from harness import webui
from harness.load_watch import LoadWatch
from tests.conftest import ROOT

RUN = ROOT / "docs" / "results" / "runs" / "20261207-051919-redis-4-1"


class Idle(User):
    wait_time = constant(1)

    @task
    def nothing(self) -> None:
        pass


def fake_run(tmp_path, seconds: int = 40):
    """The docs' redis-4-1 run, with requests.csv (20 a second, failing from 15 s to 26 s) and events."""
    run = tmp_path / RUN.name
    shutil.copytree(RUN, run)
    meta = rf.RunMeta.load(run)
    t0 = meta.test_start_ms
    lines = [",".join(rf.REQUEST_COLUMNS)]
    for sec in range(seconds):
        for i in range(20):
            failed = 15 <= sec < 26 and i % 2 == 0
            lines.append(f"{(t0 + sec * 1000 + i * 50 + 1) / 1000:.6f},POST,/api/bids,{10 + i},20,"
                         f"{0 if failed else 200},{'HTTP 503: NOREPLICAS' if failed else ''}")
    (run / rf.REQUESTS).write_text("\n".join(lines) + "\n1796152699,POST,/api")  # a line still being written
    events = [rf.SentinelEvent(t0 + 16_000, "127.0.0.11:26379", "+sdown", "master mymaster"),
              rf.SentinelEvent(t0 + 18_000, "127.0.0.11:26379", "+switch-master", "mymaster a b"),
              rf.SentinelEvent(t0 + 18_100, "127.0.0.11:26379", "+config-update-from", "x")]
    (run / rf.EVENTS).write_text("".join(json.dumps(e.to_json()) + "\n" for e in events))
    return run, meta


@pytest.fixture
def ui(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["locust"])  # Locust's form reads the command line for its extra options
    run, meta = fake_run(tmp_path)
    shown = webui.Shown(run_dir=run, t0_ms=meta.test_start_ms, t1_ms=meta.test_stop_ms, phase="verifying",
                        scenario=meta.scenario, title=meta.title, load=meta.config["load"])
    env = Environment(user_classes=[Idle])
    env.create_local_runner()
    env.create_web_ui("127.0.0.1", 0, delayed_start=True)
    asked, stops = [], []
    webui.install(env, lambda: shown, on_swarm=asked.append, on_stop=stops.append)
    env.web_ui.app.config["TESTING"] = True
    yield env.web_ui.app.test_client(), shown, asked, stops
    env.runner.quit()


def test_the_timeline_is_the_run_in_seconds_since_its_start(ui):
    client, shown, _, _ = ui
    data = client.get("/fairbid/timeline.json").get_json()
    series = {s["t"]: s for s in data["series"]}
    assert sorted(series) == list(range(40))  # the unfinished last line is not read
    assert series[3] == {"t": 3, "rps": 20, "fps": 0, "p95": 28.1}
    assert series[20]["fps"] == 10
    [band] = data["faults"]
    applied = next(f.applied_ms for f in rf.read_journal(shown.run_dir) if isinstance(f, rf.Applied))
    assert band["label"] == "isolated redis-1" and band["from"] == pytest.approx((applied - shown.t0_ms) / 1000, abs=0.01)
    assert band["healed"]
    assert band["effect_to"] == 18.0  # the failover ends the fault's effect, as timeline.png shades it
    assert [e["event"] for e in data["events"]] == ["+sdown", "+switch-master"]  # the shown kinds only
    page = client.get("/fairbid/timeline").get_data(as_text=True)
    assert "fairbid/static/timeline.js" in page and "http" not in page.replace("http://localhost/", "")


def test_the_timeline_reads_only_what_was_added(ui, tmp_path):
    client, shown, _, _ = ui
    client.get("/fairbid/timeline.json")
    with (shown.run_dir / rf.REQUESTS).open("a") as f:
        f.write(f"699.0,POST,/api/bids,5,20,200,\n{(shown.t0_ms + 41_500) / 1000},POST,/api/bids,5,20,200,\n")
    series = client.get("/fairbid/timeline.json").get_json()["series"]
    assert series[-1] == {"t": 41, "rps": 1, "fps": 0, "p95": 5.0} and series[-2]["rps"] == 0


def test_the_end_of_a_run_phase_then_verdict_figures_and_links(ui):
    client, shown, _, _ = ui
    assert client.get("/fairbid/status").get_json()["verdict"] is None  # verifying: no verdict yet
    shown.phase = "done"
    st = client.get("/fairbid/status").get_json()
    assert st["verdict"] == "PASS" and st["figures"]["acked_writes"] > 0
    assert set(st["links"]["files"]) == {"report.md", "timeline.png", "monitor.png", "summary.json", "run.json"}
    assert client.get("/" + st["links"]["files"]["report.md"]).get_data(as_text=True).startswith("# ")
    assert client.get("/fairbid/run/timeline.png").mimetype == "image/png"
    page = client.get("/fairbid/report").get_data(as_text=True)
    assert "Verdict: <b>PASS</b>" in page and "isolated redis-1" in page


def test_a_failed_run_names_each_failed_check_with_its_figure(ui):
    client, shown, _, _ = ui
    s = rf.Summary.load(shown.run_dir)
    s.checks[0].passed, s.passed = False, False
    s.not_passed_because = [f"check failed: {s.checks[0].name} (actual {s.checks[0].actual})"]
    s.write(shown.run_dir)
    shown.phase = "done"
    st = client.get("/fairbid/status").get_json()
    assert st["verdict"] == "FAIL" and st["failed_checks"][0]["actual"] == s.checks[0].actual
    assert st["reasons"] == s.not_passed_because


@pytest.mark.parametrize("name", ["../run.json", "..%2Frun.json", "verify.json", "history.csv", "%2Fetc%2Fpasswd"])
def test_only_the_run_files_by_their_fixed_names(ui, name):
    client, *_ = ui
    assert client.get(f"/fairbid/run/{name}").status_code == 404
    assert client.get("/fairbid/static/..%2F..%2Frunfiles.py").status_code == 404


def test_locusts_page_and_report_carry_the_project(ui):
    client, shown, asked, stops = ui
    shown.phase = "done"
    index = client.get("/").get_data(as_text=True)
    assert '<script src="/fairbid/static/fairbid-ui.js"></script></body>' in index
    report = client.get("/stats/report").get_data(as_text=True)
    assert report.index("id='fairbid-verdict'") < report.index("<div id=\"root\">") and "isolated redis-1" in report
    client.post("/swarm", data={"user_count": "7", "spawn_rate": "3", "run_time": "30s"})
    client.post("/stop")
    assert asked[0]["user_count"] == "7" and stops == [rf.WEB_UI]


def test_the_forms_run_time_running_out_is_told_from_the_stop_button(ui):
    client, _, asked, stops = ui
    client.post("/swarm", data={"user_count": "1", "spawn_rate": "1", "run_time": "1"})
    gevent.sleep(1.5)  # Locust's own timer (web.py _stop_runners) stops the runners
    assert stops == [rf.TIME_LIMIT]


class _Runner:
    user_count = 0


def test_the_load_as_run_says_what_ran():
    runner = _Runner()
    watch = LoadWatch(runner, users=80, spawn_rate=40.0, run_time_s=90.0, source="web_ui")
    runner.user_count = 35
    watch.sample()
    runner.user_count = 0
    watch.mark(rf.WEB_UI)
    rec = watch.record(84.2, halted=False)
    assert (rec.users, rec.duration_s, rec.stopped_by) == (35, 84.2, rf.WEB_UI)
    nominal = {"users": 80, "spawn_rate": 40.0, "run_time_s": 90.0}
    assert rec.differs(nominal) == ["35 users (the scenario's 80)", "84.2 s (the scenario's 90 s)"]
    assert rec.said() == "35 users reached at 40/s, 84.2 s, stopped by the web UI's stop button"
    headless = LoadWatch(runner, users=80, spawn_rate=40.0, run_time_s=90.0, source="command_line")
    assert headless.record(90.01, halted=False).stopped_by == rf.TIME_LIMIT  # no other way to a headless stop
    assert LoadWatch(runner, 80, 40.0, 90.0, "web_ui").record(12.0, halted=True).stopped_by == rf.HALT
    back = rf.RunMeta.from_json({**rf.RunMeta(load_as_run=rec).to_json()})
    assert back.load_as_run == rec


def test_the_form_shows_the_scenarios_load_and_none_of_the_harness_options(monkeypatch):
    """Locust's form shows options registered for the web UI: the harness's are read once, in init."""
    monkeypatch.setattr(sys, "argv", ["locust"])
    from locust import argument_parser

    import locustfile
    from harness.scenario import Load

    parser = argument_parser.get_parser()
    harness = {a.dest for a in parser._actions if a.dest in ("scenario", "backend", "lab", "target", "run_dir",
                                                              "keep_lab", "bare")}
    assert len(harness) == 7 and not harness & set(parser.args_included_in_web_ui)
    assert argument_parser.ui_extra_args_dict() == {}
    opts = parser.parse_args([])
    locustfile._prefill(opts, Load(users=80, spawn_rate=40, run_time_s=90))
    assert (opts.num_users, opts.spawn_rate, opts.run_time) == (80, 40, 90)
    given = parser.parse_args(["-u", "5", "-r", "2", "-t", "30s"])
    locustfile._prefill(given, Load(users=80, spawn_rate=40, run_time_s=90))
    assert (given.num_users, given.spawn_rate, given.run_time) == (5, 2, 30)  # the command line's stay


def test_the_report_says_the_load_as_run_where_it_is_not_the_scenarios(tmp_path):
    from analysis import report

    run, meta = fake_run(tmp_path)
    meta.load_as_run = rf.LoadAsRun(users=35, spawn_rate=40.0, duration_s=84.2, stopped_by=rf.WEB_UI,
                                    asked={"users": 35, "spawn_rate": 40.0, "run_time_s": None, "source": "web_ui"})
    meta.write(run)
    summary = report.build(run)
    assert summary.load_as_run == meta.load_as_run and rf.Summary.load(run).load_as_run == meta.load_as_run
    text = (run / rf.REPORT).read_text()
    assert meta.config["load"] | {"users": 30, "spawn_rate": 30.0, "run_time_s": 60.0} == meta.config["load"]
    assert ("**Load as run**: 35 users reached at 40/s, 84.2 s, stopped by the web UI's stop button; not the "
            "scenario's load: 35 users (the scenario's 30), spawn rate 40/s (the scenario's 30/s), 84.2 s (the "
            "scenario's 60 s)") in text
    assert "- Load (the scenario's): " in text
