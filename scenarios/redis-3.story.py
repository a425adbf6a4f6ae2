"""redis-3: its story in the results document, told beside its scenario (redis-3.yaml)."""
from __future__ import annotations

from analysis.stories import aof_story

STORY = aof_story("everysec", "대부분 데이터 복구, 일부 유실 가능",
                  chapter="replication")
