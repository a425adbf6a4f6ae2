"""What a load process needs to know to make a scenario's load, and nothing more.

A local run builds it from the scenario and the lab; a Locust worker gets it from the master in a
message at test start (harness/relay.py), so a worker on another machine needs no scenario file, no
lab config and no target file of its own, and can never disagree with the master about them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from harness.scenario import Load, Scenario, Variant
from lab.protocol import Lab
from lab.service import ServiceModel
from lab.target_spec import BidCall, Login, UserPool, VerifySpec


@dataclass(frozen=True)
class LoadPlan:
    run_id: str
    scenario: str
    load: Load
    urls: dict[str, str]  # API node name -> base URL of every variant's API
    service: ServiceModel  # how a bid is placed (the verification stays on the master)
    client_env: dict[str, str]  # FAIRBID_* settings of the Redis users' client (Sentinels, passwords)
    record: bool = True  # False for a bare run (load only: no row is recorded anywhere)
    pools: dict = field(default_factory=dict)  # setup pools: name -> values the load draws from

    @classmethod
    def of(cls, scenario: Scenario, lab: Lab, run_id: str = "") -> "LoadPlan":
        apis = sorted({v.api for v in scenario.load.variants})
        env = {k: v for k, v in lab.service_env().items() if k.startswith("FAIRBID_")}
        return cls(run_id=run_id, scenario=scenario.id, load=scenario.load, urls={a: lab.url(a) for a in apis},
                   service=lab.service, client_env=env)

    def for_run(self, run_id: str, record: bool = True) -> "LoadPlan":
        return replace(self, run_id=run_id, record=record)

    def with_pools(self, pools: dict[str, list]) -> "LoadPlan":
        return replace(self, pools={k: list(v) for k, v in pools.items()})

    def url(self, api: str) -> str:
        return self.urls[api]

    def to_json(self) -> dict:
        """A message's data (msgpack: plain dicts, lists, strings and numbers)."""
        load = asdict(self.load)
        users = asdict(self.service.users) if self.service.users else None
        return {"run_id": self.run_id, "scenario": self.scenario, "load": load, "urls": dict(self.urls),
                "service": {"bid": self.service.bid.to_json(), "users": users, "standin": self.service.standin},
                "client_env": dict(self.client_env), "record": self.record, "pools": self.pools}

    @classmethod
    def from_json(cls, data: dict) -> "LoadPlan":
        load = dict(data["load"])
        load["variants"] = tuple(Variant(**v) for v in load["variants"])
        service = ServiceModel(bid=BidCall.from_json(data["service"]["bid"]), verify=VerifySpec(), stream=None,
                               users=user_pool(data["service"].get("users")), standin=bool(data["service"]["standin"]))
        return cls(run_id=data["run_id"], scenario=data["scenario"], load=Load(**load), urls=dict(data["urls"]),
                   service=service, client_env=dict(data["client_env"]), record=bool(data.get("record", True)),
                   pools=dict(data.get("pools") or {}))


def user_pool(data: dict | None) -> UserPool | None:
    if not data:
        return None
    login = data.get("login")
    if login:
        login = Login(**{**login, "expect": tuple(login["expect"])})
    return UserPool(first=data["first"], last=data["last"], exclude=tuple(data["exclude"]), login=login)
