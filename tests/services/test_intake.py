"""Opening, correcting and resolving tickets at intake."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select

from console.domain.audit import verify_chain
from console.domain.enums import Category, Channel, TicketStatus
from console.services.intake import (
    IntakeError,
    IntakeForm,
    IntakeService,
    InvalidField,
    TicketNotWorkable,
)
from console.store.database import TicketStore
from console.store.models import Ticket
from console.store.repositories import AuditRepository
from tests.builders import add_ticket
from tests.services.conftest import StepClock

FORM = IntakeForm(
    caller="  Maya Okafor ",
    summary="Outlook on LT-0457 shows 0x800CCC0E since 9:00\nafter a password change",
    channel=Channel.PHONE,
    contact="maya.okafor@northwind.example",
    client="Northwind Traders",
    site="Lyon branch",
    description="Webmail works.",
    category=Category.EMAIL,
    playbook_id="email-cannot-send-receive",
)


def stored(store: TicketStore, ref: str) -> Ticket:
    with store.sessions() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.ref == ref))
    assert ticket is not None
    return ticket


def audit(store: TicketStore) -> list[tuple[str, str, str]]:
    with store.sessions() as session:
        records = AuditRepository(session).records()
    assert verify_chain(records) is None
    return [(r.actor, r.action, r.subject) for r in records]


def test_opening_a_ticket_stores_it_open_and_audits_it(
    any_store: TicketStore, clock: StepClock
) -> None:
    ref = IntakeService(any_store, clock).open_ticket(FORM, "aiko")

    assert re.fullmatch(r"HD-[0-9A-HJKMNP-TV-Z]{7}", ref)
    ticket = stored(any_store, ref)
    assert ticket.status == TicketStatus.OPEN
    assert ticket.caller == "Maya Okafor"  # trimmed
    assert ticket.summary.endswith("since 9:00 after a password change")  # one line
    assert (ticket.category, ticket.channel, ticket.agent) == ("email", "phone", "aiko")
    assert ticket.created_at == ticket.updated_at == clock.now
    assert ticket.resolved_at is None
    assert audit(any_store) == [("aiko", "ticket.opened", ref)]
    with any_store.sessions() as session:
        details = AuditRepository(session).records()[0].details
    assert details["playbook_id"] == "email-cannot-send-receive"


def test_a_clashing_ref_is_drawn_again(sqlite_store: TicketStore, clock: StepClock) -> None:
    taken = IntakeService(sqlite_store, clock, rng=random.Random(5)).open_ticket(FORM, "aiko")
    again = IntakeService(sqlite_store, clock, rng=random.Random(5)).open_ticket(FORM, "aiko")
    assert again != taken


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"caller": "   "}, "caller", "Caller is required: say who is calling."),
        ({"summary": ""}, "summary", "Summary is required: say in a few words what is wrong."),
        ({"site": "x" * 201}, "site", "Site is too long (201 characters; at most 200)."),
        ({"channel": "fax"}, "channel", "Channel must be one of phone, email, chat, walk_in"),
        ({"category": "misc"}, "category", "Category must be one of email, vpn,"),
    ],
)
def test_invalid_fields_are_one_sentence_naming_the_field(
    sqlite_store: TicketStore, clock: StepClock, change: dict[str, str], field: str, message: str
) -> None:
    values = {**FORM.to_mapping(), **change}
    with pytest.raises(InvalidField) as refused:
        IntakeService(sqlite_store, clock).open_ticket(IntakeForm.from_mapping(values), "aiko")
    assert refused.value.field == field
    assert str(refused.value).startswith(message)
    with sqlite_store.sessions() as session:
        assert session.scalars(select(Ticket)).all() == []


def test_the_form_round_trips_through_a_mapping() -> None:
    assert IntakeForm.from_mapping(FORM.to_mapping()) == FORM
    panel_state = {"caller": "Li Wei", "summary": "VPN issue", "channel": None, "extra": 1}
    form = IntakeForm.from_mapping(panel_state)
    assert (form.channel, form.category) == (Channel.PHONE, Category.OTHER)


def test_intake_edits_apply_while_open_only(any_store: TicketStore, clock: StepClock) -> None:
    service = IntakeService(any_store, clock)
    ref = service.open_ticket(FORM, "aiko")
    clock.advance(60)
    corrected = IntakeForm.from_mapping({**FORM.to_mapping(), "site": "Paris HQ"})
    service.update_intake(ref, corrected)

    ticket = stored(any_store, ref)
    assert ticket.site == "Paris HQ"
    assert ticket.updated_at == clock.now
    assert ticket.created_at < ticket.updated_at
    assert service.form(ref).site == "Paris HQ"

    service.resolve(ref, "Reset the Outlook profile", "aiko")
    with pytest.raises(TicketNotWorkable, match=f"Ticket {ref} is already resolved; its intake"):
        service.update_intake(ref, FORM)
    assert stored(any_store, ref).site == "Paris HQ"


def test_first_contact_resolution(any_store: TicketStore, clock: StepClock) -> None:
    service = IntakeService(any_store, clock)
    ref = service.open_ticket(FORM, "aiko")
    clock.advance(240)
    service.resolve(ref, "  Re-created the Outlook profile;\n mail flows again ", "aiko")

    ticket = stored(any_store, ref)
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.resolution == "Re-created the Outlook profile; mail flows again"
    assert ticket.resolved_at == ticket.updated_at == clock.now
    assert audit(any_store)[-1] == ("aiko", "ticket.resolved", ref)


def test_resolving_needs_a_one_line_summary(sqlite_store: TicketStore, clock: StepClock) -> None:
    service = IntakeService(sqlite_store, clock)
    ref = service.open_ticket(FORM, "aiko")
    with pytest.raises(InvalidField, match=r"^Resolution is required: say in one line") as e:
        service.resolve(ref, " \n\t", "aiko")
    assert e.value.field == "resolution"
    with pytest.raises(InvalidField, match=r"too long for one line \(501 characters"):
        service.resolve(ref, "x" * 501, "aiko")
    assert stored(sqlite_store, ref).status == TicketStatus.OPEN


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (TicketStatus.ESCALATED, "is already escalated to tier 2"),
        (TicketStatus.RESOLVED, "is already resolved"),
        (TicketStatus.PENDING_REVIEW, "is waiting for supervisor review"),
        (TicketStatus.CLOSED, "is closed"),
    ],
)
def test_resolve_refuses_a_ticket_past_tier_1(
    sqlite_store: TicketStore, clock: StepClock, status: TicketStatus, reason: str
) -> None:
    add_ticket(sqlite_store, "HD-DONE001", status=status.value)
    with pytest.raises(TicketNotWorkable) as refused:
        IntakeService(sqlite_store, clock).resolve("HD-DONE001", "Fixed", "aiko")
    assert str(refused.value) == (
        f"Ticket HD-DONE001 {reason}; it cannot be resolved at tier 1 now."
    )
    assert stored(sqlite_store, "HD-DONE001").status == status
    assert audit(sqlite_store) == []


def test_a_returned_ticket_can_be_resolved(sqlite_store: TicketStore, clock: StepClock) -> None:
    add_ticket(sqlite_store, "HD-BACK001", status=TicketStatus.RETURNED.value)
    IntakeService(sqlite_store, clock).resolve("HD-BACK001", "Resolvable at tier 1: done", "aiko")
    assert stored(sqlite_store, "HD-BACK001").status == TicketStatus.RESOLVED


def test_unknown_tickets_and_missing_actor(sqlite_store: TicketStore, clock: StepClock) -> None:
    service = IntakeService(sqlite_store, clock)
    with pytest.raises(TicketNotWorkable, match="There is no ticket HD-NOPE000 in sqlite"):
        service.resolve("HD-NOPE000", "Fixed", "aiko")
    with pytest.raises(IntakeError, match="needs the agent's username"):
        service.open_ticket(FORM, " ")
