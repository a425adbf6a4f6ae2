"""README states no figure the committed editions do not hold (docs/results/): each number in its
findings and performance sections appears, to the digits README gives, in those files."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("## What we learned", "## Performance")
NUMBER = re.compile(r"(?<![\w./])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{3,})(?!\w)")
EDITION_FILES = ("*.md", "*.json")


def _sections(text: str) -> str:
    out, keep = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            keep = line.startswith(SECTIONS)
        if keep:
            out.append(line)
    return "\n".join(out)


def _figures(text: str) -> set[str]:
    text = re.sub(r"`[^`]*`|\([^)]*\.md\)|\[[^\]]*\]\([^)]*\)", " ", text)  # commands, links, run ids
    text = re.sub(r"\b20\d{6}-\d{6}\b|\b20\d\d-\d\d-\d\d\b|\d\d:\d\d", " ", text)  # dates and times
    return {m.replace(",", "") for m in NUMBER.findall(text)}


def _edition_numbers() -> tuple[set[float], set[str]]:
    values, ints = set(), set()
    for pattern in EDITION_FILES:
        for path in (ROOT / "docs" / "results").rglob(pattern):
            for token in re.findall(r"-?\d[\d,]*\.?\d*(?:e-?\d+)?", path.read_text()):
                token = token.replace(",", "").rstrip(".")
                try:
                    values.add(float(token))
                except ValueError:
                    continue
                if "." not in token:
                    ints.add(token.lstrip("-"))
    return values, ints


def _held(figure: str, values: set[float], ints: set[str]) -> bool:
    if "." not in figure:
        return figure in ints or float(figure) in values
    digits = len(figure.split(".")[1])
    x = float(figure)
    return any(abs(round(v, digits) - x) < 10 ** -(digits + 3) or abs(round(v * 100, digits) - x) < 10 ** -(digits + 3)
               for v in values)


def test_every_figure_readme_states_is_in_the_committed_editions():
    figures = _figures(_sections((ROOT / "README.md").read_text()))
    assert len(figures) > 20  # the sections are there and state figures
    values, ints = _edition_numbers()
    missing = sorted(f for f in figures if not _held(f, values, ints))
    assert not missing, f"README figures that docs/results does not hold: {missing}"
