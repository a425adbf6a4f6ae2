"""Every figure the hand-written documents state is held by the source named beside it.

The convention (CONTRIBUTING.md, "Figures and their sources"): a measured figure sits in a unit of
text (a paragraph, a list item, a table row) that links its source under docs/results/: a run
directory (its summary.json, report.md, run.json), a campaign's directory, a benchmark's JSON, a
report, or a results document at a heading (the section under that heading only). A table row with
no link of its own takes the links of the paragraph just above the table. Each figure of such a unit
must appear, to the digits given, in the files it links; in a section whose heading says "measured",
a unit that states a figure and links no source fails too. Figures are numbers with a decimal point,
a thousands comma or three digits and more; code, link targets, dates and run ids are not figures."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.test_links import FENCE, LINK, documents, prose_lines, slug

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "results"
NUMBER = re.compile(r"(?<![\w.,/])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{3,})(?![\w])")
ITEM = re.compile(r"\s*(?:[-*]|\d+\.) ")


@dataclass
class Unit:
    """A paragraph, a list item or a table row: the span a figure and its source share."""
    line: int
    text: str
    measured: bool
    row: bool = False


def units(text: str) -> list[Unit]:
    """The units of a page, each marked with whether its section's heading says "measured"."""
    out: list[Unit] = []
    levels: list[tuple[int, bool]] = []
    previous_blank = True
    for n, line in prose_lines(text):
        heading = re.match(r"(#{1,6}) ", line)
        if heading:
            level = len(heading.group(1))
            levels = [(lv, m) for lv, m in levels if lv < level] + [(level, "measured" in line.lower())]
            previous_blank = True
            continue
        measured = any(m for _, m in levels)
        if not line.strip():
            previous_blank = True
            continue
        if line.lstrip().startswith("|"):
            if not re.fullmatch(r"\s*\|[\s|:-]*\|?\s*", line):
                out.append(Unit(n, line, measured, row=True))
        elif previous_blank or ITEM.match(line) or (out and out[-1].row):
            out.append(Unit(n, line, measured))
        else:
            out[-1].text += "\n" + line
        previous_blank = False
    return out


def figures(text: str) -> list[str]:
    """The figures of a unit as written, without their thousands commas."""
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"\b20\d{6}-\d{6}\b|\b20\d\d-\d\d-\d\d\b|\b\d\d:\d\d\b", " ", text)  # run ids, dates, times
    return [m.replace(",", "") for m in NUMBER.findall(text)]


def _section(path: Path, anchor: str) -> str:
    """The text under the heading whose anchor is given, to the next heading of its level or above."""
    lines, keep, level, fenced = [], False, 0, False
    for line in path.read_text().splitlines():
        fenced ^= bool(FENCE.match(line))
        heading = None if fenced else re.match(r"(#{1,6}) ", line)
        if heading and keep and len(heading.group(1)) <= level:
            break
        if heading and not keep and slug(line) == anchor:
            keep, level = True, len(heading.group(1))
        if keep:
            lines.append(line)
    return "\n".join(lines)


def source_text(page: Path, target: str) -> str | None:
    """What a link into docs/results/ offers as a source, or None where it links elsewhere."""
    file_part, _, anchor = target.partition("#")
    dest = (page.parent / file_part).resolve()
    if RESULTS not in dest.parents and dest != RESULTS:
        return None
    if dest.is_dir():
        return "\n".join(p.read_text() for p in sorted(dest.iterdir()) if p.suffix in (".md", ".json"))
    if not dest.exists():
        return ""  # test_links names it
    if dest.suffix not in (".md", ".json"):
        return None  # a plot is shown, not read for figures
    return _section(dest, anchor) if anchor and dest.suffix == ".md" else dest.read_text()


def _values(text: str) -> tuple[set[float], set[str]]:
    values, ints = set(), set()
    for token in re.findall(r"-?\d[\d,]*\.?\d*(?:e-?\d+)?", text):
        token = token.replace(",", "").rstrip(".")
        try:
            values.add(abs(float(token)))  # "817.7-821.2" is a range, not a negative figure
        except ValueError:
            continue
        if "." not in token:
            ints.add(token.lstrip("-"))
    return values, ints


def held(figure: str, text: str) -> bool:
    """Whether a source states the figure to the digits given (a share also as a percentage)."""
    values, ints = _values(text)
    if "." not in figure:
        return figure in ints or float(figure) in values
    digits = len(figure.split(".")[1])
    x, tol = float(figure), 10 ** -(digits + 3)
    return any(abs(round(v, digits) - x) < tol or abs(round(v * 100, digits) - x) < tol for v in values)


def problems(page: Path, text: str) -> list[str]:
    """Each figure of the page its named source does not hold, and each measured figure named with no source."""
    out, caption = [], []
    for unit in units(text):
        sources = [s for t in LINK.findall(unit.text) if (s := source_text(page, t)) is not None]
        if unit.row and not sources:
            sources = caption
        elif not unit.row:
            caption = sources
        stated = figures(unit.text)
        where = f"{page.relative_to(ROOT)}:{unit.line}"
        if stated and not sources and unit.measured:
            out.append(f"{where}: {stated} stated in a measured section with no source linked")
        for figure in stated if sources else []:
            if not any(held(figure, s) for s in sources):
                out.append(f"{where}: {figure} is not in the source this text links")
    return out


def test_every_figure_is_held_by_the_source_named_beside_it():
    checked = [(doc, doc.read_text()) for doc in documents()]
    stated = sum(len(figures(u.text)) for _, text in checked for u in units(text) if u.measured)
    assert stated > 100  # the measured sections are there and state figures
    found = [p for doc, text in checked for p in problems(doc, text)]
    assert not found, "\n".join(found)


def test_the_front_door_states_its_findings_in_a_measured_section():
    assert any(u.measured and figures(u.text) for u in units((ROOT / "README.md").read_text()))


RUN_LOCAL = "results/runs/20261207-052745-redis-4"
RUN_DOCKER = "results/docker/runs/20261207-081156-redis-4"
PAGE = ROOT / "docs" / "planted.md"  # never written: the page the planted text would be


def test_a_figure_moved_to_the_wrong_source_fails():
    """Docker's 10.002 s error window is in the committed Docker run, not the local one."""
    right = f"## Measured\n\nredis-4 on Docker: errors for 10.002 s ([run]({RUN_DOCKER}/summary.json)).\n"
    wrong = right.replace(RUN_DOCKER, RUN_LOCAL)
    assert problems(PAGE, right) == []
    assert problems(PAGE, wrong) == ["docs/planted.md:3: 10.002 is not in the source this text links"]


def test_a_figure_that_no_run_measured_fails_even_beside_a_real_source():
    """The old README's "15.1 s" Docker window: the run it names says 10.002."""
    text = f"redis-4 on Docker had a 15.1 s error window ([run]({RUN_DOCKER}/))."
    assert problems(PAGE, text) == ["docs/planted.md:1: 15.1 is not in the source this text links"]


def test_a_heading_anchor_narrows_the_source_to_its_section():
    """6.291 s is redis-4's failover: the redis-4-2 section of RESULTS.md does not hold it."""
    section = "results/RESULTS.md#redis-step-4-2-network-partition-of-the-master-process-alive-against-a-kill-guard-off-redis-4-2"
    assert problems(PAGE, f"failover 6.255 s ([RESULTS]({section}))") == []
    assert problems(PAGE, f"failover 6.291 s ([RESULTS]({section}))") == [
        "docs/planted.md:1: 6.291 is not in the source this text links"]


def test_a_measured_figure_without_a_source_fails_and_a_table_takes_its_caption():
    bare = "## What was measured\n\nThe failover took 6.291 s.\n"
    assert problems(PAGE, bare) == ["docs/planted.md:3: ['6.291'] stated in a measured section with no source linked"]
    table = (f"## What was measured\n\nredis-4, local ([run]({RUN_LOCAL}/)):\n\n"
             "| figure | value |\n| --- | --- |\n| failover | 6.291 s |\n| window | 10.004 s |\n")
    assert problems(PAGE, table) == ["docs/planted.md:8: 10.004 is not in the source this text links"]
