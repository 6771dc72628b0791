"""Delivery from the workstation outbox to the team store: exactly once, whatever happens."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from console.connect import Stores
from console.domain.audit import verify_chain
from console.domain.enums import OutboxState, TicketStatus
from console.resources import load_priority_matrix
from console.services.delivery import DeliveryService, destination_of, retry_delay
from console.services.escalate import EscalationService, Receipt
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.destinations import (
    LocalStoreDestination,
    Shipment,
    SqlStoreDestination,
    UnreachableDestination,
)
from console.store.errors import StoreUnavailable
from console.store.models import AuditEvent, OutboxItem, Package, Ticket
from console.store.repositories import AuditRepository
from tests.builders import AGENT, add_ticket, complete_submission


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def workstation(tmp_path: Path) -> Iterator[TicketStore]:
    store = open_store(parse_store_url(str(tmp_path / "console.db")))
    yield store
    store.dispose()


def submit(workstation: TicketStore, clock: Clock, ref: str, destination: str) -> Receipt:
    add_ticket(workstation, ref)
    service = EscalationService(workstation, load_priority_matrix(), destination, clock=clock)
    return service.submit(complete_submission(ref), AGENT)


def packages_in(store: TicketStore) -> list[tuple[str, str]]:
    with store.sessions() as s:
        return [(p.id, p.package_hash) for p in s.scalars(select(Package).order_by(Package.id))]


def outbox_row(store: TicketStore, package_id: str) -> OutboxItem:
    with store.sessions() as s:
        row = s.scalar(select(OutboxItem).where(OutboxItem.package_id == package_id))
        assert row is not None
        return row


def test_retry_delay_backs_off_and_caps() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(50) == timedelta(minutes=10)


def test_the_destination_follows_the_stores(workstation: TicketStore, tmp_path: Path) -> None:
    """The desk and ``sync`` both ask this: where the outbox goes as the stores are now."""
    assert isinstance(destination_of(Stores(workstation, workstation)), LocalStoreDestination)
    team = open_store(parse_store_url(str(tmp_path / "team.db")), upgrade=True)
    try:
        reaching = destination_of(Stores(team, workstation))
        assert isinstance(reaching, SqlStoreDestination)
        assert reaching.name == team.display_url
    finally:
        team.dispose()
    offline = Stores(workstation, workstation, unreachable="db.example.com/helpdesk")
    unreachable = destination_of(offline, "connection refused")
    assert isinstance(unreachable, UnreachableDestination)
    assert unreachable.name == "db.example.com/helpdesk"
    with pytest.raises(StoreUnavailable, match="connection refused"):
        unreachable.deliver([], datetime.now(UTC))


def test_local_mode_delivery_marks_the_outbox(workstation: TicketStore, clock: Clock) -> None:
    receipt = submit(workstation, clock, "HD-LOCAL01", "local")
    report = DeliveryService(workstation, LocalStoreDestination(), clock).deliver()
    assert [d.package_id for d in report.delivered] == [receipt.package_id]
    assert report.waiting == ()
    assert outbox_row(workstation, receipt.package_id).state == OutboxState.DELIVERED
    # Running again finds nothing to do.
    assert DeliveryService(workstation, LocalStoreDestination(), clock).deliver().delivered == ()


@pytest.mark.postgres
def test_team_delivery_is_exactly_once(workstation: TicketStore, pg_url: str, clock: Clock) -> None:
    team = open_store(parse_store_url(pg_url), upgrade=True)
    try:
        first = submit(workstation, clock, "HD-TEAM001", team.display_url)
        second = submit(workstation, clock, "HD-TEAM002", team.display_url)
        service = DeliveryService(workstation, SqlStoreDestination(team), clock)

        report = service.deliver()
        assert {d.ref for d in report.delivered} == {"HD-TEAM001", "HD-TEAM002"}
        assert not any(d.already_there for d in report.delivered)
        assert sorted(packages_in(team)) == sorted(
            [(first.package_id, first.package_hash), (second.package_id, second.package_hash)]
        )
        with team.sessions() as s:
            ticket = s.scalar(select(Ticket).where(Ticket.ref == "HD-TEAM001"))
            assert ticket is not None
            assert (ticket.status, ticket.priority, ticket.caller) == (
                TicketStatus.ESCALATED,
                "P3",
                "Maya Okafor",
            )
            assert verify_chain(AuditRepository(s).records()) is None

        assert service.deliver().delivered == ()  # a second run changes nothing
        assert len(packages_in(team)) == 2
    finally:
        team.dispose()


@pytest.mark.postgres
def test_delivery_interrupted_after_the_remote_commit_is_finished_once(
    workstation: TicketStore, pg_url: str, clock: Clock
) -> None:
    team = open_store(parse_store_url(pg_url), upgrade=True)
    try:
        receipt = submit(workstation, clock, "HD-CRASH01", team.display_url)
        real = SqlStoreDestination(team)

        class PowerLoss(BaseException):
            """Escapes like a killed process: nothing after it runs."""

        class CommitsThenDies:
            name = real.name

            def deliver(self, shipments: Sequence[Shipment], now: datetime) -> list[bool]:
                real.deliver(shipments, now)
                raise PowerLoss

        with pytest.raises(PowerLoss):
            DeliveryService(workstation, CommitsThenDies(), clock).deliver()
        assert outbox_row(workstation, receipt.package_id).state == OutboxState.PENDING

        service = DeliveryService(workstation, real, clock)
        report = service.deliver()
        assert [(d.package_id, d.already_there) for d in report.delivered] == [
            (receipt.package_id, True)
        ]
        assert packages_in(team) == [(receipt.package_id, receipt.package_hash)]
        with team.sessions() as s:
            received = s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "package.received")
            )
        assert received == 1
    finally:
        team.dispose()


@pytest.mark.postgres
def test_concurrent_workers_deliver_each_package_once(
    workstation: TicketStore, pg_url: str, clock: Clock
) -> None:
    team = open_store(parse_store_url(pg_url), upgrade=True)
    try:
        receipts = [
            submit(workstation, clock, f"HD-CONC{i:03d}", team.display_url) for i in range(12)
        ]
        reports: list[Any] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                reports.append(
                    DeliveryService(workstation, SqlStoreDestination(team), clock).deliver()
                )
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        delivered = [d.package_id for r in reports for d in r.delivered]
        assert sorted(delivered) == sorted(r.package_id for r in receipts)  # each exactly once
        assert len(packages_in(team)) == 12
        with workstation.sessions() as s:
            marks = s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "package.delivered")
            )
        assert marks == 12
    finally:
        team.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_outage_keeps_the_package_queued_with_back_off_until_the_server_returns(
    workstation: TicketStore, postgres_cluster_factory: Callable[[], Any], clock: Clock
) -> None:
    cluster = postgres_cluster_factory()
    url = cluster.create_database("team")
    team = open_store(parse_store_url(url), upgrade=True)
    try:
        receipt = submit(workstation, clock, "HD-OUTAGE1", team.display_url)
        service = DeliveryService(workstation, SqlStoreDestination(team), clock)
        cluster.stop()

        report = service.deliver()
        assert report.delivered == ()
        [waiting] = report.waiting
        assert waiting.attempts == 1
        assert "Cannot reach the ticket store" in waiting.last_error
        assert waiting.next_attempt_at == clock.now + timedelta(seconds=5)

        # Not due yet: a background run leaves it alone; an explicit run tries again.
        assert service.deliver().waiting[0].attempts == 1
        clock.now += timedelta(seconds=6)
        assert service.deliver().waiting[0].attempts == 2
        assert outbox_row(workstation, receipt.package_id).next_attempt_at == clock.now + timedelta(
            seconds=10
        )

        cluster.start()
        clock.now += timedelta(seconds=11)
        report = service.deliver()
        assert [d.package_id for d in report.delivered] == [receipt.package_id]
        assert report.waiting == ()
        assert packages_in(team) == [(receipt.package_id, receipt.package_hash)]
        row = outbox_row(workstation, receipt.package_id)
        assert (row.state, row.attempts, row.last_error) == (OutboxState.DELIVERED, 3, "")
    finally:
        team.dispose()


def test_a_refused_package_does_not_hold_back_the_rest(
    workstation: TicketStore, clock: Clock
) -> None:
    receipts = [submit(workstation, clock, f"HD-BATCH{i}", "team") for i in range(5)]
    poison = receipts[2].package_id
    received: list[str] = []

    class RefusesOne:
        name = "team"

        def deliver(self, shipments: Sequence[Shipment], now: datetime) -> list[bool]:
            if any(s.package_id == poison for s in shipments):
                raise ValueError(f"package {poison} is over the team store's size limit")
            received.extend(s.package_id for s in shipments)
            return [True] * len(shipments)

    report = DeliveryService(workstation, RefusesOne(), clock, batch_size=5).deliver()
    assert sorted(d.package_id for d in report.delivered) == sorted(
        r.package_id for r in receipts if r.package_id != poison
    )
    assert sorted(received) == sorted(d.package_id for d in report.delivered)
    [waiting] = report.waiting
    assert waiting.package_id == poison
    assert waiting.last_error == f"ValueError: package {poison} is over the team store's size limit"
    assert waiting.next_attempt_at == clock.now + timedelta(seconds=5)
