"""The desk: the services of one console session, and the few reads the screens make."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.connect import Stores
from console.domain.enums import Role
from console.domain.ticket import TicketRecord
from console.packages.reader import verify_package_file
from console.services.desk import Agent, Desk
from console.services.exchange import ExchangeError
from console.store.database import TicketStore
from tests.builders import AGENT, OPENED, add_ticket, complete_submission


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


def test_a_package_is_exported_as_frozen(
    desk: Desk, sqlite_store: TicketStore, tmp_path: Path
) -> None:
    add_ticket(sqlite_store, "HD-DESK0002")
    receipt = desk.escalation.submit(complete_submission("HD-DESK0002"), AGENT)
    target = tmp_path / "HD-DESK0002.zip"

    assert desk.export_package("HD-DESK0002", target) == receipt.package_hash
    assert verify_package_file(target).package_hash == receipt.package_hash


def test_a_ticket_without_a_package_exports_nothing(
    desk: Desk, sqlite_store: TicketStore, tmp_path: Path
) -> None:
    add_ticket(sqlite_store, "HD-DESK0003")
    with pytest.raises(ExchangeError, match="Ticket HD-DESK0003 has no escalation package"):
        desk.export_package("HD-DESK0003", tmp_path / "none.zip")
    assert not (tmp_path / "none.zip").exists()
