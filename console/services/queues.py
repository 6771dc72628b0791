"""The ticket queues of the desk: views, search and sorting done in the database, one page at
a time with keyset pagination, so page 500 of 100,000 tickets costs what page 1 costs.

A page continues after the last row's (sort value, id): no OFFSET, no counting from the top.
Priority is the one nullable sort column: unprioritised tickets come last in both directions,
read as a second segment (``priority IS NULL``, by id) once the prioritised ones run out.

Search is a case-insensitive substring of ref, caller or summary (ILIKE on PostgreSQL; on
SQLite, LIKE, which folds ASCII letters only). It scans the tickets: on 100,000 it costs tens of
milliseconds, a few hundred when almost nothing matches, so it runs off the GUI thread.

Statements are Core and built once per shape (view, sort, direction, which filters), so a
scroll costs one execution of an already compiled statement.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    exists,
    func,
    or_,
    select,
    tuple_,
)

from console.services.queue_model import (
    PageKey,
    QueueQuery,
    StatementShape,
    TicketPage,
    TicketQueue,
    TicketRow,
    page_request,
    read_page,
)
from console.store.database import TicketStore
from console.store.repositories import DRAFTS, PACKAGES, TICKETS


class TicketQueries(TicketQueue):
    """Reads the queues; one short read-only session per call (safe from any one thread)."""

    def __init__(self, store: TicketStore) -> None:
        self._store = store

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
        Raises :class:`ValueError` for a query that cannot run or a key from another sort.
        """
        query = page_request(query, after, limit, status)
        params = _params(query)
        with self._store.sessions() as session:

            def fetch(shape: StatementShape, values: Mapping[str, object]) -> list[TicketRow]:
                found = session.execute(_statement(shape), {**params, **values}).all()
                return [_row(r) for r in found]

            return read_page(query, after, limit, fetch, dialect=self._store.kind)

    def count(self, query: QueueQuery) -> int:
        """How many tickets the query finds (an index count for the "my" views, a scan of the
        store for "All tickets" with a search: call it off the GUI thread)."""
        query.validate()
        statement = _count_statement(StatementShape.of(query, False, "all", self._store.kind))
        with self._store.sessions() as session:
            return int(session.execute(statement, _params(query)).scalar_one())


def _params(query: QueueQuery) -> dict[str, Any]:
    params: dict[str, Any] = {"agent": query.agent.strip(), "status": query.status}
    pattern = query.like_pattern
    if pattern is not None:
        params["pattern"] = pattern
    return params


def _filters(shape: StatementShape) -> list[ColumnElement[bool]]:
    t = TICKETS.c
    where: list[ColumnElement[bool]] = []
    if shape.view.needs_agent:
        where.append(t.agent == bindparam("agent"))
    statuses = shape.view.statuses
    if statuses is not None:
        where.append(t.status == statuses[0] if len(statuses) == 1 else t.status.in_(statuses))
    if shape.view.drafted_only:
        where.append(exists().where(DRAFTS.c.ticket_id == t.id))
    if shape.one_status:
        where.append(t.status == bindparam("status"))
    if shape.searched:
        pattern = bindparam("pattern", type_=String)
        columns = (t.ref, t.caller, t.summary)
        if shape.dialect == "postgresql":
            where.append(or_(*(c.ilike(pattern, escape="\\") for c in columns)))
        else:
            # SQLite's own LIKE ignores ASCII case, as lower() would (neither folds other
            # letters), at a third of the cost: searching scans every ticket.
            where.append(or_(*(c.like(pattern, escape="\\") for c in columns)))
    return where


@functools.cache
def _statement(shape: StatementShape) -> Select[Any]:
    t = TICKETS.c
    column = t[shape.sort.value]
    where = _filters(shape)
    by_id_only = shape.segment == "nulls"
    if shape.segment == "values":
        where.append(column.is_not(None))
    elif by_id_only:
        where.append(column.is_(None))
    if shape.keyed:
        after_id = bindparam("after_id", type_=Integer)
        if by_id_only:
            where.append(t.id < after_id if shape.descending else t.id > after_id)
        else:
            key = tuple_(column, t.id)
            after = tuple_(bindparam("after_value", type_=column.type), after_id)
            where.append(key < after if shape.descending else key > after)
    sort_by = ("id",) if by_id_only else (shape.sort.value, "id")
    page = (
        select(*(t[name] for name in _COLUMNS))
        .where(*where)
        .order_by(*_directed([t[name] for name in sort_by], shape.descending))
        .limit(bindparam("limit", type_=Integer))
        .subquery("page")
    )
    # The flags are read for the page's rows only, after the limit: as columns of the inner
    # query they would be evaluated for every row the sort has to look at.
    return select(
        *page.c,
        exists().where(PACKAGES.c.ticket_ref == page.c.ref).label("has_package"),
        exists().where(DRAFTS.c.ticket_id == page.c.id).label("has_draft"),
    ).order_by(*_directed([page.c[name] for name in sort_by], shape.descending))


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


def _directed(columns: list[ColumnElement[Any]], descending: bool) -> list[ColumnElement[Any]]:
    return [c.desc() if descending else c.asc() for c in columns]


@functools.cache
def _count_statement(shape: StatementShape) -> Select[Any]:
    return select(func.count()).select_from(TICKETS).where(*_filters(shape))


def _row(r: Any) -> TicketRow:
    return TicketRow(
        id=r.id,
        ref=r.ref,
        status=r.status,
        category=r.category,
        priority=r.priority,
        has_package=bool(r.has_package),
        has_draft=bool(r.has_draft),
        caller=r.caller,
        summary=r.summary,
        agent=r.agent,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )
