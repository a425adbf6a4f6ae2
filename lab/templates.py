"""Request templates: `{name}` placeholders filled from the load's draw, the setup pools and a user's
login, in a path, query, headers or body.

A string that is exactly one placeholder takes the value with its type (a number stays a number in a
JSON body); inside longer text the value is written as text (and, in a path, percent-encoded). `{{`
and `}}` are literal braces. The target file is checked when it is read, so that no placeholder
reaches a request unfilled (harness/target_contract.py); filling one that is unknown here is a bug.
"""
from __future__ import annotations

import re
from urllib.parse import quote

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
WHOLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def names(template: object) -> set[str]:
    """Every placeholder a template (text, or nested mappings and lists of text) names."""
    if isinstance(template, dict):
        return set().union(*(names(v) for v in template.values())) if template else set()
    if isinstance(template, list):
        return set().union(*(names(v) for v in template)) if template else set()
    if isinstance(template, str):
        return {m.group(1) for m in PLACEHOLDER.finditer(template) if m.group(1)}
    return set()


def stray_braces(text: str) -> str | None:
    """Why a text's braces are not placeholders or doubled braces, or None."""
    rest = PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        return f"{text!r} holds a brace that is no placeholder (write {{{{ or }}}} for a literal brace)"
    return None


def fill_text(template: str, values: dict, encode: bool = False) -> str:
    def one(m: re.Match) -> str:
        if m.group(0) == "{{":
            return "{"
        if m.group(0) == "}}":
            return "}"
        text = str(values[m.group(1)])
        return quote(text, safe="") if encode else text
    return PLACEHOLDER.sub(one, template)


def fill(template: object, values: dict) -> object:
    """A JSON template filled: whole placeholders keep the value's type."""
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    if isinstance(template, str):
        whole = WHOLE.fullmatch(template)
        return values[whole.group(1)] if whole else fill_text(template, values)
    return template


def at(reply: object, path: str) -> object:
    """The value at a dotted path of a JSON reply, or None where it is not there."""
    for part in path.split("."):
        if isinstance(reply, list) and part.isdigit() and int(part) < len(reply):
            reply = reply[int(part)]
        elif isinstance(reply, dict) and part in reply:
            reply = reply[part]
        else:
            return None
    return reply


def key_text(value: object) -> str:
    """A key field as text, the same whichever store it came from: 12000, 12000.0, "12000" and
    Decimal("12000.00") are all "12000"."""
    if value is None:
        return ""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() and abs(number) < 2**63 else text


def capture(reply: object, fields: dict[str, str]) -> dict:
    """{name: the value at its dotted path} of a reply, or KeyError naming the first path it lacks (a
    value that is a mapping or a list is no value to fill a placeholder with)."""
    out = {}
    for name, path in fields.items():
        value = at(reply, path)
        if value is None or isinstance(value, (dict, list)):
            raise KeyError(path)
        out[name] = value
    return out
