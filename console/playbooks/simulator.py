"""Every path through a playbook, from ``start`` to a leaf, as an author reviews it.

Loops are legitimate ("try again" goes back a few steps), so a path may revisit a node but
take each way out of a decision (a choice, a check outcome, a branch case) at most once:
every loop is shown gone round once, and the enumeration ends. A branch on a fact the path
already set takes only the matching case; on a fact known only at run time (typed in, or
from the snapshot) it takes every case.

A playbook can still have exponentially many paths, so the enumeration stops at
``max_paths`` paths, drops paths longer than ``max_steps`` and gives up after
``max_expansions`` steps of search; :attr:`Simulation.truncated` then says which limit hit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from console.playbooks.model import (
    AskNode,
    BranchNode,
    CheckNode,
    Edge,
    EscalateNode,
    InputNode,
    Node,
    Playbook,
    ResolveNode,
)

# The bundled library's largest playbook has about 21,000 paths found in 36,000 steps of
# search; at these limits the worst case stops after two or three seconds.
MAX_PATHS = 50_000
MAX_STEPS = 100
MAX_EXPANSIONS = 250_000

Facts = Mapping[str, str | None]
"""Facts along a path; ``None`` is a value typed in by the agent at run time."""


@dataclass(frozen=True, slots=True)
class Step:
    """One node passed on a path and how it was left. ``outcome`` is the choice's label, the
    check's outcome (``pass``/``fail``/``error``), the branch case (or ``default``), or
    ``next``; ``sets`` holds the facts this step sets."""

    node: str
    kind: str
    outcome: str
    sets: Facts = field(default_factory=dict)
    check: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"node": self.node, "kind": self.kind, "outcome": self.outcome}
        if self.sets:
            data["sets"] = dict(self.sets)
        if self.check is not None:
            data["check"] = self.check
        return data


@dataclass(frozen=True, slots=True)
class SimulatedPath:
    steps: tuple[Step, ...]
    leaf: ResolveNode | EscalateNode
    facts: Facts
    missing_facts: tuple[str, ...]
    """Required facts an escalation on this path would lack (the gate will ask for them)."""

    def to_dict(self) -> dict[str, Any]:
        leaf: dict[str, Any] = {"node": self.leaf.id, "kind": self.leaf.kind}
        if isinstance(self.leaf, EscalateNode):
            leaf |= {"trigger": self.leaf.trigger.value, "queue": self.leaf.queue}
            note = self.leaf.note_with({k: _shown(v) for k, v in self.facts.items()})
            if note:
                leaf["note"] = note
        else:
            leaf["summary"] = self.leaf.summary
            if self.leaf.kb:
                leaf["kb"] = self.leaf.kb
        return {
            "nodes": [step.node for step in self.steps] + [self.leaf.id],
            "steps": [step.to_dict() for step in self.steps],
            "checks": [
                {"node": s.node, "check": s.check, "outcome": s.outcome}
                for s in self.steps
                if s.check is not None
            ],
            "facts": dict(self.facts),
            "leaf": leaf,
            "missing_required_facts": list(self.missing_facts),
        }


@dataclass(frozen=True, slots=True)
class Simulation:
    playbook: Playbook
    paths: tuple[SimulatedPath, ...]
    truncated: str | None = None
    """Why ``paths`` is not every path, or ``None`` when it is."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "playbook": self.playbook.id,
            "version": self.playbook.version,
            "sha256": self.playbook.source.sha256,
            "paths": [path.to_dict() for path in self.paths],
            "truncated": self.truncated,
        }


def simulate(
    playbook: Playbook,
    *,
    max_paths: int = MAX_PATHS,
    max_steps: int = MAX_STEPS,
    max_expansions: int = MAX_EXPANSIONS,
) -> Simulation:
    """Enumerate the paths depth first, in the order the file lists choices and outcomes."""
    search = _Search(playbook, max_paths, max_steps, max_expansions)
    search.run()
    return Simulation(playbook, tuple(search.paths), search.truncated)


class _Stop(Exception):
    """A limit was reached; ``str()`` says which."""


_ABSENT = object()


class _Search:
    """Depth-first search with backtracking: one list of steps, one dict of facts and one set
    of used decisions are changed on the way down and restored on the way up, so a step of
    search costs the same at any depth (copying the path each step made deep playbooks
    quadratic)."""

    def __init__(self, playbook: Playbook, max_paths: int, max_steps: int, budget: int) -> None:
        self.playbook = playbook
        self.max_paths, self.max_steps, self.budget = max_paths, max_steps, budget
        self.paths: list[SimulatedPath] = []
        self.truncated: str | None = None
        self.steps: list[Step] = []
        self.facts: dict[str, str | None] = {}
        self.used: set[tuple[str, int]] = set()
        self.undo: list[tuple[dict[str, object], tuple[str, int] | None]] = []
        self.frames: list[tuple[Node, Iterator[tuple[int, Edge]], bool]] = []
        self.expansions = 0
        self.edges = {node.id: tuple(enumerate(node.edges())) for node in playbook.nodes.values()}

    def run(self) -> None:
        try:
            self.visit(self.playbook.start)
            while self.frames:
                node, edges, decision = self.frames[-1]
                taken = next(
                    (
                        (index, edge)
                        for index, edge in edges
                        if not (decision and (node.id, index) in self.used)
                    ),
                    None,
                )
                if taken is None:
                    self.frames.pop()
                    if self.undo:  # every frame but the first was entered by a step
                        self.retreat()
                    continue
                self.advance(node, *taken, decision)
                if not self.visit(taken[1].target):
                    self.retreat()
        except _Stop as stop:
            self.truncated = str(stop)

    def visit(self, node_id: str) -> bool:
        """Arrive at a node; ``True`` when the search goes on below it."""
        node = self.playbook.nodes.get(node_id)
        if node is None:
            return False  # a target that is not a node: the validator has said so
        if isinstance(node, ResolveNode | EscalateNode):
            self.paths.append(self.finished(node))
            if len(self.paths) >= self.max_paths:
                raise _Stop(f"stopped at {self.max_paths} paths; there may be more")
            return False
        self.expansions += 1
        if self.expansions > self.budget:
            raise _Stop(f"stopped after {self.budget} steps of search; there may be more paths")
        if len(self.steps) >= self.max_steps:
            self.truncated = f"left out paths longer than {self.max_steps} steps"
            return False
        # Only decisions count as used: the single way on from an instruction is taken again
        # whenever a loop comes back through it.
        edges = self.edges[node.id]
        self.frames.append((node, iter(_taken(node, edges, self.facts)), len(edges) > 1))
        return True

    def advance(self, node: Node, index: int, edge: Edge, decision: bool) -> None:
        sets: dict[str, str | None] = dict(edge.sets)
        if isinstance(node, InputNode):
            sets[node.fact] = None
        if isinstance(node, BranchNode) and index < len(node.cases):
            sets[node.fact] = edge.outcome
        check = node.check if isinstance(node, CheckNode) else None
        self.steps.append(
            Step(node.id, node.kind, _outcome(node, edge), MappingProxyType(sets), check)
        )
        saved = {fact: self.facts.get(fact, _ABSENT) for fact in sets}
        self.facts.update(sets)
        key = (node.id, index) if decision else None
        if key is not None:
            self.used.add(key)
        self.undo.append((saved, key))

    def retreat(self) -> None:
        saved, key = self.undo.pop()
        self.steps.pop()
        for fact, value in saved.items():
            if value is _ABSENT:
                del self.facts[fact]
            else:
                self.facts[fact] = value  # type: ignore[assignment]
        if key is not None:
            self.used.discard(key)

    def finished(self, leaf: ResolveNode | EscalateNode) -> SimulatedPath:
        missing: tuple[str, ...] = ()
        if isinstance(leaf, EscalateNode):
            missing = tuple(f for f in self.playbook.required_facts if f not in self.facts)
        return SimulatedPath(tuple(self.steps), leaf, MappingProxyType(dict(self.facts)), missing)


def _taken(
    node: Node, edges: tuple[tuple[int, Edge], ...], facts: Facts
) -> Sequence[tuple[int, Edge]]:
    if isinstance(node, BranchNode) and facts.get(node.fact) is not None:
        value = facts[node.fact]
        matching = [(i, e) for i, e in edges[:-1] if e.outcome == value]
        return matching or [edges[-1]]
    return edges


def _outcome(node: Node, edge: Edge) -> str:
    if isinstance(node, AskNode | CheckNode | BranchNode):
        return edge.outcome
    return "next"


def render_text(simulation: Simulation) -> str:
    """The paths as an author reads them, one block per path."""
    playbook = simulation.playbook
    count = len(simulation.paths)
    lines = [f"{playbook.id} (version {playbook.version}): {count} path{'s' * (count != 1)}"]
    if simulation.truncated:
        lines.append(f"incomplete: {simulation.truncated}")
    for number, path in enumerate(simulation.paths, 1):
        leaf = path.leaf
        if isinstance(leaf, EscalateNode):
            ending = f"escalate at {leaf.id}: {leaf.trigger.value}, queue {leaf.queue}"
        else:
            ending = f"resolve at {leaf.id}: {leaf.summary}"
        lines.append("")
        lines.append(f"path {number}: {ending}")
        for step in path.steps:
            what = f"  {step.node} ({step.kind}"
            what += f" {step.check}): {step.outcome}" if step.check else f"): {step.outcome}"
            if step.sets:
                what += "  sets " + ", ".join(f"{k}={_shown(v)}" for k, v in step.sets.items())
            lines.append(what)
        if path.facts:
            lines.append("  facts: " + ", ".join(f"{k}={_shown(v)}" for k, v in path.facts.items()))
        if path.missing_facts:
            lines.append("  missing required facts: " + ", ".join(path.missing_facts))
    return "\n".join(lines) + "\n"


def _shown(value: str | None) -> str:
    return "(typed in)" if value is None else value
