"""Prefilling the handoff from a real run of the bundled VPN playbook: what was tried comes from
the steps that count, the error and who is affected from the facts, the trigger and queue from
the escalate leaf; nothing the call did not record is made up."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.domain.enums import Impact, Trigger, Urgency
from console.domain.handoff import CompletenessGate, HandoffDraft
from console.playbooks.model import Playbook
from console.playbooks.runner import PlaybookRunner
from console.playbooks.transcript import RunOutcome
from console.playbooks.validator import load_playbook
from console.resources import resources_dir
from console.services.handoff_prefill import (
    count_from_text,
    impact_from_text,
    prefill_handoff,
    reached_escalation,
    urgency_from_text,
    with_field_facts,
)

VPN = resources_dir() / "playbooks" / "vpn-cannot-connect.yaml"
T0 = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
ERROR = (
    "The network connection is unreachable or the gateway is unresponsive.\n"
    "  Error code: PAN-GP-1234"
)


@dataclass
class Result:
    status: str
    summary: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    duration_ms: float | None = 10.0


class MinuteClock:
    def __init__(self) -> None:
        self.times: Iterator[datetime] = (T0 + timedelta(minutes=i) for i in range(10_000))

    def __call__(self) -> datetime:
        return next(self.times)


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(VPN)


def walk_single_user_to_gateway_escalation(runner: PlaybookRunner) -> None:
    runner.choose("Only this caller")
    runner.choose("Work has stopped: nothing internal is reachable")
    runner.enter("GlobalProtect 6.2.1")
    runner.choose("IPsec/IKEv2")
    runner.back()  # the caller looked again: it is SSL
    runner.choose("SSL/TLS")
    runner.record_check(Result("pass", "A default route exists."))
    runner.record_check(Result("pass", "vpn.example.com resolves to 203.0.113.7"))
    runner.record_check(Result("fail", "vpn.example.com:443 did not answer within 5 s"))
    runner.add_note("Caller is on hotel Wi-Fi")
    runner.choose("It fails on the other network too")
    runner.enter(ERROR)
    assert runner.current.id == "local_network"


def test_a_single_user_escalation_fills_every_field_it_recorded(playbook: Playbook) -> None:
    runner = PlaybookRunner(playbook, clock=MinuteClock())
    walk_single_user_to_gateway_escalation(runner)
    transcript = runner.finish(RunOutcome.ESCALATED)
    leaf = reached_escalation(playbook, transcript)
    assert leaf is not None and leaf.id == "local_network"

    draft = prefill_handoff(
        "VPN will not connect from home",
        transcript,
        transcript.facts,
        leaf,
        playbook.required_facts,
    )

    assert [s.action[:32] for s in draft.what_was_tried] == [
        "Is anyone else working remotely ",
        "How badly is the caller's work a",
        "Which VPN client and version? (A",
        "Which protocol does the profile ",
        "Run the check default_gateway_pr",
        "Run the check dns_resolves(host=",
        "Run the check tcp_connect(host=v",
        "The internet works but vpn.examp",
        "Read the exact error the VPN cli",
    ]
    assert [s.outcome for s in draft.what_was_tried] == [
        "Only this caller",
        "Work has stopped: nothing internal is reachable",
        "GlobalProtect 6.2.1",
        "SSL/TLS",  # the IPsec answer was taken back
        "pass: A default route exists.",
        "pass: vpn.example.com resolves to 203.0.113.7",
        "fail: vpn.example.com:443 did not answer within 5 s",
        "It fails on the other network too (note: Caller is on hotel Wi-Fi)",
        "The network connection is unreachable or the gateway is unresponsive. / "
        "Error code: PAN-GP-1234",
    ]
    counted = [e for e in transcript.entries if not e.reverted and e.kind != "branch"][:-1]
    assert [s.at for s in draft.what_was_tried] == [e.at.isoformat() for e in counted]
    assert draft.error_verbatim == ERROR  # word for word, indentation included
    assert (draft.affected_scope, draft.affected_count, draft.urgency) == (
        Impact.SINGLE_USER,
        1,
        Urgency.WORK_STOPPED,
    )
    assert draft.triggers == (Trigger.INTEGRATION_FAILURE,) and draft.queue == "network"
    assert draft.required_facts == ("vpn_client", "vpn_protocol", "error_text")
    assert draft.facts["vpn_protocol"] == "ssl"  # the reverted answer no longer counts
    assert draft.what_is_wrong.startswith("VPN will not connect from home. The error reads: ")
    assert '"The network connection is unreachable or the gateway is unresponsive."' in (
        draft.what_is_wrong
    )
    assert "VPN gateway unreachable on TCP 443" in draft.what_is_wrong  # the leaf's note,
    # with the run's answer where it names a fact
    assert "Tried from another network such as a phone hotspot: fails (" in draft.what_is_wrong
    assert "{" not in draft.what_is_wrong
    # The transcript tier 2 receives records the leaf with the answer in place too.
    assert transcript.entries[-1].prompt.startswith("Escalate to network (integration_failure): ")
    assert "phone hotspot: fails (" in transcript.entries[-1].prompt
    assert not draft.has_diagnostics
    gaps = CompletenessGate().evaluate(draft).gaps
    assert [g.field for g in gaps] == ["diagnostics"]  # only what the window adds is missing


def test_a_team_outage_takes_the_count_the_agent_typed(playbook: Playbook) -> None:
    runner = PlaybookRunner(playbook, clock=MinuteClock())
    runner.choose("Several remote people in the same team")
    runner.enter("12")
    runner.choose("Slowed: some work is possible without the VPN")
    runner.enter("FortiClient 7.2")
    runner.choose("Not sure")
    runner.choose("No incident posted")
    runner.enter("Credential or SSLVPN configuration is wrong (-7200)")
    transcript = runner.transcript()  # still standing at the leaf: the form opens from here
    leaf = reached_escalation(playbook, transcript)
    assert leaf is not None

    draft = prefill_handoff("Sales team cannot use the VPN", transcript, runner.facts, leaf)

    assert (draft.affected_scope, draft.affected_count, draft.urgency) == (
        Impact.TEAM,
        12,
        Urgency.DEGRADED,
    )
    assert draft.triggers == (Trigger.COMPLEXITY,)
    assert draft.error_verbatim == "Credential or SSLVPN configuration is wrong (-7200)"
    assert draft.required_facts == ()


def test_an_escalation_off_the_script_says_why_and_names_no_trigger(playbook: Playbook) -> None:
    runner = PlaybookRunner(playbook, clock=MinuteClock())
    runner.choose("Only this caller")
    transcript = runner.finish(RunOutcome.ESCALATED, "The client crashes as soon as it opens")

    assert reached_escalation(playbook, transcript) is None
    draft = prefill_handoff("VPN client crashes", transcript, transcript.facts, None)

    assert draft.what_is_wrong == (
        "VPN client crashes. Escalated before the playbook's end: "
        "The client crashes as soon as it opens."
    )
    assert [s.outcome for s in draft.what_was_tried] == ["Only this caller"]
    assert draft.triggers == () and draft.queue == "" and draft.urgency is None
    assert draft.affected_scope is Impact.SINGLE_USER and draft.affected_count == 1


def test_nothing_recorded_means_nothing_filled_in() -> None:
    draft = prefill_handoff("VPN issue", None, {"affected_scope": "", "note": "  "}, None)

    assert draft == HandoffDraft(what_is_wrong="VPN issue.")
    assert [g.field for g in CompletenessGate().evaluate(draft).gaps] == [
        "what_is_wrong",
        "what_was_tried",
        "error_verbatim",
        "affected_scope",
        "affected_count",
        "urgency",
        "triggers",
        "queue",
        "diagnostics",
    ]


@pytest.mark.parametrize(
    ("text", "impact"),
    [
        ("single_user", Impact.SINGLE_USER),
        ("Single user", Impact.SINGLE_USER),
        ("TEAM", Impact.TEAM),
        ("the whole department", Impact.TEAM),
        ("whole-site", Impact.SITE),
        ("Everyone", Impact.SITE),
        ("", None),
        ("several", None),
    ],
)
def test_scope_values_are_read_leniently(text: str, impact: Impact | None) -> None:
    assert impact_from_text(text) is impact


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("work_stopped", Urgency.WORK_STOPPED),
        ("Work has stopped", Urgency.WORK_STOPPED),
        ("degraded", Urgency.DEGRADED),
        ("slow", Urgency.DEGRADED),
        ("Minor", Urgency.MINOR),
        ("urgent!", None),
    ],
)
def test_urgency_values_are_read_leniently(text: str, urgency: Urgency | None) -> None:
    assert urgency_from_text(text) is urgency


@pytest.mark.parametrize(
    ("text", "count"), [("1", 1), ("about 40", 40), ("2,6", 3), ("0", None), ("many", None)]
)
def test_counts_are_the_first_number(text: str, count: int | None) -> None:
    assert count_from_text(text) == count


def test_field_facts_fill_required_facts_but_never_overwrite() -> None:
    draft = HandoffDraft(
        error_verbatim="0x80070005 Access is denied",
        urgency=Urgency.MINOR,
        required_facts=("error_text", "urgency", "vpn_client"),
        facts={"urgency": "degraded"},
    )
    filled = with_field_facts(draft)

    assert filled.facts == {"urgency": "degraded", "error_text": "0x80070005 Access is denied"}
    gaps = [g.field for g in CompletenessGate().evaluate(filled).gaps if g.field.startswith("f")]
    assert gaps == ["facts.vpn_client"]
