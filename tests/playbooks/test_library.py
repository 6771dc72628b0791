"""The bundled playbook library: every script validates cleanly, every path ends in a leaf,
and the topics, triggers and tier 1 fixes a help desk needs are there."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from console.domain.enums import Trigger
from console.playbooks.model import EscalateNode, Playbook, ResolveNode
from console.playbooks.simulator import simulate
from console.playbooks.validator import load_playbooks, playbook_files, validate_paths
from console.resources import resources_dir

LIBRARY = resources_dir() / "playbooks"


@pytest.fixture(scope="module")
def playbooks() -> list[Playbook]:
    return load_playbooks(playbook_files(LIBRARY))


def test_every_playbook_validates_without_errors_or_warnings() -> None:
    reports = validate_paths([LIBRARY])
    problems = [str(p) for report in reports for p in report.problems]
    assert problems == []
    assert len(reports) >= 14


def test_the_library_covers_the_help_desk_topics(playbooks: list[Playbook]) -> None:
    ids = {p.id for p in playbooks}
    for topic in (
        "email",
        "vpn",
        "password",
        "sso",
        "network",
        "wifi",
        "printer",
        "slow-computer",
        "crash",
        "admin",
        "access",
        "disk-full",
        "hardware",
        "phishing",
    ):
        assert any(topic in playbook_id.lower() for playbook_id in ids), topic


@pytest.mark.parametrize("path", playbook_files(LIBRARY), ids=lambda p: Path(p).stem)
def test_every_simulated_path_ends_in_a_leaf(path: Path) -> None:
    (playbook,) = load_playbooks([path])
    simulation = simulate(playbook)
    assert simulation.truncated is None
    assert simulation.paths
    for simulated in simulation.paths:
        assert isinstance(simulated.leaf, ResolveNode | EscalateNode)
        if isinstance(simulated.leaf, EscalateNode):
            # The gate would otherwise ask tier 1 for facts the script never collected.
            assert simulated.missing_facts == (), (playbook.id, simulated.leaf.id)


def test_triggers_fit_the_problem(playbooks: list[Playbook]) -> None:
    def triggers(playbook: Playbook) -> Counter[Trigger]:
        return Counter(
            node.trigger for node in playbook.nodes.values() if isinstance(node, EscalateNode)
        )

    by_id = {p.id: p for p in playbooks}
    phishing = next(p for i, p in by_id.items() if "phishing" in i)
    assert set(triggers(phishing)) == {Trigger.SECURITY}
    admin = next(p for i, p in by_id.items() if "admin" in i)
    assert Trigger.ACCESS_REQUIRED in triggers(admin)
    password = next(p for i, p in by_id.items() if "password" in i)
    resolves = [n for n in password.nodes.values() if isinstance(n, ResolveNode)]
    assert len(resolves) >= 2  # mostly fixed at tier 1


def test_most_playbooks_offer_a_tier_1_fix(playbooks: list[Playbook]) -> None:
    with_fix = [p for p in playbooks if any(isinstance(n, ResolveNode) for n in p.nodes.values())]
    assert len(with_fix) >= len(playbooks) - 2


def test_simulated_escalation_notes_carry_the_facts_of_their_path(
    playbooks: list[Playbook],
) -> None:
    vpn = next(p for p in playbooks if p.id == "vpn-cannot-connect")
    notes = {
        path.facts.get("other_network_test"): path.to_dict()["leaf"]["note"]
        for path in simulate(vpn).paths
        if path.leaf.id == "local_network"
    }
    assert set(notes) == {"connects", "fails", "not_tried"}
    for value, note in notes.items():
        assert f"phone hotspot: {value} (" in note
    # Every fact a note names is set on every path to it: tier 2 never reads "not recorded".
    for playbook in playbooks:
        for path in simulate(playbook).paths:
            note = path.to_dict()["leaf"].get("note", "")
            assert "{" not in note and "not recorded" not in note, (playbook.id, path.steps)
