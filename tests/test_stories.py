"""A scenario's story lives beside the scenario (scenarios/ID.story.py, read by analysis/stories.py): every
catalog step has one, a new scenario with its story is one folder's worth of files, and analysis/ keys no
scenario id. No server: the documents are made from the trimmed runs in tests/data/results_runs/."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from analysis import results_doc as rd
from analysis import stories
from errors import ConfigError
from tests.conftest import ROOT

DATA = Path(__file__).resolve().parent / "data" / "results_runs"

NEW_SCENARIO = """id: gray-9
title: A made-up step of the test suite
plan_step: Gray failure 9
description: A step that exists only in this test.
faults: []
"""
NEW_STORY = '''"""gray-9: a story written in this test."""
from analysis.stories import Answer, Story
from bilingual import L

STORY = Story("시험용 단계", "시험에서만 있는 단계.", "", "", chapter="gray",
              answers=(Answer("cluster", (lambda F: L("gray-9 says so.", "gray-9도 그렇다."),)),))
'''


def test_every_catalog_scenario_has_its_story_beside_it_in_a_chapter_of_the_storyline():
    book = stories.load(rd.SCENARIOS)
    assert set(book.stories) == set(rd.load_catalog())
    chapters = {c.key for c in book.chapters}
    assert all(s.chapter in chapters for s in book.stories.values())


def test_a_new_scenario_with_its_story_is_told_in_its_chapter_and_answers(tmp_path):
    scenarios = tmp_path / "scenarios"
    shutil.copytree(rd.SCENARIOS, scenarios)
    (scenarios / "gray-9.yaml").write_text(NEW_SCENARIO)
    (scenarios / "gray-9.story.py").write_text(NEW_STORY)
    results = tmp_path / "results"
    shutil.copytree(DATA, results)
    paths, _, _ = rd.build(results=results, backend="docker", scenarios=scenarios)
    en, ko = (p.read_text() for p in paths)
    gray = en.split("## 7. Beyond the plan: gray failures", 1)[1].split("\n## ", 1)[0]
    assert "### Gray failure 9: A made-up step of the test suite (`gray-9`)" in gray
    assert gray.index("(`gray-3`)") < gray.index("(`gray-9`)")
    assert "### Gray failure 9: 시험용 단계 (`gray-9`)" in ko
    cluster = en.split("### Why not Redis Cluster?", 1)[1].split("\n### ", 1)[0]
    not_run = next(line for line in cluster.splitlines() if line.startswith("Not run in this edition: "))
    assert "`gray-9`" in not_run and "gray-9 says so." not in cluster  # no run, no figures


@pytest.mark.parametrize(("story", "error"), [
    ('from analysis.stories import Story\nSTORY = Story("t", "a", "", "", chapter="nowhere")\n', "chapter 'nowhere'"),
    ("STORY = None\n", "defines no STORY"),
])
def test_a_story_the_storyline_cannot_place_is_refused(tmp_path, story, error):
    shutil.copy(rd.SCENARIOS / stories.STORYLINE, tmp_path)
    (tmp_path / "x-1.yaml").write_text("id: x-1\n")
    (tmp_path / "x-1.story.py").write_text(story)
    with pytest.raises(ConfigError, match=error):
        stories.load(tmp_path)


def test_a_story_beside_no_scenario_is_refused(tmp_path):
    (tmp_path / "x-1.story.py").write_text('from analysis.stories import Story\nSTORY = Story("t", "a", "", "")\n')
    with pytest.raises(ConfigError, match="no scenario x-1.yaml beside it"):
        stories.load(tmp_path)


# the string "durability" in analysis/edition.py names the durability comparison's folder (`make durability`)
NOT_A_SCENARIO = {("analysis/edition.py", "durability")}


def test_analysis_keys_no_scenario_id():
    """No string in analysis/ is a catalog scenario's id: what a step says is in its story."""
    ids = set(rd.load_catalog())
    found = []
    for path in sorted((ROOT / "analysis").glob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in ids and (rel, node.value) not in NOT_A_SCENARIO:
                found.append(f"{rel}:{node.lineno}: {node.value}")
    assert found == []
