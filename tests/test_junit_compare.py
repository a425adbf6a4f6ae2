"""CI-native output and comparison across runs (issue 14), on copies of real Docker-backend runs.

tests/data/runs/NAME/ holds real run files, trimmed (every few requests and writes kept, every failure
kept; no verify.json, no monitor.csv, no logs): each test copies them and re-makes the summary with
analysis/report.py, so the figures are those of the files, not of the committed summary.json.
No server is needed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import pytest

from analysis import compare, junit, report
from analysis.report_analysis import fmt

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "runs"
NAMES = sorted(p.name for p in DATA.iterdir() if p.is_dir())


def _copy(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(DATA / name, dst)
    return dst


@pytest.fixture
def runs(tmp_path) -> list[tuple[Path, dict]]:
    """Fresh copies of every committed run, each with its summary re-made from its files."""
    out = []
    for name in NAMES:
        d = _copy(name, tmp_path)
        out.append((d, report.build(d).to_json()))
    return out


def _suite_of(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuite"
    return root


def test_the_committed_runs_are_real_and_small():
    assert len(NAMES) >= 2
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 300_000, total
    for name in NAMES:
        meta = json.loads((DATA / name / "run.json").read_text())
        assert meta["backend"] == "docker" and meta["run_id"] == name


def test_every_run_writes_a_junit_suite_with_one_testcase_per_check(runs):
    for d, s in runs:
        assert "junit.xml" in s["files"]  # written before the listing
        suite = _suite_of(d / "junit.xml")
        cases = suite.findall("testcase")
        verdict = [c for c in cases if c.get("name") == "verdict"]
        assert [c.get("name") for c in cases if c.get("name") != "verdict"] == [c["name"] for c in s["checks"]]
        assert len(cases) == len(s["checks"]) + len(verdict) == int(suite.get("tests"))
        assert {c.get("classname") for c in cases} == {f"fairbid-ha.{s['scenario']}"}
        assert suite.get("name") == s["scenario"]
        failed = [c for c in cases if c.find("failure") is not None]
        assert len(failed) == int(suite.get("failures"))
        assert {c.get("name") for c in failed} == {c["name"] for c in s["checks"] if not c["passed"]} | (
            {"verdict"} if verdict else set())
        assert float(suite.get("time")) == pytest.approx((s["stopped_ms"] - s["started_ms"]) / 1000, abs=0.001)
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["backend"] == "docker" and props["run_id"] == s["run_id"]
        for key in ("failover_s", "error_window_s", "lost_acked_writes"):
            value = s["metrics"][key]
            assert props[key] == (fmt(value) if value is not None else f"absent: {s['absent'][key]}")
        assert bool(failed) is not s["passed"]


def test_a_failed_check_is_a_failure_saying_expected_and_actual(tmp_path):
    d = _copy(NAMES[0], tmp_path)
    meta = json.loads((d / "run.json").read_text())
    meta["checks"] += [{"metric": "total_requests", "op": "at_most", "expected": 1},  # measured, out of bound
                       {"metric": "lost_acked_writes", "op": "equals", "expected": 0}]  # no verify.json: absent
    (d / "run.json").write_text(json.dumps(meta))
    s = report.build(d).to_json()
    cases = {c.get("name"): c for c in _suite_of(d / "junit.xml").findall("testcase")}
    over = cases["total_requests <= 1"].find("failure")
    assert over.get("message") == f"expected <= 1, actual {s['metrics']['total_requests']}"
    unmeasured = cases["lost_acked_writes == 0"].find("failure")
    assert unmeasured.get("message") == "expected == 0, actual n/a; not measured: no verification (verify.json missing)"
    assert "verdict" not in cases  # failed checks are their own testcases, not a verdict
    assert s["passed"] is False


def test_a_run_with_no_requests_has_a_failing_verdict_case(tmp_path):
    d = _copy(NAMES[0], tmp_path)
    requests = d / "requests.csv"
    requests.write_text(requests.read_text().splitlines()[0] + "\n")
    s = report.build(d).to_json()
    suite = _suite_of(d / "junit.xml")
    verdict = [c for c in suite.findall("testcase") if c.get("name") == "verdict"]
    assert len(verdict) == 1
    message = verdict[0].find("failure").get("message")
    assert message.startswith("not measured: no request in the per-request log")
    assert int(suite.get("tests")) == len(s["checks"]) + 1 and s["passed"] is False


def test_a_catalog_file_holds_a_suite_per_run_and_a_run_without_summary_fails(runs, tmp_path):
    dirs = [d for d, _ in runs]
    broken = tmp_path / "20261201-000000-never-summarised"
    broken.mkdir()
    path = junit.write_catalog(tmp_path / "junit-catalog-redis-docker.xml", junit.summaries_of(dirs + [broken]))
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [s["scenario"] for _, s in runs] + [broken.name]
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites) == len(root.findall(".//testcase"))
    assert int(root.get("failures")) == len(root.findall(".//failure"))
    last = suites[-1].findall("testcase")
    assert [c.get("name") for c in last] == ["verdict"] and "no summary.json" in last[0].find("failure").get("message")


def test_the_catalog_command_names_its_junit_file_by_group_and_backend(runs, tmp_path):
    from harness.cli import write_catalog_junit

    path = write_catalog_junit("redis", "docker", [d for d, _ in runs], results=tmp_path)
    assert path == tmp_path / "junit-catalog-redis-docker.xml"
    assert len(ET.parse(path).getroot().findall("testsuite")) == len(runs)


@pytest.mark.parametrize("interrupted", [False, True])
def test_the_catalog_branch_writes_its_runs_junit_file_also_when_interrupted(runs, tmp_path, monkeypatch, interrupted):
    """`harness.cli catalog` with the runs themselves replaced by the committed ones (no lab is started)."""
    from harness import cli

    dirs = iter([d for d, _ in runs])

    def fake_run(spec):
        name = Path(spec.scenario).name
        d = next(dirs)
        if interrupted and name == "second.yaml":
            raise cli.Interrupted(f"stopped by signal SIGINT during {name}", d)
        return (0 if json.loads((d / "summary.json").read_text())["passed"] else 1), d

    monkeypatch.setattr(cli, "RESULTS", tmp_path)
    monkeypatch.setattr(cli, "write_index", lambda: tmp_path / "index.md")
    monkeypatch.setattr(cli, "run_recorded", fake_run)
    for name in ("first.yaml", "second.yaml"):  # the specs name existing files; the fake runs read none
        (tmp_path / name).write_text("")
    monkeypatch.setattr(cli.scenarios, "catalog", lambda group: [tmp_path / "first.yaml", tmp_path / "second.yaml"])
    code = cli.main(["catalog", "redis", "--backend", "docker"])
    assert code == (130 if interrupted else (0 if all(s["passed"] for _, s in runs[:2]) else 1))
    suites = ET.parse(tmp_path / "junit-catalog-redis-docker.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [s["scenario"] for _, s in runs[:2]]


def test_compare_puts_each_runs_summary_figures_side_by_side(runs, tmp_path):
    (a, sa), (b, sb) = runs[:2]
    out = compare.compare([a, b], tmp_path / "cmp")
    data = json.loads((out / "compare.json").read_text())
    assert [r["label"] for r in data["runs"]] == [f"{s['scenario']} (docker, {s['run_id']})" for s in (sa, sb)]
    rows = {r["metric"]: r for r in data["metrics"]}
    assert "total_requests" in rows and "error_window_s" in rows
    for metric, row in rows.items():
        assert row["values"] == [sa["metrics"].get(metric), sb["metrics"].get(metric)]
        assert any(v is not None for v in row["values"])
    for metric in set(sa["metrics"]) & set(sb["metrics"]):  # shared and measured somewhere: a row
        assert (metric in rows) is (sa["metrics"][metric] is not None or sb["metrics"][metric] is not None)
    md = (out / "compare.md").read_text()
    assert f"| metric | {data['runs'][0]['label']} | {data['runs'][1]['label']} |" in md
    assert "lost_acked_writes" not in rows  # absent from both (no verify.json): nothing to compare
    for metric in ("total_requests", "failed_requests", "error_window_s", "failover_s"):
        cells = [fmt(s["metrics"][metric]) if s["metrics"][metric] is not None else f"absent: {s['absent'][metric]}"
                 for s in (sa, sb)]
        assert f"| {metric} | {cells[0]} | {cells[1]} |" in md
    assert "| **verdict** |" in md and "## Configuration differences" in md
    image = matplotlib.image.imread(out / "compare.png")
    assert image.ndim == 3 and image.shape[0] > 400 and image.shape[1] > 1000


def test_compare_runs_as_a_script_into_results_by_default(runs, tmp_path):
    results = tmp_path / "results"
    env = {**os.environ, "FAIRBID_HA_RESULTS": str(results)}
    res = subprocess.run([sys.executable, "analysis/compare.py", *(str(d) for d, _ in runs)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    (out,) = results.glob("compare-*")
    assert {p.name for p in out.iterdir()} == {"compare.md", "compare.json", "compare.png"}
    assert res.stdout.strip() == str(out / "compare.md")
    one = subprocess.run([sys.executable, "analysis/compare.py", str(runs[0][0])], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert one.returncode == 2 and "two or more" in one.stderr
