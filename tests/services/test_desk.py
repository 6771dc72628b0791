"""The desk: the services of one console session, and the few reads the screens make."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.connect import Stores
from console.domain.enums import Role
from console.domain.ticket import TicketRecord
from console.services.desk import Agent, Desk
from console.store.database import TicketStore
from tests.builders import OPENED, add_ticket


@pytest.fixture
def desk(sqlite_store: TicketStore) -> Iterator[Desk]:
    desk = Desk(Agent("aiko", Role.AGENT), lambda: Stores(sqlite_store, sqlite_store))
    yield desk
    desk.close()


def test_a_ticket_is_read_as_its_record(desk: Desk, sqlite_store: TicketStore) -> None:
    add_ticket(sqlite_store, "HD-DESK0001", caller="Dana Whitfield")
    ticket = desk.ticket("HD-DESK0001")
    assert isinstance(ticket, TicketRecord)
    assert (ticket.ref, ticket.caller, ticket.status) == ("HD-DESK0001", "Dana Whitfield", "open")
    assert (ticket.created_at, ticket.priority, ticket.resolved_at) == (OPENED, None, None)


def test_an_unknown_ticket_is_a_lookup_error(desk: Desk) -> None:
    with pytest.raises(LookupError, match="There is no ticket HD-NOSUCH01"):
        desk.ticket("HD-NOSUCH01")
