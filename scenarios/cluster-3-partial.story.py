"""cluster-3-partial: its story, told as cluster-3's with cluster-require-full-coverage no (cluster-3.story.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("cluster_3_story", Path(__file__).with_name("cluster-3.story.py"))
_full = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_full)

STORY = _full.story(full=False)
