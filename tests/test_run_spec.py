"""The run spec: what a run was started with, resolved once, refused before anything starts where
it cannot be run, and read back by every process of the run from its directory."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from errors import ConfigError
from harness.run_spec import FILE, RunSpec
from tests.conftest import ROOT


def test_a_scenario_id_and_relative_files_resolve_to_absolute_paths():
    spec = RunSpec.resolve("redis-4", "docker", "conf/lab.yaml")
    assert spec.scenario == str(ROOT / "scenarios" / "redis-4.yaml")
    assert (spec.backend, spec.lab, spec.target) == ("docker", str(ROOT / "conf" / "lab.yaml"), None)


def test_a_target_file_means_the_target_backend_and_no_lab_config():
    spec = RunSpec.resolve("redis-4", "local", "conf/lab.yaml", "examples/fairbid/target.yaml")
    assert (spec.backend, spec.lab, spec.target) == ("target", None, str(ROOT / "examples" / "fairbid" / "target.yaml"))


@pytest.mark.parametrize("backend, target, why", [("kubernetes", None, "unknown backend 'kubernetes'"),
                                                  ("target", None, "give --target PATH")])
def test_a_backend_that_cannot_run_is_refused_by_name(backend, target, why):
    with pytest.raises(ConfigError, match=why):
        RunSpec.resolve("redis-4", backend, "conf/lab.yaml", target)


def test_an_unknown_scenario_is_refused_before_anything_starts():
    with pytest.raises(ConfigError, match="no scenario 'redis-99'"):
        RunSpec.resolve("redis-99")


def test_the_spec_written_into_a_run_directory_is_the_spec_read_back(tmp_path):
    spec = RunSpec.resolve("stream-2", campaign={"seed": 3, "run": 1}, keep_lab=True)
    path = spec.write(tmp_path)
    assert path == tmp_path / FILE and RunSpec.read(tmp_path) == spec
    assert json.loads(path.read_text())["campaign"] == {"seed": 3, "run": 1}


@pytest.mark.parametrize("text", ["{\"scenario\": \"x\", \"colour\": 1}", "not json", None])
def test_a_run_directory_without_a_readable_spec_is_refused_naming_the_file(tmp_path, text):
    if text is not None:
        (tmp_path / FILE).write_text(text)
    with pytest.raises(ConfigError, match=str(Path(tmp_path) / FILE)):
        RunSpec.read(tmp_path)
