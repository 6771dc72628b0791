from dataclasses import replace

from console.domain.enums import Impact, Trigger, Urgency
from console.domain.handoff import CompletenessGate, HandoffDraft, TriedStep

COMPLETE = HandoffDraft(
    what_is_wrong="Outlook leaves every outgoing message in the Outbox since 08:30",
    what_was_tried=(TriedStep("Restarted Outlook", "no change"),),
    error_verbatim="0x800CCC0F The connection to the server was interrupted.",
    affected_scope=Impact.SINGLE_USER,
    affected_count=1,
    urgency=Urgency.DEGRADED,
    triggers=(Trigger.INTEGRATION_FAILURE,),
    queue="messaging",
    has_diagnostics=True,
)


def gaps(draft: HandoffDraft) -> set[str]:
    return {gap.field for gap in CompletenessGate().evaluate(draft).gaps}


def test_complete_handoff_passes_with_full_score() -> None:
    result = CompletenessGate().evaluate(COMPLETE)
    assert result.passed
    assert result.score == 100


def test_email_broken_is_not_a_handoff() -> None:
    result = CompletenessGate().evaluate(HandoffDraft(what_is_wrong="Email broken"))
    assert not result.passed
    assert {g.field for g in result.gaps} == {
        "what_is_wrong",
        "what_was_tried",
        "error_verbatim",
        "affected_scope",
        "affected_count",
        "urgency",
        "triggers",
        "queue",
        "diagnostics",
    }
    assert result.score == 0


def test_each_of_the_five_things_is_required() -> None:
    assert gaps(replace(COMPLETE, what_is_wrong="VPN issue")) == {"what_is_wrong"}
    assert gaps(replace(COMPLETE, what_was_tried=(TriedStep("  "),))) == {"what_was_tried"}
    assert gaps(replace(COMPLETE, error_verbatim="")) == {"error_verbatim"}
    assert gaps(replace(COMPLETE, affected_scope=None)) == {"affected_scope"}
    assert gaps(replace(COMPLETE, affected_count=0)) == {"affected_count"}
    assert gaps(replace(COMPLETE, urgency=None)) == {"urgency"}


def test_screenshot_can_stand_in_for_the_error_text() -> None:
    assert gaps(replace(COMPLETE, error_verbatim="", error_screenshot=True)) == set()


def test_diagnostics_or_a_reason_why_not() -> None:
    no_diag = replace(COMPLETE, has_diagnostics=False)
    assert gaps(no_diag) == {"diagnostics"}
    assert gaps(replace(no_diag, no_diagnostics_reason="Caller's PC does not boot")) == set()


def test_playbook_required_facts_are_named() -> None:
    draft = replace(
        COMPLETE, required_facts=("vpn_client", "vpn_protocol"), facts={"vpn_client": "GP 6"}
    )
    result = CompletenessGate().evaluate(draft)
    assert [g.field for g in result.gaps] == ["facts.vpn_protocol"]
    assert "vpn_protocol" in result.gaps[0].message
    assert result.score == round(100 * 10 / 11)
