"""Text in both languages of the documents, and the one way both print a figure.

Shared ground: the fault kinds word what they did when the runner journals it (faults/kinds/), and
the results document words everything else (analysis/results_words.py, and each scenario's story beside
it, scenarios/ID.story.py), so a sentence a kind journals reads exactly as one the analysis writes.
It imports no layer of the project.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class L:
    """One text in both languages."""

    en: str
    ko: str

    def __post_init__(self) -> None:
        if "(" in self.ko:  # a particle marker, resolved now that the figure before it is in place
            object.__setattr__(self, "ko", particles(self.ko))

    def __call__(self, lang: str) -> str:
        return getattr(self, lang)


def num(v: object) -> str:
    """A figure as both documents print it: 18,853 / 6.312 / 0.8163 / true; text as it is."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) < 1:
            s = f"{v:.4g}"
            return f"{v:.6f}".rstrip("0").rstrip(".") if "e" in s else s
        return f"{v:,.3f}".rstrip("0").rstrip(".")
    if isinstance(v, dict | list):
        return json.dumps(v, sort_keys=True)
    return str(v)


# ---- Korean particles, chosen by how the word before them is read -----------------------------------
# A Korean particle has two forms (이/가, 은/는, 을/를, 과/와, 이었다/였다, 으로/로, 이다/다): the first
# after a final consonant (batchim), the second after a vowel; 으로/로 takes 로 after ㄹ too. What
# decides is the sound of the word as a Korean engineer reads it aloud: Hangul by its last syllable, a
# number by its Korean reading (10,107 ends in 칠; 20 in 십; 0.711 in 일), a figure's unit by its Korean
# name (s 초, ms 밀리초, % 퍼센트), a Latin word by its usual Korean transcription (master 마스터, kill 킬,
# redis-1 레디스 일, SQL 에스큐엘). In ko text, write the particle as a marker and L resolves it when
# the sentence is made, the figure already in place: 이(가), 은(는), 을(를), 과(와), (으)로, (이)었다,
# (이)다 (and (이) before any other ending: (이)라는, (이)고).
NONE = ""  # the word ends in a vowel
_FINALS = (NONE, *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")  # a syllable's final, by its index
_DIGITS = {"0": "ㅇ", "1": "ㄹ", "2": NONE, "3": "ㅁ", "4": NONE, "5": NONE, "6": "ㄱ", "7": "ㄹ", "8": "ㄹ",
           "9": NONE}  # 영 일 이 삼 사 오 육 칠 팔 구
_POWERS = ("ㅂ", "ㄱ", "ㄴ")  # a round number ends in 십, 백, 천 ...
_MYRIADS = ("ㄴ", "ㄱ", NONE)  # ... or in 만, 억, 조
UNITS = {"s": NONE, "ms": NONE, "us": NONE, "%": NONE, "bytes": NONE, "MB": NONE, "GB": NONE, "KB": NONE}
# 초, 밀리초, 마이크로초, 퍼센트, 바이트, 메가바이트 ...
_LETTERS = {"l": "ㄹ", "m": "ㅁ", "n": "ㄴ", "r": "ㄹ"}  # 엘 엠 엔 알; every other letter's name ends in a vowel
# Latin words whose Korean reading the spelling rules below get wrong, or that the documents use often
READINGS = {
    "master": NONE, "replica": NONE, "sentinel": "ㄹ", "redis": NONE, "failover": NONE, "consumer": NONE,
    "kill": "ㄹ", "stream": "ㅁ", "group": "ㅂ", "cgroup": "ㅂ", "timeout": "ㅅ", "out": "ㅅ", "ack": NONE,
    "xack": NONE, "check": NONE, "ok": NONE, "ip": NONE, "type": "ㅂ", "lag": NONE, "log": NONE, "job": "ㅂ",
    "up": "ㅂ", "guard": NONE, "pending": "ㅇ", "claim": "ㅁ", "xautoclaim": "ㅁ", "commit": "ㅅ",
    "offset": "ㅅ", "mysql": "ㄹ", "sql": "ㄹ", "mariadb": NONE, "docker": NONE, "compose": NONE,
    "api": NONE, "aof": NONE, "rdb": NONE, "spof": NONE, "cpu": NONE, "true": NONE, "false": NONE,
    "sdown": "ㄴ", "odown": "ㄴ", "down": "ㄴ", "switch": NONE, "cut": "ㅅ", "set": "ㅅ", "get": "ㅅ",
    "tilt": NONE, "readonly": NONE, "noreplicas": NONE, "xlen": "ㄴ", "xadd": NONE, "xpending": "ㅇ",
    "xclaim": "ㅁ", "quorum": "ㅁ", "primary": NONE, "backoff": NONE, "key": NONE, "id": NONE,
}
_VOWELS = set("aeiou")


def _number(text: str) -> str | None:
    """The final sound of the number `text` ends with (digits, commas, a decimal part)."""
    m = re.search(r"(\d[\d,]*)(\.\d+)?$", text)
    if m is None:
        return None
    if m.group(2):  # a decimal part is read digit by digit: 0.711 -> 영 점 칠일일
        return _DIGITS[m.group(2)[-1]]
    digits = m.group(1).replace(",", "")
    n = int(digits)
    if n == 0:
        return _DIGITS["0"]
    zeros = len(digits) - len(digits.rstrip("0"))
    if zeros == 0:
        return _DIGITS[digits[-1]]
    if zeros < 4:
        return _POWERS[zeros - 1]
    return _MYRIADS[min(zeros // 4, 3) - 1]


def _latin(run: str) -> str:
    """The final sound of a Latin word (`run`: its letters) as Korean transcribes it."""
    part = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+", run)[-1]  # MySQL -> SQL, XAutoClaim -> Claim
    w = part.lower()
    if w in READINGS:
        return READINGS[w]
    if part.isupper() and (len(part) <= 2 or not set(w) & _VOWELS):  # an abbreviation: letter by letter
        return _LETTERS.get(w[-1], NONE)
    if w.endswith("ng"):
        return "ㅇ"
    if w[-1] in "lmn":  # kill 킬, stream 스트림, down 다운
        return _LETTERS[w[-1]]
    if w.endswith(("le", "me", "ne")) and len(w) > 2:  # table 테이블, time 타임, line 라인
        return _LETTERS[w[-2]]
    if w[-1] in "ptk" or w.endswith("ck"):  # a short vowel before p/t/k: 스톱, 셋, 백; else 스크립트
        stem = w[:-2] if w.endswith("ck") else w[:-1]
        if stem and stem[-1] in _VOWELS and (len(stem) == 1 or stem[-2] not in _VOWELS):
            return {"p": "ㅂ", "t": "ㅅ"}.get(w[-1], "ㄱ")
    return NONE  # master 마스터, redis 레디스, guard 가드, pause 포즈


def bare(text: str) -> str:
    """`text` without what a reader does not say before a particle: trailing markdown marks, quotes,
    and a closing parenthetical (the particle of "redis-3 (kill)이" belongs to redis-3)."""
    t = text.rstrip()
    while True:
        t0 = t
        t = t.rstrip("`*'\"”’]").rstrip()
        if t.endswith(")") and "(" in t:
            depth, i = 0, len(t)
            for i in range(len(t) - 1, -1, -1):
                depth += {")": 1, "(": -1}.get(t[i], 0)
                if depth == 0:
                    break
            if depth == 0:
                t = t[:i].rstrip() if t[:i].strip() else t[i + 1:-1]
        if t == t0:
            return t


def unit_end(text: str) -> str | None:
    """The unit a figure at the end of `text` is given in (20.011 s, 200 ms, 96.1 %, 60000ms), or None."""
    words = text.split()
    if not words:
        return None
    m = re.fullmatch(r"(\d[\d,.]*)?(ms|us|s|%|bytes|MB|GB|KB)", words[-1])
    if m and (m.group(1) or len(words) > 1 and re.search(r"\d$", words[-2])):
        return m.group(2)
    return None


def final_sound(text: str) -> str | None:
    """The final consonant of how `text` ends when read aloud in Korean ("" after a vowel); None if
    nothing readable ends it (see `bare` for what is skipped)."""
    t = bare(text)
    if not t:
        return None
    last = t[-1]
    if "\uac00" <= last <= "\ud7a3":
        return _FINALS[(ord(last) - 0xAC00) % 28]
    unit = unit_end(t)
    if unit is not None:
        return UNITS[unit]
    if last.isdigit():
        return _number(t)
    m = re.search(r"[A-Za-z]+$", t)
    return _latin(m.group()) if m else None


_PAIRS = {"이/가": ("이", "가"), "은/는": ("은", "는"), "을/를": ("을", "를"), "과/와": ("과", "와"),
          "이었다/였다": ("이었다", "였다"), "으로/로": ("으로", "로"), "이다/다": ("이다", "다"),
          "이었고/였고": ("이었고", "였고"), "이라는/라는": ("이라는", "라는")}


def particle(text: str, pair: str) -> str:
    """The form of the particle `pair` ("이/가", ...) that follows `text`; the first form when its end
    cannot be read."""
    after, vowel = _PAIRS[pair]
    sound = final_sound(text)
    if sound is None:
        return after
    if pair == "으로/로":
        return after if sound not in (NONE, "ㄹ") else vowel
    return after if sound != NONE else vowel


def josa(text: str, pair: str) -> str:
    """`text` with the particle `pair` ("이/가", "은/는", "을/를", "과/와", "이었다/였다", "으로/로",
    "이다/다") in the form its last sound takes: josa("redis-1", "이었다/였다") == "redis-1이었다"."""
    return text + particle(text, pair)


MARKERS = re.compile(r"이\(가\)|은\(는\)|을\(를\)|과\(와\)|\(으\)로|\(이\)(었)?")
_MARKED = {"이(가)": "이/가", "은(는)": "은/는", "을(를)": "을/를", "과(와)": "과/와", "(으)로": "으로/로",
           "(이)었": "이었다/였다", "(이)": "이다/다"}


def particles(ko: str) -> str:
    """Korean text with each particle marker (이(가), (으)로, (이)었다, ...) in the form the word before
    it takes; a marker with nothing readable before it stays as it is."""
    out, pos = [], 0
    for m in MARKERS.finditer(ko):
        out.append(ko[pos:m.start()])
        pos = m.end()
        before = "".join(out)
        if final_sound(before) is None:
            out.append(m.group())
            continue
        form = particle(before, _MARKED[m.group()])
        out.append(form[:-1] if m.group().startswith("(이)") else form)  # (이)고, (이)었고: the stem only
    return "".join(out) + ko[pos:]
