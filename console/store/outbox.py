"""The outbox: frozen packages waiting to reach their destination, one row per package.

Its repository holds every statement over the outbox, so the delivery service speaks of
shipments and attempts, not of tables. Like every repository it works in a Session its
caller owns.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from console.domain.enums import OutboxState
from console.store.destinations import Shipment
from console.store.models import OutboxItem
from console.store.repositories import OUTBOX, PACKAGES, TICKETS, ticket_record

# Built once: SQLAlchemy memoizes a statement object's cache key (the submit path runs it).
_INSERT_OUTBOX = insert(OUTBOX)
_PENDING = OUTBOX.c.state == OutboxState.PENDING.value
_TICKET_COLUMNS = [column.label(f"t_{column.name}") for column in TICKETS.c]
# Core rows, not ORM objects: loading entities cost more than the query itself.
_PENDING_SHIPMENTS: Select[Any] = (
    select(OUTBOX.c.id.label("item_id"), *PACKAGES.c, *_TICKET_COLUMNS)
    .join_from(OUTBOX, PACKAGES, PACKAGES.c.id == OUTBOX.c.package_id)
    .join(TICKETS, TICKETS.c.ref == PACKAGES.c.ticket_ref)
    .where(_PENDING)
    .order_by(OUTBOX.c.id)
)
_WAITING: Select[Any] = (
    select(
        PACKAGES.c.ticket_ref,
        OUTBOX.c.package_id,
        OUTBOX.c.attempts,
        OUTBOX.c.last_error,
        OUTBOX.c.next_attempt_at,
    )
    .join_from(OUTBOX, PACKAGES, PACKAGES.c.id == OUTBOX.c.package_id)
    .where(_PENDING)
    .order_by(OUTBOX.c.id)
)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A package still in the outbox, and how its delivery has gone so far."""

    ref: str
    package_id: str
    attempts: int
    last_error: str
    next_attempt_at: datetime


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def enqueue(self, package_id: str, destination: str, now: datetime) -> None:
        self._s.execute(
            _INSERT_OUTBOX,
            {
                "package_id": package_id,
                "destination": destination,
                "state": OutboxState.PENDING.value,
                "attempts": 0,
                "last_error": "",
                "created_at": now,
                "next_attempt_at": now,
            },
        )

    def pending(
        self, limit: int, *, due_at: datetime | None, exclude: Collection[int] = ()
    ) -> list[tuple[int, Shipment]]:
        """Up to ``limit`` pending packages, oldest first, each with its outbox row id: those
        due at ``due_at`` (None: due or not), leaving out the rows in ``exclude``."""
        query = _PENDING_SHIPMENTS.limit(limit)
        if due_at is not None:
            query = query.where(OUTBOX.c.next_attempt_at <= due_at)
        if exclude:
            query = query.where(OUTBOX.c.id.not_in(exclude))
        return [(row.item_id, _shipment(row)) for row in self._s.execute(query)]

    def waiting(self) -> tuple[Waiting, ...]:
        """Every package still pending, oldest first."""
        return tuple(Waiting(*row) for row in self._s.execute(_WAITING))

    def mark_delivered(self, item_ids: Sequence[int], now: datetime) -> set[int]:
        """Mark delivered those not already marked (by a concurrent worker); returns which."""
        if not item_ids:
            return set()
        marked = self._s.scalars(
            update(OutboxItem)
            .where(OutboxItem.id.in_(item_ids), OutboxItem.state == OutboxState.PENDING)
            .values(
                state=OutboxState.DELIVERED,
                delivered_at=now,
                last_attempt_at=now,
                attempts=OutboxItem.attempts + 1,
                last_error="",
            )
            .returning(OutboxItem.id)
            .execution_options(synchronize_session=False)
        )
        return set(marked)

    def mark_failed(
        self,
        item_ids: Collection[int],
        now: datetime,
        error: str,
        retry_at: Callable[[int], datetime],
    ) -> None:
        """Count a failed attempt on each row still pending: keep ``error`` and try again at
        ``retry_at(attempts)``, ``attempts`` counting this one."""
        rows = self._s.execute(
            select(OutboxItem.id, OutboxItem.attempts).where(OutboxItem.id.in_(item_ids))
        ).all()
        for item_id, attempts in rows:
            self._s.execute(
                update(OutboxItem)
                .where(OutboxItem.id == item_id, OutboxItem.state == OutboxState.PENDING)
                .values(
                    attempts=OutboxItem.attempts + 1,
                    last_attempt_at=now,
                    last_error=error,
                    next_attempt_at=retry_at(attempts + 1),
                )
                .execution_options(synchronize_session=False)
            )


def _shipment(row: Any) -> Shipment:
    """A shipment from one row of the pending query (its ticket's columns are t_*)."""
    return Shipment(
        package_id=row.id,
        package_hash=row.package_hash,
        schema_version=row.schema_version,
        priority=row.priority,
        queue=row.queue,
        submitted_by=row.submitted_by,
        created_at=row.created_at,
        content=row.content,
        ticket=ticket_record(row, prefix="t_"),
    )
