"""The bid HTTP API: Flask served by gevent's WSGI server.

Why this stack: gevent is the concurrency model of Locust and of redis-py/PyMySQL once patched,
so one process serves hundreds of concurrent bids without threads, and Flask adds nothing to
learn. Bad input is a 4xx with a JSON error; a store that cannot be reached is a 503 (a timeout,
whose outcome is unknown, a 504) so a client knows to retry with the same Idempotency-Key. A cluster
that refuses (CLUSTERDOWN, redirections past the client's limit) is a 503 too; so is a cluster client
that has lost every node (RedisClusterException, not a RedisError), with the outcome unknown.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
from flask import Flask, jsonify, request  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402
from redis.exceptions import ConnectionError, RedisClusterException, RedisError, TimeoutError  # noqa: E402

from fairbid import redis_client  # noqa: E402
from fairbid.bids import BidStore, InvalidBid, NotReplicated, parse_bid, parse_idempotency_key  # noqa: E402
from fairbid.settings import Settings  # noqa: E402

log = logging.getLogger("fairbid.api")
STORE_ERRORS = (RedisError, RedisClusterException)  # the cluster client's own errors are no RedisError


def said(exc: BaseException) -> str:
    """The error as a reply says it: its type and message, without the command redis-py's pipeline
    prefixes it with ("Command # 1 (EVALSHA ... idem:{fb1}:KEY ...) of pipeline caused error: "), whose
    keys would make every failure unique (Locust names failures by their text)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text.rpartition('caused error: ')[2] if 'caused error: ' in text else text}"


def create_app(store: BidStore) -> Flask:
    app = Flask("fairbid")

    @app.post("/api/bids")
    def place_bid():
        try:
            key = parse_idempotency_key(request.headers.get("Idempotency-Key"))
            bid = parse_bid(request.get_json(force=True, silent=True))
        except InvalidBid as exc:
            return jsonify(error="invalid bid", detail=str(exc)), 400
        try:
            stored = store.place(bid, key)
        except NotReplicated as exc:
            log.error("bid not acknowledged: %s", exc)
            return jsonify(error="not confirmed by a replica", stored="unknown", bidId=exc.bid_id,
                           detail=str(exc)), 503
        except TimeoutError as exc:
            log.error("bid outcome unknown (timeout): %s", exc)
            return jsonify(error="store timeout", stored="unknown", detail=str(exc)), 504
        except (ConnectionError, RedisClusterException) as exc:
            # the script may have run before the connection broke: only a retry with the same key tells
            log.error("bid outcome unknown: %s", said(exc))
            return jsonify(error="store unavailable", stored="unknown", detail=said(exc)), 503
        except RedisError as exc:  # refused (NOREPLICAS, READONLY, CLUSTERDOWN, MOVED ...): nothing was written
            log.error("bid refused by the store: %s", said(exc))
            return jsonify(error="store refused the write", stored=False, retryable=True,
                           detail=said(exc)), 503
        status = 201 if stored.created else 200
        return jsonify(bidId=stored.bid_id, replayed=not stored.created), status

    @app.get("/api/auctions/<auction_id>")
    def auction(auction_id: str):
        try:
            top = store.highest(auction_id)
        except STORE_ERRORS as exc:
            return jsonify(error="store unavailable", detail=said(exc)), 503
        if not top:
            return jsonify(error="no bids for this auction"), 404
        return jsonify(auctionId=auction_id, highestAmount=int(top["amount"]), bidId=top["bidId"],
                       userId=top["userId"])

    @app.get("/health")
    def health():
        try:
            store.ping()
        except STORE_ERRORS as exc:
            return jsonify(status="degraded", redis=f"{type(exc).__name__}: {exc}"), 503
        return jsonify(status="ok")

    @app.errorhandler(404)
    def not_found(_exc):
        return jsonify(error="not found"), 404

    @app.errorhandler(405)
    def not_allowed(_exc):
        return jsonify(error="method not allowed"), 405

    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    store = BidStore(redis_client.connect(settings), settings.stream, settings.durability, settings.wait_replicas,
                     settings.wait_timeout_ms)
    app = create_app(store)
    server = WSGIServer((settings.bind_host, settings.bind_port), app, log=None, error_log=log)
    gevent.signal_handler(signal.SIGTERM, server.stop, 2)
    log.info("listening on %s:%s", settings.bind_host, settings.bind_port)
    server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
