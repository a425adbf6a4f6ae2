"""The scenario runner and lab commands behind the Make targets.

    python -m harness.cli run SCENARIO [--backend local] [--lab conf/lab.yaml]
    python -m harness.cli catalog GROUP          # every scenario of a group, then results/index.md
    python -m harness.cli heal | down | up SCENARIO | index
"""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
from pathlib import Path

import runfiles as rf
from analysis import index
from errors import HarnessError
from harness import scenario as scenarios
from harness.backends import BACKENDS, make_lab
from harness.session import RESULTS, new_run_dir
from lab import firewall
from lab.config import ROOT, LabConfig

LOCUST_GRACE_S = 120


def _labs(paths: list[str] | None) -> list[LabConfig]:
    return [LabConfig.load(p) for p in (paths or sorted(str(p) for p in (ROOT / "conf").glob("lab*.yaml")))]


def run(name: str, backend: str, lab_path: str, extra: list[str] | None = None) -> int:
    """Run one scenario headless through Locust; afterwards heal and stop the lab it started, whatever happened."""
    sc = scenarios.load(name)
    config = LabConfig.load(lab_path)
    lab = make_lab(backend, config, sc.stack)
    was_up = lab.is_up()
    run_dir = new_run_dir(sc.id)
    ld = sc.load
    cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "locustfile.py"), "--headless",
           "--scenario", str(sc.path), "--backend", backend, "--lab", lab_path, "--run-dir", str(run_dir),
           "-u", str(ld.users), "-r", str(ld.spawn_rate), "-t", f"{int(ld.run_time_s)}s",
           "--csv", str(run_dir / "locust"), "--csv-full-history", "--only-summary", *(extra or [])]
    print(f"== {sc.id}: {sc.title}\n   results: {run_dir}", flush=True)
    # Locust runs in a session of its own, so a Ctrl-C reaches it once, from here, not twice
    # (a second SIGINT in the middle of its shutdown could cut the heal short)
    child = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    forward = lambda sig, _frame: child.send_signal(sig)  # Locust heals on SIGTERM/SIGINT
    old = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        code = child.wait()
    finally:
        try:
            child.wait(timeout=LOCUST_GRACE_S)
        except subprocess.TimeoutExpired:
            child.kill()
        for s, h in old.items():
            signal.signal(s, h)
        lab = make_lab(backend, config, sc.stack)  # re-read: the child changed the state on disk
        if lab.is_up():
            done = lab.heal()
            if done:
                print(f"   healed after the run: {done}")
            if not was_up:
                lab.down()
    write_index()
    summary = run_dir / rf.SUMMARY
    if summary.exists():
        s = json.loads(summary.read_text())
        print(f"   {'PASS' if s['passed'] else 'FAIL'}: report {run_dir / 'report.md'}")
        for why in s.get("not_passed_because", []):
            print(f"     - {why}")
        code = 0 if s["passed"] else (code or 1)  # the verdict decides, whatever Locust's own exit said
    else:
        print(f"   no summary written (exit code {code}); see {run_dir}")
        code = code or 1
    return code


def write_index(results: Path = RESULTS) -> Path:
    return index.write_index(results)


def _lab_on_disk(config: LabConfig):
    """The lab this config's state dir says is up, on whichever backend it was started, or None."""
    state = config.state_dir / "state.json"
    if not state.exists():
        return None
    return make_lab(json.loads(state.read_text()).get("backend", "local"), config)


def heal(lab_paths: list[str] | None) -> int:
    """Undo every fault of the project still in place: lab chains (found in iptables itself), paused
    and stopped nodes of every lab with state on disk. Safe to run twice, and after a SIGKILL."""
    for config in _labs(lab_paths):
        lab = _lab_on_disk(config)
        if lab is not None:
            for line in lab.heal():
                print(f"{config.name}: {line}")
    for chain in firewall.leftover_chains():
        firewall.remove_chain(chain)
        print(f"removed leftover chain {chain}")
    print("healed: no project fault is in place")
    return 0


def down(lab_paths: list[str] | None) -> int:
    for config in _labs(lab_paths):
        lab = _lab_on_disk(config)
        if lab is not None:
            lab.down()
            print(f"lab {config.name} ({lab.backend}): stopped")
    return heal(lab_paths)


def up(name: str, backend: str, lab_path: str) -> int:
    sc = scenarios.load(name)
    lab = make_lab(backend, LabConfig.load(lab_path), sc.stack)
    lab.up()
    print(f"lab {lab.config.name} up for {sc.id}: API {lab.config.api_url}; "
          f"`locust -f locustfile.py --scenario {sc.id} --lab {lab_path}` uses it; `make down` stops it")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="fairbid-ha")
    sub = p.add_subparsers(dest="cmd", required=True)
    for cmd in ("run", "up"):
        sp = sub.add_parser(cmd)
        sp.add_argument("scenario")
        sp.add_argument("--backend", default="local", choices=BACKENDS)
        sp.add_argument("--lab", default="conf/lab.yaml")
    cat = sub.add_parser("catalog")
    cat.add_argument("group", nargs="?", default="all")
    cat.add_argument("--backend", default="local", choices=BACKENDS)
    cat.add_argument("--lab", default="conf/lab.yaml")
    for cmd in ("heal", "down"):
        sub.add_parser(cmd).add_argument("--lab", action="append")
    sub.add_parser("index")
    a = p.parse_args(argv)
    try:
        if a.cmd == "run":
            return run(a.scenario, a.backend, a.lab)
        if a.cmd == "up":
            return up(a.scenario, a.backend, a.lab)
        if a.cmd == "catalog":
            paths = scenarios.catalog(a.group)
            if not paths:
                print(f"no scenario in group {a.group!r}", file=sys.stderr)
                return 2
            codes = [run(str(path), a.backend, a.lab) for path in paths]
            print(f"catalog {a.group}: {codes.count(0)} of {len(codes)} passed; {write_index()}")
            return 0 if all(c == 0 for c in codes) else 1
        if a.cmd == "heal":
            return heal(a.lab)
        if a.cmd == "down":
            return down(a.lab)
        print(write_index())
        return 0
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
