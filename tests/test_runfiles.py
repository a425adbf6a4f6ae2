"""The run-files contract agrees with what Locust itself writes."""
from __future__ import annotations

from locust.contrib.csv_request_logger import CSV_COLUMNS

import runfiles as rf


def test_request_columns_are_locusts_own():
    assert rf.REQUEST_COLUMNS == CSV_COLUMNS


def test_the_readers_glob_finds_each_kind_of_file_and_only_that_kind():
    from pathlib import PurePath

    for name in (rf.REQUESTS, rf.HISTORY):
        assert PurePath(name).match(rf.all_of(name))
    assert not PurePath(rf.HISTORY).match(rf.all_of(rf.REQUESTS))
