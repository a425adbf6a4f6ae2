"""How the harness speaks to the service under test and where it reads what the service stored.

The stand-in (fairbid/) has its conventions (POST /api/bids replying {"bidId"}, `bid:ID` and
`idem:KEY` in Redis, table `bid`, stream entries carrying `bidId`, its consumer's log lines); a team's
own service has others, said in its target file. The load, the verification, the monitor and the
probes take them from here only, so no part of the harness assumes the stand-in. What a service model
does not give (None) is not measured.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from lab.target_spec import BidCall, LogPatterns, MysqlCheck, StreamSpec, Target, VerifySpec
from runfiles import STANDIN_LOG_PATTERNS

# the stand-in's consumer's log lines; the analysis reads them from run.json (runfiles.service_logs)
STANDIN_LOGS = LogPatterns(**STANDIN_LOG_PATTERNS)


@dataclass(frozen=True)
class ServiceModel:
    bid: BidCall
    verify: VerifySpec
    stream: StreamSpec | None
    logs: LogPatterns = field(default_factory=LogPatterns)
    standin: bool = False  # the stand-in's own log lines also report group recreation

    def to_json(self) -> dict:
        """What the analysis needs of it (run.json), since it works from run files alone."""
        return {"standin": self.standin, "logs": asdict(self.logs), "verify": {
            "redis_key": self.verify.redis_key, "idempotency_key": self.verify.idempotency_key,
            "mysql": self.verify.mysql is not None, "http": self.verify.http_path}}

    # ---- the bid call ------------------------------------------------------------------------
    def bid_body(self, auction: str, user: str, amount: int, key: str) -> dict:
        values = {"auction": auction, "user": user, "amount": amount, "key": key}
        return _fill(self.bid.body, values)

    def bid_id(self, reply: object) -> str:
        """The id at `id_field` (a dotted path) of the JSON reply, or "" where it is not there."""
        for part in self.bid.id_field.split("."):
            if not isinstance(reply, dict) or part not in reply:
                return ""
            reply = reply[part]
        return "" if reply is None or isinstance(reply, (dict, list)) else str(reply)

    def refused(self, status: int, text: str) -> bool:
        """The service said no for sure (nothing stored): its refused statuses (every 4xx by default);
        the stand-in also answers "stored": false where a guard refused after trying."""
        if self.bid.refused:
            return status in self.bid.refused
        return 400 <= status < 500 or (self.standin and '"stored":false' in text.replace(" ", ""))


def _fill(template: object, values: dict) -> object:
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill(v, values) for v in template]
    if isinstance(template, str):
        whole = re.fullmatch(r"\{(\w+)\}", template)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]  # "{amount}" stays a number
        return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), template)
    return template


def standin(stream: str, group: str, dead_letter: str) -> ServiceModel:
    """The conventions of fairbid/ (its API, bids.py's keys, schema.sql, consumer.py's log lines)."""
    return ServiceModel(
        bid=BidCall(url="", idempotency_header="Idempotency-Key"),
        verify=VerifySpec(redis_key="bid:{id}", idempotency_key="idem:{key}",
                          mysql=MysqlCheck(query="SELECT bid_id FROM bid", count_query="SELECT COUNT(*) FROM bid")),
        stream=StreamSpec(key=stream, group=group, dead_letter=dead_letter, id_field="bidId",
                          dead_letter_source_field="_sourceId"),
        logs=STANDIN_LOGS, standin=True)


def from_target(target: Target) -> ServiceModel:
    return ServiceModel(bid=target.bid, verify=target.verify, stream=target.stream, logs=target.logs)
