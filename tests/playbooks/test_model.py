"""An escalation's note names facts in braces; tier 2 reads it with the run's values."""

from __future__ import annotations

from types import MappingProxyType

from console.domain.enums import Trigger
from console.playbooks.model import EscalateNode
from console.playbooks.problems import Location


def escalation(note: str | None) -> EscalateNode:
    return EscalateNode(
        "out", Location(1, 1), MappingProxyType({}), Trigger.COMPLEXITY, "desk", note
    )


def test_the_facts_a_note_names_are_put_in_its_place() -> None:
    node = escalation("Hotspot: {hotspot}. Seen on {os_name}; hotspot again: {hotspot}.")
    assert node.note_facts == ("hotspot", "os_name")
    assert node.note_with({"hotspot": "fails", "os_name": " Windows 11 "}) == (
        "Hotspot: fails. Seen on Windows 11; hotspot again: fails."
    )


def test_a_fact_the_run_did_not_set_reads_not_recorded() -> None:
    node = escalation("Hotspot: {hotspot}, swap: {swap}.")
    assert node.note_with({"hotspot": "  "}) == "Hotspot: not recorded, swap: not recorded."


def test_other_braces_and_no_note_are_left_as_they_are() -> None:
    node = escalation("Braces stay: {Not A Fact}, {}, {1st}, { spaced }.")
    assert node.note_facts == ()
    assert node.note_with({"1st": "x"}) == "Braces stay: {Not A Fact}, {}, {1st}, { spaced }."
    assert escalation(None).note_with({"a": "b"}) is None
    assert escalation(None).note_facts == ()


def test_a_value_is_put_in_as_it_is_but_for_a_doubled_full_stop() -> None:
    node = escalation("Device: {device}. Code: {code}")
    assert node.note_with({"device": "Dell 7440.", "code": r"x{b}y\1 \g<0>."}) == (
        r"Device: Dell 7440. Code: x{b}y\1 \g<0>."
    )
