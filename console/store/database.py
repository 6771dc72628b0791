"""Open a ticket store (SQLite or PostgreSQL), check its schema, run migrations.

Checking the schema revision does not import Alembic: a store is opened on every command and
startup time matters. Alembic is loaded only to upgrade.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from console.store.errors import (
    InvalidStoreUrl,
    StoreBusy,
    StoreError,
    StoreLoginFailed,
    StoreUnavailable,
)

# The newest revision this build knows; a test keeps it equal to the migration chain's head.
HEAD_REVISION = "0002"
KNOWN_REVISIONS = ("0001", "0002")
MIGRATIONS_DIR = Path(__file__).with_name("migrations")

PasswordLookup = Callable[[str], "str | None"]
_MIGRATION_LOCK = threading.Lock()


@dataclass(frozen=True)
class TicketStore:
    """An open database: its engine, a session factory, and what kind it is."""

    engine: Engine
    sessions: sessionmaker[Session]
    url: URL

    @property
    def kind(self) -> str:
        """``sqlite`` (a workstation store) or ``postgresql`` (a team store)."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, safe for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def parse_store_url(raw: str) -> URL:
    """Parse a store URL; a bare path means a SQLite file. Passwords in URLs are refused."""
    if "://" not in raw:
        return URL.create("sqlite", database=str(Path(raw).expanduser()))
    try:
        url = make_url(raw)
    except ArgumentError:
        raise InvalidStoreUrl(
            f"'{raw}' is not a store URL (try sqlite:///path or postgresql://...)"
        ) from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.password is not None:
            raise InvalidStoreUrl(
                "A store URL must not contain a password; run `agent-console store login URL` "
                "to keep it in the OS keyring"
            )
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    if backend == "sqlite":
        return url
    raise InvalidStoreUrl(f"Unsupported store '{backend}': use a SQLite file or PostgreSQL")


def open_store(
    url: URL,
    *,
    password: PasswordLookup | None = None,
    upgrade: bool | None = None,
    pool_size: int = 2,
) -> TicketStore:
    """Connect and check the schema revision.

    ``upgrade`` None means: migrate a SQLite store automatically (it is this workstation's own),
    but require ``agent-console db upgrade`` for a shared PostgreSQL store.
    Raises :class:`StoreUnavailable` when the server cannot be reached and :class:`StoreError`
    when the schema is missing, old or newer than this app.
    """
    engine = _create_engine(url, password, pool_size)
    store = TicketStore(engine, sessionmaker(engine, expire_on_commit=False), url)
    if upgrade is None:
        upgrade = store.kind == "sqlite"
    try:
        revision = current_revision(store)
        if revision not in (None, *KNOWN_REVISIONS):
            raise StoreError(
                f"The ticket store {store.display_url} has schema revision {revision}, newer than "
                f"this version of Agent Console knows ({HEAD_REVISION}); update Agent Console"
            )
        if revision != HEAD_REVISION:
            if not upgrade:
                raise StoreError(
                    f"The ticket store {store.display_url} is at schema revision "
                    f"{revision or 'none'}; run `agent-console db upgrade` to bring it to "
                    f"{HEAD_REVISION}"
                )
            upgrade_schema(store)
    except BaseException:
        engine.dispose()
        raise
    return store


def current_revision(store: TicketStore) -> str | None:
    try:
        with store.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError as exc:
        raise connection_error(store.display_url, exc) from None
    except ProgrammingError as exc:
        raise StoreError(f"Cannot read the ticket store {store.display_url}: {exc.orig}") from None


def upgrade_schema(store: TicketStore) -> str:
    """Bring the store to the head revision in one transaction; return the revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        # Alembic keeps its migration context in module globals: one migration at a time.
        with _MIGRATION_LOCK, store.engine.begin() as conn:
            if store.kind == "postgresql":
                # Two consoles upgrading a fresh team store at once must not race.
                conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise connection_error(store.display_url, exc) from None
    return HEAD_REVISION


def _create_engine(url: URL, password: PasswordLookup | None, pool_size: int) -> Engine:
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        _raise_store_busy(engine, url)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": 5, "application_name": "agent-console"}
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        pool_timeout=10,
        connect_args=connect_args,
    )
    if password is not None:
        # Looked up at connect time so the secret lives only in the keyring, never in the URL.
        def _provide_password(
            dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]
        ) -> None:
            secret = password(url.render_as_string(hide_password=True))
            if secret is not None:
                cparams["password"] = secret

        event.listen(engine, "do_connect", _provide_password)
    _raise_store_busy(engine, url)
    return engine


def _raise_store_busy(engine: Engine, url: URL) -> None:
    """Make every busy error of ``engine`` a :class:`StoreBusy`, wherever it is raised (a
    statement, a commit, a connect), so callers catch a type instead of reading messages."""
    display_url = url.render_as_string(hide_password=True)

    def handle_error(context: ExceptionContext) -> None:
        error = context.original_exception
        if not context.is_pre_ping and _is_busy(error):
            words = str(error).strip()
            detail = f" ({words.splitlines()[0]})" if words else ""
            # Raised, not returned: SQLAlchemy then raises it in place of its own error.
            raise StoreBusy(
                f"The ticket store {display_url} is busy{detail}; nothing was written, "
                "try again in a moment"
            )

    event.listen(engine, "handle_error", handle_error)


# PostgreSQL's SQLSTATEs for "another transaction is in the way": lock_not_available (a lock
# wait ran past lock_timeout, or NOWAIT), serialization_failure, deadlock_detected.
_BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})
# SQLite's primary result codes SQLITE_BUSY ("database is locked", also as the extended
# BUSY_SNAPSHOT and BUSY_TIMEOUT codes) and SQLITE_LOCKED ("database table is locked").
_BUSY_SQLITE_CODES = frozenset({5, 6})


def _is_busy(error: BaseException) -> bool:
    """Whether a driver's error means the database was busy with another transaction, read
    from the error's code (psycopg's ``sqlstate``, sqlite3's ``sqlite_errorcode``), never
    from its message, which the server may even translate."""
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate in _BUSY_SQLSTATES
    code = getattr(error, "sqlite_errorcode", None)
    # An extended code keeps the primary one in its low byte.
    return isinstance(code, int) and code & 0xFF in _BUSY_SQLITE_CODES


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable in WAL mode except for the last transactions on power loss of the OS.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# libpq keeps no SQLSTATE for a connection it could not open, so that the server refused
# the credentials is known from its words alone: "password authentication failed for user",
# "PAM authentication failed", ... (every authentication method's refusal says it, unless
# the server is set to another language: then the refusal reads as "cannot reach").
_AUTHENTICATION_FAILED = "authentication failed"


def connection_error(display_url: str, exc: OperationalError) -> StoreError:
    """Turn a driver's connection failure into one sentence: unreachable, or login refused."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    reason = reason.removeprefix("connection failed: ")
    # psycopg's record of the failed connection: the server asked for a password and none
    # was given (libpq's "no password supplied").
    pgconn = getattr(exc.orig, "pgconn", None)
    if getattr(pgconn, "needs_password", False) or _AUTHENTICATION_FAILED in reason:
        return StoreLoginFailed(
            f"The ticket store {display_url} refused the login ({reason}); run "
            f"`agent-console store login {display_url}` to save the right password"
        )
    return StoreUnavailable(f"Cannot reach the ticket store {display_url}: {reason}")
