"""Every fault kind, declared with its facts in a module of this package (one per mechanism: a
process, the network, the CPU, a Redis node, the stream, MySQL). The modules are found by scanning
the package, so a new kind is a new module here and nothing else (plus lab/ for a new mechanism)."""
from __future__ import annotations

import importlib
import pkgutil


def load() -> dict:
    """Name -> Action of every module's KINDS; a name declared twice, or an undo naming no kind, is refused."""
    out: dict = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        for kind in getattr(importlib.import_module(f"{__name__}.{info.name}"), "KINDS", ()):
            if kind.name in out:
                raise TypeError(f"fault kind {kind.name} is declared twice (faults/kinds/{info.name}.py)")
            out[kind.name] = kind
    dangling = sorted(k.name for k in out.values() if k.undone_by and k.undone_by not in out)
    if dangling:
        raise TypeError(f"fault kinds undone by no declared kind: {', '.join(dangling)}")
    return out
