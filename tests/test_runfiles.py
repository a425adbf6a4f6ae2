"""The run-files contract agrees with what Locust itself writes."""
from __future__ import annotations

from locust.contrib.csv_request_logger import CSV_COLUMNS

import runfiles as rf


def test_request_columns_are_locusts_own():
    assert rf.REQUEST_COLUMNS == CSV_COLUMNS


def test_per_process_names_are_found_by_the_readers_glob():
    from pathlib import PurePath

    for name in (rf.REQUESTS, rf.HISTORY):
        assert PurePath(rf.per_process(name, 4242)).match(rf.all_of(name))
        assert PurePath(rf.per_process(name)).match(rf.all_of(name)) and rf.per_process(name) == name
