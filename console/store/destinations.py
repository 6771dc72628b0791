"""Where frozen packages go: the local store itself, or the team's PostgreSQL store.

Every destination is idempotent on the package id: delivering the same package twice, or
resuming after a crash between "written there" and "marked delivered here", changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from console.store.database import TicketStore, connection_error
from console.store.errors import StoreUnavailable
from console.store.models import Package, Ticket
from console.store.repositories import AuditRepository


@dataclass(frozen=True, slots=True)
class TicketFields:
    """The ticket as the package carries it; enough to recreate it elsewhere."""

    ref: str
    caller: str
    contact: str
    client: str
    site: str
    channel: str
    summary: str
    description: str
    category: str
    status: str
    impact: str | None
    urgency: str | None
    priority: str | None
    agent: str
    created_at: datetime
    updated_at: datetime


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
    ticket: TicketFields


class Destination(Protocol):
    name: str

    def deliver(self, shipment: Shipment, now: datetime) -> bool:
        """Store the shipment; True if it was new there, False if it had arrived before.

        Raises :class:`StoreUnavailable` when the destination cannot be reached now.
        """
        ...


class LocalStoreDestination:
    """Local mode: the workstation store is the ticket store, so the package is already home."""

    name = "local"

    def deliver(self, shipment: Shipment, now: datetime) -> bool:
        return True


class UnreachableDestination:
    """A team store that could not even be opened: every delivery fails with that reason."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self._reason = reason

    def deliver(self, shipment: Shipment, now: datetime) -> bool:
        raise StoreUnavailable(self._reason)


class SqlStoreDestination:
    """A shared ticket store (the team's PostgreSQL, or any store in tests)."""

    def __init__(self, store: TicketStore) -> None:
        self._store = store
        self.name = store.display_url

    def deliver(self, shipment: Shipment, now: datetime) -> bool:
        try:
            with self._store.sessions.begin() as session:
                inserted = store_shipment(session, shipment, now)
                if inserted:
                    AuditRepository(session).append(
                        at=now,
                        actor=shipment.submitted_by,
                        action="package.received",
                        subject=shipment.ticket.ref,
                        details={"package_id": shipment.package_id, "hash": shipment.package_hash},
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


def store_shipment(session: Session, shipment: Shipment, now: datetime) -> bool:
    """Insert the package if absent and bring the ticket up to date; True if newly inserted."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    package_values = {
        "id": shipment.package_id,
        "ticket_ref": shipment.ticket.ref,
        "package_hash": shipment.package_hash,
        "schema_version": shipment.schema_version,
        "priority": shipment.priority,
        "queue": shipment.queue,
        "submitted_by": shipment.submitted_by,
        "created_at": shipment.created_at,
        "size": len(shipment.content),
        "content": shipment.content,
    }
    result = session.execute(
        insert(Package)
        .values(**package_values)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(Package.id)
    )
    inserted = result.scalar() is not None
    if not inserted:
        return False
    t = shipment.ticket
    ticket_values = {
        "ref": t.ref,
        "caller": t.caller,
        "contact": t.contact,
        "client": t.client,
        "site": t.site,
        "channel": t.channel,
        "summary": t.summary,
        "description": t.description,
        "category": t.category,
        "status": t.status,
        "impact": t.impact,
        "urgency": t.urgency,
        "priority": t.priority,
        "agent": t.agent,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "resolved_at": None,
        "resolution": "",
    }
    created = session.execute(
        insert(Ticket)
        .values(**ticket_values)
        .on_conflict_do_nothing(index_elements=["ref"])
        .returning(Ticket.id)
    ).scalar()
    if created is None:
        # The ticket exists there (an earlier package, or seeded): this package moves it on.
        session.execute(
            update(Ticket)
            .where(Ticket.ref == t.ref)
            .values(
                status=t.status,
                impact=t.impact,
                urgency=t.urgency,
                priority=t.priority,
                updated_at=now,
            )
        )
    return True


def package_hash_of(session: Session, package_id: str) -> str | None:
    """The stored hash of a package id, or None."""
    return session.scalar(select(Package.package_hash).where(Package.id == package_id))
