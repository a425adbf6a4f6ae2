"""lab/standin_env.py describes the stand-in from outside (lab/ may not import fairbid/): the table is
held here to what fairbid/settings.py itself reads and refuses, so the two cannot drift apart."""
from __future__ import annotations

import pytest

from fairbid.settings import DURABILITY_MODES, Settings
from lab import standin_env
from lab.spec import env_problem

VALUES = ("", "0", "3", "-1", "2.5", "1e3", " 7 ", "nan", "inf", "x", "async", "guard", "wait", "h:1",
          "127.0.0.1:6379,127.0.0.2:6380", "h", "h:x", ",", "bid-stream")


def _read_by_settings() -> set[str]:
    seen: set[str] = set()

    class Recorder(dict):
        def get(self, key, default=None):
            seen.add(key)
            return default

    Settings.from_env(Recorder())
    return seen


def _outcome(check, *args) -> str:
    try:
        check(*args)
    except ValueError as exc:
        return f"refused: {exc}"
    return "taken"


def test_the_table_names_every_variable_the_stand_in_reads():
    assert set(standin_env.VARIABLES) == _read_by_settings()
    assert standin_env.DURABILITY_MODES == DURABILITY_MODES


@pytest.mark.parametrize("key", sorted(standin_env.VARIABLES))
def test_each_value_is_taken_or_refused_as_the_stand_in_does_with_its_message(key):
    for value in VALUES:
        theirs = _outcome(lambda v: Settings.from_env({key: v}), value)
        assert _outcome(standin_env.check, key, value) == theirs, (key, value)


@pytest.mark.parametrize("env", [{}, {"FAIRBID_STREAM": "s", "FAIRBID_GROUP": "g", "FAIRBID_DEAD_LETTER_STREAM": "d"}])
def test_the_stream_names_are_the_ones_the_stand_in_runs_with(env):
    s, names = Settings.from_env(env), standin_env.stream_names(env)
    assert (names.stream, names.group, names.dead_letter_stream) == (s.stream, s.group, s.dead_letter_stream)


def test_a_scenario_is_refused_a_value_the_stand_in_would_refuse():
    assert env_problem("FAIRBID_DURABILITY", "fast", set()) == (
        "'fast' is not a valid FAIRBID_DURABILITY: FAIRBID_DURABILITY must be one of async, guard, wait, not 'fast'")
    assert env_problem("FAIRBID_REDIS_RETRIES", "2.5", set()).startswith("'2.5' is not a valid FAIRBID_REDIS_RETRIES")
    assert env_problem("FAIRBID_REDIS_RETRIES", "2", set()) is None


def test_the_lab_names_the_same_bucket_streams_as_the_stand_in_in_cluster_mode():
    from fairbid import cluster_keys

    assert standin_env.cluster_tags() == tuple(cluster_keys.CLUSTER_TAGS)
    for base in ("bid-stream", "bid-stream-dead", "s"):
        assert standin_env.cluster_streams(base) == cluster_keys.streams(base)
