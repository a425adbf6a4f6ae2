"""JUnit XML from summaries (issue 14, "CI-native output"): what a CI server shows as tests.

One run is one <testsuite name="SCENARIO">, one <testcase> per check of summary.json; a failed
check is a <failure> saying expected and actual (and why it was not measured). A run that did not
pass for a reason no check carries (no measured load, interrupted, no check at all) gets one more
failing testcase, "verdict", with those reasons: a run without a verdict never reads green.
`write_run` writes RUN_DIR/junit.xml; `write_catalog` one <testsuites> file for several runs.
"""
from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import runfiles as rf
from analysis.report_analysis import fmt

PREFIX = "fairbid-ha"
PROPERTIES = ("backend", "run_id", "failover_s", "error_window_s", "lost_acked_writes")
VERDICT_CASE = "verdict"


def _property(summary: dict, key: str) -> str:
    if key in ("backend", "run_id"):
        return str(summary.get(key) or "")
    value = (summary.get("metrics") or {}).get(key)
    if value is None:
        why = (summary.get("absent") or {}).get(key)
        return f"absent: {why}" if why else "absent"
    return fmt(value)


def check_message(check: dict) -> str:
    """`expected EXPECTED, actual ACTUAL[; REASON]`, the failure's one line."""
    msg = f"expected {check.get('expected')}, actual {fmt(check.get('actual'))}"
    return msg + (f"; {check['reason']}" if check.get("reason") else "")


def other_reasons(summary: dict) -> list[str]:
    """Why the run did not pass, apart from its failed checks (each of those is its own testcase)."""
    why = [w for w in summary.get("not_passed_because") or [] if not w.startswith("check failed")]
    if not summary.get("passed") and not why and all(c.get("passed") for c in summary.get("checks") or []):
        why = ["the run did not pass (summary.json gives no reason)"]
    return why


def _duration_s(summary: dict) -> str:
    start, stop = summary.get("started_ms"), summary.get("stopped_ms")
    return f"{max(0.0, (stop - start) / 1000):.3f}" if start is not None and stop is not None else "0.000"


def suite(run_dir: str | Path, summary: dict | None) -> ET.Element:
    """The <testsuite> of one run; summary None (no summary.json written) is one failing verdict."""
    run_dir = Path(run_dir)
    if summary is None:  # what run.json says of it, if anything
        meta_path = run_dir / rf.RUN_JSON
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        summary = {"scenario": meta.get("scenario") or run_dir.name, "run_id": meta.get("run_id") or run_dir.name,
                   "backend": meta.get("backend"), "checks": [], "passed": False,
                   "not_passed_because": [f"no {rf.SUMMARY} was written in {run_dir}"]}
    scenario = summary.get("scenario") or run_dir.name
    classname = f"{PREFIX}.{scenario}"
    checks = summary.get("checks") or []
    verdict = other_reasons(summary)
    failures = sum(1 for c in checks if not c.get("passed")) + (1 if verdict else 0)
    attrs = {"name": scenario, "tests": str(len(checks) + (1 if verdict else 0)), "failures": str(failures),
             "errors": "0", "skipped": "0", "time": _duration_s(summary)}
    if summary.get("started_ms") is not None:
        attrs["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(summary["started_ms"] / 1000))
    el = ET.Element("testsuite", attrs)
    props = ET.SubElement(el, "properties")
    for key in PROPERTIES:
        ET.SubElement(props, "property", {"name": key, "value": _property(summary, key)})
    for c in checks:
        case = ET.SubElement(el, "testcase", {"classname": classname, "name": str(c.get("name"))})
        if not c.get("passed"):
            failure = ET.SubElement(case, "failure", {"message": check_message(c), "type": "check"})
            failure.text = "\n".join(f"{k}: {fmt(c.get(k))}" for k in ("metric", "expected", "actual", "reason",
                                                                         "backend_bound_why") if k in c)
    if verdict:
        case = ET.SubElement(el, "testcase", {"classname": classname, "name": VERDICT_CASE})
        failure = ET.SubElement(case, "failure", {"message": "; ".join(verdict), "type": "verdict"})
        failure.text = "\n".join(verdict)
    out = ET.SubElement(el, "system-out")
    out.text = f"run {run_dir}: {'PASS' if summary.get('passed') else 'FAIL'}; report {run_dir / rf.REPORT}"
    return el


def _write(root: ET.Element, path: Path) -> Path:
    ET.indent(root)
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")
    return path


def write_run(run_dir: str | Path, summary: dict) -> Path:
    """RUN_DIR/junit.xml: the run as one testsuite."""
    return _write(suite(run_dir, summary), Path(run_dir) / rf.JUNIT)


def summaries_of(run_dirs: list[str | Path]) -> list[tuple[Path, dict | None]]:
    """(run_dir, its summary.json, or None where the run wrote none) for write_catalog."""
    out = []
    for d in map(Path, run_dirs):
        path = d / rf.SUMMARY
        out.append((d, json.loads(path.read_text()) if path.exists() else None))
    return out


def write_catalog(path: str | Path, summaries: list[tuple[str | Path, dict | None]], name: str = PREFIX) -> Path:
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
