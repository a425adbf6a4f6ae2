"""Verification of writes known by their identity, not by an id: a service whose reply names no stored
row (FairBid's `data.id` is null: the row is written later by the stream's consumer) is checked by the
fields the reply does name (auction, bidder, amount), in MySQL and in the stream.

A key can repeat: a failover that loses writes rewinds the price, and the same amount may be handed
out again. Writes are therefore judged per key by multiplicity: with `a` acknowledged, `u` unknown
(with a key) and `r` rows stored under one key, max(0, a - r) acknowledged writes are lost, the
surplus min(u, max(0, r - a)) is the unknown writes that landed, and max(0, r - a - u) rows are
duplicates. Keys written more than once are counted (`key_collisions`), never hidden. An unknown
write without a key (a 500 on a server-chosen amount) is unresolvable: neither landed nor lost.
"""
from __future__ import annotations

import json
from collections import Counter

import pandas as pd

import runfiles as rf
from lab import templates


def keys(hist: pd.DataFrame, outcomes: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The keys of the bids of these outcomes, one per write (repeats kept)."""
    rows = hist[(hist["op"] == "bid") & hist["outcome"].isin(outcomes)] if len(hist) else hist
    return [tuple(json.loads(k)) for k in rows["write_key"] if k] if len(rows) else []


def unresolvable(hist: pd.DataFrame) -> int:
    """Unknown bids with no key: nothing can say whether they were stored."""
    rows = hist[(hist["op"] == "bid") & hist["outcome"].isin(rf.MAYBE_STORED)] if len(hist) else hist
    return int((rows["write_key"] == "").sum()) if len(rows) else 0


def judge(acked: list[tuple], unknown: list[tuple], stored: Counter, store: str) -> dict:
    """Every key's writes against the rows `stored` holds under it (module docstring)."""
    a, u = Counter(acked), Counter(unknown)
    missing, landed, lost, dups = [], [], [], 0
    for key in sorted(set(a) | set(u), key=str):
        r = stored.get(key, 0)
        missing += [_show(key)] * max(0, a[key] - r)
        surplus = max(0, r - a[key])
        landed += [_show(key)] * min(u[key], surplus)
        lost += [_show(key)] * (u[key] - min(u[key], surplus))
        dups += max(0, r - a[key] - u[key])
    written = a + u
    return {f"missing_in_{store}": missing, f"unknown_landed_{store}": landed, f"unknown_lost_{store}": lost,
            f"duplicate_rows_{store}": dups,
            "key_collisions": sum(1 for n in written.values() if n > 1),
            "writes_in_collisions": sum(n for n in written.values() if n > 1)}


def _show(key: tuple) -> str:
    return json.dumps(list(key))


def mysql_rows(conn, key_query: str, wanted: list[tuple], chunk: int = 500) -> Counter:
    """{key: rows} for the keys asked, by the target's key_query (its columns the identity's, in order)."""
    found: Counter = Counter()
    distinct = sorted(set(wanted), key=str)
    width = len(distinct[0]) if distinct else 0
    with conn.cursor() as cur:
        for i in range(0, len(distinct), chunk):
            part = distinct[i:i + chunk]
            rows_sql = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(part))
            cur.execute(key_query.replace("{keys}", rows_sql), [v for key in part for v in key])
            for row in cur.fetchall():
                found[tuple(templates.key_text(v) for v in row[:width])] += 1
    return found


def stream_keys(entries: list[tuple[str, dict]], key_fields: dict[str, str], order: list[str]) -> Counter:
    """{key: entries} of stream entries, their fields named by the target's stream.key_fields."""
    found: Counter = Counter()
    for _, fields in entries:
        key = tuple(templates.key_text(fields.get(key_fields[name])) for name in order)
        if all(key):
            found[key] += 1
    return found
