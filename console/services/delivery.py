"""Deliver the outbox: every frozen package reaches its destination exactly once.

Safe to run twice at once or to be killed at any point: destinations are idempotent on the
package id, and a row is marked delivered only after the destination has committed. While the
destination is unreachable, rows are retried with exponential back-off and keep their last
error for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from console.services.clock import Clock, utc_now
from console.store.database import TicketStore
from console.store.destinations import (
    Destination,
    LocalStoreDestination,
    Shipment,
    SqlStoreDestination,
    UnreachableDestination,
)
from console.store.errors import StoreUnavailable
from console.store.outbox import OutboxRepository, Waiting
from console.store.repositories import AuditEntry, AuditRepository

if TYPE_CHECKING:
    from console.connect import Stores

OFFLINE = "the team store is offline"

FIRST_RETRY = timedelta(seconds=5)
MAX_RETRY = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... capped at 10 minutes."""
    delay = FIRST_RETRY * (1 << min(max(attempts - 1, 0), 16))
    return min(delay, MAX_RETRY)


def destination_of(stores: Stores, offline_reason: str = OFFLINE) -> Destination:
    """Where the outbox of ``stores`` goes now: the team store, nowhere while it could not be
    reached (every attempt fails with ``offline_reason`` and is retried later), or, in local
    mode, nowhere at all, since the workstation store is the ticket store."""
    if stores.unreachable:
        return UnreachableDestination(stores.unreachable, offline_reason)
    if stores.team_mode:
        return SqlStoreDestination(stores.tickets)
    return LocalStoreDestination()


@dataclass(frozen=True, slots=True)
class Delivered:
    ref: str
    package_id: str
    already_there: bool
    """True when the destination had it already (an earlier run died before marking it)."""


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    delivered: tuple[Delivered, ...]
    waiting: tuple[Waiting, ...]


class DeliveryService:
    def __init__(
        self,
        workstation: TicketStore,
        destination: Destination,
        clock: Clock = utc_now,
        batch_size: int = 25,
    ) -> None:
        self._store = workstation
        self._destination = destination
        self._clock = clock
        self._batch_size = batch_size

    def deliver(self, *, include_not_due: bool = False, limit: int = 1000) -> DeliveryReport:
        """Deliver what is due (or everything pending, when the user asked explicitly).

        Packages go in batches, one destination transaction per batch. If the destination
        refuses a batch for a reason other than being unreachable, its packages are retried
        one by one so a single bad package cannot hold the others back.
        """
        delivered: list[Delivered] = []
        tried: set[int] = set()
        while len(tried) < limit:
            batch = self._load(include_not_due, exclude=tried)
            if not batch:
                break
            tried.update(item_id for item_id, _ in batch)
            try:
                delivered += self._send(batch)
            except StoreUnavailable as exc:
                self._failed([item_id for item_id, _ in batch], str(exc))
                break  # the rest would fail the same way; keep their back-off intact
            except Exception:  # noqa: BLE001 - isolate the package that was refused
                for single in batch:
                    try:
                        delivered += self._send([single])
                    except StoreUnavailable as exc:
                        self._failed([single[0]], str(exc))
                        break
                    except Exception as exc:  # noqa: BLE001 - kept as the row's error
                        self._failed([single[0]], f"{type(exc).__name__}: {exc}")
            if len(batch) < self._batch_size:
                break  # a short batch was all there was: no need to ask again
        return DeliveryReport(tuple(delivered), self.waiting())

    def waiting(self) -> tuple[Waiting, ...]:
        """The packages still in the outbox, oldest first."""
        with self._store.sessions() as session:
            return OutboxRepository(session).waiting()

    def _send(self, batch: list[tuple[int, Shipment]]) -> list[Delivered]:
        inserted = self._destination.deliver([s for _, s in batch], self._clock())
        return self._mark_delivered(
            [
                (item_id, shipment, new)
                for (item_id, shipment), new in zip(batch, inserted, strict=True)
            ]
        )

    def _load(self, include_not_due: bool, exclude: set[int]) -> list[tuple[int, Shipment]]:
        due_at = None if include_not_due else self._clock()
        with self._store.sessions() as session:
            return OutboxRepository(session).pending(
                self._batch_size, due_at=due_at, exclude=exclude
            )

    def _mark_delivered(self, sent: list[tuple[int, Shipment, bool]]) -> list[Delivered]:
        now = self._clock()
        with self._store.sessions.begin() as session:
            marked = OutboxRepository(session).mark_delivered(
                [item_id for item_id, _, _ in sent], now
            )
            done = [(s, new) for item_id, s, new in sent if item_id in marked]
            AuditRepository(session).append_many(
                [
                    AuditEntry(
                        now,
                        s.submitted_by,
                        "package.delivered",
                        s.ticket.ref,
                        {"package_id": s.package_id, "destination": self._destination.name},
                    )
                    for s, _ in done
                ]
            )
        return [Delivered(s.ticket.ref, s.package_id, not new) for s, new in done]

    def _failed(self, item_ids: list[int], error: str) -> None:
        now = self._clock()
        with self._store.sessions.begin() as session:
            OutboxRepository(session).mark_failed(
                item_ids, now, error, lambda attempts: now + retry_delay(attempts)
            )
