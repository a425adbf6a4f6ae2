"""The load plan crosses from master to worker in Locust's own message encoding, and arrives whole."""
from __future__ import annotations

from locust.rpc.protocol import Message

from harness import scenario as scenarios
from harness.load_plan import LoadPlan
from lab import service


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
    body = back.service.bid_body("auction-1", "user-2", 7, "k")
    assert body == model.bid_body("auction-1", "user-2", 7, "k") and body["amount"] == 7
    assert back.service.refused(409, "") and not back.service.refused(503, "")
