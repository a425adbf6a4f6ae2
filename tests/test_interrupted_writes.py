"""A write in flight when the load stops: its user's greenlet is killed before any reply, yet the
server may have applied it. It must be in the history as "interrupted_at_stop" (verification looks
it up like an unknown write; it is no failure a user saw), and not in Locust's statistics as a
success (request.measure would count GreenletExit as one)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd

ROOT = str(Path(__file__).resolve().parents[1])


def test_writes_in_flight_at_the_stop_are_interrupted_at_stop_and_not_requests(tmp_path):
    # a real TCP peer on loopback that takes the connection and the command and never replies: a bid
    # and a SET are both in flight when their users are killed, as at a load's stop
    script = textwrap.dedent(f"""
        import locust  # monkey-patches first, as in Locust's process
        import json, socket, sys, gevent
        import redis
        from locust.env import Environment
        import locustfile as lf
        from harness import scenario as scenarios
        from harness.load_plan import LoadPlan
        from lab.service import standin

        peer = socket.socket()
        peer.bind(("127.0.0.1", 0))
        peer.listen(16)
        url = "http://127.0.0.1:%d" % peer.getsockname()[1]
        load = scenarios.load("redis-4").load
        plan = LoadPlan(run_id="t", scenario="redis-4", load=load,
                        urls={{v.api: url for v in load.variants}},
                        service=standin("bids", "persist", "bids-dead"), client_env={{}})
        env = Environment(user_classes=[lf.BidUser, lf.RedisUser], events=locust.events)
        ctx = lf.run_context(env)
        ctx.plan = plan
        ctx.history.open({str(tmp_path / "history.csv")!r})
        fired = []
        env.events.request.add_listener(lambda **kw: fired.append(kw["name"]))

        bidder = lf.BidUser(env)
        prober = lf.RedisUser(env)
        prober.ctx = ctx
        prober.client = redis.Redis(host="127.0.0.1", port=peer.getsockname()[1], socket_timeout=30)
        users = [gevent.spawn(bidder.place_bid), gevent.spawn(prober.set_key)]
        gevent.sleep(0.5)
        assert not any(u.dead for u in users), "a write ended before the stop: nothing was in flight"
        gevent.killall(users, timeout=5)
        ctx.history.close()
        print(json.dumps(fired))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []  # neither counted as a request
    hist = pd.read_csv(tmp_path / "history.csv", keep_default_na=False)
    assert sorted(hist["op"]) == ["bid", "set"]
    assert set(hist["outcome"]) == {"interrupted_at_stop"}
    assert hist["error"].str.startswith("interrupted").all()
    set_row = hist[hist["op"] == "set"].iloc[0]
    assert set_row["key"].startswith("probe:") and set_row["value"]  # looked up by the value it sent
    bid_row = hist[hist["op"] == "bid"].iloc[0]
    assert bid_row["intent"] == bid_row["key"] and bid_row["attempt"] == 1
