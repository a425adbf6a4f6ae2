"""DESIGN.md's "Boundaries" as a test: every module's imports, read with `ast` (nothing is imported,
no server needed), against the layers' rules. A layer that reaches upward fails here, naming the
file, the line and the rule; tests/ are outside the rules (a test may import what it tests).

Imports inside functions and under TYPE_CHECKING count: they are dependencies all the same.
"""
from __future__ import annotations

import ast
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

_SETUP = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
PROJECT = frozenset(_SETUP["packages"]) | frozenset(_SETUP["py-modules"]) | {"locustfile"}
NEUTRAL = frozenset({"errors", "runfiles", "configfile", "bilingual"})  # what every layer shares; they import no layer
STORIES = "scenarios"  # each scenario's story beside it (scenarios/ID.story.py), read by path by analysis/stories.py
CHECKED = PROJECT | {STORIES}


@dataclass(frozen=True)
class Rule:
    importers: frozenset[str]
    forbidden: frozenset[str]
    why: str


RULES = (
    Rule(frozenset({"analysis"}), frozenset({"lab", "harness", "bench", "faults", "observe", "fairbid", "locust"}),
         "analysis works from run files only (runfiles.py): no live server, no lab"),
    Rule(frozenset({"faults", "lab"}), frozenset({"harness"}), "faults and labs sit below the harness that runs them"),
    Rule(frozenset({"lab"}), frozenset({"faults"}), "a lab offers node operations and knows no fault schedule"),
    Rule(frozenset({"observe"}), frozenset({"harness"}), "observers sit below the harness that starts them"),
    Rule(frozenset({"faults", "lab"}), frozenset({"fairbid"}),
         "the stand-in is driven by its outside (environment, API, logs), as a team's service is, never by its code"),
    Rule(frozenset({"fairbid"}), (PROJECT - {"fairbid"}) | {"locust"},
         "the system under test knows nothing of the harness and runs alone"),
    Rule(NEUTRAL, PROJECT - {"errors"}, "a shared contract imports no layer"),
    Rule(PROJECT, frozenset({"locustfile"}), "the locustfile is where the parts meet: nothing imports it"),
    Rule(frozenset({STORIES}), (PROJECT - {"analysis", "bilingual"}) | {"locust"},
         "a scenario's story is told from run files: it imports analysis/ and bilingual.py only"),
)


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    imported: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: imports {self.imported}: {self.why}"


def root_of(rel: Path) -> str:
    """The import root a source file belongs to (its top folder, or its own name at the top)."""
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_roots(source: str, own: str) -> list[tuple[int, str, str]]:
    """(line, root, dotted name) of every import in the source; a relative import is its own root's."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[0], a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            name = (node.module or "") if node.level == 0 else f"{own}.{node.module or ''}".rstrip(".")
            out.append((node.lineno, name.split(".")[0], name))
    return out


def violations_in(rel: Path, source: str) -> list[Violation]:
    own = root_of(rel)
    found = []
    for line, root, name in imported_roots(source, own):
        for rule in RULES:
            if own in rule.importers and root in rule.forbidden and root != own:
                found.append(Violation(rel.as_posix(), line, name, rule.why))
    return found


def sources(tree: Path) -> list[Path]:
    """The project's own modules under `tree`: its import roots, the locustfile and the scenarios' stories
    (no tests, no venv)."""
    return sorted(p for p in tree.rglob("*.py") if root_of(p.relative_to(tree)) in CHECKED
                  and not {".venv", "node_modules"} & set(p.parts))


def violations(tree: Path = ROOT) -> list[Violation]:
    return [v for p in sources(tree) for v in violations_in(p.relative_to(tree), p.read_text())]


def test_no_module_reaches_across_a_boundary():
    assert [str(v) for v in violations()] == []


def test_the_checker_reads_every_layer():
    roots = {root_of(p.relative_to(ROOT)) for p in sources(ROOT)}
    assert roots == CHECKED


@pytest.mark.parametrize(("path", "source", "imported"), [
    ("analysis/x.py", "from lab.config import ROOT\n", "lab.config"),
    ("analysis/x.py", "def f():\n    from harness import cli\n", "harness"),
    ("analysis/x.py", "import bench.common\n", "bench.common"),
    ("faults/x.py", "from harness.validation import Fields\n", "harness.validation"),
    ("lab/x.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import harness.scenario\n", "harness.scenario"),
    ("observe/x.py", "from harness.backends import make_lab\n", "harness.backends"),
    ("lab/x.py", "from fairbid.settings import Settings\n", "fairbid.settings"),
    ("faults/x.py", "import fairbid\n", "fairbid"),
    ("fairbid/x.py", "from lab import clients\n", "lab"),
    ("fairbid/x.py", "import locust\n", "locust"),
    ("fairbid/x.py", "from errors import ConfigError\n", "errors"),
    ("harness/x.py", "import locustfile\n", "locustfile"),
    ("bench/x.py", "from locustfile import RedisUser\n", "locustfile"),
    ("runfiles.py", "from analysis import load\n", "analysis"),
    ("scenarios/x.story.py", "from lab.config import ROOT\n", "lab.config"),
    ("scenarios/x.story.py", "def f():\n    import harness.scenario\n", "harness.scenario"),
    ("scenarios/storyline.py", "import runfiles\n", "runfiles"),
])
def test_a_planted_import_across_a_boundary_is_found(path, source, imported):
    assert [v.imported for v in violations_in(Path(path), source)] == [imported]


@pytest.mark.parametrize(("path", "source"), [
    ("harness/x.py", "from lab.config import ROOT\nfrom analysis import index\nimport faults.runner\n"),
    ("analysis/x.py", "import runfiles as rf\nfrom errors import ConfigError\nfrom analysis import load\nfrom . import plots\n"),
    ("lab/x.py", "from .harness import x\n"),  # relative: lab.harness, a module of lab's own
    ("lab/x.py", "import redis\nfrom lab import clients\n"),
    ("observe/x.py", "from fairbid.settings import Settings\n"),
    ("scenarios/x.story.py", "from analysis.stories import Story\nfrom analysis.results_words import lost\n"
                             "from bilingual import L\n"),
])
def test_an_import_the_layers_allow_is_not_reported(path, source):
    assert violations_in(Path(path), source) == []


def test_an_import_planted_in_a_copy_of_the_tree_fails_the_check(tmp_path):
    """The whole-tree scan, not only the single-module reader: plant one upward import and see it."""
    tree = tmp_path / "tree"
    for src in sources(ROOT):
        dest = tree / src.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    assert violations(tree) == []
    planted = tree / "analysis" / "checks.py"
    planted.write_text(planted.read_text() + "\n\ndef _planted():\n    from lab.local import LocalLab\n")
    after = violations(tree)
    assert [(v.path, v.imported) for v in after] == [("analysis/checks.py", "lab.local")]
    assert "analysis works from run files only" in str(after[0])
