"""The desk's stores: opened on first use, offline work in team mode, reconnecting, closing."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from console.connect import Stores
from console.domain.enums import Role
from console.services.desk import Agent, Desk
from console.services.messages import Level, Message, MessageRecorder
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.errors import StoreUnavailable
from console.store.models import Package
from tests.builders import AGENT, add_ticket, complete_submission

AIKO = Agent("aiko", Role.AGENT)
TEAM_URL = "postgresql://agent@db.example.com/helpdesk"
DOWN = "The team store db.example.com does not answer (connection refused)."


@pytest.fixture
def open_sqlite(tmp_path: Path) -> Iterator[Callable[[str], TicketStore]]:
    """Open SQLite stores in the test's folder by name; all are disposed of afterwards."""
    opened: list[TicketStore] = []

    def open_named(name: str) -> TicketStore:
        store = open_store(parse_store_url(str(tmp_path / f"{name}.db")))
        opened.append(store)
        return store

    yield open_named
    for store in opened:
        store.dispose()


def refuse() -> Stores:
    raise StoreUnavailable(DOWN)


def package_ids(store: TicketStore) -> list[str]:
    with store.sessions() as session:
        return list(session.scalars(select(Package.id)))


def test_nothing_opens_until_asked_then_once_however_many_threads_ask(
    open_sqlite: Callable[[str], TicketStore],
) -> None:
    calls: list[Stores] = []
    all_waiting = threading.Barrier(8)

    def open_slowly() -> Stores:
        store = open_sqlite("console")
        calls.append(Stores(store, store))
        return calls[-1]

    desk = Desk(AIKO, open_slowly)
    assert not desk.opened and not desk.online and calls == []
    seen: list[Stores] = []

    def ask() -> None:
        all_waiting.wait()
        seen.append(desk.stores)

    workers = [threading.Thread(target=ask) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(calls) == 1
    assert seen == calls * 8
    assert desk.opened and desk.online
    assert desk.destination_name == "local"
    # Each service is built once and shared.
    assert desk.drafts is desk.drafts
    assert desk.queries is desk.queries


def test_without_an_offline_fallback_the_store_error_reaches_the_caller() -> None:
    desk = Desk(AIKO, refuse)
    with pytest.raises(StoreUnavailable, match="does not answer"):
        _ = desk.stores
    assert not desk.opened


def test_an_unreachable_team_store_leaves_the_agent_working_on_the_workstation(
    open_sqlite: Callable[[str], TicketStore],
) -> None:
    def offline() -> Stores:
        workstation = open_sqlite("workstation")
        return Stores(workstation, workstation, TEAM_URL)

    desk = Desk(AIKO, refuse, open_offline=offline)
    with MessageRecorder(desk.messages) as said:
        stores = desk.stores
    assert stores.unreachable == TEAM_URL and stores.team_mode
    assert desk.opened and not desk.online
    assert desk.offline_reason == DOWN
    assert said.messages == [
        Message(
            Level.WARNING,
            f"Working offline: {DOWN} Escalations wait in the outbox until it is back.",
        )
    ]
    # Packages name the team store they wait for.
    assert desk.destination_name == TEAM_URL


def test_delivery_reconnects_when_the_team_store_is_back_and_delivers_the_outbox(
    open_sqlite: Callable[[str], TicketStore],
) -> None:
    workstation = open_sqlite("workstation")
    team = open_sqlite("team")
    answers: list[Callable[[], TicketStore]] = [refuse_store, lambda: team]

    desk = Desk(
        AIKO,
        refuse,
        open_offline=lambda: Stores(workstation, workstation, TEAM_URL),
        reconnect=lambda: answers.pop(0)(),
    )
    add_ticket(workstation, "HD-DESK001")
    receipt = desk.escalation.submit(complete_submission("HD-DESK001"), AGENT)
    offline_queries = desk.queries

    # Still down: the package waits, and the desk says why.
    report = desk.delivery().deliver(include_not_due=True)
    assert report.delivered == ()
    assert [(w.package_id, w.last_error) for w in report.waiting] == [(receipt.package_id, DOWN)]
    assert desk.offline_reason == DOWN and not desk.online

    with MessageRecorder(desk.messages) as said:
        report = desk.delivery().deliver(include_not_due=True)
    assert [d.package_id for d in report.delivered] == [receipt.package_id]
    assert package_ids(team) == [receipt.package_id]
    assert desk.online and desk.offline_reason == ""
    assert desk.destination_name == team.display_url
    assert said.messages == [
        Message(Level.INFO, f"Connected to the team store {team.display_url} again.")
    ]
    # The queues read the team store from now on, not the workstation they read offline.
    assert desk.queries is not offline_queries


def refuse_store() -> TicketStore:
    raise StoreUnavailable(DOWN)


def test_in_local_mode_delivery_marks_the_package_delivered_where_it_is(
    open_sqlite: Callable[[str], TicketStore],
) -> None:
    store = open_sqlite("console")
    desk = Desk(AIKO, lambda: Stores(store, store))
    add_ticket(store, "HD-DESK002")
    receipt = desk.escalation.submit(complete_submission("HD-DESK002"), AGENT)
    report = desk.delivery().deliver()
    assert [d.package_id for d in report.delivered] == [receipt.package_id]
    assert package_ids(store) == [receipt.package_id]


def test_close_runs_the_hooks_and_the_next_use_opens_the_stores_again(
    open_sqlite: Callable[[str], TicketStore],
) -> None:
    opened: list[Stores] = []

    def open_again() -> Stores:
        store = open_sqlite(f"console{len(opened)}")
        opened.append(Stores(store, store))
        return opened[-1]

    desk = Desk(AIKO, open_again)
    closed: list[str] = []
    desk.on_close.append(lambda: closed.append("reader"))
    desk.close()  # before anything opened: only the hooks
    assert closed == ["reader"] and opened == []
    first = desk.stores
    desk.close()
    assert not desk.opened and closed == ["reader", "reader"]
    assert desk.stores is not first and len(opened) == 2


def test_playbooks_come_from_the_bundle_and_the_configured_folders(tmp_path: Path) -> None:
    from console.resources import resources_dir

    bundled = (resources_dir() / "playbooks" / "vpn-cannot-connect.yaml").read_text("utf-8")
    assert "id: vpn-cannot-connect\n" in bundled
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "vpn-site-b.yaml").write_text(
        bundled.replace("id: vpn-cannot-connect\n", "id: vpn-site-b\n", 1), "utf-8"
    )
    desk = Desk(AIKO, refuse, playbook_folders=[folder])
    assert desk.playbook("vpn-cannot-connect") is not None
    found = desk.playbook("vpn-site-b")
    assert found is not None and found.id == "vpn-site-b"
    assert desk.playbook("no-such-playbook") is None
    assert not desk.opened  # playbooks need no store
