"""The DOT output parses as a digraph (checked by a small parser of the DOT grammar's
statements, as Graphviz is not installed here) and holds every node and every way out."""

from __future__ import annotations

import re

from console.playbooks.graph import quote, render_dot
from console.playbooks.model import Playbook
from console.playbooks.validator import validate_file
from tests.playbooks.samples import EXAMPLE, edited, report_of

QUOTED = r'"(?:[^"\\]|\\.)*"'
ID = rf"(?:{QUOTED}|[A-Za-z_][A-Za-z_0-9]*)"
ATTRIBUTE = rf"[A-Za-z_]+\s*=\s*(?:{QUOTED}|[A-Za-z_0-9.#]+)"
ATTRIBUTES = rf"\[\s*{ATTRIBUTE}(?:\s*,\s*{ATTRIBUTE})*\s*\]"
STATEMENTS = {
    "graph_attribute": re.compile(rf"{ATTRIBUTE}"),
    "defaults": re.compile(rf"(?:node|edge|graph)\s*{ATTRIBUTES}"),
    "edge": re.compile(rf"(?P<a>{ID})\s*->\s*(?P<b>{ID})(?:\s*{ATTRIBUTES})?"),
    "node": re.compile(rf"(?P<id>{ID})(?:\s*{ATTRIBUTES})?"),
}


def unquote(token: str) -> str:
    if not token.startswith('"'):
        return token
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def parse_digraph(dot: str) -> tuple[str, set[str], list[tuple[str, str]]]:
    """(graph name, node ids, edges); raises AssertionError for anything that is not DOT."""
    match = re.fullmatch(rf"digraph ({ID}) \{{\n(.*)\n\}}\n", dot, re.DOTALL)
    assert match, "not a digraph"
    nodes: set[str] = set()
    edges: list[tuple[str, str]] = []
    for line in match.group(2).split("\n"):
        statement = line.strip()
        assert statement.endswith(";"), line
        statement = statement[:-1]
        kind = next((k for k, p in STATEMENTS.items() if p.fullmatch(statement)), None)
        assert kind is not None, f"not a DOT statement: {line}"
        found = STATEMENTS[kind].fullmatch(statement)
        assert found is not None
        if kind == "node":
            nodes.add(unquote(found["id"]))
        elif kind == "edge":
            a, b = unquote(found["a"]), unquote(found["b"])
            assert a in nodes and b in nodes, f"edge {a} -> {b} before its nodes"
            edges.append((a, b))
    return unquote(match.group(1)), nodes, edges


def example() -> Playbook:
    playbook = validate_file(EXAMPLE).playbook
    assert playbook is not None
    return playbook


def test_the_example_is_a_digraph_with_every_node_and_edge() -> None:
    playbook = example()
    name, nodes, edges = parse_digraph(render_dot(playbook))
    assert name == "vpn-cannot-connect"
    assert nodes == set(playbook.nodes) | {"__start__"}
    expected = [(n.id, e.target) for n in playbook.nodes.values() for e in n.edges()]
    assert sorted(edges) == sorted([("__start__", "scope"), *expected])


def test_unreachable_nodes_are_drawn_dashed_and_leaves_coloured() -> None:
    lines = render_dot(example()).splitlines()
    statements = [line for line in lines if "label=" in line and "->" not in line]
    by_node = {line.split()[0].strip('"'): line for line in statements}
    assert 'style="dashed,filled"' in by_node["os_branch"]
    assert "dashed" not in by_node["scope"]
    assert "#c8f0c8" in by_node["done"] and "#f6c6c6" in by_node["outage"]
    edge = '  "scope" -> "client" [label="Only this caller\\naffected_scope=single_user"];'
    assert edge in lines


def test_quotes_backslashes_and_line_breaks_are_escaped() -> None:
    assert quote('say "hi" \\ now\nplease') == '"say \\"hi\\" \\\\ now\\nplease"'
    text = edited(
        "    ask: Does it print now?\n",
        "    ask: 'Does \"it\" print \\ now? } ; ->'\n",
    )
    report = report_of(text)
    assert report.playbook is not None
    _, nodes, edges = parse_digraph(render_dot(report.playbook))
    assert "works" in nodes and ("works", "fixed") in edges
