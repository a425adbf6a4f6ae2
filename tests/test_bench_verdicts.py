"""The overhead bench's CPU verdict: the speed-free ratio decides, the raw seconds may veto."""
from __future__ import annotations

import json
from pathlib import Path

from bench import summary
from bench.overhead import compare, cpu_met, judge

BENCH = Path(__file__).resolve().parents[1] / "docs" / "results" / "bench"
COMPARED = ("requests_per_s", "cpu_s_per_1000", "cpu_per_service_cpu", "p50_ms", "p99_ms")


def _runs(seconds: dict[str, list[float]], ratio: dict[str, list[float]]) -> dict:
    runs = [{"mode": mode, "cpu_s_per_1000": s, "cpu_per_service_cpu": r}
            for mode in ("bare", "full") for s, r in zip(seconds[mode], ratio[mode])]
    return {"cpu_s_per_1000": compare(runs, "cpu_s_per_1000", higher_is_worse=True),
            "cpu_per_service_cpu": compare(runs, "cpu_per_service_cpu", higher_is_worse=True)}


def test_a_small_ratio_with_noisy_seconds_is_met():
    rated = _runs({"bare": [0.50, 0.72, 0.55], "full": [0.56, 0.64, 0.63]},
                  {"bare": [0.280, 0.279, 0.281], "full": [0.284, 0.285, 0.283]})
    assert rated["cpu_per_service_cpu"]["worse_by_percent"] < 5 and not rated["cpu_s_per_1000"]["beyond_spread"]
    assert cpu_met(rated)


def test_a_ratio_up_by_more_than_5_percent_is_missed():
    rated = _runs({"bare": [0.50, 0.72, 0.55], "full": [0.56, 0.64, 0.63]},
                  {"bare": [0.280, 0.279, 0.281], "full": [0.300, 0.301, 0.299]})
    assert not cpu_met(rated)


def test_seconds_up_beyond_their_spread_veto_a_small_ratio():
    """The service's CPU per bid rose with Locust's: the ratio alone would hide the cost."""
    rated = _runs({"bare": [0.50, 0.51, 0.50], "full": [0.60, 0.61, 0.60]},
                  {"bare": [0.280, 0.279, 0.281], "full": [0.281, 0.280, 0.282]})
    assert rated["cpu_s_per_1000"]["beyond_spread"]
    assert not cpu_met(rated)


def _rejudged(drop: str | None = None) -> dict:
    """The committed overhead run, its comparisons and verdict recomputed from its runs, with one
    figure's readings removed from every run (as if the bench could not read it)."""
    figures = json.loads((BENCH / "overhead.json").read_text())
    for regime in ("max_rate", "scenario_rate"):
        runs = [{k: v for k, v in r.items() if k != drop} for r in figures[regime]["runs"]]
        figures[regime] = {"runs": runs, **{key: compare(runs, key, higher_is_worse=key != "requests_per_s")
                                            for key in COMPARED}}
    judge(figures)
    return figures


def test_the_committed_verdict_follows_from_its_runs():
    committed = json.loads((BENCH / "overhead.json").read_text())
    again = _rejudged()
    assert (again["met"], again["cpu_met"], again["cost_percent"]) == \
        (committed["met"], committed["cpu_met"], committed["cost_percent"])


def test_a_figure_not_measured_misses_and_says_so(tmp_path):
    for drop in ("cpu_per_service_cpu", "cpu_s_per_1000", "p99_ms", "requests_per_s"):
        figures = _rejudged(drop)
        assert figures["met"] is False, drop
        (tmp_path / "overhead.json").write_text(json.dumps(figures))
        row = next(r for r in summary.rows(tmp_path) if r[0] == "3 harness overhead")
        assert "not measured" in row[2] and row[3] == "missed", drop
        assert "None" not in row[2], drop
