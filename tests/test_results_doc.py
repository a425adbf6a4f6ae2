"""The results document (analysis/results_doc.py) from run directories the tests make themselves.

The runs are trimmed copies (summary.json, run.json, faults.jsonl) of real Docker runs of the
catalog, in tests/data/results_runs/; no server is involved.
"""
from __future__ import annotations

import json
import math
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from analysis import results_doc as rd
from analysis import results_words as T
from faults import upgrade

DATA = Path(__file__).resolve().parent / "data" / "results_runs"
RUN_IDS = sorted(p.name for p in DATA.iterdir() if (p / "summary.json").exists())
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def _copy(src: Path, dst: Path, **changes) -> Path:
    """A copy of a fixture run under another directory name, its summary.json changed by `changes`."""
    shutil.copytree(src, dst)
    s = _summary(dst)
    s["run_id"] = dst.name
    for key, value in changes.items():
        if value is None:
            s.pop(key, None)
        else:
            s[key] = value
    (dst / "summary.json").write_text(json.dumps(s, indent=2))
    return dst


@pytest.fixture
def results(tmp_path) -> Path:
    out = tmp_path / "results"
    out.mkdir()
    for rid in RUN_IDS:
        shutil.copytree(DATA / rid, out / rid)
    return out


def _build(results: Path, **kw) -> dict[str, str]:
    paths, _, _ = rd.build(results=results, backend=kw.pop("backend", "docker"), **kw)
    return {lang: p.read_text() for lang, p in zip(T.LANGS, paths)}


def _section(doc: str, sid: str) -> str:
    """The step's section: from its heading to the next step or chapter heading."""
    m = re.search(rf"^### .*\(`{re.escape(sid)}`\)$", doc, re.M)
    assert m, f"no section for {sid}"
    lines, fence = [doc[m.start():m.end()]], False
    for line in doc[m.end() + 1:].splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and re.match(r"#{1,3} ", line):
            break
        lines.append(line)
    return "\n".join(lines)


def _results_rows(section: str, lang: str) -> dict[str, str]:
    """{metric: value cell} of the step's results table."""
    head = T.TXT["results"](lang)
    assert head in section, f"no results table in:\n{section[:400]}"
    table = section.split(head, 1)[1].strip().split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        names = re.findall(r"`([^`]+)`", cells[0])
        rows[names[-1]] = cells[1]
    return rows


def _matches(cell: str, value: object, lang: str) -> bool:
    if value is None:
        return cell.startswith(T.TXT["na"](lang))
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, str):
        return cell == value
    got = NUMBER.search(cell)
    return bool(got) and math.isclose(float(got.group().replace(",", "")), value, rel_tol=1e-3, abs_tol=5e-4)


def test_both_documents_are_written(results):
    paths, runs, _ = rd.build(results=results, backend="docker")
    assert [p.name for p in paths] == ["RESULTS.md", "RESULTS.ko.md"]
    assert all(p.parent == results.resolve() for p in paths)
    assert sorted(r.id for r in runs.values()) == RUN_IDS
    en, ko = (p.read_text() for p in paths)
    assert en.startswith("# fairbid-ha: results") and ko.startswith("# fairbid-ha: 고가용성")
    assert "\n## Environment\n" in en and "\n## 테스트 환경\n" in ko
    for doc in (en, ko):
        assert "예상 vs 현실" in doc and "면접 예상 질문" in doc


@pytest.mark.parametrize("lang", T.LANGS)
def test_each_steps_figures_equal_its_summary(results, lang):
    doc = _build(results)[lang]
    for rid in RUN_IDS:
        s = _summary(DATA / rid)
        rows = _results_rows(_section(doc, s["scenario"]), lang)
        metrics = s["metrics"]
        expected = [m for m in T.HEADLINE] + [c["metric"] for c in s["checks"]]
        assert set(expected) <= set(rows), f"{rid}: missing rows {set(expected) - set(rows)}"
        for m in expected:
            cell = rows[m]
            assert _matches(cell, metrics.get(m), lang), f"{rid} {m}: {cell!r} vs {metrics.get(m)!r}"
        if metrics["lost_acked_writes"] is not None:  # "lost / acknowledged"
            lost, acked = (float(x.replace(",", "")) for x in NUMBER.findall(rows["lost_acked_writes"])[:2])
            assert (lost, acked) == (metrics["lost_acked_writes"], metrics["acked_writes"])


def test_figures_read_the_same_in_both_languages(results):
    docs = _build(results)
    for rid in RUN_IDS:
        sid = _summary(DATA / rid)["scenario"]
        en, ko = (_results_rows(_section(docs[lang], sid), lang) for lang in T.LANGS)
        assert en.keys() == ko.keys()
        for m in en:
            if not en[m].startswith(T.TXT["na"]("en")):
                assert en[m] == ko[m], m


def test_regenerating_gives_byte_identical_documents(results, tmp_path):
    first = _build(results)
    assert _build(results) == first
    runs = tmp_path / "edition" / "runs"  # --from: every run under DIR, written beside it
    shutil.copytree(results, runs)
    assert rd.main(["--from", str(runs)]) == 0
    written = {p.name: p.read_bytes() for p in (tmp_path / "edition").glob("RESULTS*.md")}
    assert set(written) == {"RESULTS.md", "RESULTS.ko.md"}
    assert rd.main(["--from", str(runs)]) == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "edition").glob("RESULTS*.md")} == written
    assert b"](runs/20261201-" in written["RESULTS.md"]  # links relative to the document


@pytest.mark.parametrize("change", [
    {"target": {"name": "plan-stack", "file": "t.yaml", "plan": []}},
    {"interrupted": True},
    {"backend": "local"},
    {"campaign": "c1"},
    {"workers": 2},
    {"config": {"workers": 2}},
])
def test_a_newer_run_that_does_not_qualify_is_not_taken(results, change):
    base = DATA / "20261201-180340-redis-4-2"
    s = _summary(base)
    newer = _copy(base, results / "20261201-235959-redis-4-2", started_ms=s["started_ms"] + 3_600_000,
                  **{k: ({**s["config"], **v} if k == "config" else v) for k, v in change.items()})
    docs = _build(results)
    for doc in docs.values():
        assert newer.name not in doc
        assert "20261201-180340-redis-4-2" in _section(doc, "redis-4-2")


def test_the_newest_qualifying_run_is_taken(results):
    base = DATA / "20261201-180340-redis-4-2"
    s = _summary(base)
    metrics = {**s["metrics"], "lost_acked_writes": 1234}
    _copy(base, results / "20261201-235959-redis-4-2", started_ms=s["started_ms"] + 3_600_000, metrics=metrics)
    section = _section(_build(results)["en"], "redis-4-2")
    assert "20261201-235959-redis-4-2" in section and "20261201-180340-redis-4-2" not in section
    assert _results_rows(section, "en")["lost_acked_writes"].startswith("1,234 / ")


def test_the_default_backend_is_local(results):
    paths, runs, skipped = rd.build(results=results)
    assert runs == {} and {why for _, why in skipped} == {"backend docker, not local"}
    assert "**Not run** on the local backend" in paths[0].read_text()


def test_a_step_with_no_run_says_not_run(results):
    docs = _build(results)
    en, ko = _section(docs["en"], "stream-3"), _section(docs["ko"], "stream-3")
    assert "**Not run** on the docker backend" in en and "`make scenario S=stream-3 BACKEND=docker`" in en
    assert "실행하지 않았다" in ko and "`make scenario S=stream-3 BACKEND=docker`" in ko
    assert "#### Results" not in en
    row = next(line for line in docs["en"].splitlines() if line.startswith("| Stream Step 3 (`stream-3`)"))
    assert row.endswith("| not run |")


def test_the_korean_document_is_mostly_hangul(results):
    ko = _build(results)["ko"]
    prose, fence = [], False
    for line in ko.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and not line.startswith("|"):
            prose.append(line)
    letters = [ch for ch in "".join(prose) if ch.isalpha()]
    hangul = [ch for ch in letters if "\uac00" <= ch <= "\ud7a3"]
    assert len(hangul) / len(letters) > 0.3, f"{len(hangul)} Hangul of {len(letters)} letters"


def test_the_environment_is_taken_from_the_runs_or_said_to_be_unrecorded(results):
    env = {"redis": "7.0.15", "sentinel": "7.0.15", "mysql": "10.11.6-MariaDB-0+deb12u1", "python": "3.11.7",
           "locust": "2.47.0", "cores": 2, "machine": "x86_64", "kernel": "6.1.0", "backend": "docker",
           "date": "2026-12-01"}
    path = results / "20261201-175452-rdb-2" / "summary.json"
    s = json.loads(path.read_text())
    path.write_text(json.dumps({**s, "environment": env}))
    docs = _build(results)
    en = docs["en"].split("## Environment", 1)[1].split("\n## ", 1)[0]
    assert "| Redis | 7.0.15 (1 runs); not recorded (runs: " in en
    assert "10.11.6-MariaDB-0+deb12u1" in en and "| backend | docker |" in en
    ko = docs["ko"].split("## 테스트 환경", 1)[1].split("\n## ", 1)[0]
    assert "기록 없음" in ko and "3.11.7" in ko


def _question(doc: str, key: str, lang: str) -> str:
    """An interview question's section, from its heading to the next."""
    q = next(q for q in rd.stories.load(rd.SCENARIOS).questions if q.key == key)
    head = q.ko if lang == "ko" else f"{q.en} ({q.ko})"
    return doc.split(f"\n### {head}\n", 1)[1].split("\n### ", 1)[0]


def test_a_question_no_run_measures_is_marked_as_design_reasoning(results, monkeypatch):
    load = rd.stories.load

    def unmeasured(directory):  # the storyline with its cluster question back to design reasoning
        book = load(directory)
        return replace(book, questions=tuple(replace(q, measured=q.key != "cluster") for q in book.questions))

    monkeypatch.setattr(rd.stories, "load", unmeasured)
    for lang, mark in (("en", "**Design reasoning, not measured.**"), ("ko", "**설계 판단이며, 측정한 것이 아니다.**")):
        doc = _build(results)[lang]
        assert mark in _question(doc, "cluster", lang)
        assert doc.count(mark) == 1


def test_the_cluster_question_answers_from_the_runs_and_names_those_not_run(results):
    s = _summary(DATA / "20261201-180813-redis-4")
    for lang, not_run in (("en", "Not run in this edition: "), ("ko", "이번 판에서 실행하지 않은 단계: ")):
        cluster = _question(_build(results)[lang], "cluster", lang)
        assert "Design reasoning" not in cluster and "설계 판단" not in cluster
        assert "`{fb0}`" in cluster  # the opening: the stand-in's hash-tag buckets
        assert T.num(s["metrics"]["requests_per_s"]) in cluster  # redis-4's figures that bear on it
        assert T.num(s["metrics"]["failover_s"]) in cluster
        assert not_run + "`cluster-1`, `cluster-2`, `cluster-3`, `cluster-3-partial`." in cluster


CLUSTER_RUNS = Path(__file__).resolve().parent / "data" / "cluster_runs"  # trimmed copies of local cluster runs
SENTINEL_RUNS = ("20261201-180813-redis-4", "20261201-180340-redis-4-2")


def _comparison_edition(tmp_path: Path, leave_out: tuple[str, ...] = (), absent: dict | None = None) -> dict[str, str]:
    """Both documents of an edition of the Sentinel and cluster runs (`leave_out`: scenarios not copied;
    `absent`: {scenario: {metric: why}} taken out of that run's summary, as a run that lacked them says)."""
    runs = tmp_path / "edition" / "runs"
    for src in [DATA / rid for rid in SENTINEL_RUNS] + sorted(CLUSTER_RUNS.iterdir()):
        s = _summary(src)
        if s["scenario"] in leave_out:
            continue
        changes = (absent or {}).get(s["scenario"], {})
        _copy(src, runs / src.name, metrics={**s["metrics"], **{m: None for m in changes}},
              absent={**s.get("absent", {}), **changes})
    assert rd.main(["--from", str(runs)]) == 0
    return {lang: (tmp_path / "edition" / rd.DOCS[lang]).read_text() for lang in T.LANGS}


def _compared() -> tuple:
    """The storyline's chapter with a comparison, and its comparison."""
    chapter = next(c for c in rd.stories.load(rd.SCENARIOS).chapters if c.compare)
    return chapter, chapter.compare


def _table(doc: str, lang: str) -> list[list[str]]:
    """The cells of each row of the comparison (its header and separator left out), in order."""
    chapter, _ = _compared()
    section = doc.split(f"## {chapter.title(lang)}\n", 1)[1].split("\n### ", 1)[0]
    table = section.split("\n| | ", 1)[1].split("\n\n", 1)[0]  # from the header, whose first cell is empty
    return [[c.strip() for c in line.strip().strip("|").split(" | ")] for line in table.splitlines()[2:]]


def _expected(fig, lang: str) -> str:
    """A figure as the table must show it: its value (and "/ acknowledged"), from the run's summary."""
    src = next(p for p in [*(DATA / rid for rid in SENTINEL_RUNS), *CLUSTER_RUNS.iterdir()]
               if _summary(p)["scenario"] == fig.scenario)
    m = _summary(src)["metrics"]
    text = T.num(m[fig.metric]) + T.unit_of(fig.metric)
    return f"{text} / {T.num(m[fig.of])}" if fig.of else text


@pytest.mark.parametrize("lang", T.LANGS)
def test_the_sentinel_against_cluster_table_shows_each_runs_figures(tmp_path, lang):
    table = _table(_comparison_edition(tmp_path)[lang], lang)
    _, cmp = _compared()
    assert len(table) == sum(1 + len(g.rows) for g in cmp.groups)
    i = 0
    for g in cmp.groups:
        head = table[i]
        assert head[0] == f"**{g.label(lang)}**"
        for col, cell in enumerate(head[1:]):  # each column's runs, linked to their reports
            for fig in {f.scenario: f for r in g.rows if not isinstance(r.cells[col], T.L) for f in r.cells[col]}.values():
                assert f"[{fig.scenario}](runs/" in cell
        for r in g.rows:
            i += 1
            assert table[i][0] == r.label(lang)
            for cell, declared_cell in zip(table[i][1:], r.cells):
                if isinstance(declared_cell, T.L):
                    assert cell == declared_cell(lang)
                    continue
                for fig in declared_cell:
                    assert _expected(fig, lang) in cell, (fig, cell)
        i += 1
    said = _comparison_edition(tmp_path / "again")[lang]
    tail = {"en": "The compared runs, as each recorded itself: ", "ko": "비교한 실행의 조건(각 실행의 기록): "}[lang]
    sentence = next(line for line in said.splitlines() if line.startswith(tail))
    backends = {"en": "backend: docker (redis-4, redis-4-2), local (cluster-1, cluster-2, cluster-3, cluster-3-partial)",
                "ko": "backend: docker(redis-4, redis-4-2), local(cluster-1, cluster-2, cluster-3, cluster-3-partial)"}
    assert backends[lang] in sentence
    assert "cluster-node-timeout 5,000 ms" in sentence and "down-after-milliseconds 5,000 ms" in sentence


def test_a_run_the_edition_lacks_shows_as_absent_in_the_comparison(tmp_path):
    why = "no such cluster event after the fault (the observer watched every cluster node's view)"
    docs = _comparison_edition(tmp_path, leave_out=("cluster-2",), absent={"cluster-1": {"kill.detect_s": why}})
    en, ko = _table(docs["en"], "en"), _table(docs["ko"], "ko")
    kill, cut = 1, 2 + len(_compared()[1].groups[0].rows)  # the first row of each group, after its heading
    assert en[kill][2] == f"— (not measured: {why})"
    assert ko[kill][2] == f"— (측정 안 됨: {T.reason_ko(why)})"
    assert en[cut - 1][2] == "`cluster-2` (not run)" and ko[cut - 1][2] == "`cluster-2` (실행 안 됨)"
    for row in range(cut, cut + len(_compared()[1].groups[1].rows)):
        assert en[row][2] == "— (`cluster-2` not run in this edition)"
        assert ko[row][2] == "— (`cluster-2`는 이번 판에서 실행하지 않았다)"
        assert en[row][1].split(" ")[0][0].isdigit()  # the Sentinel side is there all the same
    assert "(cluster-2)" not in next(line for line in docs["en"].splitlines() if line.startswith("The compared runs"))


def _journaled_on(run_dir: Path, backend: str) -> None:
    """The run's journal as a runner on `backend` would have written it (faults.upgrade words it anew)."""
    path = run_dir / "faults.jsonl"
    facts = ("probe", "undone_by", "said")
    recs = [{**{k: v for k, v in json.loads(line).items() if k not in facts}, "backend": backend}
            for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    upgrade.upgrade(run_dir)


def test_fault_injection_names_the_plans_command_and_what_the_backend_did(results):
    en = _section(_build(results)["en"], "redis-4-2")
    assert "docker network disconnect fairbid_network redis-master" in en
    assert "Docker SDK `kill` of the redis-1 container" in en
    assert "DROP rules inside redis-3's network namespace" in en
    local = _copy(DATA / "20261201-180340-redis-4-2", results / "20261201-235959-redis-4-2", backend="local",
                  started_ms=_summary(DATA / "20261201-180340-redis-4-2")["started_ms"] + 1)
    _journaled_on(local, "local")  # the wording is the kind's, journaled for the backend that ran it
    paths, _, _ = rd.build(results=results, backend="local")
    section = _section(paths[0].read_text(), "redis-4-2")
    assert local.name in section
    assert "SIGKILL of redis-1's process" in section and "DROP rules on `lo` between redis-3's address" in section


DOCS = Path(__file__).resolve().parent.parent / "docs" / "results"
# the local backend's catalog, the Docker backend's, and targets' (the client scenarios on Lettuce and ioredis)
EDITIONS = [DOCS, DOCS / "docker", DOCS / "fairbid", DOCS / "lettuce", DOCS / "ioredis"]
TARGETS = {DOCS / "fairbid": "fairbid", DOCS / "lettuce": "fairbid-lettuce",  # made with --target NAME
           DOCS / "ioredis": "plan-stack-ioredis"}


@pytest.mark.parametrize("edition", EDITIONS, ids=["local", "docker", "fairbid", "lettuce", "ioredis"])
def test_the_committed_edition_regenerates_byte_identically_from_its_runs(tmp_path, edition):
    """`make results FROM=docs/results/runs` gives the committed documents, byte for byte."""
    copy = tmp_path / "results"
    shutil.copytree(edition / "runs", copy / "runs")
    shutil.copy(edition / "stale.json", copy / "stale.json")  # which runs predate their scenario file's settings
    target = ["--target", TARGETS[edition]] if edition in TARGETS else []
    assert rd.main(["--from", str(copy / "runs"), *target]) == 0
    for name in ("RESULTS.md", "RESULTS.ko.md"):
        assert (copy / name).read_bytes() == (edition / name).read_bytes(), name


@pytest.mark.parametrize("edition", EDITIONS, ids=["local", "docker", "fairbid", "lettuce", "ioredis"])
def test_the_committed_editions_figures_equal_each_runs_summary(edition):
    """Each step's headline figures in both committed documents are its summary.json's."""
    runs = sorted(p for p in (edition / "runs").iterdir() if (p / "summary.json").exists())
    assert runs
    for lang, doc in (("en", "RESULTS.md"), ("ko", "RESULTS.ko.md")):
        text = (edition / doc).read_text()
        for run in runs:
            s = _summary(run)
            row = next(line for line in text.splitlines() if f"`{s['scenario']}`" in line and run.name in line)
            lost, acked = s["metrics"].get("lost_acked_writes"), s["metrics"].get("acked_writes")
            if lost is not None and acked is not None:
                assert f"{lost:,} / {acked:,}" in row, (lang, run.name, row)


def test_a_run_replaces_the_editions_run_of_its_scenario_and_nothing_else(tmp_path):
    """`python -m analysis.edition OUT --replace RUN`: a stale run refreshed, the other steps kept."""
    from analysis import edition

    out = tmp_path / "edition"
    shutil.copytree(DOCS / "runs", out / "runs")
    old = next(p for p in (out / "runs").iterdir() if p.name.endswith("-redis-4"))
    new = tmp_path / "results" / "20991231-000000-redis-4"
    shutil.copytree(old, new)
    (new / "requests.csv").write_text("not copied into an edition\n")
    before = sorted(p.name for p in (out / "runs").iterdir())
    assert edition.main([str(out), "--replace", str(new)]) == 0
    after = sorted(p.name for p in (out / "runs").iterdir())
    assert after == sorted([*(n for n in before if n != old.name), new.name])
    assert not (out / "runs" / new.name / "requests.csv").exists()
