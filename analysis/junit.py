"""JUnit XML from summaries (issue 14, "CI-native output"): what a CI server shows as tests.

One run is one <testsuite name="SCENARIO">, one <testcase> per check of summary.json; a failed
check is a <failure> saying expected and actual (and why it was not measured). A run that did not
pass for a reason no check carries (no measured load, interrupted, no check at all) gets one more
failing testcase, "verdict", with those reasons: a run without a verdict never reads green.
`write_run` writes RUN_DIR/junit.xml; `write_catalog` one <testsuites> file for several runs.
"""
from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

import runfiles as rf
from analysis.report_analysis import fmt

PREFIX = "fairbid-ha"
PROPERTIES = ("backend", "run_id", "failover_s", "error_window_s", "lost_acked_writes")
VERDICT_CASE = "verdict"


def _property(summary: rf.Summary, key: str) -> str:
    if key in ("backend", "run_id"):
        return str((summary.backend if key == "backend" else summary.run_id) or "")
    value = summary.metrics.get(key)
    if value is None:
        why = summary.absent.get(key)
        return f"absent: {why}" if why else "absent"
    return fmt(value)


def check_message(check: rf.CheckResult) -> str:
    """`expected EXPECTED, actual ACTUAL[; REASON]`, the failure's one line."""
    msg = f"expected {check.expected}, actual {fmt(check.actual)}"
    return msg + (f"; {check.reason}" if check.reason else "")


def _check_detail(c: rf.CheckResult) -> str:
    """A failed check's figures, one a line (its reason and its backend's own bound where it has them)."""
    said = (("metric", c.metric), ("expected", c.expected), ("actual", c.actual), ("reason", c.reason),
            ("backend_bound_why", c.backend_bound_why))
    return "\n".join(f"{k}: {fmt(v)}" for k, v in said if v is not None or k == "actual")


def other_reasons(summary: rf.Summary) -> list[str]:
    """Why the run did not pass, apart from its failed checks (each of those is its own testcase)."""
    why = [w for w in summary.not_passed_because or [] if not w.startswith("check failed")]
    if not summary.passed and not why and all(c.passed for c in summary.checks or []):
        why = ["the run did not pass (summary.json gives no reason)"]
    return why


def _duration_s(summary: rf.Summary) -> str:
    start, stop = summary.started_ms, summary.stopped_ms
    return f"{max(0.0, (stop - start) / 1000):.3f}" if start is not None and stop is not None else "0.000"


def suite(run_dir: str | Path, summary: rf.Summary | None) -> ET.Element:
    """The <testsuite> of one run; summary None (no summary.json written) is one failing verdict."""
    run_dir = Path(run_dir)
    if summary is None:  # what run.json says of it, if anything
        meta = rf.RunMeta.load(run_dir) or rf.RunMeta()
        summary = rf.Summary(scenario=meta.scenario or run_dir.name, run_id=meta.run_id or run_dir.name,
                             backend=meta.backend, passed=False,
                             not_passed_because=[f"no {rf.SUMMARY} was written in {run_dir}"])
    scenario = summary.scenario or run_dir.name
    classname = f"{PREFIX}.{scenario}"
    checks = summary.checks or []
    verdict = other_reasons(summary)
    failures = sum(1 for c in checks if not c.passed) + (1 if verdict else 0)
    attrs = {"name": scenario, "tests": str(len(checks) + (1 if verdict else 0)), "failures": str(failures),
             "errors": "0", "skipped": "0", "time": _duration_s(summary)}
    if summary.started_ms is not None:
        attrs["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(summary.started_ms / 1000))
    el = ET.Element("testsuite", attrs)
    props = ET.SubElement(el, "properties")
    for key in PROPERTIES:
        ET.SubElement(props, "property", {"name": key, "value": _property(summary, key)})
    for c in checks:
        case = ET.SubElement(el, "testcase", {"classname": classname, "name": str(c.name)})
        if not c.passed:
            failure = ET.SubElement(case, "failure", {"message": check_message(c), "type": "check"})
            failure.text = _check_detail(c)
    if verdict:
        case = ET.SubElement(el, "testcase", {"classname": classname, "name": VERDICT_CASE})
        failure = ET.SubElement(case, "failure", {"message": "; ".join(verdict), "type": "verdict"})
        failure.text = "\n".join(verdict)
    out = ET.SubElement(el, "system-out")
    out.text = f"run {run_dir}: {'PASS' if summary.passed else 'FAIL'}; report {run_dir / rf.REPORT}"
    return el


def _write(root: ET.Element, path: Path) -> Path:
    ET.indent(root)
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")
    return path


def write_run(run_dir: str | Path, summary: rf.Summary) -> Path:
    """RUN_DIR/junit.xml: the run as one testsuite."""
    return _write(suite(run_dir, summary), Path(run_dir) / rf.JUNIT)


def summaries_of(run_dirs: list[str | Path]) -> list[tuple[Path, rf.Summary | None]]:
    """(run_dir, its summary.json, or None where the run wrote none) for write_catalog."""
    return [(d, rf.Summary.load(d)) for d in map(Path, run_dirs)]


def write_catalog(path: str | Path, summaries: list[tuple[str | Path, rf.Summary | None]],
                  name: str = PREFIX) -> Path:
    """One <testsuites> file, a suite per (run_dir, summary); a None summary is a run that wrote none."""
    suites = [suite(d, s) for d, s in summaries]
    total = lambda attr: str(sum(int(s.get(attr)) for s in suites))
    root = ET.Element("testsuites", {"name": name, "tests": total("tests"), "failures": total("failures"),
                                     "errors": total("errors"),
                                     "time": f"{sum(float(s.get('time')) for s in suites):.3f}"})
    root.extend(suites)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return _write(root, path)
