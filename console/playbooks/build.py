"""Turn a located YAML tree into a :class:`Playbook`, reporting every structural problem.

Structural problems are the ones that make the file mean nothing definite: missing, mistyped
or unknown keys, a node with no kind or two, a duplicated node id, a target that is not a
node, an unknown category or trigger. The reader keeps going after each one (with a harmless
fallback value) so an author sees all of them at once. What it learns along the way about
the graph's certainty (which nodes' ways out could not be read, which point nowhere) goes to
:mod:`console.playbooks.analysis`, so it does not pile guesses on top of errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

from console.domain.enums import Category
from console.playbooks.fields import Fields, Report, fact_name, suggestion, text_of
from console.playbooks.model import Node, Playbook, PlaybookSource
from console.playbooks.node_reader import NodeReader
from console.playbooks.problems import Location
from console.playbooks.yaml_tree import YamlMap, YamlScalar, YamlValue, describe

PLAYBOOK_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
NODE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
TOP_KEYS = (
    "id",
    "title",
    "version",
    "category",
    "keywords",
    "required_facts",
    "start",
    "nodes",
    "description",
)


@dataclass(frozen=True, slots=True)
class Draft:
    """What reading found. ``playbook`` always exists (with fallbacks where a field was
    wrong); ``sound`` says no structural error was reported, so it means what it says."""

    playbook: Playbook
    sound: bool
    node_ids: frozenset[str]
    """Every id under ``nodes``, including nodes that could not be read."""
    uncertain: frozenset[str]
    """Nodes whose ways out are not all known (a field could not be read)."""
    dangling: frozenset[str]
    """Nodes with a way out to an id that is not a node."""


def build_playbook(tree: YamlValue, report: Report, source: PlaybookSource) -> Draft:
    return _Builder(report).playbook(tree, source)


class _Builder:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.reader = NodeReader(report)

    def playbook(self, tree: YamlValue, source: PlaybookSource) -> Draft:
        errors_before = self.report.errors
        if not isinstance(tree, YamlMap):
            self.report.error(
                tree.location,
                "a playbook is a mapping (id, title, version, category, start, nodes), "
                f"not {describe(tree)}",
            )
            empty = Playbook("", "", 0, Category.OTHER, "", MappingProxyType({}), source)
            return Draft(empty, False, frozenset(), frozenset(), frozenset())
        top = Fields(self.report, tree, "the playbook", TOP_KEYS)
        playbook_id = self.playbook_id(top)
        title = top.text("title", "what the agent sees in the list") or ""
        version = self.version(top)
        category = self.category(top)
        keywords = self.texts(top, "keywords", "words that suggest this playbook")
        required = self.fact_names(top)
        description = top.text("description", "a paragraph for authors", required=False) or ""
        start = top.text("start", "the id of the first node") or ""
        if start:
            self.reader.targets.append((None, start, top.where("start"), "start"))
        nodes, node_ids = self.nodes(top)
        dangling = self.resolve_targets(node_ids)
        playbook = Playbook(
            id=playbook_id,
            title=title,
            version=version,
            category=category,
            start=start,
            nodes=MappingProxyType(nodes),
            source=source,
            keywords=keywords,
            required_facts=required,
            description=description,
            locations=MappingProxyType({key: top.where(key) for key in top.entries}),
        )
        return Draft(
            playbook,
            sound=self.report.errors == errors_before,
            node_ids=frozenset(node_ids),
            uncertain=frozenset(self.reader.uncertain),
            dangling=dangling,
        )

    # --- the top level -----------------------------------------------------------------------

    def playbook_id(self, top: Fields) -> str:
        value = top.text("id", "a short name like vpn-cannot-connect")
        if value is not None and not PLAYBOOK_ID.match(value):
            self.report.error(
                top.where("id"),
                f"the playbook id {value!r} must be lower-case letters, digits, - and _ "
                "(at most 80, like vpn-cannot-connect)",
            )
        return value or ""

    def version(self, top: Fields) -> int | str:
        value = top.get("version")
        if value is None:
            top.missing("version", "a whole number, raised on every change")
            return 0
        if isinstance(value, YamlScalar):
            typed = value.value
            if isinstance(typed, int) and not isinstance(typed, bool) and typed >= 1:
                return typed
            if isinstance(typed, str) and typed.strip():
                return typed
        self.report.error(
            value.location,
            "the playbook: version must be a whole number from 1 or quoted text like "
            f'"3.1", not {describe(value)}',
        )
        return 0

    def category(self, top: Fields) -> Category:
        value = top.text("category", "one of " + ", ".join(Category))
        if value is None:
            return Category.OTHER
        try:
            return Category(value)
        except ValueError:
            self.report.error(
                top.where("category"),
                f"unknown category {value!r}{suggestion(value, [c.value for c in Category])}; "
                f"the categories are {', '.join(Category)}",
            )
            return Category.OTHER

    def texts(self, top: Fields, key: str, what_it_is: str) -> tuple[str, ...]:
        items = top.list_of(key, what_it_is, required=False)
        if items is None:
            return ()
        texts = (text_of(self.report, item, f"the playbook: {key}", "text") for item in items.items)
        return tuple(text for text in texts if text is not None)

    def fact_names(self, top: Fields) -> tuple[str, ...]:
        items = top.list_of("required_facts", "facts the handoff needs", required=False)
        names: dict[str, None] = {}
        for item in items.items if items is not None else ():
            name = fact_name(self.report, item, "the playbook: required_facts")
            if name is None:
                continue
            if name in names:
                self.report.error(item.location, f"required fact {name!r} is listed twice")
            names[name] = None
        return tuple(names)

    # --- nodes -------------------------------------------------------------------------------

    def nodes(self, top: Fields) -> tuple[dict[str, Node], dict[str, Location]]:
        nodes: dict[str, Node] = {}
        ids: dict[str, Location] = {}
        mapping = top.mapping_of("nodes", "node ids and their nodes")
        if mapping is None:
            return nodes, ids
        if not mapping.entries:
            self.report.error(mapping.location, "the playbook: nodes is empty")
        for entry in mapping.entries:
            node_id, where = entry.key.text, entry.key.location
            if node_id in ids:
                self.report.error(
                    where,
                    f"duplicate node id {node_id!r} (first defined at {ids[node_id]}); "
                    "YAML would silently keep only the last",
                )
                continue
            ids[node_id] = where
            if not NODE_ID.match(node_id):
                self.report.error(
                    where,
                    f"node id {node_id!r} must be letters, digits, _ and - (at most 64)",
                )
            node = self.reader.node(node_id, entry)
            if node is None:
                self.reader.uncertain.add(node_id)
            else:
                nodes[node_id] = node
        return nodes, ids

    def resolve_targets(self, node_ids: dict[str, Location]) -> frozenset[str]:
        dangling: set[str] = set()
        for source, target, where, what in self.reader.targets:
            if target in node_ids:
                continue
            self.report.error(
                where,
                f"{what} {target!r} is not a node of this playbook{suggestion(target, node_ids)}",
            )
            if source is not None:
                dangling.add(source)
        return frozenset(dangling)
