"""Who bids on what: the values a load user draws for each bid (a bidder of the service's user pool,
an auction of a setup pool) and the login that opens a bidder's session.

A worker draws from the pools the master's plan carries (harness/load_plan.py); nothing here reads a
file or the lab.
"""
from __future__ import annotations

import random

import requests

from lab import templates
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
    values = {"user": user}
    url = base_url.rstrip("/") + templates.fill_text(call.path, values, encode=True)
    body = templates.fill(call.body, values) if call.body is not None else None
    headers = {k: templates.fill_text(str(v), values) for k, v in call.headers.items()}
    try:
        resp = requests.request(call.method, url, json=body, headers=headers, timeout=timeout_s)
    except requests.RequestException as exc:
        raise LoginFailed(f"{type(exc).__name__}: {exc}") from None
    if resp.status_code not in call.expect:
        raise LoginFailed(f"HTTP {resp.status_code}: {resp.text[:200]}")
    try:
        reply = resp.json()
    except ValueError:
        raise LoginFailed(f"HTTP {resp.status_code}: the reply is not JSON") from None
    try:
        return templates.capture(reply, call.capture)
    except KeyError as missing:
        raise LoginFailed(f"the reply has no {missing.args[0]}: {resp.text[:200]}") from None
