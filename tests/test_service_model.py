"""The service model (lab/service.py): how a bid is placed and where it is looked up, for the stand-in
and for a target file; what a target does not give is absent, never 0."""
from __future__ import annotations

import random
from dataclasses import fields, replace

import pandas as pd

import runfiles as rf
from analysis.evidence import loss_gap
from analysis.load import Run
from analysis.metrics import log_metrics
from lab import service
from lab.target_spec import BidCall, BodyChoice, KeyField, LogPatterns, Refusal, StreamSpec, Target, VerifySpec


def _target(**kw) -> Target:
    bid = BidCall(url="http://127.0.0.1:18080", body={"auction": {"id": "{auction}"}, "amount": "{amount}",
                                                        "note": "by {user} with {key}"},
                  id_field="bid.id", idempotency_header="Idempotency-Key", not_stored=(400, 409))
    return Target(name="t", path=__file__, nodes=(), bid=bid, **kw)


VALUES = {"auction": "a-1", "user": "u-2", "amount": 7, "key": "k"}


def test_a_target_bid_is_filled_from_its_template_and_its_id_read_from_a_dotted_path():
    model = service.from_target(_target())
    assert model.bid_request(VALUES).body == {"auction": {"id": "a-1"}, "amount": 7, "note": "by u-2 with k"}
    assert model.bid_id({"bid": {"id": "b-9"}, "replayed": False}) == "b-9"
    assert model.bid_id({"bidId": "b-9"}) == "" and model.bid_id({"bid": {"id": {"nested": 1}}}) == ""
    assert model.classify(409, None, "") == ("fail", "") and model.classify(422, None, "") == ("unknown", "")
    assert model.classify(503, None, '"stored":false') == ("unknown", "") and model.classify(201, {}, "")[0] == "ok"


def test_the_standin_takes_every_4xx_and_a_guard_refusal_as_nothing_stored():
    model = service.standin("bid-stream", "bid-group", "bid-stream-dead")
    assert model.bid_request({**VALUES, "auction": "a", "user": "u", "amount": 3}).body == {
        "auctionId": "a", "userId": "u", "amount": 3}
    assert model.classify(422, None, "")[0] == "fail" and model.classify(503, None, '{"stored": false}')[0] == "fail"
    assert model.classify(503, None, "")[0] == "unknown"
    assert model.verify.redis_key == "bid:{id}" and model.stream.id_field == "bidId"


def test_what_the_lab_writes_of_its_service_the_analysis_reads_back_from_run_json():
    """The patterns live in runfiles.py, so the analysis needs nothing of lab/ to read them."""
    standin = service.standin("bid-stream", "bid-group", "bid-stream-dead").to_json()
    assert rf.service_logs(standin) == ({**rf.STANDIN_LOG_PATTERNS, "reader_stopped": None}, True) == rf.service_logs(None)
    target = service.from_target(_target(logs=LogPatterns(redelivered=r"again (\d+)"))).to_json()
    assert rf.service_logs(target) == ({"persist_error": None, "redelivered": r"again (\d+)", "reader_stopped": None},
                                       False)
    assert rf.LOG_PATTERN_KEYS == tuple(f.name for f in fields(LogPatterns))


FAIRBID_LIKE = BidCall(
    url="http://127.0.0.1:18090", path="/api/v1/auctions/{auction}/bids", headers={"X-User-Id": "{user}"},
    query={"src": "load {user}"},
    bodies=(BodyChoice(3, {"bidType": "ONE_TOUCH"}), BodyChoice(1, {"bidType": "DIRECT", "amount": "{amount}"})),
    refusals=(Refusal(statuses=(400, 403), code="error.code", codes=("BID_TOO_LOW", "SELF_BID_NOT_ALLOWED")),),
    identity=(KeyField("auction_id", "data.auctionId", "{auction}"), KeyField("bidder_id", "data.bidderId", "{user}"),
              KeyField("amount", "data.amount", "{amount}")))


def test_path_headers_and_query_are_templates_and_values_keep_their_type():
    model = service.ServiceModel(bid=FAIRBID_LIKE, verify=VerifySpec(), stream=None)
    values = {"auction": 17, "user": 42, "amount": 12000, "key": "k"}
    direct = next(model.bid_request(values, random.Random(s)) for s in range(50)
                  if model.bid_request(values, random.Random(s)).body.get("bidType") == "DIRECT")
    assert direct.path == "/api/v1/auctions/17/bids" and direct.headers == {"X-User-Id": "42"}
    assert direct.query == {"src": "load 42"} and direct.body == {"bidType": "DIRECT", "amount": 12000}
    assert direct.used == {"auction", "user", "amount"}
    odd = service.ServiceModel(bid=BidCall(url="http://x", path="/a/{auction}/{{literal}}"), verify=VerifySpec(),
                               stream=None)
    assert odd.bid_request({**VALUES, "auction": "a b/c"}).path == "/a/a%20b%2Fc/{literal}"  # encoded in a path


def test_a_business_refusal_is_told_apart_from_a_failure_by_its_status_and_code():
    model = service.ServiceModel(bid=FAIRBID_LIKE, verify=VerifySpec(), stream=None)
    low = {"success": False, "error": {"code": "BID_TOO_LOW", "message": "x"}}
    assert model.classify(400, low, "") == ("refused", "BID_TOO_LOW")
    assert model.classify(403, {"error": {"code": "SELF_BID_NOT_ALLOWED"}}, "") == ("refused", "SELF_BID_NOT_ALLOWED")
    # the same code on another status, or another code on a refusal status, is no refusal
    assert model.classify(500, low, "")[0] == "unknown"
    assert model.classify(400, {"error": {"code": "VALIDATION_ERROR"}}, "")[0] == "fail"
    assert model.classify(400, None, "not json")[0] == "fail"
    failure = {"success": False, "error": {"code": "INTERNAL_SERVER_ERROR"}, "serverTime": "2026-12-07T02:01:13.35"}
    assert model.error_code(failure) == "INTERNAL_SERVER_ERROR" and model.error_code(None) == ""  # a failure's name
    assert model.failure_name(500, failure, "{...}") == "HTTP 500: INTERNAL_SERVER_ERROR"
    assert model.failure_name(502, None, "Bad Gateway") == "HTTP 502: Bad Gateway"  # no code: the reply's text
    said = service.ServiceModel(bid=replace(FAIRBID_LIKE, error_message="error.message"), verify=VerifySpec(), stream=None)
    cause = {"error": {"code": "INTERNAL_SERVER_ERROR", "message": "internal server error: RedisException: Commands are "
                                                                   "rejected"}}
    assert said.failure_name(500, cause, "") == ("HTTP 500: INTERNAL_SERVER_ERROR: internal server error: RedisException: "
                                                 "Commands are rejected")  # its kind: rejected while disconnected
    assert said.failure_name(500, failure, "") == "HTTP 500: INTERNAL_SERVER_ERROR"  # no message in the reply
    body_only = service.ServiceModel(bid=BidCall(url="http://x", refusals=(Refusal(code="result", codes=("NO",)),)),
                                     verify=VerifySpec(), stream=None)
    assert body_only.classify(200, {"result": "NO"}, "") == ("refused", "NO")
    assert body_only.classify(200, {"result": "YES"}, "") == ("ok", "")


def test_a_write_without_an_id_is_known_by_its_identity_and_unresolvable_where_the_server_chose_a_field():
    model = service.ServiceModel(bid=FAIRBID_LIKE, verify=VerifySpec(), stream=None)
    reply = {"success": True, "data": {"id": None, "auctionId": 17, "bidderId": 42, "amount": 13000.0}}
    assert model.bid_id(reply) == "" and model.write_key(reply) == '["17", "42", "13000"]'
    assert model.write_key({"data": {"auctionId": 17}}) == ""  # a reply without the whole identity
    values = {"auction": 17, "user": 42, "amount": 12000, "key": "k"}
    assert model.sent_key(values, frozenset({"auction", "user", "amount"})) == '["17", "42", "12000"]'
    assert model.sent_key(values, frozenset({"auction", "user"})) == ""  # ONE_TOUCH: the server chose the amount


def _run(tmp_path, meta: dict, verify: dict, logs: dict[str, str] | None = None) -> Run:
    (tmp_path / "logs").mkdir(exist_ok=True)
    for name, text in (logs or {}).items():
        (tmp_path / "logs" / name).write_text(text)
    history = pd.DataFrame([{"op": "bid", "outcome": "ok", "bid_id": "b1", "key": "k1"}])
    return Run(dir=tmp_path, meta=rf.RunMeta.from_json(meta), requests=pd.DataFrame(), faults=[],
               events=pd.DataFrame(), history=history, verify=rf.VerifyResult.from_json(verify), monitor=pd.DataFrame())


def test_log_figures_come_from_the_targets_patterns_and_are_absent_without_one(tmp_path):
    model = service.from_target(_target(logs=LogPatterns(persist_error=r"persist error: (\d+) entries")))
    run = _run(tmp_path, {"service": model.to_json()}, {},
               {"consumer-1.log": "persist error: 3 entries (ETIMEDOUT)\npersist error: 2 entries\nredelivered: 4\n"})
    figures, absent = log_metrics(run)
    assert figures["persist_errors"] == 5 and figures["readers_stopped"] is None
    assert figures["redelivered_duplicates"] is None and "no log pattern" in absent["redelivered_duplicates"]
    standin = _run(tmp_path, {}, {}, {"consumer-1.log": "persist failed for 7 messages, left pending: x\n"
                                                        "2 of 9 bids were stored already (redelivery)\n"})
    assert log_metrics(standin)[0] == {"persist_errors": 7, "redelivered_duplicates": 2, "readers_stopped": None,
                                       "group_recreated": 0,
                                            "group_reread_entries": 0}


def test_losses_are_not_counted_where_no_store_was_named_or_one_could_not_be_read(tmp_path):
    base = {"checked": True, "settled": True, "acked_bids": 1, "acked_sets": 0, "mysql_expected": False}
    assert "names no store" in loss_gap(_run(tmp_path, {}, {**base, "stores": []}))
    http_down = {**base, "stores": ["http"], "http_checked": False, "http_error": "1 of 1 lookups got no 200 or 404"}
    assert "GET of each bid could not be read" in loss_gap(_run(tmp_path, {}, http_down))
    assert loss_gap(_run(tmp_path, {}, {**base, "stores": ["redis"], "missing_in_redis": []})) is None


def test_a_service_model_without_a_stream_or_idempotency_key_says_what_it_cannot_measure():
    model = service.from_target(_target(verify=VerifySpec(redis_key="fb:bid:{id}"), stream=None))
    meta = model.to_json()
    assert meta["identity"] == [] and meta["refusals"] == []
    assert meta["verify"] == {"redis_key": "fb:bid:{id}", "idempotency_key": None, "mysql": False, "http": None}
    assert model.stream is None
    with_stream = service.from_target(_target(stream=StreamSpec(key="bids", group="g", id_field="bid_id")))
    assert with_stream.stream.id_field == "bid_id"


def test_no_consumer_log_in_the_run_is_no_log_figure_not_zero(tmp_path):
    figures, absent = log_metrics(_run(tmp_path, {}, {}))
    assert figures == dict.fromkeys(("persist_errors", "redelivered_duplicates", "readers_stopped", "group_recreated",
                                     "group_reread_entries"))
    assert absent["persist_errors"] == ("no consumer log in the run (logs/consumer-*.log, or a target's app logs "
                                        "where its apps consume)")


def test_a_target_whose_apps_consume_inside_is_read_from_its_app_logs(tmp_path):
    model = service.from_target(_target(logs=LogPatterns(reader_stopped="Unexpected error occurred in scheduled task")))
    run = _run(tmp_path, {"service": model.to_json()}, {},
               {"api.log": "x Unexpected error occurred in scheduled task\n",
                "api-3.log": "ok\n" + "y Unexpected error occurred in scheduled task\n" * 2,
                "redis-1.log": "Unexpected error occurred in scheduled task\n"})
    assert log_metrics(run)[0]["readers_stopped"] == 3  # the apps' own lines; no other node's
