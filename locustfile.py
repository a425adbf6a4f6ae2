"""fairbid-ha's Locust entry: load users, and the hooks that run a scenario's faults and observers.

    locust -f locustfile.py --scenario redis-4                 # web UI; the fault fires at its offset
    locust -f locustfile.py --scenario redis-4 --headless ...  # what `make scenario` runs

In init the lab is brought up (unless it is up already) and the scenario validated, before any load;
on test start the run directory, fault runner and observers start; on test stop every fault is
healed, every acknowledged write verified and the run analysed, and the exit code comes from the
scenario's checks; on quit (also Ctrl-C, SIGTERM) faults are healed and the lab it started is stopped.
"""
from __future__ import annotations

import itertools
import logging
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import gevent
import locust  # noqa: F401 - first: it monkey-patches gevent
from locust import FastHttpUser, User, events, poisson, task
from locust.contrib.csv_request_logger import CsvRequestLogger
from locust.runners import WorkerRunner
from redis.exceptions import RedisError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from errors import HarnessError  # noqa: E402
from fairbid import redis_client  # noqa: E402
from fairbid.settings import Settings  # noqa: E402
from harness import scenario as scenarios  # noqa: E402
from harness import webui  # noqa: E402
from harness.backends import make_lab  # noqa: E402
from harness.history import History  # noqa: E402
from harness.session import RunSession, new_run_dir  # noqa: E402
from lab.config import LabConfig  # noqa: E402

log = logging.getLogger("fairbid-ha")


class RunRequestLogger(CsvRequestLogger):
    """Locust's per-request CSV logger, re-pointed at each run's directory (web UI runs restart)."""

    def open_at(self, path: Path) -> None:
        self.filepath = str(path)
        self._open()

    def flush(self) -> None:
        if self._filehandle is not None and not self._filehandle.closed:
            self._filehandle.flush()


@dataclass
class Context:
    """The one run context handed around: scenario, lab, current session and the per-process logs."""

    scenario: scenarios.Scenario | None = None
    lab: object = None
    owns_lab: bool = False
    session: RunSession | None = None
    settings: Settings | None = None
    request_log: RunRequestLogger | None = None
    history: History = field(default_factory=History)  # records nothing until opened
    run_dir_option: str = ""
    bare: bool = False


CTX = Context()


class OpError(Exception):
    """A failed operation, with its type and message in str() (redis-py's repr hides the message)."""


class BidUser(FastHttpUser):
    """Places bids through an API node and records every attempt. Each user is one client variant of
    the scenario (round robin): which API it calls and how it retries a failed or unknown bid."""

    weight = 4
    wait_time = poisson(5)
    network_timeout = 10.0
    connection_timeout = 5.0
    _next = itertools.count()

    def __init__(self, environment) -> None:
        variants = CTX.scenario.load.variants if CTX.scenario else (scenarios.Variant(),)
        self.variant = variants[next(BidUser._next) % len(variants)]
        if CTX.lab is not None:
            self.host = CTX.lab.url(self.variant.api)
        self.request_name = "/api/bids" if self.variant.name == "default" else f"/api/bids [{self.variant.name}]"
        super().__init__(environment)

    @task
    def place_bid(self) -> None:
        load = CTX.scenario.load if CTX.scenario else scenarios.Load()
        v = self.variant
        intent = uuid.uuid4().hex
        body = {"auctionId": f"auction-{random.randrange(load.auctions)}", "userId": f"user-{random.randrange(1000)}",
                "amount": random.randrange(1, 1_000_000)}
        for attempt in range(1, v.retries + 2):
            key = intent if (v.same_key or attempt == 1) else uuid.uuid4().hex
            outcome = self._attempt(body, key, intent, attempt)
            if outcome in ("ok", "fail"):  # acknowledged, or refused for sure: nothing to retry
                return
            if attempt <= v.retries and v.backoff_s:
                gevent.sleep(v.backoff_s * 2 ** (attempt - 1))

    def _attempt(self, body: dict, key: str, intent: str, attempt: int) -> str:
        t0 = time.time()
        with self.client.post("/api/bids", json=body, headers={"Idempotency-Key": key}, name=self.request_name,
                              catch_response=True) as resp:
            t1, status = time.time(), resp.status_code or 0
            common = {"intent": intent, "variant": self.variant.name, "attempt": attempt, "status": status}
            if status in (200, 201):
                bid_id = (resp.json() or {}).get("bidId", "")
                CTX.history.record(t0, t1, "bid", key, bid_id=bid_id, **common)
                resp.success()
                return "ok"
            detail = (resp.text or str(resp.error or ""))[:200].replace("\n", " ")
            # 4xx or "stored": false is a refusal; anything else may or may not have stored the bid
            outcome = "fail" if 400 <= status < 500 or '"stored":false' in detail.replace(" ", "") else "unknown"
            CTX.history.record(t0, t1, "bid", key, outcome=outcome, error=detail, **common)
            resp.failure(f"HTTP {status}: {detail}")
            return outcome


class RedisUser(User):
    """Writes to Redis itself through Sentinel with the service's client settings, as Locust requests."""

    weight = 1
    wait_time = poisson(5)

    def on_start(self) -> None:
        self.client = redis_client.connect(CTX.settings or Settings.from_env())

    def on_stop(self) -> None:
        self.client.close()

    @task
    def set_key(self) -> None:
        key, value = f"probe:{uuid.uuid4().hex}", str(time.time())
        start, t0 = time.time(), time.perf_counter()
        exc = None
        try:
            self.client.set(key, value)
        except RedisError as e:
            exc = OpError(f"{type(e).__name__}: {e}")
        elapsed_ms = (time.perf_counter() - t0) * 1000
        self.environment.events.request.fire(request_type="redis", name="SET", response_time=elapsed_ms,
                                             response_length=0, exception=exc, start_time=start, context={})
        outcome = "ok" if exc is None else ("unknown" if "Timeout" in str(exc) else "fail")
        # the value sent is kept whatever the outcome: an unknown SET is looked up by it after healing
        CTX.history.record(start, time.time(), "set", key, value=value, outcome=outcome, error=str(exc or ""))


@events.init_command_line_parser.add_listener
def _options(parser, **_kw) -> None:
    parser.add_argument("--scenario", default="redis-4", help="scenario id (scenarios/ID.yaml) or path")
    parser.add_argument("--backend", default="local", help="lab backend: local (processes) or docker")
    parser.add_argument("--lab", default="conf/lab.yaml", help="lab config: addresses, ports, state dir")
    parser.add_argument("--run-dir", default="", help="results directory of the (first) run; default: a new one")
    parser.add_argument("--keep-lab", action="store_true", help="leave the lab up when Locust quits")
    parser.add_argument("--bare", action="store_true",
                        help="load only: no per-request log, history, faults or observers (to measure their cost)")


def _per_process_name(stem: str, worker: bool) -> str:
    return f"{stem}-{os.getpid()}.csv" if worker else f"{stem}.csv"


@events.init.add_listener
def _init(environment, **_kw) -> None:
    opts = environment.parsed_options
    if opts is None:
        return
    try:
        CTX.scenario = scenarios.load(opts.scenario)
        config = LabConfig.load(opts.lab)
        CTX.lab = make_lab(opts.backend, config, CTX.scenario.stack)
    except HarnessError as exc:
        log.error("%s", exc)
        sys.exit(1)
    CTX.settings = Settings.from_env(CTX.lab.service_env())
    CTX.run_dir_option = opts.run_dir
    load = CTX.scenario.load
    BidUser.weight, RedisUser.weight = load.bid_weight, load.redis_weight
    environment.user_classes[:] = [u for u in environment.user_classes if u.weight > 0]
    # Poisson arrivals at the scenario's rate: users spawned together with constant_throughput fire in
    # lockstep (seen: all of them every 200 ms), which leaves blind spots in a measured error window
    BidUser.wait_time = RedisUser.wait_time = poisson(load.rate_per_user)
    # BidUsers take their API node's address from the lab (see BidUser.__init__); this is for the UI
    environment.host = environment.host or config.api_url
    CTX.bare = opts.bare
    if not CTX.bare:
        CTX.request_log = RunRequestLogger(os.devnull, flush_interval=500)
        CTX.request_log.register(environment)
    if isinstance(environment.runner, WorkerRunner):
        return
    webui.install(environment, lambda: (CTX.session.dir, CTX.session.meta.get("test_start_ms")) if CTX.session
                  else (None, None))
    if CTX.lab.is_up():
        log.info("lab %s is up already: using it as it is", config.name)
    else:
        try:
            t0 = time.monotonic()
            CTX.lab.up()
            CTX.owns_lab = True
            log.info("lab %s (%s) up in %.2f s", config.name, CTX.lab.backend, time.monotonic() - t0)
        except HarnessError as exc:
            log.error("%s", exc)
            sys.exit(1)


@events.test_start.add_listener
def _test_start(environment, **_kw) -> None:
    worker = isinstance(environment.runner, WorkerRunner)
    if CTX.bare:
        return
    if CTX.run_dir_option:
        run_dir = Path(CTX.run_dir_option)
        CTX.run_dir_option = ""  # a restarted web UI test gets a new directory
    elif worker:
        return
    else:
        run_dir = new_run_dir(CTX.scenario.id)
    run_dir.mkdir(parents=True, exist_ok=True)
    CTX.request_log.open_at(run_dir / _per_process_name("requests", worker))
    CTX.history.open(run_dir / _per_process_name("history", worker))
    if not worker:
        CTX.session = RunSession(CTX.scenario, CTX.lab, run_dir)
        CTX.session.begin()
        log.info("run %s: results in %s", CTX.scenario.id, run_dir)


@events.test_stop.add_listener
def _test_stop(environment, **_kw) -> None:
    if isinstance(environment.runner, WorkerRunner) or CTX.session is None or CTX.session.done:
        return
    summary = CTX.session.finish(flush_logs=(CTX.request_log.flush, CTX.history.flush))
    if summary is None:
        return
    environment.process_exit_code = 0 if summary["passed"] else 1
    m = summary["metrics"]
    log.info("%s %s: failover_s=%s error_window_s=%s error_rate=%s lost_acked_writes=%s -> %s",
             summary["scenario"], summary["run_id"], m["failover_s"], m["error_window_s"], m["error_rate"],
             m["lost_acked_writes"], "PASS" if summary["passed"] else "FAIL")
    for c in summary["checks"]:
        log.info("  check %-20s expected %-22s actual %-10s %s", c["metric"], c["expected"], c["actual"],
                 "ok" if c["passed"] else "FAILED")


@events.quitting.add_listener
def _quitting(environment, **_kw) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return
    if CTX.session is not None and not CTX.session.done:
        CTX.session.abort("quit")
        environment.process_exit_code = 1
    if CTX.owns_lab and not environment.parsed_options.keep_lab:
        CTX.lab.down()
        CTX.owns_lab = False
