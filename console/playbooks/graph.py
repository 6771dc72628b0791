"""A playbook as Graphviz DOT, so an author can look at the tree (``dot -Tsvg``).

Shapes say what a node does: questions and branches are diamonds, checks hexagons, leaves
boxes (green to resolve, red to escalate). Nodes no path reaches are dashed, which is how the
unreachable ones stand out in a picture.
"""

from __future__ import annotations

from console.playbooks.analysis import reachable_from
from console.playbooks.model import (
    AskNode,
    BranchNode,
    CheckNode,
    EscalateNode,
    InputNode,
    Node,
    Playbook,
    ResolveNode,
)

_WIDTH = 40
"""Labels are cut to this many characters: DOT does not wrap, and a question can be long."""

_STYLES: dict[type[Node], str] = {
    AskNode: 'shape=diamond, style="filled", fillcolor="#fff6d5"',
    BranchNode: 'shape=diamond, style="filled", fillcolor="#e8e8e8"',
    CheckNode: 'shape=hexagon, style="filled", fillcolor="#dbeafe"',
    InputNode: 'shape=parallelogram, style="filled", fillcolor="#ffffff"',
    ResolveNode: 'shape=box, style="rounded,filled", fillcolor="#c8f0c8"',
    EscalateNode: 'shape=box, style="rounded,filled", fillcolor="#f6c6c6"',
}


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes, quotes and line breaks escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def _label(node: Node) -> str:
    if isinstance(node, EscalateNode):
        detail = f"escalate: {node.trigger.value} → {node.queue}"
    elif isinstance(node, ResolveNode):
        detail = f"resolve: {node.summary}"
    elif isinstance(node, CheckNode):
        detail = f"check: {node.check}"
    elif isinstance(node, InputNode):
        detail = f"input: {node.fact}"
    else:
        detail = f"{node.kind}: {node.prompt}"
    return f"{node.id}\n{_short(detail)}"


def render_dot(playbook: Playbook) -> str:
    reachable = (
        reachable_from(playbook, playbook.start) if playbook.start in playbook.nodes else set()
    )
    lines = [
        f"digraph {quote(playbook.id)} {{",
        f"  label={quote(f'{playbook.title} (version {playbook.version})')};",
        '  labelloc="t";',
        '  node [fontname="Helvetica", fontsize=10, style="filled", fillcolor="#ffffff"];',
        '  edge [fontname="Helvetica", fontsize=9];',
        '  "__start__" [shape=circle, label="", width=0.2, style="filled", fillcolor="#000000"];',
    ]
    for node in playbook.nodes.values():
        style = _STYLES.get(type(node), 'shape=box, style="filled", fillcolor="#ffffff"')
        if node.id not in reachable:
            style += ", color=gray50, fontcolor=gray50, penwidth=1.5"
            style = style.replace('style="', 'style="dashed,', 1)
        lines.append(f"  {quote(node.id)} [{style}, label={quote(_label(node))}];")
    if playbook.start in playbook.nodes:
        lines.append(f'  "__start__" -> {quote(playbook.start)};')
    for node in playbook.nodes.values():
        for edge in node.edges():
            if edge.target not in playbook.nodes:
                continue
            parts = [edge.outcome] if edge.outcome != "next" else []
            if edge.sets:
                parts.append(", ".join(f"{k}={v}" for k, v in edge.sets.items()))
            label = "\n".join(_short(part) for part in parts)
            attributes = f" [label={quote(label)}]" if label else ""
            lines.append(f"  {quote(node.id)} -> {quote(edge.target)}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"
