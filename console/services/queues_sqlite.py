"""The ticket queues read straight from the workstation's SQLite file with the standard
library, for the window's first page: importing SQLAlchemy's ORM alone takes longer than
showing the window, so the first page is read without it and SQLAlchemy loads afterwards.

Same pages as :class:`console.services.queues.TicketQueries` (a parity test walks both over
every view, sort and direction): the same filters, the same ORDER BY with the id as the
tie-breaker, the same keyset condition, unprioritised tickets last in both directions, the
same LIKE search with ``%`` and ``_`` taken literally, and page keys either reader can
continue. Timestamps are stored as SQLAlchemy's SQLite ``DateTime`` writes them (naive UTC,
``YYYY-MM-DD HH:MM:SS.ffffff``) and read back as aware UTC datetimes.

The file is opened read-only. A store this reader was not written for (no file, another
schema revision, a missing column) raises :class:`QueueReaderUnavailable`, and the caller
reads through SQLAlchemy instead, which also migrates or refuses the store.

Nothing here may import SQLAlchemy, pydantic, psutil or PyYAML (a test checks).
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from console.services.queue_model import (
    PageKey,
    QueueQuery,
    SortColumn,
    StatementShape,
    TicketPage,
    TicketQueue,
    TicketRow,
    page_request,
    read_page,
)

SCHEMA_REVISIONS = ("0002",)
"""The Alembic revisions whose tickets, drafts and packages tables this reader was written
for; a test fails when the migration chain moves past them, so that someone checks it."""

_COLUMNS = (
    "id",
    "ref",
    "status",
    "category",
    "priority",
    "caller",
    "summary",
    "agent",
    "created_at",
    "updated_at",
)
"""The order _row reads them in, followed by has_package and has_draft."""

REQUIRED_COLUMNS: Mapping[str, frozenset[str]] = {
    "tickets": frozenset(_COLUMNS),
    "escalation_drafts": frozenset(("ticket_id",)),
    "packages": frozenset(("ticket_ref",)),
}

_DATETIME_COLUMNS = frozenset((SortColumn.CREATED_AT, SortColumn.UPDATED_AT))
_IDLE_CONNECTIONS = 2
"""Connections kept open between calls: one per worker the window runs queue reads on."""


class QueueReaderUnavailable(Exception):
    """This reader cannot serve the store; read the queues through SQLAlchemy instead."""


class SqliteTicketQueries(TicketQueue):
    """Reads the queues of a SQLite ticket store read-only, with ``sqlite3`` alone.

    Safe to call from several threads: each call borrows a connection of its own (a few
    are kept open between calls) and reads in one transaction, so the two halves of a
    priority page see the same snapshot. Constructing it touches no file; the first call
    opens the store and checks its schema, raising :class:`QueueReaderUnavailable` when
    this reader was not written for it.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._closed = False

    @property
    def path(self) -> Path:
        return self._path

    def page(
        self,
        query: QueueQuery | None = None,
        after: PageKey | None = None,
        limit: int = 200,
        *,
        status: str | None = None,
    ) -> TicketPage:
        """Up to ``limit`` rows of ``query`` after ``after`` (None: from the top).

        ``status`` alone is shorthand for all tickets of one status, newest first (the CLI).
        Raises :class:`ValueError` for a query that cannot run or a key from another sort, and
        :class:`QueueReaderUnavailable` when the store cannot be read this way.
        """
        query = page_request(query, after, limit, status)
        params = _params(query)
        with self._reading() as conn:

            def fetch(shape: StatementShape, values: Mapping[str, object]) -> list[TicketRow]:
                found = conn.execute(_page_sql(shape), {**params, **values}).fetchall()
                return [_row(r) for r in found]

            return read_page(query, after, limit, fetch, bind=partial(_bind, query.sort))

    def count(self, query: QueueQuery) -> int:
        """How many tickets the query finds (a scan of the store for "All tickets" with a
        search: call it off the GUI thread)."""
        query.validate()
        with self._reading() as conn:
            (found,) = conn.execute(
                _count_sql(StatementShape.of(query, False, "all")), _params(query)
            ).fetchone()
        return int(found)

    def close(self) -> None:
        """Close the idle connections; a connection still in use closes when its call ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        conn = self._borrow()
        reusable = False
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")  # read-only: ends the snapshot, writes nothing
            reusable = True
        except sqlite3.Error as exc:
            raise QueueReaderUnavailable(
                f"Cannot read the queues of {self._path} directly ({exc})"
            ) from None
        finally:
            self._give_back(conn, reusable)

    def _borrow(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise QueueReaderUnavailable(f"The queue reader of {self._path} is closed")
            if self._idle:
                return self._idle.pop()
        return _open(self._path)

    def _give_back(self, conn: sqlite3.Connection, reusable: bool) -> None:
        with self._lock:
            if reusable and not self._closed and len(self._idle) < _IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()


def _open(path: Path) -> sqlite3.Connection:
    """A read-only connection to a store whose schema this reader knows."""
    if not path.is_file():
        raise QueueReaderUnavailable(f"There is no ticket store at {path}")
    uri = f"{path.absolute().as_uri()}?mode=ro"
    try:
        # check_same_thread off: a connection serves one call at a time, but not always on
        # the thread that opened it (the pool hands it to whichever worker asks next).
        conn = sqlite3.connect(
            uri, uri=True, timeout=10, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise QueueReaderUnavailable(f"Cannot open the ticket store {path} ({exc})") from None
    try:
        _check_schema(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        revision = None
        if "alembic_version" in tables:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = None if found is None else str(found[0])
        columns = {
            table: {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for table in REQUIRED_COLUMNS
        }
    except sqlite3.Error as exc:
        raise QueueReaderUnavailable(f"Cannot read the schema of {path} ({exc})") from None
    if revision not in SCHEMA_REVISIONS:
        raise QueueReaderUnavailable(
            f"The ticket store {path} is at schema revision {revision or 'none'}, not one "
            f"this reader knows ({', '.join(SCHEMA_REVISIONS)})"
        )
    for table, required in REQUIRED_COLUMNS.items():
        missing = sorted(required - columns[table])
        if missing:
            raise QueueReaderUnavailable(
                f"The ticket store {path} lacks {', '.join(f'{table}.{c}' for c in missing)}"
            )


def _params(query: QueueQuery) -> dict[str, Any]:
    params: dict[str, Any] = {"agent": query.agent.strip(), "status": query.status}
    for n, status in enumerate(query.view.statuses or ()):
        params[f"view_status_{n}"] = status
    pattern = query.like_pattern
    if pattern is not None:
        params["pattern"] = pattern
    return params


def _bind(sort: SortColumn, value: object) -> object:
    """A key's sort value as the store holds it: datetimes as SQLAlchemy's SQLite DateTime
    writes them (naive UTC with microseconds), so the text comparison orders as time does."""
    if sort not in _DATETIME_COLUMNS or value is None:
        return value
    if not isinstance(value, datetime):
        raise ValueError(f"A page key sorted by {sort} needs a datetime, not {value!r}")
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
    v = value.astimezone(UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}"
    )


def _utc(text: str) -> datetime:
    # What SQLAlchemy's result processor does for SQLite, plus UTCDateTime's zone.
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _row(r: Sequence[Any]) -> TicketRow:
    return TicketRow(
        id=r[0],
        ref=r[1],
        status=r[2],
        category=r[3],
        priority=r[4],
        caller=r[5],
        summary=r[6],
        agent=r[7],
        created_at=_utc(r[8]),
        updated_at=_utc(r[9]),
        has_package=bool(r[10]),
        has_draft=bool(r[11]),
    )


# The statements below say what console/services/queues.py says in SQLAlchemy Core, as it
# compiles for SQLite: keep the two in step (the parity tests compare their pages).


def _filters(shape: StatementShape) -> list[str]:
    where: list[str] = []
    if shape.view.needs_agent:
        where.append("tickets.agent = :agent")
    statuses = shape.view.statuses
    if statuses is not None:
        names = [f":view_status_{n}" for n in range(len(statuses))]
        where.append(
            f"tickets.status = {names[0]}"
            if len(names) == 1
            else f"tickets.status IN ({', '.join(names)})"
        )
    if shape.view.drafted_only:
        where.append(
            "EXISTS (SELECT * FROM escalation_drafts "
            "WHERE escalation_drafts.ticket_id = tickets.id)"
        )
    if shape.one_status:
        where.append("tickets.status = :status")
    if shape.searched:
        # SQLite's LIKE ignores ASCII case (only), as the SQLAlchemy reader relies on too.
        likes = (f"tickets.{c} LIKE :pattern ESCAPE '\\'" for c in ("ref", "caller", "summary"))
        where.append(f"({' OR '.join(likes)})")
    return where


@functools.cache
def _page_sql(shape: StatementShape) -> str:
    column = shape.sort.value
    direction = "DESC" if shape.descending else "ASC"
    where = _filters(shape)
    by_id_only = shape.segment == "nulls"
    if shape.segment == "values":
        where.append(f"tickets.{column} IS NOT NULL")
    elif by_id_only:
        where.append(f"tickets.{column} IS NULL")
    if shape.keyed:
        before = "<" if shape.descending else ">"
        if by_id_only:
            where.append(f"tickets.id {before} :after_id")
        else:
            where.append(f"(tickets.{column}, tickets.id) {before} (:after_value, :after_id)")
    sort_by = ("id",) if by_id_only else (column, "id")
    where_sql = f" WHERE {' AND '.join(where)}" if where else ""
    inner_order = ", ".join(f"tickets.{name} {direction}" for name in sort_by)
    outer_order = ", ".join(f"page.{name} {direction}" for name in sort_by)
    # The flags are read for the page's rows only, after the limit (as in queues.py).
    return (
        f"SELECT {', '.join(f'page.{name}' for name in _COLUMNS)}, "
        "EXISTS (SELECT * FROM packages WHERE packages.ticket_ref = page.ref) AS has_package, "
        "EXISTS (SELECT * FROM escalation_drafts "
        "WHERE escalation_drafts.ticket_id = page.id) AS has_draft "
        f"FROM (SELECT {', '.join(f'tickets.{name} AS {name}' for name in _COLUMNS)} "
        f"FROM tickets{where_sql} ORDER BY {inner_order} LIMIT :limit) AS page "
        f"ORDER BY {outer_order}"
    )


@functools.cache
def _count_sql(shape: StatementShape) -> str:
    where = _filters(shape)
    where_sql = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT count(*) FROM tickets{where_sql}"
