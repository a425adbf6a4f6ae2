"""results/index.md: the newest run of each scenario per backend, whatever backends ran."""
from __future__ import annotations

import json

from analysis.index import write_index


def _run(results, run_id: str, scenario: str, backend: str, passed: bool = True) -> None:
    d = results / run_id
    d.mkdir(parents=True)
    (d / "summary.json").write_text(json.dumps({
        "run_id": run_id, "scenario": scenario, "backend": backend, "plan_step": "Redis Step 4", "passed": passed,
        "metrics": {"failover_s": 6.25, "error_window_s": 7.0, "lost_acked_writes": 0}}))


def test_a_run_against_a_target_alone_is_indexed_in_its_own_column(tmp_path):
    _run(tmp_path, "20261201-185502-redis-4", "redis-4", "target")
    text = write_index(tmp_path).read_text()
    assert "verdict (target)" in text and "| redis-4 | Redis Step 4 | PASS | 6.25 | 7.0 | 0 |" in text
    assert "[target](20261201-185502-redis-4/report.md)" in text


def test_backends_side_by_side_and_a_missing_one_is_a_dash(tmp_path):
    _run(tmp_path, "20261201-180813-redis-4", "redis-4", "docker", passed=False)
    _run(tmp_path, "20261201-192502-redis-4", "redis-4", "local")
    _run(tmp_path, "20261201-191343-redis-1", "redis-1", "local")
    text = write_index(tmp_path).read_text()
    assert "| verdict (local) | verdict (docker) |" in text
    assert "| redis-4 | Redis Step 4 | PASS | FAIL |" in text and "| redis-1 | Redis Step 4 | PASS | - |" in text
