"""A busy database is a StoreBusy, told by the driver's error code on both engines.

Callers (the workspace's autosave retry, delivery's back-off) catch the type; nobody reads
the driver's message to find out whether trying again may help.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from console.services.drafts import DraftService
from console.services.intake import IntakeForm, IntakeService
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.errors import StoreBusy, StoreUnavailable
from tests.builders import add_ticket
from tests.support.postgres import PostgresCluster

REF = "HD-BUSY0001"


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "console.db"


@pytest.fixture
def impatient_store(sqlite_path: Path) -> Iterator[TicketStore]:
    """A SQLite store that waits 100 ms for a lock instead of the usual 10 s."""
    store = open_store(parse_store_url(str(sqlite_path)))

    def short_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=100")  # after the store's own pragmas

    event.listen(store.engine, "connect", short_wait)
    store.engine.dispose()  # the connection opened to check the schema waited 10 s
    yield store
    store.dispose()


def test_a_sqlite_file_locked_by_another_connection_is_busy(
    impatient_store: TicketStore, sqlite_path: Path
) -> None:
    add_ticket(impatient_store, REF)
    drafts = DraftService(impatient_store)
    other = sqlite3.connect(sqlite_path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreBusy) as busy:
            drafts.save(REF, {"intake": {"caller": "Maya Okafor"}}, None)
        assert isinstance(busy.value, StoreUnavailable)
        assert "is busy (database is locked)" in str(busy.value)
        assert "try again" in str(busy.value)
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert drafts.save(REF, {"intake": {"caller": "Maya Okafor"}}, None) == 1  # nothing was kept


@pytest.mark.postgres
def test_a_postgres_row_locked_past_lock_timeout_is_busy(
    postgres: PostgresCluster, pg_url: str
) -> None:
    # A deployment can bound lock waits the same way: libpq options in the store URL.
    store = open_store(parse_store_url(f"{pg_url}?options=-c%20lock_timeout%3D100"), upgrade=True)
    try:
        add_ticket(store, REF)
        intake = IntakeService(store)
        correction = IntakeForm(caller="Maya Okafor-Reyes", summary="VPN drops every hour")
        database = make_url(pg_url).database
        assert database is not None
        with postgres.connect(database) as other, other.transaction():
            other.execute("SELECT 1 FROM tickets WHERE ref = %s FOR UPDATE", (REF,))
            with pytest.raises(StoreBusy, match="is busy"):
                intake.update_intake(REF, correction)
        intake.update_intake(REF, correction)  # the lock is gone: the same call goes through
        assert intake.form(REF).caller == "Maya Okafor-Reyes"
    finally:
        store.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "condition", ["lock_not_available", "serialization_failure", "deadlock_detected"]
)
def test_every_postgres_busy_code_is_busy(team_store: TicketStore, condition: str) -> None:
    with pytest.raises(StoreBusy), team_store.engine.connect() as conn:
        conn.execute(text(_raising(condition)))


@pytest.mark.postgres
def test_other_postgres_errors_are_not_busy(team_store: TicketStore) -> None:
    with pytest.raises(IntegrityError), team_store.engine.connect() as conn:
        conn.execute(text(_raising("unique_violation")))


def _raising(condition: str) -> str:
    """A statement the server answers with ``condition``'s SQLSTATE, as it would for real."""
    return f"DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '{condition}'; END $$"


@pytest.fixture
def team_store(pg_url: str) -> Iterator[TicketStore]:
    store = open_store(parse_store_url(pg_url), upgrade=True)
    yield store
    store.dispose()
