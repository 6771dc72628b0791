"""Where frozen packages go: the local store itself, or the team's PostgreSQL store.

Every destination is idempotent on the package id: delivering the same package twice, or
resuming after a crash between "written there" and "marked delivered here", changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from console.domain.ticket import TicketRecord
from console.store.database import TicketStore, connection_error
from console.store.errors import StoreUnavailable
from console.store.models import Base, Package, Ticket
from console.store.repositories import AuditEntry, AuditRepository, ticket_values


@dataclass(frozen=True, slots=True)
class Shipment:
    """One frozen package on its way, with the ticket it belongs to."""

    package_id: str
    package_hash: str
    schema_version: int
    priority: str
    queue: str
    submitted_by: str
    created_at: datetime
    content: bytes
    ticket: TicketRecord
    """Enough to recreate the ticket elsewhere."""


class Destination(Protocol):
    name: str

    def deliver(self, shipments: Sequence[Shipment], now: datetime) -> list[bool]:
        """Store the shipments in one go; per shipment, True if it was new there.

        False means it had arrived before (an earlier run died before marking it delivered).
        Raises :class:`StoreUnavailable` when the destination cannot be reached now; any other
        error means something in the batch was refused.
        """
        ...


class LocalStoreDestination:
    """Local mode: the workstation store is the ticket store, so the package is already home."""

    name = "local"

    def deliver(self, shipments: Sequence[Shipment], now: datetime) -> list[bool]:
        return [True] * len(shipments)


class UnreachableDestination:
    """A team store that could not even be opened: every delivery fails with that reason."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self._reason = reason

    def deliver(self, shipments: Sequence[Shipment], now: datetime) -> list[bool]:
        raise StoreUnavailable(self._reason)


class SqlStoreDestination:
    """A shared ticket store (the team's PostgreSQL, or any store in tests)."""

    def __init__(self, store: TicketStore) -> None:
        self._store = store
        self.name = store.display_url

    def deliver(self, shipments: Sequence[Shipment], now: datetime) -> list[bool]:
        try:
            with self._store.sessions.begin() as session:
                inserted = store_shipments(session, shipments)
                AuditRepository(session).append_many(
                    [
                        AuditEntry(
                            now,
                            s.submitted_by,
                            "package.received",
                            s.ticket.ref,
                            {"package_id": s.package_id, "hash": s.package_hash},
                        )
                        for s, new in zip(shipments, inserted, strict=True)
                        if new
                    ]
                )
                return inserted
        except OperationalError as exc:
            error = connection_error(self.name, exc)
            if isinstance(error, StoreUnavailable):
                raise error from None
            raise StoreUnavailable(str(error)) from None  # login refused: retry after store login
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise StoreUnavailable(f"Lost the connection to {self.name}: {exc.orig}") from None
            raise


def store_shipments(session: Session, shipments: Sequence[Shipment]) -> list[bool]:
    """Insert the packages that are absent and bring their tickets up to date.

    Returns, per shipment, whether its package was newly inserted. Two statements whatever the
    batch size: one multi-row insert of packages, one upsert of the new packages' tickets.
    """
    if not shipments:
        return []
    insert_packages, upsert_tickets = _statements(session.get_bind().dialect.name)
    # executemany (not one multi-row VALUES): the statement compiles once, whatever the size.
    new_ids = set(session.scalars(insert_packages, [_package_values(s) for s in shipments]))
    fresh = [s for s in shipments if s.package_id in new_ids]
    if fresh:
        # The newest package of a ticket decides its state; a ticket appears once per statement.
        latest = {s.ticket.ref: s for s in sorted(fresh, key=lambda s: s.created_at)}
        session.execute(upsert_tickets, [ticket_values(s.ticket) for s in latest.values()])
    return [s.package_id in new_ids for s in shipments]


@functools.cache
def _statements(dialect: str) -> tuple[Any, Any]:
    """The two statements of a delivery for one dialect, built once (Core tables, so no ORM
    bulk-persistence path, and a memoized cache key)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    packages = Base.metadata.tables[Package.__tablename__]
    tickets = Base.metadata.tables[Ticket.__tablename__]
    insert_packages = (
        insert(packages).on_conflict_do_nothing(index_elements=["id"]).returning(packages.c.id)
    )
    upsert = insert(tickets)
    upsert_tickets = upsert.on_conflict_do_update(
        index_elements=["ref"],
        set_={
            "status": upsert.excluded.status,
            "impact": upsert.excluded.impact,
            "urgency": upsert.excluded.urgency,
            "priority": upsert.excluded.priority,
            "updated_at": upsert.excluded.updated_at,
        },
    )
    return insert_packages, upsert_tickets


def _package_values(s: Shipment) -> dict[str, object]:
    return {
        "id": s.package_id,
        "ticket_ref": s.ticket.ref,
        "package_hash": s.package_hash,
        "schema_version": s.schema_version,
        "priority": s.priority,
        "queue": s.queue,
        "submitted_by": s.submitted_by,
        "created_at": s.created_at,
        "size": len(s.content),
        "content": s.content,
    }


def package_hash_of(session: Session, package_id: str) -> str | None:
    """The stored hash of a package id, or None."""
    return session.scalar(select(Package.package_hash).where(Package.id == package_id))
