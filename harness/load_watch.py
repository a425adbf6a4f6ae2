"""The load as it ran, not as the scenario says it: the users and spawn rate asked (the web UI's form or
the command line), the users reached, how long the load ran and who stopped it. run.json `load_as_run`.

Who stopped it is told by marks set where the stop is asked: the web UI's stop button (its POST
/stop), the web UI's run-time timer, a halt condition (harness/halt.py); a headless run's only other
way to a test stop is its --run-time limit (a SIGTERM or Ctrl-C quits, which aborts the run instead).
"""
from __future__ import annotations

import gevent

import runfiles as rf
from runfiles import HALT, TIME_LIMIT, UNKNOWN

SAMPLE_S = 0.5


class LoadWatch:
    """One run's load: `asked` at its start, the user count sampled while it runs (and read once more
    as the stop begins, before Locust stops the users), the first stop mark."""

    def __init__(self, runner, users: int | None, spawn_rate: float | None, run_time_s: float | None,
                 source: str) -> None:
        self.runner = runner
        self.asked = {"users": users, "spawn_rate": spawn_rate, "run_time_s": run_time_s, "source": source}
        self.users_reached = 0
        self.stopped_by: str | None = None
        self._greenlet = gevent.spawn(self._sample)

    def _sample(self) -> None:
        while True:
            self.sample()
            gevent.sleep(SAMPLE_S)

    def sample(self) -> None:
        self.users_reached = max(self.users_reached, int(self.runner.user_count or 0))

    def mark(self, by: str) -> None:
        """Who asked for the stop; the first mark counts (a halt then the stop it calls: the halt)."""
        if self.stopped_by is None:
            self.stopped_by = by

    def record(self, duration_s: float | None, halted: bool) -> rf.LoadAsRun:
        """run.json `load_as_run`, at the test's stop."""
        self.sample()
        self._greenlet.kill(block=False)
        by = HALT if halted else self.stopped_by
        limit = self.asked["run_time_s"]
        if by is None and limit and duration_s is not None and duration_s >= limit - 1:
            by = TIME_LIMIT  # headless: the --run-time greenlet ends the run by quitting the runner
        return rf.LoadAsRun(users=self.users_reached, spawn_rate=self.asked["spawn_rate"], duration_s=duration_s,
                            stopped_by=by or UNKNOWN, asked=dict(self.asked))

