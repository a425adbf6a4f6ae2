"""Text in both languages of the documents, and the one way both print a figure.

Shared ground: the fault kinds word what they did when the runner journals it (faults/kinds/), and
the results document words everything else (analysis/results_words.py, and each scenario's story beside
it, scenarios/ID.story.py), so a sentence a kind journals reads exactly as one the analysis writes.
It imports no layer of the project.
"""
from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class L:
    """One text in both languages."""

    en: str
    ko: str

    def __call__(self, lang: str) -> str:
        return getattr(self, lang)


def num(v: object) -> str:
    """A figure as both documents print it: 18,853 / 6.312 / 0.8163 / true; text as it is."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) < 1:
            s = f"{v:.4g}"
            return f"{v:.6f}".rstrip("0").rstrip(".") if "e" in s else s
        return f"{v:,.3f}".rstrip("0").rstrip(".")
    if isinstance(v, dict | list):
        return json.dumps(v, sort_keys=True)
    return str(v)
