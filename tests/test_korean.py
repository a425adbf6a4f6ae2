"""The Korean documents read as Korean engineers write: particles by pronunciation, natural terms.

A particle after a figure or an identifier takes the form its last sound calls for (bilingual.py:
redis-1이었다, 10,107이었다, 0.711 s였다, master는); the translation-like terms the documents once
used do not come back; a number is written against its counter (22개, 3회).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import bilingual as B

DOCS = Path(__file__).resolve().parent.parent / "docs" / "results"
KOREAN = sorted(DOCS.rglob("RESULTS.ko.md"))

# a particle written straight after a word (no space) and followed by a word boundary
FORMS = {"이었다": "이었다/였다", "였다": "이었다/였다", "이었고": "이었고/였고", "였고": "이었고/였고",
         "이라는": "이라는/라는", "라는": "이라는/라는", "이다": "이다/다", "다": "이다/다",
         "으로": "으로/로", "로": "으로/로", "이": "이/가", "가": "이/가", "은": "은/는", "는": "은/는",
         "을": "을/를", "를": "을/를", "과": "과/와", "와": "과/와"}
PARTICLE = re.compile(r"(?<=[0-9A-Za-z`*)%])(" + "|".join(sorted(FORMS, key=len, reverse=True))
                      + r")(?=[\s.,;:!?()|]|$)")
TERMS = ("확인 쓰기", "실행 파일", "파괴적 장애", "측정 초당", "굶긴")
SPACED_COUNTER = re.compile(r"\d[\d,]* (?:개|건|회|초)(?!당)")  # 22 개 -> 22개 (초당 is a word of its own)


def checked(before: str) -> bool:
    """Whether the word before a particle is one whose reading the documents' rule is sure of: a
    figure (with its unit), or a Latin word of bilingual.READINGS (an identifier as Korean reads it)."""
    t = B.bare(before)
    if not t or "\uac00" <= t[-1] <= "\ud7a3":
        return False
    if B.unit_end(t) or t[-1].isdigit():
        return True
    m = re.search(r"[A-Za-z]+$", t)
    return bool(m) and re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", m.group())[-1].lower() in B.READINGS


def wrong_particles(text: str) -> list[str]:
    """Each particle after a figure or a known identifier that its reading does not take, in context."""
    out = []
    for line in text.splitlines():
        if line.startswith(("    ", "```")):
            continue
        for m in PARTICLE.finditer(line):
            before, pair = line[:m.start()], FORMS[m.group(1)]
            if B.particle(before, pair) != m.group(1) and checked(before):
                out.append(f"{line[max(0, m.start() - 30):m.end() + 10]!r}: {m.group(1)} -> {B.particle(before, pair)}")
    return out


def stiff(text: str) -> list[str]:
    """Translation-like terms, a number spaced from its counter, and a particle marker left unresolved."""
    found = [t for t in TERMS if t in text]
    found += [m.group() for m in SPACED_COUNTER.finditer(text)]
    found += [m.group() for m in B.MARKERS.finditer(text)]
    return found


def _prose(path: Path) -> str:
    """The document without its code blocks (the plan's commands are quoted as written)."""
    lines, fence = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize("path", KOREAN, ids=lambda p: str(p.relative_to(DOCS)))
def test_particles_after_figures_and_identifiers_follow_their_reading(path):
    assert wrong_particles(_prose(path)) == []


@pytest.mark.parametrize("path", KOREAN, ids=lambda p: str(p.relative_to(DOCS)))
def test_no_translated_terms_or_spaced_counters(path):
    assert stiff(_prose(path)) == []


def test_the_editions_are_all_checked():
    assert {p.parent.name for p in KOREAN} >= {"results", "docker", "fairbid"}


@pytest.mark.parametrize("word, pair, expected", [
    ("redis-1", "이었다/였다", "redis-1이었다"), ("10,107", "이었다/였다", "10,107이었다"),
    ("0.711 s", "이었다/였다", "0.711 s였다"), ("22", "을/를", "22를"), ("20", "이/가", "20이"),
    ("100", "으로/로", "100으로"), ("1,000", "은/는", "1,000은"), ("20,000", "과/와", "20,000과"),
    ("0", "이다/다", "0이다"), ("6.25", "이/가", "6.25가"), ("7", "으로/로", "7로"), ("3", "으로/로", "3으로"),
    ("96.1 %", "이/가", "96.1 %가"), ("200 ms", "을/를", "200 ms를"), ("master", "은/는", "master는"),
    ("Sentinel", "이/가", "Sentinel이"), ("MySQL", "을/를", "MySQL을"), ("`kill`", "으로/로", "`kill`로"),
    ("redis-3 (kill)", "이/가", "redis-3 (kill)이"), ("stream", "으로/로", "stream으로"), ("RDB", "은/는", "RDB는"),
    ("XACK", "을/를", "XACK를"), ("script", "이/가", "script가"), ("table", "이/가", "table이"),
    ("commit", "과/와", "commit과"), ("replica", "이었다/였다", "replica였다"), ("다름", "이다/다", "다름이다"),
])
def test_the_particle_follows_the_words_reading(word, pair, expected):
    assert B.josa(word, pair) == expected


def test_a_marker_in_korean_text_is_resolved_when_the_sentence_is_made():
    got = B.L("en", f"master는 여전히 {'redis-1'}(이)었다. 유실 {4385:,}건, 확인 {10107:,}(이)었고 {'0.711'} s(이)었다. "
                    f"{'consumer-2'}(으)로, {'redis-3'}이(가), {'redis-1'}을(를), {'kill'}과(와) {'Sentinel'}은(는)")
    assert got.ko == ("master는 여전히 redis-1이었다. 유실 4,385건, 확인 10,107이었고 0.711 s였다. consumer-2로, redis-3이, "
                      "redis-1을, kill과 Sentinel은")
    assert got.en == "en"


def test_the_check_fails_on_a_planted_bad_sentence():
    bad = ("끝까지 남은 replica가 따르는 master는 여전히 redis-1였다. 유실은 4,385 / 10,107였다. 에러 구간은 20.011 s이었다. "
           "확인 쓰기 22 개가 사라졌다. 첫 번째 파괴적 장애 뒤 측정 초당 107.4건. consumer-2으로 옮겼다. 사용자 30가 입찰했다.")
    assert len(wrong_particles(bad)) == 5, wrong_particles(bad)  # redis-1였다, 10,107였다, s이었다, consumer-2으로, 30가
    assert stiff(bad) == ["확인 쓰기", "파괴적 장애", "측정 초당", "22 개"]
    good = ("끝까지 남은 replica가 따르는 master는 여전히 redis-1이었다. 유실은 4,385 / 10,107이었다. 에러 구간은 20.011 s였다. "
            "ACK된 쓰기 22개가 사라졌다. 첫 장애 주입 뒤 실측 초당 107.4건. consumer-2로 옮겼다. 사용자 30이 입찰했다.")
    assert wrong_particles(good) == [] and stiff(good) == []
