"""After healing: look up every acknowledged write in the stores and write verify.json.

This is the only place the final state is read from live servers; the analysis takes the file.
The stream is checked against the bids the API acknowledged, never against itself.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pymysql
import redis
import requests

import runfiles as rf
from analysis.load import read_history
from lab import clients
from lab.protocol import Lab, service_settings, stream_keys
from lab.service import ServiceModel
from lab.standin_env import StreamNames
from lab.wait import Wait
from observe import verify_keys
from observe.base import RunEnd
from observe.monitor import unread


def _history(run_dir: Path) -> pd.DataFrame:
    """The history as the analysis reads it, with empty text as "" (ids are compared as strings)."""
    hist = read_history(run_dir)
    text = list(rf.HISTORY_TEXT)
    hist[text] = hist[text].astype("string").fillna("").astype(str)
    return hist


def _master_client(lab: Lab) -> redis.Redis:
    """A client of the master Sentinel names now, once it answers PING."""
    client = clients.master(lab, timeout=5)
    client.ping()
    return client


def _group(client: redis.Redis, s: StreamNames) -> dict | None:
    return next((g for g in client.xinfo_groups(s.stream) if g["name"] == s.group), None)


def _drained(client: redis.Redis, s: StreamNames) -> dict | None:
    g = _group(client, s)
    if g is None:
        return None
    if g.get("lag") is None:  # none reported (after a failover): counted from the last-delivered id
        g = {**g, "lag": unread(client, s.stream, g["last-delivered-id"])}
    return g if g["pending"] == 0 and g["lag"] == 0 else None


class Verification:
    """The observer whose work is at the end: once every fault is healed, each acknowledged write is
    looked up (skipped when the run was interrupted: nothing is claimed then)."""

    files = (rf.VERIFY,)

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.run_dir: Path | None = None

    def start(self, run_dir: Path) -> None:
        self.run_dir = run_dir

    def ready(self, timeout_s: float = 0) -> bool:
        return True

    def stop(self, end: RunEnd) -> None:
        if self.run_dir is not None and not end.interrupted:
            verify(self.lab, self.run_dir, settled=end.settled)


def verify(lab: Lab, run_dir: Path, settled: bool | None = None, drain_s: float = 30.0) -> dict:
    """Every acknowledged write looked up in each store the service model names (lab.service): a
    store it does not name is not looked in, and says so (`stores`, `not_looked_up`)."""
    started = time.time()
    model = lab.service
    hist = _history(run_dir)
    ok = hist[hist["outcome"] == "ok"] if len(hist) else hist
    bids = [b for b in ok[ok["op"] == "bid"]["bid_id"].tolist() if b] if len(ok) else []
    keyed = bool(model.bid.identity)  # writes known by their identity (the reply names no id)
    acked_keys = verify_keys.keys(hist, ("ok",)) if keyed else []
    sets = ok[ok["op"] == "set"][["key", "value"]].values.tolist() if len(ok) else []
    stores = [name for name, given in (("redis", model.verify.redis_key), ("mysql", model.verify.mysql),
                                       ("http", model.verify.http_path)) if given]
    result: dict = {"checked": False, "settled": settled, "acked_bids": len(acked_keys) if keyed else len(bids),
                    "acked_sets": len(sets),
                    "stores": stores, "mysql_expected": model.verify.mysql is not None, "not_looked_up": {}}
    client, stream, s = None, None, service_settings(lab)
    try:
        client = Wait(timeout_s=20, interval_s=0.2).until("a master to verify against", lambda: _master_client(lab))
        result["verified_on"] = lab.master()
        if model.verify.redis_key:
            pipe = client.pipeline(transaction=False)
            for b in bids:
                pipe.exists(model.verify.redis_key.format(id=b))
            result["missing_in_redis"] = [b for b, e in zip(bids, pipe.execute()) if not e]
        pipe = client.pipeline(transaction=False)
        for k, _ in sets:
            pipe.get(k)
        result["missing_sets"] = [k for (k, v), got in zip(sets, pipe.execute()) if got != v]
        if model.verify.idempotency_key:
            result.update(_duplicates(client, hist, model))
        elif keyed:
            result["not_looked_up"]["duplicates_created"] = ("the service takes no idempotency key: a retried bid is "
                                                             "a new bid (duplicates are counted as rows per key)")
        else:
            why = ("the stand-in's idempotency keys on a cluster carry the auction's hash tag (idem:{fb3}:KEY), which "
                   "a bid attempt's record does not hold" if model.standin else
                   "the target file names no idempotency key to look a bid attempt up by (verify.idempotency_key)")
            result["not_looked_up"].update(duplicates_created=why, unknown_landed=why, unknown_lost=why)
        result.update(resolve_unknown(client, hist[hist["op"] != "bid"] if keyed and len(hist) else hist, model))
        result["checked"] = True
        if model.stream is not None:
            names = [replace(s, stream=k, dead_letter_stream=d) for k, d in stream_keys(lab)]
            result.update(_drain(client, names, drain_s))
            stream = _union([stream_state(client, n, model) for n in names])
        if keyed:
            entries = _entries(client, s.stream) if model.stream is not None and model.stream.key_fields else None
            by_key = _by_key(lab, hist, model, entries)
            if "unknown_landed" in by_key:  # the SETs' lookups beside the bids'
                for k in ("unknown_landed", "unknown_lost"):
                    by_key[k] = result.get(k, []) + by_key[k]
                by_key["unknown_checked"] += result.get("unknown_checked", 0)
            else:
                for k in ("unknown_landed", "unknown_lost", "unknown_checked"):
                    result.pop(k, None)
            result.update(by_key)
            stream = None  # followed by key above
    except Exception as exc:  # a verification that could not run is recorded
        result["redis_error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if client is not None:
            client.close()
    mysql_ids = None
    if model.verify.mysql is not None and model.verify.mysql.query and "mysql-1" in lab.node_names():
        try:
            mysql_ids = bid_counts(lab, "mysql-1", bids)
        except pymysql.MySQLError as exc:  # recorded: the loss figures then say why they are absent
            result["mysql_error"] = f"{type(exc).__name__}: {exc}"
    if not keyed:
        result.update(_verify_mysql(lab, bids, mysql_ids, complete="{ids}" not in (model.verify.mysql.query
                                                                                   if model.verify.mysql else "")))
    if model.verify.http_path:
        result.update(_verify_http(lab, model, bids))
    if stream is not None and mysql_ids is not None:
        result.update(follow_stream(bids, stream, mysql_ids, _pending_probes(run_dir)))
    result["checked_in_s"] = round(time.time() - started, 3)
    rf.VerifyResult.from_json(result).write(run_dir)  # the record keeps the keys as the lookups made them
    return result


def _entries(client: redis.Redis, stream: str, chunk: int = 10_000) -> list[tuple[str, dict]]:
    """Every entry the stream still holds, read in chunks."""
    out, start = [], "-"
    for _ in range(10_000):
        part = client.xrange(stream, min=start, max="+", count=chunk)
        out += part
        if len(part) < chunk:
            break
        start = "(" + part[-1][0]
    return out


def _by_key(lab: Lab, hist: pd.DataFrame, model: ServiceModel, entries: list | None) -> dict:
    """Acknowledged and unknown bids looked up by their identity (observe/verify_keys.py) in MySQL, and
    the acknowledged ones that are neither there nor still in the stream."""
    order = [f.name for f in model.bid.identity]
    acked, unknown = verify_keys.keys(hist, ("ok",)), verify_keys.keys(hist, rf.MAYBE_STORED)
    out: dict = {"keyed": True, "identity": order, "unknown_unresolvable": verify_keys.unresolvable(hist),
                 "unknown_checked": len(unknown)}
    check, rows = model.verify.mysql, None
    if check is not None and check.key_query and "mysql-1" in lab.node_names():
        try:
            conn = lab.mysql_connect("mysql-1", timeout_s=10)
            try:
                rows = verify_keys.mysql_rows(conn, check.key_query, acked + unknown)
            finally:
                conn.close()
        except pymysql.MySQLError as exc:  # recorded: the loss figures then say why they are absent
            out["mysql_error"] = f"{type(exc).__name__}: {exc}"
    out["mysql_checked"] = rows is not None
    if rows is not None:
        judged = verify_keys.judge(acked, unknown, rows, "mysql")
        out.update(judged, mysql_rows=sum(rows.values()), duplicate_rows=judged["duplicate_rows_mysql"],
                   unknown_landed=judged["unknown_landed_mysql"], unknown_lost=judged["unknown_lost_mysql"])
    if entries is not None and rows is not None:
        in_stream = verify_keys.stream_keys(entries, model.stream.key_fields, order)
        out["stream_checked"] = True
        out["acked_not_in_mysql_or_stream"] = verify_keys.judge(acked, [], rows + in_stream, "either")["missing_in_either"]
        out["acked_in_stream_only"] = len(out["missing_in_mysql"]) - len(out["acked_not_in_mysql_or_stream"])
    return out


def _drain(client: redis.Redis, names: list[StreamNames], drain_s: float) -> dict:
    """Wait (bounded) for the consumers to leave nothing pending or unread in every stream the service
    writes (one, or a cluster stand-in's bucket streams); what is left is the finding, summed."""
    t0 = time.monotonic()
    out = {}
    try:
        groups = Wait(timeout_s=drain_s, interval_s=0.2).until(
            "the consumers to drain the stream", lambda: _all_drained(client, names))
        out["drained_in_s"] = round(time.monotonic() - t0, 3)
    except Exception:  # not drained is a finding, recorded below
        groups = [_group(client, s) or {} for s in names]
        out["drained_in_s"] = None
    pending = [int(g.get("pending", 0)) if g else None for g in groups]
    lags = [(g.get("lag") if g.get("lag") is not None else unread(client, s.stream, g["last-delivered-id"])) if g else None
            for g, s in zip(groups, names)]
    out["pending_at_end"] = sum(pending) if None not in pending else None
    out["lag_at_end"] = sum(lags) if None not in lags else None
    out["backlog_at_end"] = (out["pending_at_end"] + out["lag_at_end"]
                             if out["pending_at_end"] is not None and out["lag_at_end"] is not None else None)
    out["xlen"] = sum(client.xlen(s.stream) for s in names)
    out["dead_letters"] = (sum(client.xlen(s.dead_letter_stream) for s in names)
                           if all(s.dead_letter_stream for s in names) else None)
    return out


def _all_drained(client: redis.Redis, names: list[StreamNames]) -> list[dict] | None:
    groups = [_drained(client, s) for s in names]
    return groups if all(g is not None for g in groups) else None


def _verify_http(lab: Lab, model: ServiceModel, bids: list[str], timeout_s: float = 5.0) -> dict:
    """GET each acknowledged bid from the service (200: there, 404: not); any other answer is no answer."""
    base = model.bid.url or lab.url("api")
    missing, unanswered = [], 0
    with requests.Session() as http:
        for b in bids:
            try:
                status = http.get(base.rstrip("/") + model.verify.http_path.format(id=b), timeout=timeout_s).status_code
            except requests.RequestException:
                status = 0
            if status == 404:
                missing.append(b)
            elif status != 200:
                unanswered += 1
    if unanswered:
        return {"http_checked": False, "http_error": f"{unanswered} of {len(bids)} lookups got no 200 or 404"}
    return {"http_checked": True, "missing_in_http": missing}


def resolve_unknown(client: redis.Redis, hist: pd.DataFrame, model: ServiceModel) -> dict:
    """Writes whose outcome the client could not know (timeout, 5xx, reset), looked up after healing by
    their client-side identity, as Jepsen resolves indeterminate operations: a bid by its
    idempotency key (it names the bid it stored, and that bid must exist where the model looks), a SET
    by its key holding the value sent. Each is `landed` or `lost` (never stored, or stored and gone since).
    Without an idempotency key in the model, unknown bids stay unresolved (and are not counted)."""
    unknown = hist[hist["outcome"].isin(rf.MAYBE_STORED)] if len(hist) else hist
    landed, lost = [], []
    idem, bid_key = model.verify.idempotency_key, model.verify.redis_key
    bids = unknown[unknown["op"] == "bid"] if len(unknown) and idem else unknown.iloc[0:0]
    if len(bids):
        pipe = client.pipeline(transaction=False)
        for key in bids["key"]:
            pipe.get(idem.format(key=key))
        named = [(key, bid_id) for key, bid_id in zip(bids["key"], pipe.execute())]
        lost += [key for key, bid_id in named if not bid_id]
        named = [(key, bid_id) for key, bid_id in named if bid_id]
        if bid_key:  # the bid it names must still be there
            pipe = client.pipeline(transaction=False)
            for _, bid_id in named:
                pipe.exists(bid_key.format(id=bid_id))
            for (key, _), exists in zip(named, pipe.execute()):
                (landed if exists else lost).append(key)
        else:
            landed += [key for key, _ in named]
    sets = unknown[unknown["op"] == "set"] if len(unknown) else unknown
    if len(sets):
        pipe = client.pipeline(transaction=False)
        for key in sets["key"]:
            pipe.get(key)
        for key, sent, got in zip(sets["key"], sets["value"], pipe.execute()):
            (landed if sent and got == sent else lost).append(key)
    if not idem and len(unknown) and (unknown["op"] == "bid").any():
        return {"unknown_unresolved": int((unknown["op"] == "bid").sum())}
    return {"unknown_checked": len(landed) + len(lost), "unknown_landed": landed, "unknown_lost": lost}


def _duplicates(client, hist: pd.DataFrame, model: ServiceModel) -> dict:
    """Bids stored more than once for one user action: every attempt's idempotency key is looked up
    (it names the bid it stored, whatever the client was told), grouped by intent."""
    attempts = hist[hist["op"] == "bid"] if len(hist) else hist
    if not len(attempts) or "intent" not in attempts.columns:
        return {"duplicates_created": 0, "duplicates_by_variant": {}}
    pipe = client.pipeline(transaction=False)
    for key in attempts["key"]:
        pipe.get(model.verify.idempotency_key.format(key=key))
    stored = attempts.assign(stored=pipe.execute())
    stored = stored[stored["stored"].notna()]
    per_intent = stored.groupby(["variant", "intent"])["stored"].nunique()
    # and, where the reply names the write's identity, the different writes one action was acknowledged
    # as: a retry with the same key that the service placed again (its guard lost or absent) shows here
    # though that one key holds one answer
    acked = attempts[(attempts["outcome"] == "ok") & attempts["write_key"].fillna("").astype(str).ne("")]
    per_identity = acked.groupby(["variant", "intent"])["write_key"].nunique()
    extra = (pd.concat([per_intent, per_identity], axis=1).max(axis=1) - 1).clip(lower=0)
    by_variant = {str(k): int(v) for k, v in extra.groupby(level=0).sum().items()}
    return {"duplicates_created": int(extra.sum()), "duplicates_by_variant": by_variant}


def bid_counts(lab: Lab, node: str, ids: list[str] | None = None, monitor: bool = False) -> dict[str, int]:
    """{bid_id: rows} on one MySQL node, by the service model's query: the whole table where it names
    no `{ids}`, else the ids asked for, in chunks."""
    query = lab.service.verify.mysql.query
    conn = lab.mysql_connect(node, timeout_s=10, monitor=monitor)
    counts: dict[str, int] = {}
    try:
        with conn.cursor() as cur:
            if "{ids}" not in query:
                cur.execute(query)
                rows = cur.fetchall()
            else:
                rows = []
                for i in range(0, len(ids or []), 1000):
                    chunk = ids[i:i + 1000]
                    cur.execute(query.replace("{ids}", ", ".join(["%s"] * len(chunk))), chunk)
                    rows += cur.fetchall()
        for row in rows:
            counts[str(row[0])] = counts.get(str(row[0]), 0) + 1
        return counts
    finally:
        conn.close()


def _verify_mysql(lab: Lab, bids: list[str], counts: dict[str, int] | None, complete: bool) -> dict:
    """`complete`: the query read the whole table, so rows no one acknowledged can be counted too."""
    if counts is None:
        return {"mysql_checked": False}
    out = {"mysql_checked": True, "mysql_rows": sum(counts.values()),
           "missing_in_mysql": [b for b in bids if b not in counts],
           "duplicate_rows": sum(n - 1 for n in counts.values() if n > 1)}
    if complete:
        out["rows_not_acked"] = len(set(counts) - set(bids))
    if "mysql-2" in lab.node_names():
        out.update(_verify_replica(lab, set(counts), bids))
    return out


def stream_state(client: redis.Redis, s: StreamNames, model: ServiceModel, chunk: int = 10_000) -> dict:
    """Every bid the stream still holds (read in chunks), the ids the group has pending, and the entries
    moved to the dead-letter stream (by their source id)."""
    bids = {fields.get(model.stream.id_field) for _, fields in _entries(client, s.stream, chunk)}
    try:
        pending = {r["message_id"] for r in client.xpending_range(s.stream, s.group, "-", "+", 100_000)}
    except redis.ResponseError:  # NOGROUP: the group itself is gone
        pending = set()
    source = model.stream.dead_letter_source_field
    dead = ({fields.get(source) for _, fields in client.xrange(s.dead_letter_stream, count=100_000)}
            if source and s.dead_letter_stream else set())
    return {"bids": bids, "pending": pending, "dead_lettered": dead}


def _union(states: list[dict]) -> dict:
    """Stream states of several streams as one: every bid, pending id and dead-lettered source."""
    return {k: set().union(*(st[k] for st in states)) for k in ("bids", "pending", "dead_lettered")}


def _pending_probes(run_dir: Path) -> dict[str, str]:
    """{stream id: bid id} of the entries `pending` probes (entries: true) saw during the run."""
    out = {}
    for rec in rf.read_journal(run_dir):
        if isinstance(rec, rf.Applied) and rec.action == "pending":
            out.update((rec.output if isinstance(rec.output, dict) else {}).get("entries") or {})
    return out


def follow_stream(bids: list[str], stream: dict, mysql_ids: dict, pending_before: dict[str, str]) -> dict:
    """The stream checked against the acknowledged bids, across a failover: each one in MySQL or still in
    the stream; each entry pending before it still pending or processed after it, none silently gone."""
    nowhere = [b for b in bids if b not in mysql_ids and b not in stream["bids"]]
    gone = [sid for sid, bid in pending_before.items()
            if sid not in stream["pending"] and sid not in stream["dead_lettered"] and bid not in mysql_ids]
    return {"stream_checked": True, "acked_not_in_mysql_or_stream": nowhere, "pending_before": len(pending_before),
            "pending_before_still_pending": sum(1 for sid in pending_before if sid in stream["pending"]),
            "pending_before_gone": gone}


def _verify_replica(lab: Lab, primary: set[str], bids: list[str], catch_up_s: float = 30) -> dict:
    """Rows on the replica equal rows on the primary, once it has caught up (waiting at most catch_up_s)."""
    t0 = time.monotonic()

    def caught_up() -> tuple[set[str]] | None:
        ids = set(bid_counts(lab, "mysql-2", bids, monitor=True))
        return (ids,) if ids >= primary else None

    try:
        replica = Wait(timeout_s=catch_up_s, interval_s=0.25).until("the MySQL replica to catch up", caught_up)[0]
    except Exception:  # not caught up is the finding
        try:
            replica = set(bid_counts(lab, "mysql-2", bids, monitor=True))
        except pymysql.MySQLError as exc:  # the replica cannot be read at all: no replica figure
            return {"replica_checked": False, "replica_error": f"{type(exc).__name__}: {exc}"}
    return {"replica_checked": True, "replica_rows": len(replica), "replica_missing_rows": len(primary - replica),
            "replica_extra_rows": len(replica - primary), "replica_caught_up_s": round(time.monotonic() - t0, 3)}
