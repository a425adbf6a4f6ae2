"""The fault vocabulary: one registry of actions by name, each with its undo.

An action is a plain function of (lab, node, params). Both backends offer the same node
operations, so the vocabulary does not know which one runs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    name: str
    apply: Callable
    heal: Callable | None  # None: a one-shot action with nothing to undo
    params: tuple[str, ...] = ()
    doc: str = ""


def _kill(lab, node, p):
    lab.kill(node)


def _start(lab, node, p):
    lab.start(node)


def _pause(lab, node, p):
    lab.pause(node)


def _resume(lab, node, p):
    lab.resume(node)


def _cut(lab, node, p):
    lab.disconnect(node, p.get("peer"), one_way=bool(p.get("one_way", False)))


def _connect(lab, node, p):
    lab.connect(node, p.get("peer"))


ACTIONS: dict[str, Action] = {a.name: a for a in [
    Action("kill", _kill, _start, doc="SIGKILL / docker kill; healed by starting the node again"),
    Action("pause", _pause, _resume, doc="SIGSTOP / docker pause; healed by resuming it"),
    Action("cut", _cut, _connect, ("peer", "one_way"),
           doc="network cut, process alive / docker network disconnect; healed by reconnecting"),
    Action("start", _start, None, doc="start a stopped node (docker start)"),
    Action("resume", _resume, None, doc="resume a paused node"),
    Action("connect", _connect, None, ("peer",), doc="reconnect a cut node"),
]}
