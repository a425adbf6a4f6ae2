"""A second service contract for the target tests, unlike the stand-in and unlike FairBid: lots instead
of auctions, a login that returns a token, an offer put on a lot by its number, a refusal that is a 200
with its code in the body only, a reply in its own shape that names no stored row, and a stream of
its own layout whose consumer (a thread of this process) writes rows to MySQL.

    POST /v2/session {"name": N}           -> 200 {"session": {"token": T}}
    POST /v2/lots {"floor": P}             -> 201 {"lot": {"number": L}}
    PUT  /v2/lots/L/offers {"price": P|"auto"} (Authorization: Bearer T)
         -> 200 {"result": "ACCEPTED", "offer": {"lot", "by", "price"}} | 200 {"result": "REJECTED", "reason"}
         -> 401 unknown token, 404 no such lot, 400 malformed, 503 the store failed (stored: unknown)
    GET  /ready                            -> 200 when Redis (through Sentinel) and MySQL answer

Settings from the environment: LOTS_PORT, SENTINELS (host:port,...), MASTER_NAME, MYSQL_HOST, MYSQL_PORT,
MYSQL_USER, MYSQL_PASSWORD, MYSQL_DB, LOTS_CONSUMER (off: nothing reads the group). Only for tests: it holds sessions in memory.
"""
from __future__ import annotations

import json
import os
import secrets
import threading
import time

import pymysql
from flask import Flask, request
from redis.exceptions import RedisError
from redis.sentinel import Sentinel
from werkzeug.serving import make_server

STREAM, GROUP = "offers-log", "offer-writers"
OFFER = """
local price = redis.call('HGET', KEYS[1], 'price')
if not price then return -1 end
local want = ARGV[1]
if want == 'auto' then want = tostring(tonumber(price) + 1) end
if tonumber(want) <= tonumber(price) then return 0 end
redis.call('HSET', KEYS[1], 'price', want)
return tonumber(want)
"""

app = Flask(__name__)
sessions: dict[str, str] = {}
sentinel = Sentinel([(h, int(p)) for h, p in (a.rsplit(":", 1) for a in os.environ["SENTINELS"].split(","))],
                    socket_timeout=1)
master = sentinel.master_for(os.environ.get("MASTER_NAME", "mymaster"), socket_timeout=1, decode_responses=True)


def _mysql() -> pymysql.connections.Connection:
    return pymysql.connect(host=os.environ["MYSQL_HOST"], port=int(os.environ.get("MYSQL_PORT", "3306")),
                           user=os.environ["MYSQL_USER"], password=os.environ["MYSQL_PASSWORD"],
                           database=os.environ["MYSQL_DB"], connect_timeout=2, autocommit=True)


@app.post("/v2/session")
def login():
    name = (request.get_json(silent=True) or {}).get("name")
    if not isinstance(name, int):
        return {"problem": "name must be a number"}, 400
    token = secrets.token_hex(8)
    sessions[token] = str(name)
    return {"session": {"token": token}}


@app.post("/v2/lots")
def new_lot():
    floor = (request.get_json(silent=True) or {}).get("floor")
    if not isinstance(floor, int):
        return {"problem": "floor must be a number"}, 400
    try:
        number = master.incr("lots:seq")
        master.hset(f"lot:{number}", mapping={"price": floor})
    except RedisError:
        return {"problem": "store unavailable"}, 503
    return {"lot": {"number": number}}, 201


@app.put("/v2/lots/<lot>/offers")
def offer(lot: str):
    who = sessions.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
    if who is None:
        return {"problem": "no session"}, 401
    price = (request.get_json(silent=True) or {}).get("price")
    if not lot.isdigit() or not (price == "auto" or isinstance(price, int)):
        return {"problem": "malformed offer"}, 400
    try:
        got = master.eval(OFFER, 1, f"lot:{lot}", str(price))
        if got == -1:
            return {"problem": "no such lot"}, 404
        if got == 0:
            return {"result": "REJECTED", "reason": "OUTBID"}
        master.xadd(STREAM, {"lot": lot, "who": who, "amt": str(got)})
    except RedisError:
        return {"problem": "store unavailable"}, 503
    return {"result": "ACCEPTED", "offer": {"lot": int(lot), "by": int(who), "price": got}}


@app.get("/ready")
def ready():
    try:
        master.ping()
        _mysql().close()
    except (RedisError, pymysql.MySQLError) as exc:
        return {"problem": str(exc)}, 503
    return {"ready": True}


def make_group() -> None:
    try:
        master.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except RedisError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def consume(stop: threading.Event) -> None:
    """Stream entries into MySQL rows, acked after the insert; errors wait a moment and go on."""
    conn = None
    while not stop.is_set():
        try:
            make_group()
            conn = conn or _mysql()
            for _, entries in master.xreadgroup(GROUP, "w-1", {STREAM: ">"}, count=100, block=500) or []:
                with conn.cursor() as cur:
                    for sid, f in entries:
                        cur.execute("INSERT IGNORE INTO offers (entry, lot_no, who, amt) VALUES (%s, %s, %s, %s)",
                                    (sid, f["lot"], f["who"], f["amt"]))
                master.xack(STREAM, GROUP, *[sid for sid, _ in entries])
        except (RedisError, pymysql.MySQLError, OSError) as exc:
            print(f"consumer error: {exc}", flush=True)
            conn = None
            time.sleep(0.2)


if __name__ == "__main__":
    stop = threading.Event()
    make_group()
    if os.environ.get("LOTS_CONSUMER", "on") != "off":  # off: a group that exists and that nothing reads
        threading.Thread(target=consume, args=(stop,), daemon=True).start()
    server = make_server("127.0.0.1", int(os.environ["LOTS_PORT"]), app, threaded=True)
    print(json.dumps({"listening": server.server_port}), flush=True)
    server.serve_forever()
