"""A fault kind and every fact of it, declared in one place beside its code (faults/kinds/).

An action is a plain function `apply(lab, node, *, PARAMS) -> state`; its keyword-only parameters
are the scenario keys it takes (required where they have no default), bound the way
chaostoolkit-lib binds an activity's arguments, and each is typed and bounded by the kind's `types`
(faults/params.py), which the schedule reader asks. Where it can be undone, `heal(lab, node, state,
*, PARAMS)` gets the same parameters and what apply returned. The kind also says whether it opens a
fault window (disruptive), only reads (probe), acts on a node's own network (needs an address: a
host process has none), which one-shot kind undoes it by hand, what a campaign may draw of it, and
how it is said in English and Korean on a backend. The runner journals those facts with every
applied fault (faults.jsonl), so the analysis reads them from the run files, never from here.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field

from bilingual import L
from faults.params import Param
from runfiles import BackendFacts

INJECTED = ("outputs", "duration_s")  # given by the runner, never by a scenario
Words = Callable[[dict, BackendFacts], L]  # (the applied record as journaled, the backend) -> the sentence


def did_generic(rec: dict, backend: BackendFacts) -> L:
    a, node = rec.get("action"), rec.get("node")
    return L(f"`{a}` on {node}", f"{node}에 `{a}`")


def undone_generic(rec: dict, backend: BackendFacts) -> L:
    node = rec.get("node")
    return L(f"{node} restored", f"{node} 원상 복구")


def by_backend(container: Callable[[str], L], other: Callable[[str], L]) -> Words:
    """Wording that differs only between a container of the lab's own and any other node, given the
    node's name."""
    return lambda rec, backend: (container if backend.containers else other)(rec.get("node"))


@dataclass(frozen=True)
class Draw:
    """What a seeded campaign may draw of a kind (harness/campaign.py): its name there, the parameters
    the drawn fault carries, the default duration bounds, and whether the stack promises that no
    acknowledged write is lost after it (a default invariant of the campaign)."""

    name: str
    order: int  # its place in the campaign's list of kinds: seeded draws index that list
    duration_s: tuple[float, float]
    params: Mapping[str, object] = field(default_factory=dict)
    promises_no_loss: bool = False


@dataclass(frozen=True)
class Action:
    name: str
    apply: Callable
    heal: Callable | None = None  # None: a one-shot action with nothing to undo
    types: Mapping[str, Param] = field(default_factory=dict)  # each scenario key: how it is read and bounded
    probe: bool = False  # reads state and changes nothing: the documents leave it out of what was done
    disruptive: bool = False  # opens a fault window: failover and error-window metrics are measured from it
    needs_duration: bool = False  # it acts over time (a flap), so a schedule must say how long
    needs_address: bool = False  # acts on the node's own network: a host process has none to cut
    undone_by: str | None = None  # the one-shot kind a schedule may undo it with by hand (kill: start)
    campaign: tuple[Draw, ...] = ()
    check: Callable[[dict, float | None], list[tuple[str, str]]] | None = None  # (key, why) across parameters
    did: Words = did_generic
    undone: Words = undone_generic

    def __post_init__(self) -> None:
        untyped = set(self.params) ^ set(self.types)
        if untyped:
            raise TypeError(f"fault kind {self.name}: parameters and declared types differ: {sorted(untyped)}")

    def _keywords(self) -> list[inspect.Parameter]:
        return [p for p in inspect.signature(self.apply).parameters.values()
                if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in INJECTED]

    @property
    def params(self) -> tuple[str, ...]:
        """The scenario keys this action takes, from its signature."""
        return tuple(p.name for p in self._keywords())

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self._keywords() if p.default is inspect.Parameter.empty)

    def run(self, lab, node: str, params: dict, outputs: dict | None = None, duration_s: float | None = None):
        given = {"outputs": outputs or {}, "duration_s": duration_s}
        wanted = inspect.signature(self.apply).parameters
        return self.apply(lab, node, **params, **{k: v for k, v in given.items() if k in wanted})

    def undo(self, lab, node: str, params: dict, state):
        """The heal; what it returns (a flap's cuts as they happened) goes to the journal's heal record."""
        return self.heal(lab, node, state, **params)

    def said(self, rec: dict, backend: BackendFacts) -> dict:
        """What the journal records of how this fault is told: what it did and, where it can be
        undone, how (both languages, for the backend that ran it)."""
        undone = asdict(self.undone(rec, backend)) if self.heal is not None else None
        return {"did": asdict(self.did(rec, backend)), "undone": undone}
