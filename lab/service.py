"""How the harness speaks to the service under test and where it reads what the service stored.

The stand-in (fairbid/) has its conventions (POST /api/bids replying {"bidId"}, `bid:ID` and
`idem:KEY` in Redis, table `bid`, stream entries carrying `bidId`, its consumer's log lines); a team's
own service has others, said in its target file. The load, the verification, the monitor and the
probes take them from here only, so no part of the harness assumes the stand-in. What a service model
does not give (None) is not measured.
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field

from lab import templates
from lab.target_spec import BidCall, LogPatterns, MysqlCheck, SetupStep, StreamSpec, Target, UserPool, VerifySpec
from runfiles import STANDIN_LOG_PATTERNS

# the stand-in's consumer's log lines; the analysis reads them from run.json (runfiles.service_logs)
STANDIN_LOGS = LogPatterns(**STANDIN_LOG_PATTERNS)


@dataclass(frozen=True)
class ServiceModel:
    bid: BidCall
    verify: VerifySpec
    stream: StreamSpec | None
    logs: LogPatterns = field(default_factory=LogPatterns)
    setup: tuple[SetupStep, ...] = ()  # fixtures made before the load (setup pools)
    users: UserPool | None = None  # the bidders (default: user-0..user-999)
    standin: bool = False  # the stand-in's own log lines also report group recreation

    def to_json(self) -> dict:
        """What the analysis needs of it (run.json), since it works from run files alone."""
        return {"standin": self.standin, "logs": asdict(self.logs),
                "identity": [f.name for f in self.bid.identity],
                "refusals": [asdict(r) for r in self.bid.refusals], "verify": {
            "redis_key": self.verify.redis_key, "idempotency_key": self.verify.idempotency_key,
            "mysql": self.verify.mysql is not None, "http": self.verify.http_path}}

    # ---- the bid call ------------------------------------------------------------------------
    def bid_request(self, values: dict, rng: random.Random | None = None) -> Sent:
        """The request of one bid, its templates filled from `values` (the body drawn by weight where
        the call gives several)."""
        call = self.bid
        body = call.body
        if call.bodies:
            body = (rng or random).choices([b.body for b in call.bodies], [b.weight for b in call.bodies])[0]
        used = templates.names(call.path) | templates.names(call.query) | templates.names(call.headers)
        used |= templates.names(body)
        return Sent(method=call.method, path=templates.fill_text(call.path, values, encode=True),
                    query={k: templates.fill_text(str(v), values) for k, v in call.query.items()},
                    headers={k: templates.fill_text(str(v), values) for k, v in call.headers.items()},
                    body=templates.fill(body, values), used=frozenset(used))

    def bid_id(self, reply: object) -> str:
        """The id at `id_field` (a dotted path) of the JSON reply, or "" where it is not there."""
        value = templates.at(reply, self.bid.id_field)
        return "" if value is None or isinstance(value, (dict, list)) else str(value)

    def write_key(self, reply: object) -> str:
        """The identity of an acknowledged write, from its reply (a JSON list of texts), or "" where the
        call gives no identity or the reply lacks one of its fields."""
        if not self.bid.identity:
            return ""
        parts = [templates.key_text(templates.at(reply, f.reply)) for f in self.bid.identity]
        return json.dumps(parts) if all(parts) else ""

    def sent_key(self, values: dict, used: frozenset) -> str:
        """The identity of a write whose reply never came, from what its request sent; "" where a field
        was chosen by the server (its placeholders were not in the request): unresolvable then."""
        if not self.bid.identity:
            return ""
        parts = []
        for f in self.bid.identity:
            wanted = templates.names(f.sent) if f.sent else {""}
            if not wanted <= used:
                return ""
            parts.append(templates.key_text(templates.fill_text(f.sent, values)))
        return json.dumps(parts) if all(parts) else ""

    def error_code(self, reply: object) -> str:
        """The reply's error code where the refusal rules say where codes are ("" otherwise): failures are
        named by it, so that Locust groups them (a reply that also carries a timestamp never repeats)."""
        for path in dict.fromkeys(r.code for r in self.bid.refusals if r.code):
            value = templates.at(reply, path)
            if value is not None and not isinstance(value, (dict, list)):
                return str(value)
        return ""

    def failure_name(self, status: int, reply: object, detail: str) -> str:
        """How a failed bid is named in Locust's stats: its status and error code, and the reply's own
        message where the target says where it is (bid.error_message: the cause a 500 names, which
        says what kind of error it was); the reply's text where there is no code."""
        code = self.error_code(reply)
        message = templates.at(reply, self.bid.error_message) if self.bid.error_message else None
        said = f": {str(message)[:160]}" if message is not None and not isinstance(message, (dict, list)) else ""
        return f"HTTP {status}: {code}{said}" if code else f"HTTP {status}: {detail}"

    def classify(self, status: int, reply: object, text: str) -> tuple[str, str]:
        """(outcome, code) of one reply, in DESIGN.md's vocabulary: "refused" by the service's own rules
        (a business refusal, with its code: never a failure), "ok" (acknowledged), "fail" (nothing was
        stored: the not_stored statuses, every 4xx by default, the stand-in's "stored": false) or
        "unknown" (a 5xx, a timeout, a reset: it may have been stored)."""
        for rule in self.bid.refusals:
            if rule.statuses and status not in rule.statuses:
                continue
            if rule.code is None:
                return "refused", f"HTTP {status}"
            code = templates.at(reply, rule.code)
            if code is not None and str(code) in rule.codes:
                return "refused", str(code)
        if 200 <= status < 300:
            return "ok", ""
        if self.bid.not_stored:
            return ("fail" if status in self.bid.not_stored else "unknown"), ""
        stored_false = self.standin and '"stored":false' in text.replace(" ", "")
        return ("fail" if 400 <= status < 500 or stored_false else "unknown"), ""


@dataclass(frozen=True)
class Sent:
    """One request as it goes out; `used` names the placeholders it was built from."""

    method: str
    path: str
    query: dict
    headers: dict
    body: object
    used: frozenset = frozenset()


def standin(stream: str, group: str, dead_letter: str, cluster: bool = False) -> ServiceModel:
    """The conventions of fairbid/ (its API, bids.py's keys, schema.sql, consumer.py's log lines). On a
    cluster its idempotency keys carry the auction's hash tag (idem:{fb3}:KEY), which a bid attempt's
    record does not hold: they are not looked up there (duplicates and unknown bids unresolved, said so)."""
    return ServiceModel(
        bid=BidCall(url="", idempotency_header="Idempotency-Key"),
        verify=VerifySpec(redis_key="bid:{id}", idempotency_key=None if cluster else "idem:{key}",
                          mysql=MysqlCheck(query="SELECT bid_id FROM bid", count_query="SELECT COUNT(*) FROM bid")),
        stream=StreamSpec(key=stream, group=group, dead_letter=dead_letter, id_field="bidId",
                          dead_letter_source_field="_sourceId"),
        logs=STANDIN_LOGS, standin=True)


def from_target(target: Target) -> ServiceModel:
    return ServiceModel(bid=target.bid, verify=target.verify, stream=target.stream, logs=target.logs,
                        setup=target.setup, users=target.users)
