"""Hypothesis throws YAML-ish garbage, random documents and mutated playbooks at the loader: it
never fails other than by reporting, every rejection is located, and whatever it accepts can
be simulated, drawn and run."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.playbooks.graph import render_dot
from console.playbooks.runner import PlaybookRunner
from console.playbooks.simulator import simulate
from console.playbooks.validator import ValidationReport, validate_bytes
from tests.playbooks.samples import BASE, CATALOG, EXAMPLE

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = [
    "id", "title", "version", "category", "keywords", "required_facts", "start", "nodes",
    "ask", "choices", "label", "next", "set", "input", "fact", "prompt", "kind", "options",
    "check", "args", "on_pass", "on_fail", "on_error", "branch", "cases", "default",
    "instruct", "resolve", "summary", "kb", "escalate", "trigger", "queue", "note",
    "vpn", "a", "b", "c", "tcp_connect", "host", "port", "complexity", "os_family", "windows",
]  # fmt: skip
YAMLISH = st.text(
    alphabet=list("ab:-[]{},\n\t #&*!?|>'\"\\%@`~01.\u00e9\x00\x85\ufeff"), max_size=80
)
scalars = st.one_of(
    st.sampled_from(WORDS), st.integers(), st.booleans(), st.none(), st.floats(), st.text()
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(WORDS), st.text(max_size=5)), inner, max_size=5),
    ),
    max_leaves=30,
)


def well_behaved(data: bytes) -> ValidationReport:
    report = validate_bytes(data, "fuzz.yaml", catalog=CATALOG)
    for problem in report.problems:
        assert problem.path == "fuzz.yaml"
        assert problem.location is not None, str(problem)
        assert problem.location.line >= 1 and problem.location.column >= 1
        assert problem.message and "\n" not in problem.message
    if report.playbook is None:
        assert report.errors, "a file that cannot be read must say why"
    else:
        simulate(report.playbook, max_paths=50, max_expansions=2000)
        render_dot(report.playbook)
    if report.ok:
        assert report.playbook is not None
        PlaybookRunner(report.playbook)
    return report


@FUZZ
@given(YAMLISH)
def test_yamlish_text_is_reported_never_raised(text: str) -> None:
    well_behaved(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=60))
def test_arbitrary_bytes(data: bytes) -> None:
    well_behaved(data)


@FUZZ
@given(documents)
def test_random_documents(document: Any) -> None:
    well_behaved(yaml.safe_dump(document).encode())


KINDS = ["ask", "input", "check", "branch", "instruct", "resolve", "escalate"] * 3 + ["junk"]
"""Mostly well-formed nodes, so the generated playbooks get past reading to the graph rules."""


def _node(draw: st.DrawFn, kind: str, ids: list[str]) -> Any:
    def target() -> str:
        return draw(st.sampled_from([*ids, "zz"]))

    if kind == "ask":
        return {"ask": "Q?", "choices": [{"label": "x", "next": target()}]}
    if kind == "input":
        return {"input": {"fact": "f", "prompt": "P"}, "next": target()}
    if kind == "check":
        name = draw(st.sampled_from(["vpn_adapter_present", "vpn_adapter_present", "nope"]))
        args = draw(st.dictionaries(st.sampled_from(["host", "port", "x"]), scalars, max_size=1))
        return {"check": name, "args": args, "on_pass": target(), "on_fail": target()}
    if kind == "branch":
        cases = {"windows": target()}
        return {"branch": {"fact": "os_family", "cases": cases, "default": target()}}
    if kind == "instruct":
        return {"instruct": "Do", "next": target()}
    if kind == "resolve":
        return {"resolve": {"summary": "ok"}}
    if kind == "escalate":
        trigger = draw(st.sampled_from(["complexity", "security", "bogus"]))
        return {"escalate": {"trigger": trigger, "queue": "q"}}
    return draw(documents)


def _playbook_like(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=1, max_size=5))
    nodes = {node_id: _node(draw, draw(st.sampled_from(KINDS)), ids) for node_id in ids}
    return {
        "id": "fuzz",
        "title": "Fuzz",
        "version": draw(st.sampled_from([1, 1, "2", 0, None])),
        "category": draw(st.sampled_from(["vpn", "other", "vpn", "nope"])),
        "required_facts": draw(st.sampled_from([[], ["f"], ["f", "g"]])),
        "start": draw(st.sampled_from([*ids, ids[0], "zz"])),
        "nodes": nodes,
    }


@FUZZ
@given(st.composite(_playbook_like)())
def test_random_playbooks(document: dict[str, Any]) -> None:
    well_behaved(yaml.safe_dump(document, sort_keys=False).encode())


@FUZZ
@given(st.data())
def test_mutated_playbooks(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from([BASE, EXAMPLE.read_text()]))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 8))
        insert = data.draw(st.one_of(st.just(""), YAMLISH, st.sampled_from(WORDS)))
        text = text[:at] + insert + text[at + cut :]
    well_behaved(text.encode("utf-8", "surrogatepass"))
