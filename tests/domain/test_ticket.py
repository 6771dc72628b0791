"""The ticket's facts declared once in the domain: the statuses tier 1 may still change."""

from __future__ import annotations

from console.domain.enums import TicketStatus
from console.domain.ticket import WORKING_STATUSES


def test_tier_1_works_on_open_and_returned_tickets_only() -> None:
    assert set(WORKING_STATUSES) == {TicketStatus.OPEN, TicketStatus.RETURNED}
