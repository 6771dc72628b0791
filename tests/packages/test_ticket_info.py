"""A package carries part of its ticket, and brings the ticket back where it is imported."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from console.domain.ticket import TicketRecord
from console.packages.model import TicketInfo
from tests.packages.factories import sample_document

OPENED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_ticket_survives_the_trip_through_its_package() -> None:
    record = TicketRecord(
        ref="HD-ABC1234",
        caller="Sam Okafor",
        contact="sam@example.com",
        client="Acme",
        site="Leeds",
        channel="phone",
        summary="VPN fails with error 809",
        description="Since the router was replaced",
        category="vpn",
        status="open",
        agent="dana",
        created_at=OPENED,
        updated_at=OPENED,
    )
    handoff = sample_document().handoff
    later = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    back = TicketInfo.of_record(record).to_record(handoff, status="escalated", updated_at=later)
    assert back == dataclasses.replace(
        record,
        status="escalated",
        impact=handoff.impact.value,
        urgency=handoff.urgency.value,
        priority=handoff.priority.value,
        updated_at=later,
    )
