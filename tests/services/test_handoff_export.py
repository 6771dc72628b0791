"""Copying the handoff as Markdown: the same text tier 2 reads in the package, marked as a draft
that was prepared (not submitted), and refused while who, how urgent or why is missing."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from console.domain.enums import Category, Channel, TicketStatus
from console.domain.ticket import TicketRecord
from console.packages.handoff import render_handoff
from console.resources import load_priority_matrix
from console.services.escalate import freeze_package
from console.services.handoff_export import HandoffNotReady, handoff_markdown
from tests.builders import OPENED, complete_draft, complete_submission

NOW = OPENED.replace(hour=10)


def ticket() -> TicketRecord:
    return TicketRecord(
        ref="HD-VPN0001",
        caller="Maya Okafor",
        summary="VPN will not connect from home",
        category=Category.VPN.value,
        channel=Channel.PHONE.value,
        status=TicketStatus.OPEN.value,
        agent="aiko",
        created_at=OPENED,
        updated_at=OPENED,
        contact="maya.okafor@northwind.example",
        site="Lyon branch",
    )


def test_the_markdown_is_the_package_handoff_marked_as_a_draft() -> None:
    matrix = load_priority_matrix()
    submission = complete_submission()

    markdown = handoff_markdown(ticket(), submission, matrix, prepared_by="aiko", now=NOW)

    frozen, _ = freeze_package(ticket(), submission, "aiko", 100, NOW, matrix)
    packaged = render_handoff(frozen).split("\n")
    copied = markdown.split("\n")
    assert len(copied) == len(packaged)
    differing = [(a, b) for a, b in zip(packaged, copied, strict=True) if a != b]
    assert differing == [
        (
            "**P3** · integration_failure · queue **network** · vpn · "
            "submitted 2026-11-20 10:15 UTC by aiko",
            "**P3** · integration_failure · queue **network** · vpn · "
            "prepared 2026-11-20 10:15 UTC by aiko",
        ),
        (
            f"Package {frozen.package_id} · schema v1",
            "Draft handoff: not submitted yet, so no package was frozen.",
        ),
    ]
    content = submission.attachments[0].content
    assert f"sha256 {hashlib.sha256(content).hexdigest()}" in markdown
    assert "`attachments/vpn_error.png` (image/png, 2.0 KiB)" in markdown


def test_without_diagnostics_the_reason_is_given() -> None:
    submission = replace(
        complete_submission(),
        diagnostics=None,
        draft=complete_draft(has_diagnostics=False, no_diagnostics_reason="Caller on a kiosk"),
    )
    markdown = handoff_markdown(
        ticket(), submission, load_priority_matrix(), prepared_by="aiko", now=NOW
    )
    assert "None captured: Caller on a kiosk" in markdown
    assert "## The error, verbatim\n\n```text\nThe network connection is unreachable" in markdown


def test_a_handoff_without_who_how_urgent_or_why_is_not_exported() -> None:
    submission = replace(
        complete_submission(), draft=complete_draft(affected_scope=None, urgency=None, triggers=())
    )
    with pytest.raises(HandoffNotReady) as refused:
        handoff_markdown(ticket(), submission, load_priority_matrix(), prepared_by="aiko", now=NOW)
    assert str(refused.value) == (
        "Before exporting the handoff, say who is affected, how urgent it is and the "
        "escalation trigger."
    )
