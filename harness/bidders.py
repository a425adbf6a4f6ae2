"""Who bids on what: the values a load user draws for each bid (a bidder of the service's user pool,
an auction of a setup pool) and the login that opens a bidder's session.

A worker draws from the pools the master's plan carries (harness/load_plan.py); nothing here reads a
file or the lab.
"""
from __future__ import annotations

import random

import requests

from harness import calls
from lab.target_spec import Login, UserPool


class LoginFailed(Exception):
    """A bidder's login got no session: its own outcome, never a bid's."""


def draw_user(users: UserPool | None) -> object:
    """A bidder: a number of the pool, never an excluded one (the seller); "user-N" for the stand-in."""
    if users is None:
        return f"user-{random.randrange(1000)}"
    excluded = set(users.exclude)
    for _ in range(1000):  # the target file refuses a pool with no bidder in it
        n = random.randint(users.first, users.last)
        if n not in excluded:
            return n
    return next(n for n in range(users.first, users.last + 1) if n not in excluded)


def draw(pools: dict[str, list], auctions: int) -> dict:
    """One value of each setup pool; "auction-N" of the scenario's count where no pool is named auction."""
    values = {name: random.choice(items) for name, items in pools.items() if items}
    values.setdefault("auction", f"auction-{random.randrange(auctions)}")
    return values


def login(base_url: str, call: Login, user: object, timeout_s: float = 10.0) -> dict:
    """The session values a login's reply gives (its `capture`), or LoginFailed with the reason."""
    try:
        return calls.call(requests, base_url, call, {"user": user}, timeout_s)
    except calls.CallFailed as exc:
        raise LoginFailed(str(exc)) from None
