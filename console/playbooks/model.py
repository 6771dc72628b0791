"""A playbook as the rest of the console sees it: frozen, fully checked, with its source pinned.

Only :mod:`console.playbooks.build` makes these, from a file that parsed; every node keeps the
location of its id and of its fields, so later analyses (reachability, checks, facts) can
report at the exact line and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar

from console.domain.checks import CheckStatus
from console.domain.enums import Category, Trigger
from console.playbooks.problems import Location

_EMPTY: Mapping[str, str] = MappingProxyType({})


class InputKind(StrEnum):
    """What an ``input`` node accepts; the UI picks its widget from this."""

    TEXT = "text"
    MULTILINE = "multiline"
    """Long text: an error message read out word for word, a log excerpt."""
    NUMBER = "number"
    CHOICE = "choice"
    """One of ``options`` (the values are free text, unlike an ``ask``'s branches)."""


@dataclass(frozen=True, slots=True)
class Edge:
    """One way out of a node. ``outcome`` is how it is taken (``next``, a choice's label,
    ``pass``/``fail``/``error``, a case value, ``default``); ``key`` names the field that
    holds the target (``choices[1].next``), for locating it."""

    outcome: str
    target: str
    key: str
    sets: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class Node:
    """Common to all nodes. ``locations`` maps field keys (as in :attr:`Edge.key`) to where
    their values are written; ``location`` is where the node's id is written."""

    kind: ClassVar[str] = ""
    id: str
    location: Location
    locations: Mapping[str, Location]

    @property
    def is_leaf(self) -> bool:
        return False

    @property
    def prompt(self) -> str:
        """What the agent reads at this node (recorded in the transcript)."""
        raise NotImplementedError

    def edges(self) -> tuple[Edge, ...]:
        return ()

    def where(self, key: str) -> Location:
        return self.locations.get(key, self.location)


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    next: str
    sets: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class AskNode(Node):
    kind: ClassVar[str] = "ask"
    question: str
    choices: tuple[Choice, ...]

    @property
    def prompt(self) -> str:
        return self.question

    def edges(self) -> tuple[Edge, ...]:
        return tuple(
            Edge(c.label, c.next, f"choices[{i}].next", c.sets) for i, c in enumerate(self.choices)
        )


@dataclass(frozen=True, slots=True)
class InputNode(Node):
    kind: ClassVar[str] = "input"
    fact: str
    question: str
    input_kind: InputKind
    options: tuple[str, ...]
    next: str

    @property
    def prompt(self) -> str:
        return self.question

    def edges(self) -> tuple[Edge, ...]:
        return (Edge("next", self.next, "next"),)


@dataclass(frozen=True, slots=True)
class CheckNode(Node):
    """``on_error`` is optional: without it a check that could not tell (``error`` or
    ``skipped``) goes where ``on_fail`` goes, the cautious way on."""

    kind: ClassVar[str] = "check"
    check: str
    args: Mapping[str, Any]
    on_pass: str
    on_fail: str
    on_error: str | None

    @property
    def prompt(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.args.items())
        return f"Run the check {self.check}({shown})"

    def target_for(self, status: str) -> str:
        """Where a result goes: ``pass``, ``fail``, or anything else (``error``, ``skipped``)."""
        if status == CheckStatus.PASS:
            return self.on_pass
        if status == CheckStatus.FAIL:
            return self.on_fail
        return self.on_error or self.on_fail

    def edges(self) -> tuple[Edge, ...]:
        edges = [
            Edge(CheckStatus.PASS.value, self.on_pass, "on_pass"),
            Edge(CheckStatus.FAIL.value, self.on_fail, "on_fail"),
        ]
        if self.on_error is not None:
            edges.append(Edge(CheckStatus.ERROR.value, self.on_error, "on_error"))
        return tuple(edges)


@dataclass(frozen=True, slots=True)
class BranchNode(Node):
    """Goes on by a fact's value without asking anyone (facts from the snapshot included)."""

    kind: ClassVar[str] = "branch"
    fact: str
    cases: Mapping[str, str]
    default: str

    @property
    def prompt(self) -> str:
        return f"Branch on {self.fact}"

    def target_for(self, value: str | None) -> str:
        return self.cases.get(value, self.default) if value is not None else self.default

    def edges(self) -> tuple[Edge, ...]:
        cases = [Edge(v, t, f"cases.{v}") for v, t in self.cases.items()]
        return (*cases, Edge("default", self.default, "default"))


@dataclass(frozen=True, slots=True)
class InstructNode(Node):
    kind: ClassVar[str] = "instruct"
    text: str
    next: str

    @property
    def prompt(self) -> str:
        return self.text

    def edges(self) -> tuple[Edge, ...]:
        return (Edge("next", self.next, "next"),)


@dataclass(frozen=True, slots=True)
class ResolveNode(Node):
    kind: ClassVar[str] = "resolve"
    summary: str
    kb: str | None

    @property
    def is_leaf(self) -> bool:
        return True

    @property
    def prompt(self) -> str:
        return self.summary


@dataclass(frozen=True, slots=True)
class EscalateNode(Node):
    """``note`` may name facts in braces ("Hotspot test: {other_network_test}."): tier 2 reads
    it with the run's values in their place (:meth:`note_with`)."""

    kind: ClassVar[str] = "escalate"
    trigger: Trigger
    queue: str
    note: str | None

    @property
    def is_leaf(self) -> bool:
        return True

    @property
    def note_facts(self) -> tuple[str, ...]:
        """The facts the note names, in order, once each."""
        return tuple(dict.fromkeys(NOTE_FACT.findall(self.note or "")))

    def note_with(self, facts: Mapping[str, str]) -> str | None:
        """The note with each named fact's value in its place ("not recorded" for a fact the
        run did not set)."""
        note = self.note
        if note is None:
            return None

        def value(match: re.Match[str]) -> str:
            text = facts.get(match.group(1), "").strip() or "not recorded"
            # "Device: {device_details}." with "Dell 7440." typed: one full stop, not two.
            return text.rstrip(".") if note.startswith(".", match.end()) else text

        return NOTE_FACT.sub(value, note)

    @property
    def prompt(self) -> str:
        """As the author wrote it, fact names and all (the graph shows this)."""
        return self._prompt(self.note)

    def prompt_with(self, facts: Mapping[str, str]) -> str:
        """As a run records it: the note with the run's facts in place."""
        return self._prompt(self.note_with(facts))

    def _prompt(self, note: str | None) -> str:
        text = f"Escalate to {self.queue} ({self.trigger.value})"
        return f"{text}: {note}" if note else text


NOTE_FACT = re.compile(r"\{([a-z][a-z0-9_]*)\}")
"""A fact named in an escalation's note: ``{snake_case_name}``."""


NODE_KINDS: tuple[type[Node], ...] = (
    AskNode,
    InputNode,
    CheckNode,
    BranchNode,
    InstructNode,
    ResolveNode,
    EscalateNode,
)
KIND_NAMES: tuple[str, ...] = tuple(kind.kind for kind in NODE_KINDS)


@dataclass(frozen=True, slots=True)
class PlaybookSource:
    """Which bytes the playbook came from: the transcript pins ``sha256`` so tier 2 can
    replay the exact path even after the file changed."""

    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Playbook:
    id: str
    title: str
    version: int | str
    category: Category
    start: str
    nodes: Mapping[str, Node]
    """In file order."""
    source: PlaybookSource
    keywords: tuple[str, ...] = ()
    required_facts: tuple[str, ...] = ()
    description: str = ""
    locations: Mapping[str, Location] = field(default_factory=dict)
    """Where the top-level values are written (``id``, ``start``, ...)."""

    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise KeyError(f"{self.id}: there is no node {node_id!r}") from None

    def facts_set(self) -> frozenset[str]:
        """Every fact some node of this playbook sets."""
        facts: set[str] = set()
        for node in self.nodes.values():
            if isinstance(node, InputNode):
                facts.add(node.fact)
            for edge in node.edges():
                facts.update(edge.sets)
        return frozenset(facts)
