"""fairbid-ha's Locust entry: load users, and the hooks that run a scenario's faults and observers.

    locust -f locustfile.py --scenario redis-4                 # web UI; the fault fires at its offset
    locust -f locustfile.py --scenario redis-4 --headless ...  # what `make scenario` runs

In init the lab is brought up (unless it is up already) and the scenario validated, before any load;
on test start the run directory, fault runner and observers start; on test stop every fault is
healed, every acknowledged write verified and the run analysed, and the exit code comes from the
scenario's checks; on quit (also Ctrl-C, SIGTERM) faults are healed and the lab it started is stopped.

In distributed mode (`--master` / `--worker`) all of that happens on the master; a worker reads no
option of its own but the master's address: it gets the load plan from the master at test start
and sends its rows back (harness/relay.py).
"""
from __future__ import annotations

import itertools
import logging
import os
import random
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gevent
import locust  # noqa: F401 - first: it monkey-patches gevent
from locust import FastHttpUser, User, events, poisson, task
from locust.contrib.csv_request_logger import CsvRequestLogger, _status_code
from locust.runners import MasterRunner, WorkerRunner
from locust.util.timespan import parse_timespan
from redis.exceptions import RedisError

import runfiles as rf
from errors import ConfigError, HarnessError
from fairbid import redis_client
from fairbid.settings import Settings
from harness import bidders, fixtures, run_spec, target_check, webui
from harness import scenario as scenarios
from harness.backends import BACKENDS
from harness.halt import HaltWatch
from harness.load_plan import LoadPlan
from harness.load_watch import LoadWatch
from harness.relay import RelayedRequestLog, RowCollector, WorkerRelay
from harness.run_spec import RunSpec
from harness.session import RunSession, new_run_dir, standard_observers
from lab.protocol import Lab
from observe.history import History
from observe.row_writer import RowPipe

log = logging.getLogger("fairbid-ha")


class RunRequestLogger(CsvRequestLogger):
    """Locust's per-request CSV logger, re-pointed at each run's directory (web UI runs restart), its
    rows formatted and written by a process of their own (observe/row_writer.py, same columns)."""

    def __init__(self, filepath: str) -> None:
        super().__init__(filepath)
        self._pipe: RowPipe | None = None

    def register(self, environment) -> None:
        environment.events.request.add_listener(self._on_request)
        environment.events.quitting.add_listener(self._on_quitting)  # nothing is open until a run's open_at

    def open_at(self, path: Path) -> None:
        self.close()
        self.filepath = str(path)
        self._pipe = RowPipe("requests", path)

    def _on_request(self, *, request_type, name, response_time, response_length, exception=None, response=None,
                    start_time=None, **_kw) -> None:
        if self._pipe is not None:
            self._pipe.add((start_time if start_time is not None else time.time(), request_type, name, response_time,
                            response_length, _status_code(response, exception),
                            str(exception) if exception is not None else ""))

    def flush(self) -> None:
        """The run's end: every row on disk (RowWriterError names the file otherwise)."""
        self.close()

    def close(self) -> None:
        pipe, self._pipe = self._pipe, None
        if pipe is not None:
            pipe.close()


@dataclass
class Context:
    """The one run context handed around: scenario, lab, current session and the per-process logs."""

    scenario: scenarios.Scenario | None = None  # master or local only, as are the lab and the session
    lab: Lab | None = None
    plan: LoadPlan | None = None  # what the users need; a worker's comes from the master
    owns_lab: bool = False
    session: RunSession | None = None
    settings: Settings | None = None
    request_log: RunRequestLogger | None = None  # local runs; a worker relays, the master collects
    history: History = field(default_factory=History)  # records nothing until opened (or forwarded)
    collector: RowCollector | None = None  # the master's: the workers' rows
    spec: RunSpec | None = None  # what this run was started with (harness/run_spec.py): master or local only
    first_run_dir: Path | None = None  # the CLI's directory, holding the spec; later web UI runs get new ones
    halt: HaltWatch | None = None  # the scenario's halt conditions, watched while the load runs
    setup_record: dict | None = None  # the target's fixtures as made (run.json "setup")
    asked: dict | None = None  # the web UI's start form as Locust took it (users, spawn rate, run time)
    watch: LoadWatch | None = None  # the current run's load as it runs (run.json "load_as_run")


def run_context(environment) -> Context:
    """The run context of this Locust process, kept on its Environment (no module-level state)."""
    if not hasattr(environment, "fairbid_ha"):
        environment.fairbid_ha = Context()
    return environment.fairbid_ha


def _maybe_applied(error: str) -> bool:
    """A timeout or a connection lost mid-command may have written; a refused connection or an error
    reply (READONLY, NOREPLICAS, ...) did not."""
    return "Timeout" in error or ("ConnectionError" in error and "refused" not in error.lower())


# a write in flight when the load stopped (its greenlet killed): not a failure anyone saw, but it may
# have landed, so it is looked up (runfiles.INTERRUPTED_AT_STOP)
INTERRUPTED = "interrupted: the load stopped before the reply"


class OpError(Exception):
    """A failed operation, with its type and message in str() (redis-py's repr hides the message)."""


class BidUser(FastHttpUser):
    """Places bids through an API node and records every attempt. Each user is one client variant of
    the scenario (round robin): which API it calls and how it retries a failed or unknown bid; and one
    bidder of the service's user pool, logged in at its start where the service asks for it."""

    weight = 4
    wait_time = poisson(5)
    network_timeout = 10.0
    connection_timeout = 5.0
    _next = itertools.count()

    def __init__(self, environment) -> None:
        self.ctx = run_context(environment)
        plan = self.ctx.plan
        if plan is None:
            raise HarnessError("no load plan: a worker spawns users only after the master's plan message")
        variants = plan.load.variants
        self.variant = variants[next(BidUser._next) % len(variants)]
        self.model = plan.service
        self.host = plan.url(self.variant.api)
        label = self.model.bid.path
        self.request_name = label if self.variant.name == "default" else f"{label} [{self.variant.name}]"
        self.bidder = bidders.draw_user(self.model.users) if self.model.users else None  # else one a bid
        self.session: dict | None = None if self.model.users and self.model.users.login else {}
        super().__init__(environment)

    @task
    def place_bid(self) -> None:
        if self.session is None and not self._login():
            return
        plan = self.ctx.plan
        v = self.variant
        intent = uuid.uuid4().hex
        user = self.bidder if self.bidder is not None else bidders.draw_user(None)  # bidder 0 is a bidder
        values = {**bidders.draw(plan.pools, plan.load.auctions), "user": user,
                  "amount": random.randint(*self.model.bid.amount), **self.session}
        for attempt in range(1, v.retries + 2):
            key = intent if (v.same_key or attempt == 1) else uuid.uuid4().hex
            outcome = self._attempt({**values, "key": key}, key, intent, attempt)
            if outcome in ("ok", "fail", "refused"):  # acknowledged, or nothing stored for sure: no retry
                return
            if attempt <= v.retries and v.backoff_s:
                gevent.sleep(v.backoff_s * 2 ** (attempt - 1))

    def _login(self) -> bool:
        """The user's own login (not a bid: it fires no request of the load): its outcome is recorded
        as op "login", and a failed one is tried again at the user's next turn."""
        t0 = time.time()
        try:
            self.session = bidders.login(self.host, self.model.users.login, self.bidder)
        except bidders.LoginFailed as exc:
            self.ctx.history.record(t0, time.time(), "login", str(self.bidder), outcome="fail", error=str(exc)[:200],
                                    variant=self.variant.name)
            return False
        self.ctx.history.record(t0, time.time(), "login", str(self.bidder), variant=self.variant.name)
        return True

    def _attempt(self, values: dict, key: str, intent: str, attempt: int) -> str:
        call = self.model.bid
        sent = self.model.bid_request(values)
        headers = {**sent.headers, **({call.idempotency_header: key} if call.idempotency_header else {})}
        path = sent.path + ("?" + urlencode(sent.query) if sent.query else "")
        common = {"intent": intent, "variant": self.variant.name, "attempt": attempt}
        t0 = time.time()
        try:  # the request is sent and its reply read here; the `with` below only judges it
            reply = self.client.request(sent.method, path, json=sent.body, headers=headers, name=self.request_name,
                                        catch_response=True)
        except gevent.GreenletExit:  # the load stopped mid-request: no request event, but the bid may have landed
            self.ctx.history.record(t0, time.time(), "bid", key, outcome=rf.INTERRUPTED_AT_STOP, error=INTERRUPTED,
                                    write_key=self.model.sent_key(values, sent.used), **common)
            raise
        with reply as resp:
            t1, status = time.time(), resp.status_code or 0
            try:
                body = resp.json() if resp.text else None
            except ValueError:  # a reply that is not JSON names no bid and no code
                body = None
            outcome, code = self.model.classify(status, body, resp.text or "")
            if outcome == "ok":
                self.ctx.history.record(t0, t1, "bid", key, bid_id=self.model.bid_id(body), status=status,
                                        write_key=self.model.write_key(body), **common)
                resp.success()
            elif outcome == "refused":  # the service's own rule said no: not a failure of the system
                self.ctx.history.record(t0, t1, "bid", key, outcome=outcome, status=status, error=code, **common)
                resp.success()
            else:  # nothing stored (fail), or maybe stored (unknown): looked up after healing by its identity
                detail = (resp.text or str(resp.error or ""))[:200].replace("\n", " ")
                self.ctx.history.record(t0, t1, "bid", key, outcome=outcome, status=status, error=detail,
                                        write_key=self.model.sent_key(values, sent.used) if outcome == "unknown"
                                        else "", **common)
                resp.failure(self.model.failure_name(status, body, detail))
            return outcome


class RedisUser(User):
    """Writes to Redis itself through Sentinel with the service's client settings, as Locust requests."""

    weight = 1
    wait_time = poisson(5)

    def on_start(self) -> None:
        self.ctx = run_context(self.environment)
        self.client = redis_client.connect(self.ctx.settings or Settings.from_env())

    def on_stop(self) -> None:
        self.client.close()

    @task
    def set_key(self) -> None:
        key, value = f"probe:{uuid.uuid4().hex}", str(time.time())
        t0, started = time.time(), time.perf_counter()
        exc = None
        try:
            self.client.set(key, value)
        except RedisError as e:
            exc = OpError(f"{type(e).__name__}: {e}")
        except gevent.GreenletExit:  # as for a bid; Locust's request.measure would have counted it a success
            self.ctx.history.record(t0, time.time(), "set", key, value=value, outcome=rf.INTERRUPTED_AT_STOP,
                                    error=INTERRUPTED)
            raise
        self.environment.events.request.fire(request_type="redis", name="SET", start_time=t0, response_length=0,
                                             response_time=(time.perf_counter() - started) * 1000, exception=exc,
                                             context={})
        outcome = "ok" if exc is None else ("unknown" if _maybe_applied(str(exc)) else "fail")
        # the value sent is kept whatever the outcome: an unknown SET is looked up by it after healing
        self.ctx.history.record(t0, time.time(), "set", key, value=value, outcome=outcome, error=str(exc or ""))


@events.init_command_line_parser.add_listener
def _options(parser, **_kw) -> None:
    # Not in the web UI's form (include_in_web_ui=False): each is read once, in init, before the form
    # shows (the lab is up by then); a value typed there would be ignored. The fairbid-ha panel and
    # pages name the scenario that runs.
    fixed = {"include_in_web_ui": False}
    parser.add_argument("--scenario", default="redis-4", help="scenario id (scenarios/ID.yaml) or path", **fixed)
    parser.add_argument("--backend", default="local", choices=BACKENDS,
                        help="lab backend: local (processes) or docker; target with --target", **fixed)
    parser.add_argument("--lab", default="conf/lab.yaml", help="lab config: addresses, ports, state dir", **fixed)
    parser.add_argument("--target", default="", help="a target file: adopt that stack (a team's own) instead",
                        **fixed)
    parser.add_argument("--run-dir", default="",
                        help="results directory of the (first) run; default: a new one. Where it holds a run "
                             "spec (the CLI writes one), the run is that spec's and the options above are not read",
                        **fixed)
    parser.add_argument("--keep-lab", action="store_true", help="leave the lab up when Locust quits", **fixed)
    parser.add_argument("--bare", action="store_true",
                        help="load only: no per-request log, history, faults or observers (to measure their cost)",
                        **fixed)


def _spec(opts) -> RunSpec:
    """The run spec: the CLI's, from the run directory it made, else resolved here from the options
    (a web UI run), once; it is written into every run directory this process opens."""
    if opts.run_dir and (Path(opts.run_dir) / run_spec.FILE).exists():
        return RunSpec.read(Path(opts.run_dir))
    return RunSpec.resolve(opts.scenario, opts.backend, opts.lab, opts.target or None, bare=opts.bare,
                           keep_lab=opts.keep_lab)


def _apply_plan(ctx: Context, plan: LoadPlan) -> None:
    """The load's settings, taken in this process: the plan, the Redis users' client, the arrival rate.
    Poisson arrivals at the scenario's rate: users spawned together with constant_throughput fire in
    lockstep (seen: all of them every 200 ms), which leaves blind spots in a measured error window."""
    ctx.plan = plan
    ctx.settings = Settings.from_env(plan.client_env)
    BidUser.wait_time = RedisUser.wait_time = poisson(plan.load.rate_per_user)


def _prefill(opts, load: scenarios.Load) -> None:
    """The web UI's start form shows the scenario's load where the command line gave none: Locust
    fills Users, Ramp up and Run time from these options (web.py update_template_args)."""
    if opts.num_users is None:
        opts.num_users = load.users
    if opts.spawn_rate is None:
        opts.spawn_rate = load.spawn_rate
    if not opts.run_time:
        opts.run_time = int(load.run_time_s)


def _shown(ctx: Context) -> webui.Shown:
    """The run the web UI shows: the current one, or the last one after its end."""
    sc, s = ctx.scenario, ctx.session
    named = {"scenario": sc.id, "title": sc.title or "", "load": sc.settings()["load"]}
    if s is None:
        return webui.Shown(**named)
    return webui.Shown(run_dir=s.dir, t0_ms=s.meta.test_start_ms, t1_ms=s.meta.test_stop_ms, phase=s.phase, **named)


def _form_asked(ctx: Context, form: dict) -> None:
    """The start form's values as Locust takes them (an empty run time: no limit); a running test's
    edited form changes what runs."""
    try:
        asked = {"users": int(form["user_count"]), "spawn_rate": float(form["spawn_rate"]),
                 "run_time_s": float(parse_timespan(form["run_time"])) if form.get("run_time") else None}
    except (KeyError, ValueError):
        return  # Locust refuses the form itself
    if ctx.watch is not None and ctx.session is not None and not ctx.session.done:
        ctx.watch.asked.update(asked)
    else:
        ctx.asked = asked


def _stop_asked(ctx: Context, by: str) -> None:
    if ctx.watch is not None:
        ctx.watch.mark(by)


def _init_worker(environment, ctx: Context) -> None:
    """A worker knows nothing of the scenario or the lab until the master's plan arrives; it writes no
    run file (no shared disk is assumed): its rows go to the master."""
    relay = WorkerRelay(environment.runner, lambda plan: _apply_plan(ctx, plan))
    environment.events.test_stop.add_listener(lambda **_kw: relay.finish())
    RelayedRequestLog(relay).register(environment)  # the plan says whether rows are recorded (a bare run: no)
    ctx.history.forward_to(lambda row: relay.add("history", row))


@events.init.add_listener
def _init(environment, **_kw) -> None:
    opts = environment.parsed_options
    if opts is None:
        return
    ctx = run_context(environment)
    if isinstance(environment.runner, WorkerRunner):
        _init_worker(environment, ctx)
        return
    try:
        ctx.spec = _spec(opts)
        ctx.scenario = ctx.spec.load_scenario()
        ctx.lab = ctx.spec.make_lab(ctx.scenario)
        config = ctx.lab.config
        if found := target_check.machine_problems(ctx.scenario, ctx.lab):
            raise ConfigError(f"{ctx.scenario.id} on this machine: " + "; ".join(found))
        if ctx.spec.target:
            found = target_check.problems(ctx.scenario, ctx.lab)
            if found:
                raise ConfigError(f"{ctx.scenario.id} on target {ctx.lab.target.name}: " + "; ".join(found))
            for line in ctx.lab.plan():
                log.info("target %s: %s", ctx.lab.target.name, line)
    except HarnessError as exc:
        log.error("%s", exc)
        sys.exit(1)
    ctx.first_run_dir = Path(opts.run_dir) if opts.run_dir else None
    load = ctx.scenario.load
    BidUser.weight, RedisUser.weight = load.bid_weight, load.redis_weight
    environment.user_classes[:] = [u for u in environment.user_classes if u.weight > 0]
    # BidUsers take their API node's address from the plan (see BidUser.__init__); this is for the UI
    environment.host = environment.host or config.api_url
    if not opts.headless:
        _prefill(opts, load)
    if isinstance(environment.runner, MasterRunner):
        ctx.collector = RowCollector(environment.runner)
    elif not ctx.spec.bare:
        ctx.request_log = RunRequestLogger(os.devnull)
        ctx.request_log.register(environment)
    webui.install(environment, lambda: _shown(ctx), on_swarm=lambda form: _form_asked(ctx, form),
                  on_stop=lambda by: _stop_asked(ctx, by))
    if ctx.lab.is_up():
        log.info("lab %s is up already: using it as it is", config.name)
    else:
        try:
            t0 = time.monotonic()
            ctx.lab.up()
            ctx.owns_lab = True
            log.info("lab %s (%s) up in %.2f s", config.name, ctx.lab.backend, time.monotonic() - t0)
        except HarnessError as exc:
            log.error("%s", exc)
            sys.exit(1)
    plan = LoadPlan.of(ctx.scenario, ctx.lab)  # the lab's addresses are known once it is up
    if ctx.lab.service.setup:  # the target's fixtures (auctions by a seller), before any load or fault
        try:
            made = fixtures.make(ctx.lab, ctx.lab.service.setup, ctx.lab.service.bid.url)
        except HarnessError as exc:
            log.error("%s", exc)
            if ctx.owns_lab and not ctx.spec.keep_lab:
                ctx.lab.down()
            sys.exit(1)
        plan, ctx.setup_record = plan.with_pools(made.pools), made.record
        log.info("setup: %s", ", ".join(f"{k} {v['size']}" for k, v in made.record["pools"].items()) or "no pool")
    _apply_plan(ctx, plan)
    # Ctrl-C takes Locust's SIGTERM path (quitting: heal, lab down). Left to Python, SIGINT raises
    # KeyboardInterrupt in whichever greenlet runs when it lands (a user's, the fault runner's): that
    # greenlet dies and the main one, which would have shut down, may wait on (seen once in CI, 60 s).
    gevent.signal_handler(signal.SIGINT, lambda: os.kill(os.getpid(), signal.SIGTERM))


@events.test_start.add_listener
def _test_start(environment, **_kw) -> None:
    ctx = run_context(environment)
    if isinstance(environment.runner, WorkerRunner):
        return
    if ctx.spec.bare:
        if ctx.collector is not None:  # the workers still need the plan to make the load
            ctx.collector.begin(None, ctx.plan.for_run("", record=False))
        return
    run_dir, ctx.first_run_dir = ctx.first_run_dir or new_run_dir(ctx.scenario.id), None  # a restart: a new one
    run_dir.mkdir(parents=True, exist_ok=True)
    if not (run_dir / run_spec.FILE).exists():
        ctx.spec.write(run_dir)
    ctx.plan = ctx.plan.for_run(run_dir.name)
    if ctx.collector is not None:  # the workers get the plan now, before Locust's spawn message
        ctx.collector.begin(run_dir, ctx.plan)
        rows = ctx.collector
    else:
        ctx.request_log.open_at(run_dir / rf.REQUESTS)
        rows = ctx.history
    observers = standard_observers(ctx.lab, rows, max_s=ctx.scenario.load.run_time_s + 600, spec=ctx.spec)
    ctx.session = RunSession(ctx.scenario, ctx.lab, run_dir, observers, setup=ctx.setup_record,
                             campaign=ctx.spec.campaign)
    opts = environment.parsed_options
    source = "web_ui" if ctx.asked else "command_line"  # the form's values, or the options' (headless, --autostart)
    asked, ctx.asked = ctx.asked or {"users": opts.num_users, "spawn_rate": opts.spawn_rate,
                                     "run_time_s": float(opts.run_time) if opts.run_time else None}, None
    ctx.watch = LoadWatch(environment.runner, **asked, source=source)
    ctx.session.begin()
    if ctx.scenario.halt:
        ctx.halt = HaltWatch(ctx.scenario.halt, ctx.lab, environment.stats, run_dir / rf.FAULTS,
                             lambda reason: _halt(environment, ctx, reason), max_s=ctx.scenario.load.run_time_s + 600)
        ctx.halt.start()
    log.info("run %s: results in %s", ctx.scenario.id, run_dir)


def _halt(environment, ctx: Context, reason: str) -> None:
    """A halt condition held: marked on the run, then the load stops as at its time limit (headless)
    or as the web UI's stop button does; the stop heals every fault and verifies."""
    ctx.session.halted(reason)
    _stop_asked(ctx, rf.HALT)
    headless = environment.parsed_options is not None and environment.parsed_options.headless
    gevent.spawn(environment.runner.quit if headless else environment.runner.stop)


def _load_record(environment, ctx: Context) -> dict:
    """What the load itself says once it has stopped: Locust's request count (every worker's last
    report is in by now), and per worker the rows declared and received."""
    out = {"locust_requests": environment.stats.total.num_requests}
    if ctx.collector is not None:
        out["workers"] = ctx.collector.record()
    return {**out, **_load_as_run(ctx)}


def _load_as_run(ctx: Context) -> dict:
    """The load as it ran (run.json "load_as_run"), from the test's start to its stop (now, if not stopped)."""
    if ctx.watch is None:
        return {}
    meta = ctx.session.meta
    stop_ms = meta.test_stop_ms or time.time() * 1000
    duration = round((stop_ms - meta.test_start_ms) / 1000, 3) if meta.test_start_ms else None
    watch, ctx.watch = ctx.watch, None
    return {"load_as_run": watch.record(duration, halted=meta.halted is not None)}


@events.test_stopping.add_listener
def _test_stopping(environment, **_kw) -> None:
    """The users as the stop begins, before Locust stops them: the most of the run if it was still spawning."""
    watch = run_context(environment).watch
    if watch is not None:
        watch.sample()


@events.test_stop.add_listener
def _test_stop(environment, **_kw) -> None:
    ctx = run_context(environment)
    if isinstance(environment.runner, WorkerRunner) or ctx.session is None or ctx.session.done:
        return
    if ctx.halt is not None:
        ctx.halt.stop()
        ctx.halt = None
    flush = (ctx.collector.drain,) if ctx.collector is not None else (ctx.request_log.flush,)
    summary = ctx.session.finish(flush_logs=flush, load_record=lambda: _load_record(environment, ctx))
    if summary is None:
        return
    environment.process_exit_code = 0 if summary.passed else 1
    m = summary.metrics
    log.info("%s %s: failover_s=%s error_window_s=%s error_rate=%s lost_acked_writes=%s -> %s",
             summary.scenario, summary.run_id, m["failover_s"], m["error_window_s"], m["error_rate"],
             m["lost_acked_writes"], "PASS" if summary.passed else "FAIL")
    for c in summary.checks:
        log.info("  check %-20s expected %-22s actual %-10s %s", c.metric, c.expected, c.actual,
                 "ok" if c.passed else "FAILED")


@events.quitting.add_listener
def _quitting(environment, **_kw) -> None:
    ctx = run_context(environment)
    if isinstance(environment.runner, WorkerRunner):
        return
    if ctx.halt is not None:
        ctx.halt.stop()
    if ctx.session is not None and not ctx.session.done:
        _stop_asked(ctx, rf.QUIT)
        ctx.session.abort("quit", load_record=lambda: _load_as_run(ctx))
        environment.process_exit_code = 1
    if ctx.owns_lab and not ctx.spec.keep_lab:
        ctx.lab.down()
        ctx.owns_lab = False
