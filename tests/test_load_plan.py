"""The load plan crosses from master to worker in Locust's own message encoding, and arrives whole."""
from __future__ import annotations

from locust.rpc.protocol import Message

from harness import scenario as scenarios
from harness.load_plan import LoadPlan
from lab import service
from lab.target_spec import BidCall, BodyChoice, KeyField, Login, Refusal, UserPool, VerifySpec


def test_a_plan_survives_locusts_message_encoding():
    sc = scenarios.load("redis-5")  # two client variants on two APIs
    model = service.standin("bids", "bid-persister", "bids-dead")
    plan = LoadPlan(run_id="20261201-000000-redis-5", scenario=sc.id, load=sc.load,
                    urls={"api": "http://127.0.0.1:1", "api-2": "http://127.0.0.2:1"}, service=model,
                    client_env={"FAIRBID_SENTINELS": "127.0.0.1:26379", "FAIRBID_REDIS_TIMEOUT_S": "1"})
    wire = Message("fairbid_ha:plan", {"plan": plan.to_json(), "worker": "w0"}, "master").serialize()
    back = LoadPlan.from_json(Message.unserialize(wire).data["plan"])
    assert back.load == sc.load and len(back.load.variants) == 2
    assert back.urls == plan.urls and back.client_env == plan.client_env and back.run_id == plan.run_id
    assert back.service.bid == model.bid and back.service.standin
    values = {"auction": "auction-1", "user": "user-2", "amount": 7, "key": "k"}
    body = back.service.bid_request(values).body
    assert body == model.bid_request(values).body and body["amount"] == 7
    assert back.service.classify(409, None, "")[0] == "fail" and back.service.classify(503, None, "")[0] == "unknown"


def test_a_target_plan_carries_its_contract_pools_and_bidders_to_a_worker():
    """What a worker needs of a FairBid-like target: templates, body mix, refusals, identity, user pool, pools."""
    sc = scenarios.load("redis-4")
    bid = BidCall(url="http://127.0.0.1:18090", path="/api/v1/auctions/{auction}/bids", headers={"X-User-Id": "{user}"},
                  bodies=(BodyChoice(3, {"bidType": "ONE_TOUCH"}), BodyChoice(1, {"amount": "{amount}"})),
                  amount=(1000, 90000), refusals=(Refusal((400,), "error.code", ("BID_TOO_LOW",)),),
                  identity=(KeyField("auction_id", "data.auctionId", "{auction}"),))
    users = UserPool(1, 1000, (9999,), Login(path="/login", body={"userId": "{user}"}, capture={"token": "accessToken"}))
    model = service.ServiceModel(bid=bid, verify=VerifySpec(), stream=None, users=users)
    plan = LoadPlan(run_id="r", scenario=sc.id, load=sc.load, urls={"api": "http://127.0.0.1:18090"}, service=model,
                    client_env={}).with_pools({"auction": [3, 4, 5]})
    wire = Message("fairbid_ha:plan", {"plan": plan.to_json(), "worker": "w0"}, "master").serialize()
    back = LoadPlan.from_json(Message.unserialize(wire).data["plan"])
    assert back.service.bid == bid and back.service.users == users and back.pools == {"auction": [3, 4, 5]}
