"""redis-5-lettuce-cut: its story, told as redis-5-lettuce's with a cut (redis-5-lettuce.story.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("redis_5_lettuce_story", Path(__file__).with_name("redis-5-lettuce.story.py"))
_kill = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_kill)

STORY = _kill.story("a cut of the master", "master 네트워크 차단", "", closest=_kill.KILL_CMD)
