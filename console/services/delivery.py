"""Deliver the outbox: every frozen package reaches its destination exactly once.

Safe to run twice at once or to be killed at any point: destinations are idempotent on the
package id, and a row is marked delivered only after the destination has committed. While the
destination is unreachable, rows are retried with exponential back-off and keep their last
error for display.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from console.domain.enums import OutboxState
from console.services.clock import Clock, utc_now
from console.store.database import TicketStore
from console.store.destinations import Destination, Shipment, TicketFields
from console.store.errors import StoreUnavailable
from console.store.models import OutboxItem, Package, Ticket
from console.store.repositories import AuditRepository, OutboxRepository

FIRST_RETRY = timedelta(seconds=5)
MAX_RETRY = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 10 minutes."""
    delay = FIRST_RETRY * (1 << min(max(attempts - 1, 0), 16))
    return min(delay, MAX_RETRY)


@dataclass(frozen=True, slots=True)
class Delivered:
    ref: str
    package_id: str
    already_there: bool
    """True when the destination had it already (an earlier run died before marking it)."""


@dataclass(frozen=True, slots=True)
class Waiting:
    ref: str
    package_id: str
    attempts: int
    last_error: str
    next_attempt_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    delivered: tuple[Delivered, ...]
    waiting: tuple[Waiting, ...]


class DeliveryService:
    def __init__(
        self, workstation: TicketStore, destination: Destination, clock: Clock = utc_now
    ) -> None:
        self._store = workstation
        self._destination = destination
        self._clock = clock

    def deliver(self, *, include_not_due: bool = False, limit: int = 500) -> DeliveryReport:
        """Deliver what is due (or everything pending, when the user asked explicitly)."""
        now = self._clock()
        delivered: list[Delivered] = []
        with self._store.sessions() as session:
            repo = OutboxRepository(session)
            due_ids = [
                item.id
                for item in (repo.pending() if include_not_due else repo.due(now, limit))[:limit]
            ]
        for item_id in due_ids:
            shipment = self._load(item_id)
            if shipment is None:
                continue  # another worker delivered it meanwhile
            try:
                inserted = self._destination.deliver(shipment, self._clock())
            except StoreUnavailable as exc:
                self._failed(item_id, str(exc))
                break  # the rest would fail the same way; keep their back-off intact
            except Exception as exc:  # noqa: BLE001 - kept as the row's error, shown to the user
                self._failed(item_id, f"{type(exc).__name__}: {exc}")
                continue
            if self._mark_delivered(item_id, shipment):
                delivered.append(Delivered(shipment.ticket.ref, shipment.package_id, not inserted))
        return DeliveryReport(tuple(delivered), self.waiting())

    def waiting(self) -> tuple[Waiting, ...]:
        with self._store.sessions() as session:
            rows = session.execute(
                select(OutboxItem, Package.ticket_ref)
                .join(Package, Package.id == OutboxItem.package_id)
                .where(OutboxItem.state == OutboxState.PENDING)
                .order_by(OutboxItem.id)
            ).all()
            return tuple(
                Waiting(ref, item.package_id, item.attempts, item.last_error, item.next_attempt_at)
                for item, ref in rows
            )

    def _load(self, item_id: int) -> Shipment | None:
        with self._store.sessions() as session:
            row = session.execute(
                select(OutboxItem, Package, Ticket)
                .join(Package, Package.id == OutboxItem.package_id)
                .join(Ticket, Ticket.ref == Package.ticket_ref)
                .where(OutboxItem.id == item_id, OutboxItem.state == OutboxState.PENDING)
            ).first()
            if row is None:
                return None
            _item, package, ticket = row
            return Shipment(
                package_id=package.id,
                package_hash=package.package_hash,
                schema_version=package.schema_version,
                priority=package.priority,
                queue=package.queue,
                submitted_by=package.submitted_by,
                created_at=package.created_at,
                content=package.content,
                ticket=ticket_fields(ticket),
            )

    def _mark_delivered(self, item_id: int, shipment: Shipment) -> bool:
        now = self._clock()
        with self._store.sessions.begin() as session:
            if not OutboxRepository(session).mark_delivered(item_id, now):
                return False
            AuditRepository(session).append(
                at=now,
                actor=shipment.submitted_by,
                action="package.delivered",
                subject=shipment.ticket.ref,
                details={"package_id": shipment.package_id, "destination": self._destination.name},
            )
            return True

    def _failed(self, item_id: int, error: str) -> None:
        now = self._clock()
        with self._store.sessions.begin() as session:
            item = session.get(OutboxItem, item_id)
            attempts = (item.attempts if item else 0) + 1
            OutboxRepository(session).mark_failed(item_id, now, error, now + retry_delay(attempts))


def ticket_fields(ticket: Ticket) -> TicketFields:
    return TicketFields(
        ref=ticket.ref,
        caller=ticket.caller,
        contact=ticket.contact,
        client=ticket.client,
        site=ticket.site,
        channel=ticket.channel,
        summary=ticket.summary,
        description=ticket.description,
        category=ticket.category,
        status=ticket.status,
        impact=ticket.impact,
        urgency=ticket.urgency,
        priority=ticket.priority,
        agent=ticket.agent,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


def summarize(waiting: Sequence[Waiting]) -> str:
    if not waiting:
        return "Nothing waiting to send."
    return f"{len(waiting)} waiting to send"
