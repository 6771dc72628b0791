"""Read one node of a playbook: its kind, its fields, its ways out, reporting what is wrong.

Used by :mod:`console.playbooks.build` for every entry under ``nodes``. Targets are only
queued here (:attr:`NodeReader.targets`): whether they name a node is known once every node
has been read. Nodes whose ways out could not be read are collected in
:attr:`NodeReader.uncertain`, so the graph rules know not to guess about them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from console.domain.enums import Trigger
from console.playbooks.facts import value_problem
from console.playbooks.fields import Fields, Report, fact_name, suggestion, text_of
from console.playbooks.model import (
    KIND_NAMES,
    AskNode,
    BranchNode,
    CheckNode,
    Choice,
    EscalateNode,
    InputKind,
    InputNode,
    InstructNode,
    Node,
    ResolveNode,
)
from console.playbooks.problems import Location
from console.playbooks.yaml_tree import YamlEntry, YamlMap, YamlScalar, describe

NODE_KEYS: dict[str, tuple[str, ...]] = {
    "ask": ("ask", "choices"),
    "input": ("input", "next"),
    "check": ("check", "args", "on_pass", "on_fail", "on_error"),
    "branch": ("branch",),
    "instruct": ("instruct", "next"),
    "resolve": ("resolve",),
    "escalate": ("escalate",),
}
"""The keys each kind of node takes; the kind's own key names the kind."""
_ANY_NODE_KEY = frozenset(key for keys in NODE_KEYS.values() for key in keys)
_KINDS_TEXT = ", ".join(KIND_NAMES)

Target = tuple[str | None, str, Location, str]
"""(node id or None for ``start``, target id, where it is written, what it is in messages)"""


@dataclass
class _NodeContext:
    id: str
    fields: Fields
    locations: dict[str, Location] = field(default_factory=dict)

    def frozen_locations(self) -> MappingProxyType[str, Location]:
        return MappingProxyType(dict(self.locations))


class NodeReader:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.uncertain: set[str] = set()
        self.targets: list[Target] = []

    def node(self, node_id: str, entry: YamlEntry) -> Node | None:
        """The node, or ``None`` when it has no kind, two, or is not a mapping (reported)."""
        body, where = entry.value, entry.key.location
        if not isinstance(body, YamlMap):
            self.report.error(
                body.location,
                f"node {node_id!r} must be a mapping with one of {_KINDS_TEXT}, "
                f"not {describe(body)}",
            )
            return None
        kinds = list(dict.fromkeys(e.key.text for e in body.entries if e.key.text in NODE_KEYS))
        if len(kinds) != 1:
            if kinds:
                message = f"has {len(kinds)} kinds ({' and '.join(kinds)}); give exactly one"
            else:
                message = f"has no kind: give exactly one of {_KINDS_TEXT}"
            self.report.error(where, f"node {node_id!r} {message}")
            return None
        kind = kinds[0]
        allowed = NODE_KEYS[kind]
        hint = f"{_article(kind)} {kind} node takes {', '.join(allowed)}"
        misplaced = {key: hint for key in _ANY_NODE_KEY if key not in allowed}
        if kind == "ask":
            misplaced["next"] = "an ask node has no next: each choice has its own"
        fields = Fields(self.report, body, f"node {node_id!r}", allowed, misplaced, at=where)
        context = _NodeContext(node_id, fields)
        return self.readers[kind](self, context, where)

    def part(
        self, fields: Fields, key: str, what_it_is: str, keys: tuple[str, ...]
    ) -> Fields | None:
        """The fields of a node's kind key (``input: {fact, prompt}``), if it is a mapping."""
        mapping = fields.mapping_of(key, what_it_is)
        if mapping is None:
            return None
        return Fields(self.report, mapping, f"{fields.what}: {key}", keys)

    def fact_field(self, context: _NodeContext, given: Fields) -> str | None:
        value = given.get("fact")
        if value is None:
            given.missing("fact", "a fact name")
            return None
        context.locations["fact"] = value.location
        return fact_name(self.report, value, given.what)

    def target(self, context: _NodeContext, fields: Fields, key: str, loc_key: str = "") -> str:
        """A way out: its text, queued to be checked against the node ids once all are read."""
        loc_key = loc_key or key
        text = fields.text(key, "the id of the node to go to")
        if text is None:
            self.uncertain.add(context.id)
            return ""
        where = fields.where(key)
        context.locations[loc_key] = where
        self.targets.append((context.id, text, where, f"{fields.what}: {key}"))
        return text

    def sets(self, context: _NodeContext, fields: Fields, prefix: str) -> dict[str, str]:
        mapping = fields.mapping_of("set", "facts and their values", required=False)
        if mapping is None:
            return {}
        facts = Fields(self.report, mapping, f"{fields.what}: set", _AnyKey())
        values: dict[str, str] = {}
        for name, entry in facts.entries.items():
            if fact_name(self.report, entry.key, f"{fields.what}: set") is None:
                continue
            value = text_of(self.report, entry.value, f"{fields.what}: set {name}", "the value")
            if value is None:
                continue
            problem = value_problem(name, value)
            if problem is not None:
                self.report.error(entry.value.location, f"{fields.what}: {problem}")
            context.locations[f"{prefix}set.{name}"] = entry.value.location
            values[name] = value
        return values

    def read_ask(self, context: _NodeContext, where: Location) -> Node:
        fields = context.fields
        question = fields.text("ask", "the question to put to the caller") or ""
        items = fields.list_of("choices", "each with a label and next")
        choices: list[Choice] = []
        labels: dict[str, Location] = {}
        if items is None or not items.items:
            if items is not None:
                self.report.error(items.location, f"{fields.what}: choices is empty")
            self.uncertain.add(context.id)
        for i, item in enumerate(items.items if items is not None else ()):
            if not isinstance(item, YamlMap):
                self.report.error(
                    item.location,
                    f"{fields.what}: choice {i + 1} must be a mapping with label and next, "
                    f"not {describe(item)}",
                )
                self.uncertain.add(context.id)
                continue
            choice = Fields(
                self.report, item, f"node {context.id!r}: choice {i + 1}", ("label", "next", "set")
            )
            label = choice.text("label", "what the agent clicks") or ""
            if label in labels:
                self.report.error(
                    choice.where("label"),
                    f"{fields.what}: two choices are labelled {label!r} "
                    f"(the other at {labels[label]})",
                )
            labels.setdefault(label, choice.where("label"))
            context.locations[f"choices[{i}].label"] = choice.where("label")
            target = self.target(context, choice, "next", f"choices[{i}].next")
            choices.append(Choice(label, target, self.sets(context, choice, f"choices[{i}].")))
        return AskNode(context.id, where, context.frozen_locations(), question, tuple(choices))

    def read_input(self, context: _NodeContext, where: Location) -> Node:
        fields = context.fields
        given = self.part(fields, "input", "fact and prompt", ("fact", "prompt", "kind", "options"))
        fact, prompt, kind = "", "", InputKind.TEXT
        options: tuple[str, ...] = ()
        if given is not None:
            fact = self.fact_field(context, given) or ""
            prompt = given.text("prompt", "what to ask the caller") or ""
            options = self.options(given)
            kind = self.input_kind(given, options)
        target = self.target(context, fields, "next")
        return InputNode(
            context.id, where, context.frozen_locations(), fact or "", prompt, kind, options, target
        )

    def input_kind(self, given: Fields, options: tuple[str, ...]) -> InputKind:
        kind_text = given.text("kind", "text, multiline, number or choice", required=False)
        if kind_text is None:
            return InputKind.CHOICE if options else InputKind.TEXT
        try:
            kind = InputKind(kind_text)
        except ValueError:
            self.report.error(
                given.where("kind"),
                f"{given.what}: unknown kind {kind_text!r}; the kinds are " + ", ".join(InputKind),
            )
            return InputKind.TEXT
        if (kind is InputKind.CHOICE) != bool(options):
            self.report.error(
                given.where("kind"), f"{given.what}: options go with kind choice, and only with it"
            )
        return kind

    def options(self, given: Fields) -> tuple[str, ...]:
        items = given.list_of("options", "the values the agent picks from", required=False)
        if items is None:
            return ()
        if not items.items:
            self.report.error(items.location, f"{given.what}: options is empty")
        texts = (text_of(self.report, v, f"{given.what}: option", "text") for v in items.items)
        return tuple(text for text in texts if text is not None)

    def read_check(self, context: _NodeContext, where: Location) -> Node:
        fields = context.fields
        name = fields.text("check", "the name of a registered check") or ""
        context.locations["check"] = fields.where("check")
        args: dict[str, Any] = {}
        mapping = fields.mapping_of("args", "the check's arguments", required=False)
        if mapping is not None:
            context.locations["args"] = mapping.location
            given = Fields(self.report, mapping, f"{fields.what}: args", _AnyKey())
            for key, entry in given.entries.items():
                context.locations[f"args.{key}"] = entry.key.location
                if not isinstance(entry.value, YamlScalar):
                    self.report.error(
                        entry.value.location,
                        f"{given.what}: {key} must be a plain value, not {describe(entry.value)}",
                    )
                    continue
                args[key] = entry.value.value
        on_pass = self.target(context, fields, "on_pass")
        on_fail = self.target(context, fields, "on_fail")
        on_error = self.target(context, fields, "on_error") if "on_error" in fields else None
        return CheckNode(
            context.id,
            where,
            context.frozen_locations(),
            name,
            MappingProxyType(args),
            on_pass,
            on_fail,
            on_error,
        )

    def read_branch(self, context: _NodeContext, where: Location) -> Node:
        fields = context.fields
        given = self.part(fields, "branch", "fact, cases and default", ("fact", "cases", "default"))
        if given is None:
            self.uncertain.add(context.id)
            return BranchNode(
                context.id, where, context.frozen_locations(), "", MappingProxyType({}), ""
            )
        fact = self.fact_field(context, given)
        cases: dict[str, str] = {}
        mapping = given.mapping_of("cases", "fact values and the node each goes to")
        if mapping is None:
            self.uncertain.add(context.id)
        else:
            values = Fields(self.report, mapping, f"{given.what}: cases", _AnyKey())
            for value, entry in values.entries.items():
                problem = value_problem(fact, value) if fact else None
                if problem is not None:
                    self.report.error(entry.key.location, f"{given.what}: {problem}")
                context.locations[f"cases.{value}"] = entry.value.location
                cases[value] = self.target(context, values, value, f"cases.{value}")
        default = self.target(context, given, "default")
        return BranchNode(
            context.id,
            where,
            context.frozen_locations(),
            fact or "",
            MappingProxyType(cases),
            default,
        )

    def read_instruct(self, context: _NodeContext, where: Location) -> Node:
        fields = context.fields
        text = fields.text("instruct", "what the caller is to do") or ""
        target = self.target(context, fields, "next")
        return InstructNode(context.id, where, context.frozen_locations(), text, target)

    def read_resolve(self, context: _NodeContext, where: Location) -> Node:
        fields = context.fields
        given = self.part(fields, "resolve", "summary and optional kb", ("summary", "kb"))
        summary, kb = "", None
        if given is not None:
            summary = given.text("summary", "what fixed it, for the ticket") or ""
            kb = given.text("kb", "a knowledge-base article", required=False)
        return ResolveNode(context.id, where, context.frozen_locations(), summary, kb)

    def read_escalate(self, context: _NodeContext, where: Location) -> Node:
        fields = context.fields
        given = self.part(fields, "escalate", "trigger, queue and optional note", _ESCALATE_KEYS)
        if given is None:
            return EscalateNode(
                context.id, where, context.frozen_locations(), Trigger.COMPLEXITY, "", None
            )
        trigger_text = given.text("trigger", "one of " + ", ".join(Trigger))
        trigger = Trigger.COMPLEXITY
        if trigger_text is not None:
            context.locations["trigger"] = given.where("trigger")
            try:
                trigger = Trigger(trigger_text)
            except ValueError:
                self.report.error(
                    given.where("trigger"),
                    f"unknown trigger {trigger_text!r}"
                    f"{suggestion(trigger_text, [t.value for t in Trigger])}"
                    f"; the triggers are {', '.join(Trigger)}",
                )
        queue = given.text("queue", "the tier 2 queue") or ""
        note = given.text("note", "for tier 2", required=False)
        if note is not None:
            context.locations["note"] = given.where("note")
        return EscalateNode(context.id, where, context.frozen_locations(), trigger, queue, note)

    readers: dict[str, Callable[[NodeReader, _NodeContext, Location], Node]] = {
        "ask": read_ask,
        "input": read_input,
        "check": read_check,
        "branch": read_branch,
        "instruct": read_instruct,
        "resolve": read_resolve,
        "escalate": read_escalate,
    }


_ESCALATE_KEYS = ("trigger", "queue", "note")


class _AnyKey(frozenset[str]):
    """Allows every key: for mappings whose keys are data (facts, arguments, case values)."""

    def __contains__(self, key: object) -> bool:
        return True


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
