"""The scenario runner and lab commands behind the Make targets: the `fairbid-ha` command.

    fairbid-ha run SCENARIO [--backend local] [--lab conf/lab.yaml] [--workers N]
    fairbid-ha worker --master-host H [--master-port 5557]   # a worker on another machine
    fairbid-ha catalog GROUP          # every scenario of a group, then results/index.md
    fairbid-ha heal | down | up SCENARIO | plan SCENARIO --target T | campaign SCENARIO --seed N | index

`pip install -e .` (make deps) installs the command; `python -m harness.cli ...` is the same.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import runfiles as rf
from analysis import index, junit
from errors import ConfigError, HarnessError
from harness import fixtures
from harness import scenario as scenarios
from harness.backends import BACKENDS, BUILT, make_lab
from harness.campaign import KINDS, campaign
from harness.run_spec import RunSpec
from harness.session import RESULTS, new_run_dir
from harness.workers import ComposeWorkers, LocalWorkers, check_free, master_args, worker_command
from lab import cpu_quota, firewall
from lab.config import ROOT, LabConfig

LOCUST_GRACE_S = 120


def _labs(paths: list[str] | None) -> list[LabConfig]:
    return [LabConfig.load(p) for p in (paths or sorted(str(p) for p in (ROOT / "conf").glob("lab*.yaml")))]


def run(spec: RunSpec, workers: int = 0, remote_workers: int = 0, master_bind: str | None = None,
        docker_workers: int = 0) -> int:
    """Run one scenario headless through Locust; afterwards heal and stop the lab it started, whatever happened.
    With a target, the scenario is first checked against the live system and the plan of action printed.
    With workers, Locust runs distributed: a master (faults, observers, verification) and `workers`
    processes here, `docker_workers` containers on a Docker lab's network (compose/locust.yml), plus
    `remote_workers` the user starts elsewhere (`worker --master-host`)."""
    return run_recorded(spec, None, workers, remote_workers, master_bind, docker_workers)[0]


def run_recorded(spec: RunSpec, extra: list[str] | None = None, workers: int = 0, remote_workers: int = 0,
                 master_bind: str | None = None, docker_workers: int = 0, results: Path | None = None) -> tuple[int, Path]:
    """`run`, also giving the run's directory (a catalog lists its runs in one JUnit file). The spec is
    written into the run directory first: the Locust process and the sidecar read it there."""
    sc = spec.load_scenario()
    lab = spec.make_lab(sc)
    config = lab.config
    if spec.target:
        check_target(sc, lab)
    master_host, master_port = config.locust_master
    was_up = lab.is_up()
    containers = None
    if docker_workers:
        if not lab.backend_facts.containers:
            raise ConfigError("--docker-workers: workers in containers reach a Docker lab's nodes only (--backend docker)")
        if not was_up:  # the workers join the lab's network, so it must exist before Locust starts
            lab.up()
        containers = ComposeWorkers(docker_workers, lab, master_port)
        master_host = containers.master_host
    master_host = master_bind or master_host
    distributed = workers + remote_workers + docker_workers > 0
    if distributed:
        try:
            check_free(master_host, master_port)
        except ConfigError:
            if docker_workers and not was_up:
                lab.down()
            raise
    run_dir = new_run_dir(sc.id, results or RESULTS)
    spec.write(run_dir)
    ld = sc.load
    cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "locustfile.py"), "--headless", "--run-dir", str(run_dir),
           "-u", str(ld.users), "-r", str(ld.spawn_rate), "-t", f"{int(ld.run_time_s)}s",
           "--csv", str(run_dir / "locust"), "--csv-full-history", "--only-summary",
           *(master_args(workers + remote_workers + docker_workers, master_host, master_port) if distributed else []),
           *(extra or [])]
    print(f"== {sc.id}: {sc.title}\n   results: {run_dir}", flush=True)
    # Locust runs in a session of its own, so a Ctrl-C reaches it once, from here, not twice
    # (a second SIGINT in the middle of its shutdown could cut the heal short)
    child = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    pool = LocalWorkers(workers, "127.0.0.1" if master_host in ("0.0.0.0", "*") else master_host,
                        master_port) if workers else None
    if containers is not None:
        containers.start()
    if pool is not None:
        pool.start()
    if distributed:
        print(f"   Locust master at {master_host}:{master_port}; {workers} worker(s) here" +
              (f" (working directories under {pool.base})" if pool is not None else "") +
              (f"; waiting for {remote_workers} more: `python -m harness.cli worker --master-host HOST "
               f"--master-port {master_port}`" if remote_workers else ""), flush=True)
    received: list[int] = []

    def forward(sig, _frame) -> None:  # Locust heals on SIGTERM/SIGINT
        received.append(sig)
        child.send_signal(sig)

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
        killed = [*(pool.stop() if pool is not None else []), *(containers.stop() if containers is not None else [])]
        if killed:
            print(f"   workers that did not quit with the master, ended by PID: {killed}")
        lab = spec.make_lab(sc)  # re-read: the child changed the state on disk
        if lab.is_up():
            done = lab.heal()
            if done:
                print(f"   healed after the run: {done}")
            if not was_up:
                lab.down()
    write_index(results or RESULTS)
    s = rf.Summary.load(run_dir)
    if s is not None:
        print(f"   {'PASS' if s.passed else 'FAIL'}: report {run_dir / rf.REPORT}")
        for why in s.not_passed_because or []:
            print(f"     - {why}")
        code = 0 if s.passed else (code or 1)  # the verdict decides, whatever Locust's own exit said
    else:
        print(f"   no summary written (exit code {code}); see {run_dir}")
        code = code or 1
    if received:  # Ctrl-C or SIGTERM: the run was healed; nothing after it may start
        raise Interrupted(f"stopped by signal {signal.Signals(received[0]).name} during {sc.id}", run_dir)
    return code, run_dir


class Interrupted(HarnessError):
    """A run was stopped by a signal (healed and down); a catalog stops there too."""

    def __init__(self, message: str, run_dir: Path | None = None) -> None:
        super().__init__(message)
        self.run_dir = run_dir


def write_index(results: Path = RESULTS) -> Path:
    return index.write_index(results)


def write_catalog_junit(group: str, backend: str, run_dirs: list[Path], results: Path | None = None) -> Path:
    """results/junit-catalog-GROUP-BACKEND.xml: this catalog invocation's runs, a testsuite each."""
    return junit.write_catalog((results or RESULTS) / f"junit-catalog-{group}-{backend}.xml", junit.summaries_of(run_dirs),
                               name=f"fairbid-ha catalog {group} ({backend})")


def check_target(sc, lab) -> None:
    """Print what each catalog name is acted on as, and refuse the scenario where the target differs."""
    from harness import target_check

    print(f"   target {lab.target.name} ({lab.target.path}): the harness acts on these and nothing else")
    for line in lab.plan():
        print(f"     {line}")
    found = target_check.problems(sc, lab)
    if found:
        raise ConfigError(f"{sc.id} on target {lab.target.name}: {len(found)} problem(s), nothing was started:\n  "
                          + "\n  ".join(found))


def bid_examples(model, count: int = 3) -> list[str]:
    """Bids as the load would send them, with sample values where the pools are not made yet."""
    import random

    from harness import bidders

    rng = random.Random(1)
    pools = {name: [f"{name}{i}" for i in range(1, step.repeat + 1)]
             for step in model.setup for name in step.capture}
    session = {k: f"{k}-from-login" for k in (model.users.login.capture if model.users and model.users.login else {})}
    out = ["(values of a setup pool are shown as NAME1, NAME2, ... until the setup makes them)"] if pools else []
    if model.users:
        login = f"; each logs in: {model.users.login.method} {model.users.login.path}" if model.users.login else ""
        out.append(f"users {model.users.first}..{model.users.last}" +
                   (f" but {', '.join(map(str, model.users.exclude))}" if model.users.exclude else "") + login)
    for i in range(count):
        user = bidders.draw_user(model.users) if model.users else f"user-{i}"
        values = {**bidders.draw(pools, 10), "user": user, "amount": rng.randint(*model.bid.amount), "key": f"key-{i}",
                  **session}
        sent = model.bid_request(values, rng)
        query = "?" + "&".join(f"{k}={v}" for k, v in sent.query.items()) if sent.query else ""
        out.append(f"bid: {sent.method} {model.bid.url}{sent.path}{query} headers {sent.headers} body {sent.body}")
    return out


def plan(name: str, target: str) -> int:
    """A dry run: what each fault of the scenario would act on now, and whether every node answers."""
    sc = scenarios.load(name)
    lab = RunSpec.resolve(name, target=target).make_lab(sc)
    lab.look()
    print(f"== plan of {sc.id} on target {lab.target.name}")
    for line in lab.plan():
        print(f"   {line}")
    model = lab.service
    for line in fixtures.describe(model.setup, model.bid.url):
        print(f"   {line}")
    for line in bid_examples(model):
        print(f"   {line}")
    from faults.runner import resolve
    from harness import target_check

    for f in sc.faults:
        try:
            node = resolve(lab, f.target)
            facts = lab.nodes.get(node, {})
            how = f"container {facts['container']}" if facts.get("container") else "a host process (owned by PID)"
            print(f"   fault {f.index} at {f.at_s:g}s: {f.action} {f.target} -> {node} now ({how})")
        except Exception as exc:  # reported, like every other problem of the plan
            print(f"   fault {f.index} at {f.at_s:g}s: {f.action} {f.target} -> cannot resolve now: {exc}")
    answers = target_check.answers(lab)
    for line in answers:
        print(f"   {line}")
    found = target_check.problems(sc, lab)
    for why in found:
        print(f"   problem: {why}")
    bad = [a for a in answers if "does not answer" in a]
    print(f"   {'ready' if not (found or bad) else 'NOT ready'}: {len(found)} problem(s), {len(bad)} node(s) not answering")
    return 0 if not (found or bad) else 2


def _targets_on_disk(only: str | None = None) -> list:
    """Adopted targets with state on disk, from their own target files (heal and down reach them too);
    `only`: that target file's alone."""
    from harness import target_file
    from lab.target import STATE_ROOT, TargetLab

    out = []
    for state in sorted(STATE_ROOT.glob("target-*/state.json")):
        path = json.loads(state.read_text()).get("target")
        if only and Path(path).resolve() != Path(only).resolve():
            continue
        try:
            out.append(TargetLab(target_file.load(path)))
        except HarnessError as exc:
            print(f"{state}: cannot read its target file {path}: {exc}", file=sys.stderr)
    return out


def _lab_on_disk(config: LabConfig):
    """The lab this config's state dir says is up, on whichever backend it was started, or None."""
    state = config.state_dir / "state.json"
    if not state.exists():
        return None
    return make_lab(json.loads(state.read_text()).get("backend", "local"), config)


def heal(lab_paths: list[str] | None, target: str | None = None) -> int:
    """Undo every fault of the project still in place: lab chains (found in iptables itself), paused
    and stopped nodes of every lab with state on disk. Safe to run twice, and after a SIGKILL."""
    for config in _labs(lab_paths) if not target else []:
        lab = _lab_on_disk(config)
        if lab is not None:
            for line in lab.heal():
                print(f"{config.name}: {line}")
    for lab in _targets_on_disk(target) if not lab_paths else []:
        for line in lab.heal():
            print(f"{lab.config.name}: {line}")
    for chain in firewall.leftover_chains() if not target else []:
        firewall.remove_chain(chain)
        print(f"removed leftover chain {chain}")
    for line in cpu_quota.heal_all() if not target else []:  # a lab whose state file is gone
        print(f"leftover: {line}")
    print("healed: no project fault is in place")
    return 0


def down(lab_paths: list[str] | None, target: str | None = None) -> int:
    for lab in _targets_on_disk(target) if not lab_paths else []:  # heal first: down forgets what it adopted
        for line in lab.heal():
            print(f"{lab.config.name}: {line}")
        lab.down()
        print(f"target {lab.target.name}: its processes stopped, its containers left as they are")
    for config in _labs(lab_paths) if not target else []:
        lab = _lab_on_disk(config)
        if lab is not None:
            lab.down()
            print(f"lab {config.name} ({lab.backend}): stopped")
    return heal(lab_paths, target)


def up(spec: RunSpec, lab_path: str) -> int:
    sc = spec.load_scenario()
    lab = spec.make_lab(sc)
    if spec.target:
        check_target(sc, lab)
    lab.up()
    print(f"lab {lab.config.name} up for {sc.id}: API {lab.config.api_url}; "
          f"`locust -f locustfile.py --scenario {sc.id} --lab {lab_path}` uses it; `make down` stops it")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="fairbid-ha", description="Run FairBid's HA scenarios under Locust load, "
                                "with faults, and keep each run's record in results/ (README.md, Entry points).")
    sub = p.add_subparsers(dest="cmd", required=True)
    for cmd, what in (("run", "one scenario headless: lab, load, faults, verification, report"),
                      ("up", "bring a lab up and leave it for the web UI (locust -f locustfile.py)")):
        sp = sub.add_parser(cmd, help=what)
        sp.add_argument("scenario")
        sp.add_argument("--backend", default="local", choices=BACKENDS)
        sp.add_argument("--lab", default="conf/lab.yaml")
        sp.add_argument("--target", default=None, help="a target file: adopt that stack instead of building one")
    rp = sub.choices["run"]
    rp.add_argument("--workers", type=int, default=0, help="distributed: a master and N worker processes here")
    rp.add_argument("--remote-workers", type=int, default=0,
                    help="also wait for N workers started elsewhere with the `worker` verb")
    rp.add_argument("--docker-workers", type=int, default=0,
                    help="distributed: N workers as containers on the Docker lab's network (compose/locust.yml)")
    rp.add_argument("--master-bind", default=None,
                    help="the master's listening address (default: the lab's locust_master, a loopback one)")
    wk = sub.add_parser("worker", help="a Locust worker for a master elsewhere: it gets everything from the master")
    wk.add_argument("--master-host", required=True)
    wk.add_argument("--master-port", type=int, default=5557)
    wk.add_argument("--processes", type=int, default=1, help="worker processes on this machine")
    cp = sub.add_parser("campaign", help="k runs with fault schedules drawn from a seed (harness/campaign.py)")
    cp.add_argument("scenario")
    cp.add_argument("--seed", type=int, required=True)
    cp.add_argument("--runs", type=int, default=3)
    cp.add_argument("--faults", default=None,
                    help=f"kinds drawn, some of {','.join(KINDS)} (default: the scenario's campaign.faults, else all)")
    cp.add_argument("--only", type=int, default=None, help="replay run i only, with exactly its schedule")
    cp.add_argument("--backend", default="local", choices=BUILT)
    cp.add_argument("--lab", default="conf/lab.yaml")
    cat = sub.add_parser("catalog", help="every scenario of a group in sequence, then results/index.md")
    cat.add_argument("group", nargs="?", default="all")
    cat.add_argument("--backend", default="local", choices=BACKENDS)
    cat.add_argument("--lab", default="conf/lab.yaml")
    cat.add_argument("--target", default=None)
    pl = sub.add_parser("plan", help="a dry run against a target: what each fault would act on now")
    pl.add_argument("scenario")
    pl.add_argument("--target", required=True)
    for cmd, what in (("heal", "undo every fault of the project still in place (safe to run twice)"),
                      ("down", "stop every lab of the project, then heal")):
        sp = sub.add_parser(cmd, help=what)
        sp.add_argument("--lab", action="append")
        sp.add_argument("--target", default=None, help="only this adopted target")
    sub.add_parser("index", help="write results/index.md from the run directories")
    a = p.parse_args(argv)
    try:
        if a.cmd == "run":
            if min(a.workers, a.remote_workers, a.docker_workers) < 0:
                raise ConfigError("--workers, --docker-workers and --remote-workers count processes: 0 or more")
            return run(RunSpec.resolve(a.scenario, a.backend, a.lab, a.target), workers=a.workers,
                       remote_workers=a.remote_workers, master_bind=a.master_bind, docker_workers=a.docker_workers)
        if a.cmd == "campaign":
            kinds = tuple(k.strip() for k in a.faults.split(",") if k.strip()) if a.faults else None
            spec = RunSpec.resolve(a.scenario, a.backend, a.lab)
            return campaign(a.scenario, a.seed, a.runs, kinds, a.only, spec, run_recorded)
        if a.cmd == "worker":
            cmd = worker_command(a.master_host, a.master_port, a.processes)
            os.execv(cmd[0], cmd)  # this process becomes the worker: its PID is the worker's
        if a.cmd == "up":
            return up(RunSpec.resolve(a.scenario, a.backend, a.lab, a.target), a.lab)
        if a.cmd == "plan":
            return plan(a.scenario, a.target)
        if a.cmd == "catalog":
            paths = scenarios.catalog(a.group)
            if not paths:
                print(f"no scenario in group {a.group!r}", file=sys.stderr)
                return 2
            codes, run_dirs, backend = [], [], "target" if a.target else a.backend
            try:
                for path in paths:
                    try:
                        code, run_dir = run_recorded(RunSpec.resolve(str(path), a.backend, a.lab, a.target))
                        codes.append(code)
                        run_dirs.append(run_dir)
                    except ConfigError as exc:  # this scenario does not fit the target: said, and the next one runs
                        print(f"error: {exc}", file=sys.stderr)
                        codes.append(2)
            except Interrupted as exc:
                run_dirs += [exc.run_dir] if exc.run_dir else []
                print(f"catalog {a.group}: {exc}; {codes.count(0)} of {len(codes)} finished runs passed, "
                      f"{len(paths) - len(codes) - 1} not started; {write_index()}; "
                      f"{write_catalog_junit(a.group, backend, run_dirs)}", file=sys.stderr)
                return 130
            print(f"catalog {a.group}: {codes.count(0)} of {len(codes)} passed; {write_index()}; "
                  f"{write_catalog_junit(a.group, backend, run_dirs)}")
            return 0 if all(c == 0 for c in codes) else 1
        if a.cmd == "heal":
            return heal(a.lab, a.target)
        if a.cmd == "down":
            return down(a.lab, a.target)
        print(write_index())
        return 0
    except Interrupted as exc:
        print(f"{exc}; every fault healed", file=sys.stderr)
        return 130
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
