"""What a load process needs to know to make a scenario's load, and nothing more.

A local run builds it from the scenario and the lab; a Locust worker gets it from the master in a
message at test start (harness/relay.py), so a worker on another machine needs no scenario file, no
lab config and no target file of its own, and can never disagree with the master about them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from harness.scenario import Load, Scenario, Variant
from lab.protocol import Lab
from lab.service import ServiceModel
from lab.target_spec import BidCall, VerifySpec


@dataclass(frozen=True)
class LoadPlan:
    run_id: str
    scenario: str
    load: Load
    urls: dict[str, str]  # API node name -> base URL of every variant's API
    service: ServiceModel  # how a bid is placed (the verification stays on the master)
    client_env: dict[str, str]  # FAIRBID_* settings of the Redis users' client (Sentinels, passwords)
    record: bool = True  # False for a bare run (load only: no row is recorded anywhere)

    @classmethod
    def of(cls, scenario: Scenario, lab: Lab, run_id: str = "") -> "LoadPlan":
        apis = sorted({v.api for v in scenario.load.variants})
        env = {k: v for k, v in lab.service_env().items() if k.startswith("FAIRBID_")}
        return cls(run_id=run_id, scenario=scenario.id, load=scenario.load, urls={a: lab.url(a) for a in apis},
                   service=lab.service, client_env=env)

    def for_run(self, run_id: str, record: bool = True) -> "LoadPlan":
        return replace(self, run_id=run_id, record=record)

    def url(self, api: str) -> str:
        return self.urls[api]

    def to_json(self) -> dict:
        """A message's data (msgpack: plain dicts, lists, strings and numbers)."""
        load = asdict(self.load)
        bid = asdict(self.service.bid)
        bid["refused"] = list(bid["refused"])
        return {"run_id": self.run_id, "scenario": self.scenario, "load": load, "urls": dict(self.urls),
                "service": {"bid": bid, "standin": self.service.standin}, "client_env": dict(self.client_env),
                "record": self.record}

    @classmethod
    def from_json(cls, data: dict) -> "LoadPlan":
        load = dict(data["load"])
        load["variants"] = tuple(Variant(**v) for v in load["variants"])
        bid = dict(data["service"]["bid"])
        bid["refused"] = tuple(bid["refused"])
        service = ServiceModel(bid=BidCall(**bid), verify=VerifySpec(), stream=None,
                               standin=bool(data["service"]["standin"]))
        return cls(run_id=data["run_id"], scenario=data["scenario"], load=Load(**load), urls=dict(data["urls"]),
                   service=service, client_env=dict(data["client_env"]), record=bool(data.get("record", True)))
