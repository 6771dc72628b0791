"""The rules about a playbook as a whole: its graph, its checks, its facts.

Run after :mod:`console.playbooks.build` on whatever could be read. Where the graph is not
fully known (a node's ways out could not be read, or point to no node), the rules that would
have to guess stay quiet rather than bury the real error under consequences of it: such nodes
count as having a way out, and reachability is only judged when every reachable node's ways
out are known.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping

from console.playbooks.build import Draft
from console.playbooks.catalog import CheckCatalog
from console.playbooks.facts import SNAPSHOT_FACTS
from console.playbooks.fields import Report, suggestion
from console.playbooks.model import BranchNode, CheckNode, EscalateNode, InputNode, Node, Playbook


def analyse(draft: Draft, report: Report, catalog: CheckCatalog) -> None:
    playbook = draft.playbook
    _check_checks(playbook, report, catalog)
    _check_fact_names(playbook, report)
    if not playbook.nodes:
        return
    finishing = draft.uncertain | draft.dangling
    if not finishing and not any(node.is_leaf for node in playbook.nodes.values()):
        report.error(
            playbook.locations.get("nodes", next(iter(playbook.nodes.values())).location),
            "the playbook has no resolve or escalate node: every path must end in one",
        )
        return
    _check_loops(playbook, report, finishing)
    _check_branch_loops(playbook, report)
    if playbook.start not in draft.node_ids:
        return
    reachable = reachable_from(playbook, playbook.start, draft.node_ids)
    if reachable & finishing:
        return  # some reachable node's ways out are unknown: anything might be reachable
    for node in playbook.nodes.values():
        if node.id not in reachable:
            report.error(
                node.location,
                f"node {node.id!r} is unreachable: no path from start {playbook.start!r} "
                "leads to it",
            )
    if draft.sound:  # a fact with a bad name is "never set": no need to say it twice
        _check_required_facts(playbook, report, reachable)


def successors(playbook: Playbook, node: Node) -> Iterable[str]:
    return (e.target for e in node.edges() if e.target in playbook.nodes)


def reachable_from(playbook: Playbook, start: str, ids: Collection[str] | None = None) -> set[str]:
    """The nodes some path from ``start`` reaches; with ``ids``, unreadable nodes among them
    count as reached too (so a caller can see that an unreadable node is on the way)."""
    known = playbook.nodes if ids is None else ids
    seen = {start}
    queue = deque([start])
    while queue:
        node = playbook.nodes.get(queue.popleft())
        for edge in node.edges() if node is not None else ():
            target = edge.target
            if target in known and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _check_checks(playbook: Playbook, report: Report, catalog: CheckCatalog) -> None:
    for node in playbook.nodes.values():
        if not isinstance(node, CheckNode) or not node.check:
            continue
        if node.check not in catalog.names:
            report.error(
                node.where("check"),
                f"node {node.id!r}: unknown check {node.check!r}"
                f"{suggestion(node.check, catalog.names)}; the checks are "
                + ", ".join(sorted(catalog.names)),
            )
            continue
        try:
            catalog.validate_arguments(node.check, node.args)
        except ValueError as exc:
            argument = getattr(exc, "argument", None)
            key = f"args.{argument}" if argument in node.args else "args"
            report.error(node.locations.get(key, node.where("check")), f"node {node.id!r}: {exc}")


def _check_fact_names(playbook: Playbook, report: Report) -> None:
    """Warn where a branch or an escalation's note names a fact nothing provides."""
    facts = playbook.facts_set()
    for node in playbook.nodes.values():
        if isinstance(node, EscalateNode):
            for fact in node.note_facts:
                if fact not in facts and fact not in SNAPSHOT_FACTS:
                    report.warning(
                        node.where("note"),
                        f"the note of escalation {node.id!r} names {{{fact}}}, which no node "
                        f"sets and the diagnostics snapshot does not provide"
                        f"{suggestion(fact, facts | SNAPSHOT_FACTS.keys())}: tier 2 would read "
                        "'not recorded' there",
                    )
        if isinstance(node, BranchNode) and node.fact:
            if node.fact in facts or node.fact in SNAPSHOT_FACTS:
                continue
            report.warning(
                node.where("fact"),
                f"node {node.id!r} branches on {node.fact!r}, which no node sets and the "
                "diagnostics snapshot does not provide: unless the ticket brings it, only "
                "the default is taken",
            )


def _check_loops(playbook: Playbook, report: Report, finishing: frozenset[str]) -> None:
    """Report each cycle of nodes from which no leaf (or unknown way out) can be reached."""
    predecessors: dict[str, set[str]] = {node_id: set() for node_id in playbook.nodes}
    for node in playbook.nodes.values():
        for target in successors(playbook, node):
            predecessors[target].add(node.id)
    done = {n.id for n in playbook.nodes.values() if n.is_leaf or n.id in finishing}
    queue = deque(done)
    while queue:
        for before in predecessors[queue.popleft()]:
            if before not in done:
                done.add(before)
                queue.append(before)
    stuck = [node_id for node_id in playbook.nodes if node_id not in done]
    for component in _cycles(playbook, stuck):
        first = playbook.nodes[component[0]]
        if len(component) == 1:
            message = f"node {first.id!r} loops back to itself with no way out"
        else:
            names = ", ".join(repr(node_id) for node_id in component)
            message = f"nodes {names} form a loop with no way out"
        report.error(first.location, f"{message}: no resolve or escalate node can be reached")


def _check_branch_loops(playbook: Playbook, report: Report) -> None:
    """Report each cycle made of branch nodes alone. A branch asks nobody and sets no fact,
    so with facts that lead round such a cycle once, the run goes round it for ever (the
    runner refuses it then); a way out for other facts does not help those."""
    branches = [n.id for n in playbook.nodes.values() if isinstance(n, BranchNode)]
    for component in _cycles(playbook, branches):
        first = playbook.nodes[component[0]]
        if len(component) == 1:
            message = f"branch {first.id!r} can lead back to itself"
        else:
            names = ", ".join(repr(node_id) for node_id in component)
            message = f"branches {names} can lead round in a loop"
        report.error(
            first.location,
            f"{message}, and nothing in between asks or sets a fact: the run would never end",
        )


def _cycles(playbook: Playbook, among: list[str]) -> list[list[str]]:
    """Strongly connected components of ``among`` that contain a cycle, members in file
    order (Tarjan's algorithm, iterative: a long chain must not hit the recursion limit)."""
    allowed = set(among)
    order = {node_id: i for i, node_id in enumerate(playbook.nodes)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in among:
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, _next_in(playbook, root, allowed))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node_id, pending = work[-1]
            if pending:
                target = pending.pop()
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, _next_in(playbook, target, allowed)))
                elif target in on_stack:
                    low[node_id] = min(low[node_id], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node_id])
            if low[node_id] == index[node_id]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node_id:
                        break
                looped = len(component) > 1 or node_id in _next_in(playbook, node_id, allowed)
                if looped:
                    found.append(sorted(component, key=order.__getitem__))
    return sorted(found, key=lambda component: order[component[0]])


def _next_in(playbook: Playbook, node_id: str, allowed: set[str]) -> list[str]:
    return [t for t in successors(playbook, playbook.nodes[node_id]) if t in allowed]


def _check_required_facts(playbook: Playbook, report: Report, reachable: set[str]) -> None:
    """Warn at each escalation that some path reaches without setting a required fact.

    A must-be-set analysis: the facts surely set on entering a node are those set on every
    way in. Facts the snapshot provides count as set (the gate asks for diagnostics anyway).
    """
    required = set(playbook.required_facts) - SNAPSHOT_FACTS.keys()
    if not required:
        return
    universe = frozenset(required)
    surely: dict[str, frozenset[str]] = {node_id: universe for node_id in reachable}
    surely[playbook.start] = frozenset()
    changed = True
    while changed:
        changed = False
        for node_id in reachable:
            node = playbook.nodes[node_id]
            for edge in node.edges():
                if edge.target not in surely or edge.target == playbook.start:
                    continue
                out = surely[node_id] | _sets(node, edge.sets)
                merged = surely[edge.target] & out
                if merged != surely[edge.target]:
                    surely[edge.target] = merged
                    changed = True
    for node in playbook.nodes.values():
        if not isinstance(node, EscalateNode) or node.id not in reachable:
            continue
        missing = [f for f in playbook.required_facts if f in required - surely[node.id]]
        if not missing:
            continue
        path = " -> ".join(_path_without(playbook, node.id, missing[0]))
        listed = ", ".join(missing)
        report.warning(
            node.location,
            f"escalation {node.id!r} can be reached without setting {listed} "
            f"(for example {path}); the handoff gate will ask for "
            + ("it" if len(missing) == 1 else "them"),
        )


def _sets(node: Node, edge_sets: Mapping[str, str]) -> frozenset[str]:
    facts = set(edge_sets)
    if isinstance(node, InputNode):
        facts.add(node.fact)
    return frozenset(facts)


def _path_without(playbook: Playbook, goal: str, fact: str) -> list[str]:
    """A shortest path from start to ``goal`` on which ``fact`` is never set."""
    came_from: dict[str, str | None] = {playbook.start: None}
    queue = deque([playbook.start])
    while queue:
        node_id = queue.popleft()
        if node_id == goal:
            break
        node = playbook.nodes[node_id]
        for edge in node.edges():
            if fact in _sets(node, edge.sets) or edge.target in came_from:
                continue
            if edge.target in playbook.nodes:
                came_from[edge.target] = node_id
                queue.append(edge.target)
    path: list[str] = []
    step: str | None = goal
    while step is not None:
        path.append(step)
        step = came_from.get(step)
    return path[::-1]
