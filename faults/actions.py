"""The fault vocabulary: one registry of fault kinds by name. Each kind is declared with all its facts
(parameters and their bounds, undo, probe, disruptive, what a campaign may draw, its wording) in a
module of faults/kinds/ (faults/kind.py says what a declaration holds). Every backend offers the same
node operations (lab.protocol.Lab), so the vocabulary does not know which one runs.
"""
from __future__ import annotations

from errors import FaultError
from faults.kind import Action, Draw
from faults.kinds import load

ACTIONS: dict[str, Action] = load()


def require(params: dict, action: Action) -> None:
    """Parameters an action cannot run without (those of its signature with no default)."""
    missing = [k for k in action.required if k not in params]
    if missing:
        raise FaultError(f"{action.name} needs {', '.join(missing)}")


def campaign_draws() -> list[tuple[Action, Draw]]:
    """What a seeded campaign may draw, in its declared order (seeded draws index this list)."""
    return sorted(((a, d) for a in ACTIONS.values() for d in a.campaign), key=lambda ad: ad[1].order)
