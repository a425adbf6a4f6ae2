"""The templated call behind setup steps and logins, against a real HTTP server on loopback: values filled
(typed in the body, encoded in the path), reply fields captured, and each failure said as what it is."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from harness import bidders, calls, fixtures
from lab.target_spec import Login, SetupStep

SEEN: list[tuple[str, str, dict]] = []


class _Service(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"null")
        SEEN.append((self.path, self.headers.get("X-Seller", ""), body))
        replies = {"/auctions": lambda: (201, {"data": {"id": 40 + len(SEEN)}}),
                   "/session/7": lambda: (200, {"no": 1}),
                   "/login": lambda: (200, {"accessToken": f"t-{body['userId']}"})}
        status, reply = replies.get(self.path, lambda: (404, {"e": "x"}))()
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_setup_step_fills_its_pool_from_each_reply(base_url):
    SEEN.clear()
    step = SetupStep(name="auctions", repeat=3, path="/auctions", body={"title": "a{n}", "price": "{n}"},
                     headers={"X-Seller": "9999"}, expect=(201,), capture={"auction": "data.id"}, line=7)
    made = fixtures.make(None, (step,), base_url)
    assert made.pools == {"auction": [41, 42, 43]}  # numbers stay numbers
    assert [s[2] for s in SEEN] == [{"title": "a0", "price": 0}, {"title": "a1", "price": 1}, {"title": "a2", "price": 2}]
    assert SEEN[0][1] == "9999" and made.record["pools"]["auction"]["size"] == 3


def test_a_failed_step_names_the_step_the_call_the_status_and_the_reply(base_url):
    step = SetupStep(name="auctions", repeat=2, path="/nowhere", expect=(201,), capture={"auction": "data.id"}, line=9)
    with pytest.raises(fixtures.SetupFailed, match=r"setup step 'auctions' \(line 9\), call 1 of 2: POST .*/nowhere: "
                                                   r"HTTP 404 \(expected 201\): \{\"e\": \"x\"\}"):
        fixtures.make(None, (step,), base_url)
    lacking = SetupStep(name="lots", path="/auctions", expect=(201,), capture={"lot": "data.number"})
    with pytest.raises(fixtures.SetupFailed, match="the reply has no data.number"):
        fixtures.make(None, (lacking,), base_url)


def test_a_login_captures_the_session_and_a_failed_one_says_why(base_url):
    ok = Login(path="/login", body={"userId": "{user}"}, capture={"token": "accessToken"})
    assert bidders.login(base_url, ok, 17) == {"token": "t-17"}
    with pytest.raises(bidders.LoginFailed, match="the reply has no token"):
        bidders.login(base_url, Login(path="/session/{user}", capture={"t": "token"}), "7")
    with pytest.raises(calls.CallFailed, match="no reply"):  # nothing listens on port 9
        calls.call(requests, "http://127.0.0.1:9", ok, {"user": 1}, 1)
