"""Submitting: the gate refuses an incomplete handoff; a complete one is frozen into the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.domain.enums import OutboxState, TicketStatus
from console.packages.reader import read_package
from console.resources import load_priority_matrix
from console.services.escalate import EscalationService, IncompleteHandoff, SubmitRefused
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.models import AuditEvent, OutboxItem, Package, Ticket
from tests.builders import (
    AGENT,
    OPENED,
    SUPERVISOR,
    add_ticket,
    complete_draft,
    complete_submission,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TicketStore]:
    s = open_store(parse_store_url(str(tmp_path / "console.db")))
    yield s
    s.dispose()


@pytest.fixture
def service(store: TicketStore) -> EscalationService:
    return EscalationService(store, load_priority_matrix(), "local", clock=lambda: OPENED)


def counts(store: TicketStore) -> tuple[int, int, int]:
    with store.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Package)) or 0,
            s.scalar(select(func.count()).select_from(OutboxItem)) or 0,
            s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def test_complete_submission_freezes_package_outbox_status_and_audit(
    store: TicketStore, service: EscalationService
) -> None:
    add_ticket(store)
    receipt = service.submit(complete_submission(), AGENT)

    assert receipt.priority == "P3"  # one user, work stopped
    with store.sessions() as s:
        package = s.get(Package, receipt.package_id)
        assert package is not None
        outbox = s.scalar(select(OutboxItem).where(OutboxItem.package_id == receipt.package_id))
        ticket = s.scalar(select(Ticket).where(Ticket.ref == "HD-VPN0001"))
        audit = s.scalars(select(AuditEvent)).all()
        content = package.content
    assert outbox is not None and outbox.state == OutboxState.PENDING
    assert ticket is not None and ticket.status == TicketStatus.ESCALATED
    assert ticket.priority == "P3"
    assert [e.action for e in audit] == ["package.submitted"]
    assert audit[0].details["hash"] == receipt.package_hash

    verified = read_package(content)
    assert verified.package_hash == receipt.package_hash
    doc = verified.document
    assert doc.handoff.error_verbatim == complete_draft().error_verbatim
    assert [s.action for s in doc.handoff.what_was_tried][0] == "Checked the VPN adapter is present"
    assert doc.attachments[0].path == "attachments/vpn_error.png"
    assert doc.diagnostics is not None and doc.diagnostics.path == "attachments/diagnostics.json"
    assert doc.ticket.caller == "Maya Okafor"


def test_incomplete_handoff_is_refused_and_nothing_is_written(
    store: TicketStore, service: EscalationService
) -> None:
    add_ticket(store)
    vague = replace(
        complete_submission(), draft=complete_draft(what_is_wrong="VPN issue", error_verbatim="")
    )
    with pytest.raises(IncompleteHandoff) as refused:
        service.submit(vague, AGENT)
    assert [g.field for g in refused.value.gaps] == ["what_is_wrong", "error_verbatim"]
    assert counts(store) == (0, 0, 0)


def test_only_a_supervisor_may_override_the_gate_and_it_is_audited(
    store: TicketStore, service: EscalationService
) -> None:
    add_ticket(store)
    partial = replace(
        complete_submission(),
        draft=complete_draft(error_verbatim=""),
        override_reason="Caller hung up before reading the error; site is down",
    )
    with pytest.raises(SubmitRefused, match="Only a supervisor"):
        service.submit(partial, AGENT)
    assert counts(store) == (0, 0, 0)

    receipt = service.submit(partial, SUPERVISOR)
    with store.sessions() as s:
        event = s.scalars(select(AuditEvent)).one()
        package = s.get(Package, receipt.package_id)
        assert package is not None
        content = package.content
    assert event.details["override_reason"].startswith("Caller hung up")
    assert read_package(content).document.gate.override_reason.startswith("Caller hung up")


def test_a_ticket_is_escalated_once(store: TicketStore, service: EscalationService) -> None:
    add_ticket(store)
    service.submit(complete_submission(), AGENT)
    with pytest.raises(SubmitRefused, match="already escalated"):
        service.submit(complete_submission(), AGENT)
    assert counts(store)[:2] == (1, 1)


def test_unknown_ticket_is_refused(service: EscalationService) -> None:
    with pytest.raises(SubmitRefused, match="No ticket HD-NOPE"):
        service.submit(complete_submission("HD-NOPE"), AGENT)
