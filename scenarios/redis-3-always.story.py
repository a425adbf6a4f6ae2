"""redis-3-always: its story in the results document, told beside its scenario (redis-3-always.yaml)."""
from __future__ import annotations

from analysis.stories import aof_story

STORY = aof_story("always", "유실 없음 (모든 쓰기를 응답 전에 fsync, 계획 밖의 비교)",
                  about_tail=" redis-3의 짝으로, 모든 쓰기를 응답 전에 fsync한다.",
                  chapter="replication")
