"""The outbox repository: which packages are pending, due, waiting, and what a failure keeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.resources import load_priority_matrix
from console.services.escalate import EscalationService, Receipt
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.outbox import OutboxRepository, Waiting
from tests.builders import AGENT, add_ticket, complete_submission

SUBMITTED = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TicketStore]:
    store = open_store(parse_store_url(str(tmp_path / "console.db")))
    yield store
    store.dispose()


def submit(store: TicketStore, ref: str) -> Receipt:
    add_ticket(store, ref, caller="Dana Whitfield")
    service = EscalationService(store, load_priority_matrix(), "local", clock=lambda: SUBMITTED)
    return service.submit(complete_submission(ref), AGENT)


def test_pending_packages_come_with_their_ticket_oldest_first(store: TicketStore) -> None:
    first, second = submit(store, "HD-OUTBOX01"), submit(store, "HD-OUTBOX02")
    with store.sessions() as session:
        pending = OutboxRepository(session).pending(10, due_at=SUBMITTED)
    assert [(s.package_id, s.package_hash) for _, s in pending] == [
        (first.package_id, first.package_hash),
        (second.package_id, second.package_hash),
    ]
    shipment = pending[0][1]
    assert (shipment.ticket.ref, shipment.ticket.caller, shipment.ticket.status) == (
        "HD-OUTBOX01",
        "Dana Whitfield",
        "escalated",
    )
    assert shipment.ticket.priority == shipment.priority == first.priority


def test_pending_leaves_out_what_is_not_due_excluded_or_beyond_the_limit(
    store: TicketStore,
) -> None:
    submit(store, "HD-OUTBOX01")
    submit(store, "HD-OUTBOX02")
    with store.sessions() as session:
        outbox = OutboxRepository(session)
        ids = [item_id for item_id, _ in outbox.pending(10, due_at=None)]
        assert len(ids) == 2
        assert outbox.pending(10, due_at=SUBMITTED - timedelta(seconds=1)) == []
        assert [i for i, _ in outbox.pending(10, due_at=None, exclude={ids[0]})] == ids[1:]
        assert [i for i, _ in outbox.pending(1, due_at=None)] == ids[:1]


def test_a_failure_counts_an_attempt_and_keeps_the_error_until_retry_at(
    store: TicketStore,
) -> None:
    receipt = submit(store, "HD-OUTBOX01")
    later = SUBMITTED + timedelta(minutes=1)
    asked: list[int] = []

    def retry_at(attempts: int) -> datetime:
        asked.append(attempts)
        return later + timedelta(seconds=5 * attempts)

    with store.sessions.begin() as session:
        outbox = OutboxRepository(session)
        (item_id, _), *_ = outbox.pending(10, due_at=None)
        outbox.mark_failed([item_id], later, "Cannot reach the ticket store", retry_at)
        outbox.mark_failed([item_id], later, "Still down", retry_at)
    with store.sessions() as session:
        outbox = OutboxRepository(session)
        assert asked == [1, 2]
        assert outbox.waiting() == (
            Waiting(
                "HD-OUTBOX01", receipt.package_id, 2, "Still down", later + timedelta(seconds=10)
            ),
        )
        assert outbox.pending(10, due_at=later) == []


def test_a_delivered_package_is_neither_pending_nor_failed_again(store: TicketStore) -> None:
    submit(store, "HD-OUTBOX01")
    with store.sessions.begin() as session:
        outbox = OutboxRepository(session)
        (item_id, _), *_ = outbox.pending(10, due_at=None)
        assert outbox.mark_delivered([item_id], SUBMITTED) == {item_id}
        assert outbox.mark_delivered([item_id], SUBMITTED) == set()
        outbox.mark_failed([item_id], SUBMITTED, "too late", lambda attempts: SUBMITTED)
    with store.sessions() as session:
        outbox = OutboxRepository(session)
        assert outbox.pending(10, due_at=None) == []
        assert outbox.waiting() == ()
