"""The issue's example playbook, verbatim: accepted except for its one deliberate flaw, and
checked against the real check registry (the default catalog)."""

from __future__ import annotations

import json

import pytest

from console.diagnostics import checks
from console.playbooks.catalog import registry_catalog
from console.playbooks.model import CheckNode, EscalateNode, ResolveNode
from console.playbooks.problems import PlaybookError
from console.playbooks.simulator import render_text, simulate
from console.playbooks.validator import load_playbook, validate_bytes, validate_file
from tests.playbooks.samples import EXAMPLE, edited, report_of

PATH = str(EXAMPLE)


def test_the_only_error_is_the_unreachable_os_branch() -> None:
    report = validate_file(EXAMPLE)  # the default catalog: the real registry
    assert [str(p) for p in report.errors] == [
        f"{PATH}:33:3: error: node 'os_branch' is unreachable: no path from start 'scope' "
        "leads to it"
    ]
    assert not report.ok
    assert report.playbook is not None  # its structure is sound: it can be simulated and drawn


def test_its_warnings_are_the_escalations_that_lack_required_facts() -> None:
    """The issue's own rule: 'outage' escalates before anything is asked, 'local_network'
    before the error text is read out. Warnings, not errors: the handoff gate asks for them."""
    assert [str(p) for p in validate_file(EXAMPLE).warnings] == [
        f"{PATH}:43:3: warning: escalation 'local_network' can be reached without setting "
        "error_text (for example scope -> client -> protocol -> adapter -> reach -> "
        "local_network); the handoff gate will ask for it",
        f"{PATH}:50:3: warning: escalation 'outage' can be reached without setting vpn_client, "
        "vpn_protocol, error_text (for example scope -> outage); the handoff gate will ask "
        "for them",
    ]


def test_linking_os_branch_makes_it_valid() -> None:
    text = edited("    on_fail: reinstall\n", "    on_fail: os_branch\n", EXAMPLE.read_text())
    report = report_of(text)
    assert report.errors == ()
    assert report.ok


def test_it_is_read_as_written() -> None:
    playbook = validate_file(EXAMPLE).playbook
    assert playbook is not None
    assert (playbook.id, playbook.version, playbook.category.value) == (
        "vpn-cannot-connect",
        3,
        "vpn",
    )
    assert playbook.required_facts == ("vpn_client", "vpn_protocol", "error_text")
    assert playbook.keywords[-1] == "remote access"
    assert list(playbook.nodes)[:3] == ["scope", "client", "protocol"]
    reach = playbook.nodes["reach"]
    assert isinstance(reach, CheckNode)
    assert dict(reach.args) == {"host": "vpn.example.com", "port": 443}
    assert reach.target_for("error") == "local_network"  # no on_error: the on_fail way
    fixed = playbook.nodes["fixed"]
    assert [e.outcome for e in fixed.edges()] == ["Yes", "No"]
    outage = playbook.nodes["outage"]
    assert isinstance(outage, EscalateNode)
    assert outage.note == "Several remote users affected; possible outage"


def test_its_checks_are_real_registry_checks() -> None:
    catalog = registry_catalog()
    assert {"vpn_adapter_present", "tcp_connect"} <= set(catalog.names)
    assert catalog.validate_arguments is checks.validate_arguments


def test_the_real_registry_locates_bad_arguments() -> None:
    text = edited("port: 443}", "port: 70000}", EXAMPLE.read_text())
    report = validate_bytes(text.encode(), "vpn.yaml")
    assert (
        "vpn.yaml:30:35: error: node 'reach': tcp_connect: port must be a whole number "
        "from 1 to 65535, not 70000" in [str(p) for p in report.problems]
    )


def test_it_cannot_be_loaded_into_the_app() -> None:
    with pytest.raises(PlaybookError) as caught:
        load_playbook(EXAMPLE)
    assert str(caught.value) == str(validate_file(EXAMPLE).errors[0])


def test_its_19_paths() -> None:
    playbook = validate_file(EXAMPLE).playbook
    assert playbook is not None
    simulation = simulate(playbook)
    assert simulation.truncated is None
    # 3 protocols x (adapter pass/fail/error x 2 ways on each) + the outage
    assert len(simulation.paths) == 19
    leaves = [path.leaf.id for path in simulation.paths]
    assert leaves.count("outage") == 1 and leaves.count("done") == 3
    assert leaves.count("give_up") == 9 and leaves.count("local_network") == 6
    assert "os_branch" not in {step.node for path in simulation.paths for step in path.steps}

    outage = simulation.paths[-1]
    assert [step.node for step in outage.steps] == ["scope"]
    assert dict(outage.facts) == {"affected_scope": "team"}
    assert outage.missing_facts == ("vpn_client", "vpn_protocol", "error_text")

    first_fix = next(p for p in simulation.paths if isinstance(p.leaf, ResolveNode))
    assert [(s.node, s.outcome) for s in first_fix.steps] == [
        ("scope", "Only this caller"),
        ("client", "next"),
        ("protocol", "IPsec/IKEv2"),
        ("adapter", "fail"),
        ("reinstall", "next"),
        ("fixed", "Yes"),
    ]
    assert dict(first_fix.facts) == {
        "affected_scope": "single_user",
        "vpn_client": None,
        "vpn_protocol": "ikev2",
    }
    assert first_fix.steps[3].check == "vpn_adapter_present"
    assert first_fix.to_dict()["leaf"] == {
        "node": "done",
        "kind": "resolve",
        "summary": "VPN client reinstalled",
    }


def test_its_simulation_as_json_and_text() -> None:
    playbook = validate_file(EXAMPLE).playbook
    assert playbook is not None
    data = json.loads(json.dumps(simulate(playbook).to_dict()))
    assert data["playbook"] == "vpn-cannot-connect" and len(data["paths"]) == 19
    local = data["paths"][1]
    assert local["nodes"] == ["scope", "client", "protocol", "adapter", "reach", "local_network"]
    assert local["checks"] == [
        {"node": "adapter", "check": "vpn_adapter_present", "outcome": "pass"},
        {"node": "reach", "check": "tcp_connect", "outcome": "fail"},
    ]
    assert local["leaf"] == {
        "node": "local_network",
        "kind": "escalate",
        "trigger": "integration_failure",
        "queue": "network",
        "note": "VPN gateway unreachable from this network",
    }
    assert local["missing_required_facts"] == ["error_text"]
    text = render_text(simulate(playbook))
    assert text.startswith("vpn-cannot-connect (version 3): 19 paths\n")
    assert "path 19: escalate at outage: complexity, queue network\n" in text
