"""Read YAML into a tree that remembers where every key and value was written.

``yaml.safe_load`` forgets positions and silently keeps the last of two equal mapping keys, so
a duplicated node id would vanish without a word. Here the text is only *composed* (PyYAML's
node graph, which has ``start_mark`` on every node and keeps duplicate keys), then turned into
:class:`YamlMap`, :class:`YamlList` and :class:`YamlScalar` with 1-based locations. Nothing is
ever constructed from a tag: an explicit tag other than the plain YAML types is refused, so a
playbook cannot ask for a Python object. Aliases are refused too (``*x`` repeated a few times
is the "billion laughs" blow-up, and playbooks have no use for them), as is nesting deeper
than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from console.playbooks.problems import Location, Problem

MAX_BYTES = 1024 * 1024
"""A playbook is a few kilobytes; anything this big is a mistake (or an attack)."""
MAX_DEPTH = 40
"""Playbooks nest five or six levels; PyYAML's own recursion gives out in the hundreds."""

_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "value")
)


@dataclass(frozen=True, slots=True)
class YamlScalar:
    """``value`` is what YAML 1.1 makes of it (``443`` an int, ``yes`` True); ``text`` is the
    value as written. Text fields of a playbook use ``text``, so ``label: Yes`` stays "Yes"."""

    value: Any
    text: str
    location: Location

    @property
    def is_null(self) -> bool:
        return self.value is None


@dataclass(frozen=True, slots=True)
class YamlEntry:
    key: YamlScalar
    value: YamlValue


@dataclass(frozen=True, slots=True)
class YamlMap:
    """Entries in file order, duplicates included: the reader of the map decides what a
    duplicate means (a duplicated node id, a key given twice)."""

    entries: tuple[YamlEntry, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class YamlList:
    items: tuple[YamlValue, ...]
    location: Location


YamlValue = YamlScalar | YamlMap | YamlList


def describe(value: YamlValue) -> str:
    """How a value reads in a message: ``a list``, ``a mapping``, or the scalar as written."""
    if isinstance(value, YamlMap):
        return "a mapping"
    if isinstance(value, YamlList):
        return "a list"
    if value.is_null:
        return "empty (null)"
    return repr(value.text) if isinstance(value.value, str) else value.text


class _Refused(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _LocatingLoader(yaml.SafeLoader):
    """SafeLoader's composer, refusing aliases and deep nesting at their position."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                event.start_mark,
                f"aliases (*{event.anchor}) are not allowed in a playbook; write the value out",
            )
        if self._depth >= MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def location_of(mark: Any) -> Location:
    """A PyYAML mark (0-based) as a 1-based location; no mark means the top of the file."""
    return Location(mark.line + 1, mark.column + 1) if mark is not None else Location(1, 1)


def _location_in_text(text: str, index: int) -> Location:
    before = text[:index]
    return Location(before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


def parse_yaml(data: bytes, path: str) -> tuple[YamlValue | None, list[Problem]]:
    """The document in ``data`` as a located tree, or ``None`` and the located reasons why not.

    Structural oddities that still leave a readable tree (a non-text key, a forbidden tag) are
    reported and the offending entry left out, so the caller can go on finding problems.
    """
    if len(data) > MAX_BYTES:
        message = f"the file is {len(data)} bytes; a playbook may have at most {MAX_BYTES}"
        return None, [Problem(path, None, message)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode("utf-8-sig", "replace")  # columns count characters
        message = f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot start a character)"
        return None, [Problem(path, _location_in_text(head, len(head)), message)]
    try:
        node = _compose(text)
    except _Refused as exc:
        return None, [Problem(path, location_of(exc.mark), exc.message)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(path, exc)]
    except yaml.reader.ReaderError as exc:
        character = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a character"
        message = f"{character} is not allowed in YAML text (a control character?)"
        return None, [Problem(path, _location_in_text(text, exc.position), message)]
    except yaml.YAMLError as exc:  # the remaining PyYAML errors carry no position
        return None, [Problem(path, Location(1, 1), f"YAML syntax: {exc}")]
    if node is None:
        return None, [Problem(path, Location(1, 1), "the file is empty; a playbook is a mapping")]
    problems: list[Problem] = []
    return _Converter(path, problems).convert(node), problems


def _compose(text: str) -> yaml.Node | None:
    loader = _LocatingLoader(text)  # reads the whole text: may raise ReaderError already
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def _syntax_problem(path: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if (exc.problem or "").startswith("but found another document"):
        message = "a playbook is one YAML document; a second one starts here"
        return Problem(path, location_of(mark), message)
    message = f"YAML syntax: {exc.problem or exc.context or 'not valid YAML'}"
    if exc.context and exc.problem and exc.context_mark is not None:
        message += f" ({exc.context} at {location_of(exc.context_mark)})"
    return Problem(path, location_of(mark), message)


class _Converter:
    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.constructor = SafeConstructor()

    def convert(self, node: yaml.Node) -> YamlValue:
        where = location_of(node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, where)
        if isinstance(node, yaml.SequenceNode):
            self.refuse_tag(node, _YAML + "seq", where)
            return YamlList(tuple(self.convert(item) for item in node.value), where)
        if isinstance(node, yaml.MappingNode):
            self.refuse_tag(node, _YAML + "map", where)
            return YamlMap(tuple(self.entries(node)), where)
        raise TypeError(f"unexpected YAML node {type(node).__name__}")  # pragma: no cover

    def entries(self, node: yaml.MappingNode) -> list[YamlEntry]:
        entries = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                where = location_of(key_node.start_mark)
                self.problems.append(Problem(self.path, where, "a key must be text"))
                continue
            key = self.scalar(key_node, location_of(key_node.start_mark))
            entries.append(YamlEntry(key, self.convert(value_node)))
        return entries

    def scalar(self, node: yaml.ScalarNode, where: Location) -> YamlScalar:
        if node.tag not in _SCALAR_TAGS:
            self.problems.append(Problem(self.path, where, _tag_message(node.tag)))
            return YamlScalar(node.value, node.value, where)
        try:
            value = self.constructor.construct_object(node)
        except (ValueError, OverflowError, yaml.YAMLError):
            value = node.value  # e.g. a "date" like 2024-13-45: it is text then
        return YamlScalar(value, node.value, where)

    def refuse_tag(self, node: yaml.Node, plain: str, where: Location) -> None:
        if node.tag != plain:
            self.problems.append(Problem(self.path, where, _tag_message(node.tag)))


def _tag_message(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag
    return f"the YAML tag {shown} is not allowed in a playbook (plain values only)"
