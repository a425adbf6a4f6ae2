"""Every relative link of the hand-written documents (README.md, CONTRIBUTING.md, docs/*.md) resolves:
to a file or folder of the checkout, and where it names an anchor, to a heading of that page."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def documents() -> list[Path]:
    """The pages a person writes: the front door, the contributor's guide and docs/ (not docs/results/)."""
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def prose_lines(text: str, code: bool = False) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code, with inline code blanked (kept with `code`): what a
    reader sees as text."""
    out, fenced = [], False
    for n, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append((n, line if code else re.sub(r"`[^`]*`", "``", line)))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip().lstrip("#").strip())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a page offers, duplicates numbered as GitHub numbers them (slug, slug-1, ...)."""
    seen: dict[str, int] = {}
    out = set()
    for _, line in prose_lines(path.read_text(), code=True):
        if re.match(r"#{1,6} ", line):
            base = slug(line)
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(path: Path) -> list[tuple[int, str]]:
    """(line, target) of every relative link of a page; web addresses are not this test's business."""
    found = []
    for n, line in prose_lines(path.read_text()):
        for target in LINK.findall(line):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):
                found.append((n, target))
    return found


def broken(path: Path) -> list[str]:
    """Each link of the page that leads nowhere, as PAGE:LINE: target (why)."""
    out = []
    for n, target in links(path):
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.relative_to(ROOT)}:{n}: {target}"
        if not dest.exists():
            out.append(f"{where} (no such file)")
        elif ROOT not in dest.parents and dest != ROOT:
            out.append(f"{where} (outside the repository)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            out.append(f"{where} (no such heading)")
    return out


def test_every_relative_link_resolves():
    problems = [p for doc in documents() for p in broken(doc)]
    assert sum(len(links(doc)) for doc in documents()) > 50  # the pages are there and link
    assert not problems, "\n".join(problems)


def test_a_link_to_a_missing_file_or_heading_is_caught(tmp_path):
    page = ROOT / "docs" / "planted-link-case.md"  # beside docs/, so its links resolve as the pages' do
    try:
        page.write_text("[a](results/RESULTS.md#every-step-at-a-glance) [b](results/NOPE.md) "
                        "[c](results/RESULTS.md#no-such-heading) [d](../../outside.md)\n")
        found = broken(page)
    finally:
        page.unlink()
    assert [p.split(" (")[1] for p in found] == ["no such file)", "no such heading)", "no such file)"]


def test_no_page_names_what_a_reader_cannot_see():
    """No numbers of this project's tracker, no notes outside the checkout (the plan is docs/plan.md);
    another project's public issue, named with its project ("spring-data-redis issue N"), is fine."""
    pattern = re.compile(r"\bLAB\.md\b|(?<!redis )\bissue \d+\b|\.\./shared|/work/|ha-spec\.ko\.md", re.I)
    found = [f"{doc.relative_to(ROOT)}:{n}: {line.strip()}" for doc in documents()
             for n, line in enumerate(doc.read_text().splitlines(), 1) if pattern.search(line)]
    assert not found, "\n".join(found)


def test_every_make_target_the_makefile_documents_is_named_in_the_pages():
    """The Makefile's `##` comments list the targets a user runs; each is explained on some page."""
    targets = re.findall(r"^([a-z][\w-]*):[^\n#]*##", (ROOT / "Makefile").read_text(), re.M)
    pages = "\n".join(doc.read_text() for doc in documents())
    assert len(targets) > 15
    missing = [t for t in targets if not re.search(rf"make {re.escape(t)}\b(?!-)", pages)]
    assert not missing, f"Make targets no page names: {missing}"
