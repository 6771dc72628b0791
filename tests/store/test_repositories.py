"""Repositories over one Session: a ticket read back is the domain's TicketRecord, whole."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest

from console.domain.enums import Impact, Priority, TicketStatus, Urgency
from console.domain.ticket import TicketRecord
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.models import Ticket
from console.store.repositories import TicketRepository, ticket_values
from tests.builders import OPENED, add_ticket


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TicketStore]:
    store = open_store(parse_store_url(str(tmp_path / "console.db")))
    yield store
    store.dispose()


def test_a_ticket_record_has_every_column_of_the_tickets_table_but_its_id() -> None:
    record_fields = [field.name for field in fields(TicketRecord)]
    assert record_fields == [c.name for c in Ticket.__table__.columns if c.name != "id"]


def test_a_ticket_is_read_back_with_every_field(store: TicketStore) -> None:
    resolved = OPENED + timedelta(minutes=20)
    add_ticket(
        store,
        "HD-RECORD01",
        description="Since Monday",
        status=TicketStatus.RESOLVED.value,
        impact=Impact.TEAM.value,
        urgency=Urgency.DEGRADED.value,
        priority=Priority.P3.value,
        updated_at=resolved,
        resolved_at=resolved,
        resolution="Reinstalled the VPN client",
    )
    with store.sessions() as session:
        record = TicketRepository(session).record_by_ref("HD-RECORD01")
    assert record == TicketRecord(
        ref="HD-RECORD01",
        caller="Maya Okafor",
        contact="maya.okafor@northwind.example",
        client="Northwind Traders",
        site="Lyon branch",
        channel="phone",
        summary="VPN will not connect from home",
        description="Since Monday",
        category="vpn",
        status="resolved",
        impact="team",
        urgency="degraded",
        priority="P3",
        agent="aiko",
        created_at=OPENED,
        updated_at=resolved,
        resolved_at=resolved,
        resolution="Reinstalled the VPN client",
    )
    columns = [c.name for c in Ticket.__table__.columns if c.name != "id"]
    assert ticket_values(record) == {name: getattr(record, name) for name in columns}


def test_an_unknown_ref_has_no_record(store: TicketStore) -> None:
    with store.sessions() as session:
        assert TicketRepository(session).record_by_ref("HD-NOSUCH01") is None
