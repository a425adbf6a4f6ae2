"""The HTTP API of the running lab: bad input is a 4xx with a JSON error, never a 5xx."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest


def _call(lab, method, path, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(lab.config.api_url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


GOOD = {"auctionId": "a-1", "userId": "u-1", "amount": 100}


@pytest.mark.parametrize("body,field", [
    ({**GOOD, "amount": -5}, "amount"), ({**GOOD, "amount": 0}, "amount"), ({**GOOD, "amount": "100"}, "amount"),
    ({**GOOD, "amount": 1.5}, "amount"), ({**GOOD, "amount": True}, "amount"), ({**GOOD, "amount": 10**13}, "amount"),
    ({"userId": "u", "amount": 1}, "auctionId"), ({**GOOD, "auctionId": ""}, "auctionId"),
    ({**GOOD, "userId": "a b"}, "userId"), ({**GOOD, "userId": "x" * 65}, "userId"),
    ({**GOOD, "auctionId": ["a"]}, "auctionId"), ([1, 2], "body"), ("text", "body"),
])
def test_bad_bids_get_400_naming_the_field(lab, body, field):
    status, reply = _call(lab, "POST", "/api/bids", body)
    assert status == 400 and reply["error"] == "invalid bid" and field in reply["detail"]


def test_body_that_is_not_json_gets_400(lab):
    status, reply = _call(lab, "POST", "/api/bids", raw=b"{not json")
    assert status == 400 and "JSON object" in reply["detail"]


def test_bad_idempotency_key_gets_400(lab):
    status, _ = _call(lab, "POST", "/api/bids", GOOD, headers={"Idempotency-Key": "k" * 129})
    assert status == 400


def test_a_bid_is_created_then_replayed_with_the_same_key(lab):
    key = uuid.uuid4().hex
    auction = f"a-{key[:8]}"
    s1, r1 = _call(lab, "POST", "/api/bids", {**GOOD, "auctionId": auction}, headers={"Idempotency-Key": key})
    s2, r2 = _call(lab, "POST", "/api/bids", {**GOOD, "auctionId": auction}, headers={"Idempotency-Key": key})
    assert (s1, s2) == (201, 200) and r1["bidId"] == r2["bidId"] and r2["replayed"] is True
    status, top = _call(lab, "GET", f"/api/auctions/{auction}")
    assert status == 200 and top == {"auctionId": auction, "highestAmount": 100, "bidId": r1["bidId"], "userId": "u-1"}


def test_unknown_auction_route_and_method_are_4xx(lab):
    assert _call(lab, "GET", "/api/auctions/nobody-bid-here")[0] == 404
    assert _call(lab, "GET", "/api/nothing")[0] == 404
    assert _call(lab, "GET", "/api/bids")[0] == 405


def test_health_reports_ok(lab):
    assert _call(lab, "GET", "/health") == (200, {"status": "ok"})
