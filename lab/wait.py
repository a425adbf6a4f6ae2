"""Readiness as a small wait object: a deadline, a poll interval and the errors that mean "not yet"."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pymysql
import redis

from errors import LabError

T = TypeVar("T")


@dataclass(frozen=True)
class Wait:
    timeout_s: float = 30.0
    interval_s: float = 0.05
    transient: tuple[type[BaseException], ...] = (OSError, redis.RedisError, pymysql.MySQLError)

    def until(self, what: str, probe: Callable[[], T | None]) -> T:
        """Call probe until it returns a truthy value; raise LabError naming `what` on timeout."""
        deadline = time.monotonic() + self.timeout_s
        last: BaseException | None = None
        while True:
            try:
                value = probe()
                if value:
                    return value
            except self.transient as exc:  # polling by design
                last = exc
            if time.monotonic() >= deadline:
                detail = f" (last error: {type(last).__name__}: {last})" if last else ""
                raise LabError(f"timed out after {self.timeout_s:.0f} s waiting for {what}{detail}")
            time.sleep(self.interval_s)
