"""The one schema on both engines: migrations equal the models, revisions are guarded."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from console.domain.audit import verify_chain
from console.store.database import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    MIGRATIONS_DIR,
    TicketStore,
    open_store,
    parse_store_url,
)
from console.store.errors import StoreError, StoreUnavailable
from console.store.models import Base
from console.store.repositories import AuditRepository


def sqlite_store(tmp_path: Path) -> TicketStore:
    return open_store(parse_store_url(str(tmp_path / "console.db")))


def test_head_revision_matches_the_migration_chain() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    assert script.get_current_head() == HEAD_REVISION
    assert set(KNOWN_REVISIONS) == {rev.revision for rev in script.walk_revisions()}


def _schema_drift(store: TicketStore) -> list[object]:
    with store.engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def test_sqlite_migrations_match_the_models(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    try:
        assert _schema_drift(store) == []
    finally:
        store.dispose()


@pytest.mark.postgres
def test_postgres_migrations_match_the_models(pg_url: str) -> None:
    store = open_store(parse_store_url(pg_url), upgrade=True)
    try:
        assert _schema_drift(store) == []
    finally:
        store.dispose()


@pytest.mark.postgres
def test_team_store_needs_an_explicit_upgrade(pg_url: str) -> None:
    with pytest.raises(StoreError, match=r"run `agent-console db upgrade`"):
        open_store(parse_store_url(pg_url))
    open_store(parse_store_url(pg_url), upgrade=True).dispose()
    open_store(parse_store_url(pg_url)).dispose()  # now current: opens without upgrading


def test_a_newer_schema_is_refused_and_left_alone(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    store.dispose()
    with pytest.raises(StoreError, match=r"schema revision 0099, newer than this version"):
        sqlite_store(tmp_path)
    with sqlite3.connect(tmp_path / "console.db") as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0099",)


def test_passwords_in_store_urls_are_refused() -> None:
    with pytest.raises(StoreError, match="must not contain a password.*store login"):
        parse_store_url("postgresql://agent:hunter2@db.example.com/helpdesk")


def test_bare_postgresql_urls_use_psycopg() -> None:
    url = parse_store_url("postgresql://agent@db.example.com/helpdesk")
    assert url.drivername == "postgresql+psycopg"


def test_unreachable_server_is_a_clear_runtime_error() -> None:
    # Port 1 on loopback: nothing listens there, the refusal is immediate.
    with pytest.raises(
        StoreUnavailable,
        match=r"Cannot reach the ticket store postgresql\+psycopg://agent@127\.0\.0\.1:1/x",
    ):
        open_store(parse_store_url("postgresql://agent@127.0.0.1:1/x"))


def _append_two(store: TicketStore) -> None:
    now = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    for action in ("ticket.created", "package.submitted"):
        with store.sessions.begin() as session:
            AuditRepository(session).append(
                at=now, actor="aiko", action=action, subject="HD-1", details={"n": 1}
            )


def _assert_append_only(store: TicketStore) -> None:
    _append_two(store)
    with store.sessions() as session:
        records = AuditRepository(session).records()
    assert len(records) == 2
    assert verify_chain(records) is None
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))


def test_sqlite_audit_trail_is_append_only_and_chained(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path)
    try:
        _assert_append_only(store)
    finally:
        store.dispose()


@pytest.mark.postgres
def test_postgres_audit_trail_is_append_only_and_chained(pg_url: str) -> None:
    store = open_store(parse_store_url(pg_url), upgrade=True)
    try:
        _assert_append_only(store)
    finally:
        store.dispose()


def test_stores_can_be_opened_from_several_threads_at_once(tmp_path: Path) -> None:
    # Alembic's migration context is global; concurrent first opens used to corrupt each other.
    import threading

    errors: list[BaseException] = []

    def open_one(i: int) -> None:
        try:
            open_store(parse_store_url(str(tmp_path / f"ws{i}.db"))).dispose()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
