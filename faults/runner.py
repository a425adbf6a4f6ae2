"""Fires each scheduled fault at its offset from test start, heals it, and heals everything on stop.

A fault is recorded as active *before* it is applied, so that a stop arriving mid-apply still
heals it; heal_all is idempotent and runs on test stop, on quit and on SIGINT/SIGTERM (wired by
the caller). Failures are journaled, never swallowed silently: a fault that did not happen must
not become a measured fault window.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, fields, replace

import gevent

from errors import HarnessError
from faults.actions import ACTIONS
from faults.journal import Journal, now_ms
from faults.schedule import FaultSpec, Target
from lab.protocol import Lab
from runfiles import Applied, BackendFacts, Failed, Healed, HealFailed, Scheduled

log = logging.getLogger("faults")


def resolve(lab: Lab, target: Target) -> str:
    """The node a target names now: a node name as is, a role as Sentinel (or a cluster's nodes, for a
    shard) sees it at this moment."""
    if target.node:
        return target.node
    by_shard = {"shard": target.shard} if target.shard else {}
    if target.role == "master":
        return lab.master(**by_shard)
    replicas = lab.replicas(**by_shard)
    if not replicas:
        raise HarnessError("no replica is up to target")
    return replicas[0]


def told(rec: Applied, backend: BackendFacts) -> Applied:
    """The record with its kind's facts: probe, undone_by and how it is said on this backend. A
    wording that fails is journaled as such (the fault itself happened)."""
    kind = ACTIONS[rec.action]
    try:
        said = kind.said({f.name: getattr(rec, f.name) for f in fields(rec)}, backend)  # as journaled, uncopied
    except Exception as exc:
        said = {"error": f"{type(exc).__name__}: {exc}"}
    return replace(rec, probe=kind.probe, undone_by=kind.undone_by, said=said)


@dataclass
class ActiveFault:
    spec: FaultSpec
    node: str
    healed: bool = False
    state: dict | None = None  # what apply returned, for the undo


class FaultRunner:
    def __init__(self, schedule: list[FaultSpec], lab: Lab, journal: Journal) -> None:
        self.schedule = schedule
        self.lab = lab
        self.journal = journal
        self.active: list[ActiveFault] = []
        self._greenlets: list[gevent.Greenlet] = []
        self.t0_ms: float | None = None
        self.outputs: dict[str, dict] = {}  # named actions' outputs, for probes that compare with an earlier one

    def start(self) -> None:
        self.t0_ms = now_ms()
        for spec in self.schedule:
            self.journal.write(Scheduled(fault=spec.index, line=spec.line, action=spec.action, target=str(spec.target),
                                         scheduled_ms=self.t0_ms + spec.at_s * 1000, duration_s=spec.duration_s,
                                         params=spec.params, name=spec.label,
                                         disruptive=ACTIONS[spec.action].disruptive))
            self._greenlets.append(gevent.spawn(self._run, spec))

    def _run(self, spec: FaultSpec) -> None:
        due_ms = self.t0_ms + spec.at_s * 1000
        gevent.sleep(max(0.0, (due_ms - now_ms()) / 1000))
        try:
            node = resolve(self.lab, spec.target)
        except Exception as exc:  # journal and go on: one bad fault must not stop the others
            self.journal.write(Failed(fault=spec.index, action=spec.action, target=str(spec.target),
                                      scheduled_ms=due_ms, error=f"resolve: {exc}"))
            return
        fault = ActiveFault(spec, node)
        if ACTIONS[spec.action].heal is not None:
            self.active.append(fault)
        started = time.time()
        try:
            fault.state = ACTIONS[spec.action].run(self.lab, node, spec.params, self.outputs, spec.duration_s)
            if spec.name and isinstance(fault.state, dict):
                self.outputs[spec.name] = fault.state
        except Exception as exc:
            self.journal.write(Failed(fault=spec.index, action=spec.action, target=str(spec.target), node=node,
                                      scheduled_ms=due_ms, error=f"{type(exc).__name__}: {exc}"))
            log.error("fault %s on %s failed: %s", spec.action, node, exc)
            return
        kind = ACTIONS[spec.action]
        self.journal.write(told(Applied(
            fault=spec.index, action=spec.action, target=str(spec.target), node=node, scheduled_ms=due_ms,
            applied_ms=round(started * 1000, 3), delay_ms=round(started * 1000 - due_ms, 3), params=spec.params,
            output=fault.state, name=spec.name or None, disruptive=kind.disruptive), self.journal.backend))
        log.info("fault %s applied to %s", spec.label, node)
        if spec.duration_s is not None:
            gevent.sleep(spec.duration_s)
            self._heal(fault, reason="duration")

    def _heal(self, fault: ActiveFault, reason: str) -> None:
        if fault.healed:
            return
        action = ACTIONS[fault.spec.action]
        try:
            output = action.undo(self.lab, fault.node, fault.spec.params, fault.state)  # idempotent
            fault.healed = True
            self.journal.write(Healed(fault=fault.spec.index, action=fault.spec.action, node=fault.node,
                                      healed_ms=now_ms(), reason=reason, output=output or None))
        except Exception as exc:
            self.journal.write(HealFailed(fault=fault.spec.index, action=fault.spec.action, node=fault.node,
                                          reason=reason, error=f"{type(exc).__name__}: {exc}"))
            log.error("heal of %s on %s failed: %s", fault.spec.action, fault.node, exc)

    def heal_all(self, reason: str = "stop") -> None:
        """Cancel faults not yet fired and undo every one applied, newest first. Safe to call twice."""
        for g in self._greenlets:
            g.kill(block=True, timeout=5)
        self._greenlets = []
        for fault in reversed(self.active):
            self._heal(fault, reason)
