"""YAML loading that remembers line numbers, so a bad value is refused naming its line.

Only text is read: a file that is not UTF-8, is larger than a scenario ever is, nests without end
or expands its aliases beyond MAX_NODES is refused before anything walks it (a "billion laughs"
file is a few hundred bytes that expand to 10**9 values). Duplicate keys and keys that are not
text are refused too: YAML would keep the last one silently, or turn `on:` into True.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from errors import ConfigError

MAX_BYTES = 1 << 20  # a scenario is a page of text; a megabyte is already a mistake
MAX_NODES = 100_000  # values after alias expansion; the catalog's largest file has a few hundred
MAX_DEPTH = 50  # nesting; a scenario goes five deep


class LineDict(dict):
    """A mapping from YAML that knows its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence from YAML that knows its own line and each item's line (1-based)."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(container: object, key: object, default: int = 0) -> int:
    """The line of `key` in a LineDict or LineList; `default` for anything else."""
    return container.line_of(key) if isinstance(container, (LineDict, LineList)) else default


def empty(line: int = 0) -> LineDict:
    """A LineDict with no keys, standing for a section the file leaves out."""
    d = LineDict()
    d.line, d.key_lines = line, {}
    return d


class _Refused(Exception):
    """A file refused before it is built: its line and why."""

    def __init__(self, line: int, why: str) -> None:
        super().__init__(line, why)
        self.line, self.why = line, why


class _Loader(yaml.SafeLoader):
    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.problems: list[tuple[int, str]] = []
        self.depth = 0

    def compose_node(self, parent, index):
        """Composing is recursive: a file nesting thousands deep is refused at MAX_DEPTH, not at Python's limit."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Refused(self.peek_event().start_mark.line + 1, f"nested more than {MAX_DEPTH} deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _expanded_size(node, {})
        return self.construct_document(node)


def _expanded_size(node: yaml.Node, seen: dict[int, int]) -> int:
    """Values the node stands for with every alias expanded, in linear time (a shared node is counted
    once per use, from memory); refused past MAX_NODES, and for a node inside itself."""
    if id(node) in seen:
        return seen[id(node)]
    seen[id(node)] = MAX_NODES + 1  # still being counted: reached again means a cycle
    children = node.value if isinstance(node.value, list) else []
    items = [x for pair in children for x in pair] if isinstance(node, yaml.MappingNode) else children
    total = 1
    for child in items:
        total += _expanded_size(child, seen)
        if total > MAX_NODES:
            raise _Refused(node.start_mark.line + 1, f"more than {MAX_NODES} values once its aliases are expanded "
                                                     "(or an alias inside itself); refused before it is read")
    seen[id(node)] = total
    return total


def _key_problems(loader: _Loader, node: yaml.MappingNode) -> None:
    """Keys that are not text, or given twice (a merge key `<<: *base` may be overridden, as YAML says)."""
    first: dict[str, int] = {}
    for k, _v in node.value:
        line = k.start_mark.line + 1
        if k.tag == "tag:yaml.org,2002:merge":
            continue
        if not isinstance(k, yaml.ScalarNode) or not isinstance(loader.construct_object(k), str):
            loader.problems.append((line, f"key {k.value!r} is not text (quote it)"))
        elif k.value in first:
            loader.problems.append((line, f"key {k.value!r} given twice (first on line {first[k.value]})"))
        else:
            first[k.value] = line


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    _key_problems(loader, node)
    loader.flatten_mapping(node)  # merged keys first, then the file's own: the last one wins, as in the dict
    d = LineDict(loader.construct_mapping(node, deep=True))
    d.line = node.start_mark.line + 1
    d.key_lines = {k.value: v.start_mark.line + 1 for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    return d


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_sequence(node, deep=True))
    out.line = node.start_mark.line + 1
    out.item_lines = [item.start_mark.line + 1 for item in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def _yaml_error(exc: yaml.YAMLError, text: str, source: str) -> ConfigError:
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: not a text file
        line = text.count("\n", 0, exc.position) + 1
        return ConfigError(f"{source}:{line}: not text: character #x{exc.character:04x} is not allowed in YAML")
    mark = getattr(exc, "problem_mark", None)
    where = f"{source}:{mark.line + 1}" if mark else source
    return ConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}")


def _parse(text: str) -> tuple[object, list[tuple[int, str]]]:
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.problems
    finally:
        loader.dispose()


def load(text: str, source: str) -> LineDict:
    """The top mapping of a YAML text; every problem with its keys reported at once."""
    try:
        data, problems = _parse(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, source) from None
    except _Refused as exc:
        raise ConfigError(f"{source}:{exc.line}: {exc.why}") from None
    if problems:
        raise ConfigError("\n".join(f"{source}:{line}: {msg}" for line, msg in sorted(problems)))
    if not isinstance(data, LineDict):
        raise ConfigError(f"{source}:1: expected a mapping at the top (id: ..., title: ..., ...)")
    return data


def load_file(path: Path, source: str) -> LineDict:
    """Like load, from a file that must be UTF-8 text of a sane size."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{source}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{source}: larger than {MAX_BYTES} bytes; not a scenario")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{source}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    return load(text, source)
