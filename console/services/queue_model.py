"""What a ticket queue is, apart from how it is read: views, sorts, queries, page keys, rows.

Plain values with no database import, shared by the two readers of the queues: the SQLAlchemy
one (:mod:`console.services.queues`, both engines) and the stdlib one for the workstation's
SQLite file (:mod:`console.services.queues_sqlite`, which the window uses for its first page
before SQLAlchemy is even imported). The filters, refusals and page keys both must agree on
live here, so the two give the same pages and a key from one continues in the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from console.domain.enums import TicketStatus
from console.domain.ticket import WORKING_STATUSES

SUBMITTED_STATUSES = (TicketStatus.PENDING_REVIEW.value, TicketStatus.ESCALATED.value)


class QueueView(StrEnum):
    """The navigation's queues; the value is the label the window shows."""

    MY_OPEN = "My open tickets"
    DRAFTS = "Drafts"
    RETURNED = "Returned to me"
    SUBMITTED = "Submitted"
    ALL = "All tickets"
    REVIEW = "Review queue"
    """Escalations waiting for a supervisor."""

    @property
    def needs_agent(self) -> bool:
        return self in _AGENT_VIEWS

    @property
    def statuses(self) -> tuple[str, ...] | None:
        """The statuses the view keeps (None: any status)."""
        return _VIEW_STATUSES.get(self)

    @property
    def drafted_only(self) -> bool:
        """Whether the view keeps only tickets with a saved draft."""
        return self is QueueView.DRAFTS


_AGENT_VIEWS = frozenset(
    (QueueView.MY_OPEN, QueueView.DRAFTS, QueueView.RETURNED, QueueView.SUBMITTED)
)
_VIEW_STATUSES: dict[QueueView, tuple[str, ...]] = {
    QueueView.MY_OPEN: WORKING_STATUSES,
    QueueView.DRAFTS: WORKING_STATUSES,
    QueueView.RETURNED: (TicketStatus.RETURNED.value,),
    QueueView.SUBMITTED: SUBMITTED_STATUSES,
    QueueView.REVIEW: (TicketStatus.PENDING_REVIEW.value,),
}


class SortColumn(StrEnum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    PRIORITY = "priority"
    STATUS = "status"
    REF = "ref"
    CALLER = "caller"
    CATEGORY = "category"

    @property
    def nullable(self) -> bool:
        """Whether some tickets have no value (they come last, in both directions)."""
        return self is SortColumn.PRIORITY


SortValue = datetime | str | None


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """One queue as the window shows it: which tickets, filtered how, in which order."""

    view: QueueView = QueueView.ALL
    agent: str = ""
    """Whose queue, for the "my" views (the signed-in agent's username)."""
    search: str = ""
    """Case-insensitive substring of the ref, caller or summary; blank for no filter."""
    sort: SortColumn = SortColumn.CREATED_AT
    descending: bool = True
    status: str | None = None
    """One status on top of the view (the CLI's ``tickets list --status``)."""

    def validate(self) -> None:
        """Raise :class:`ValueError` (one sentence) if the query cannot be run."""
        if self.view.needs_agent and not self.agent.strip():
            raise ValueError(f"The '{self.view}' queue needs the agent's username")
        if self.status is not None and self.status not in set(TicketStatus):
            raise ValueError(f"'{self.status}' is not a ticket status")

    @property
    def like_pattern(self) -> str | None:
        """The search as a LIKE pattern with ``\\`` as the escape character, so ``%`` and
        ``_`` match only themselves; None when there is no search."""
        text = self.search.strip()
        if not text:
            return None
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"


@dataclass(frozen=True, slots=True)
class PageKey:
    """Where the next page starts: the last row's sort value and id, for one sort order."""

    value: SortValue
    id: int
    sort: SortColumn
    descending: bool


@dataclass(frozen=True, slots=True)
class TicketRow:
    id: int
    ref: str
    status: str
    category: str
    priority: str | None
    has_package: bool
    has_draft: bool
    caller: str
    summary: str
    agent: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TicketPage:
    rows: tuple[TicketRow, ...]
    next_key: PageKey | None
    """Pass it as ``after`` for the next page; None when this page is the last."""


class TicketQueue(Protocol):
    """What a reader of the queues answers, whichever reads them: the SQLAlchemy one over
    either engine (:class:`console.services.queues.TicketQueries`) or the stdlib one over the
    workstation's SQLite file (:class:`console.services.queues_sqlite.SqliteTicketQueries`).
    Both subclass it, so mypy holds them to it; code that may get either is typed with it."""

    def page(
        self,
        query: QueueQuery | None = None,
        after: PageKey | None = None,
        limit: int = 200,
        *,
        status: str | None = None,
    ) -> TicketPage:
        """Up to ``limit`` rows of ``query`` after ``after`` (None: from the top); ``status``
        alone is shorthand for all tickets of one status, newest first. Raises
        :class:`ValueError` for a query that cannot run or a key from another sort."""
        ...

    def count(self, query: QueueQuery) -> int:
        """How many tickets the query finds."""
        ...


def page_request(
    query: QueueQuery | None, after: PageKey | None, limit: int, status: str | None
) -> QueueQuery:
    """The query a ``page`` call asks for, after the refusals both readers share.

    ``status`` alone is shorthand for all tickets of one status, newest first (the CLI).
    Raises :class:`ValueError` for a query that cannot run or a key from another sort.
    """
    if query is None:
        query = QueueQuery(status=status)
    elif status is not None:
        raise ValueError("Give the status inside the QueueQuery, not beside it")
    query.validate()
    if limit < 1:
        raise ValueError(f"A page needs at least one row, not {limit}")
    if after is not None and (after.sort, after.descending) != (query.sort, query.descending):
        raise ValueError("The page key belongs to another sort order; start from the top")
    return query


def finish_page(query: QueueQuery, rows: Sequence[TicketRow], limit: int) -> TicketPage:
    """The page from up to ``limit + 1`` rows read: the extra row only says another follows."""
    page = tuple(rows[:limit])
    if len(rows) <= limit:
        return TicketPage(page, None)
    last = page[-1]
    value: SortValue = getattr(last, query.sort.value)
    return TicketPage(page, PageKey(value, last.id, query.sort, query.descending))


@dataclass(frozen=True, slots=True)
class StatementShape:
    """What a queue statement depends on, apart from its parameter values: both readers
    (SQLAlchemy and stdlib sqlite3) build and cache one statement per shape."""

    view: QueueView
    sort: SortColumn
    descending: bool
    segment: str
    """"all" rows, the "values" of a nullable sort column, or its "nulls"."""
    keyed: bool
    searched: bool
    one_status: bool
    dialect: str = "sqlite"

    @classmethod
    def of(
        cls, query: QueueQuery, keyed: bool, segment: str, dialect: str = "sqlite"
    ) -> StatementShape:
        return cls(
            query.view,
            query.sort,
            query.descending,
            segment,
            keyed,
            query.like_pattern is not None,
            query.status is not None,
            dialect,
        )


Fetch = Callable[[StatementShape, Mapping[str, object]], Sequence[TicketRow]]
"""Runs a reader's statement of one shape with these parameters (the page key and limit):
the rows it finds."""


def read_page(
    query: QueueQuery,
    after: PageKey | None,
    limit: int,
    fetch: Fetch,
    *,
    dialect: str = "sqlite",
    bind: Callable[[SortValue], object] = lambda value: value,
) -> TicketPage:
    """Up to ``limit`` rows of ``query`` after ``after``, keyset-paged the same way by both
    readers: a nullable sort column is read in two segments, its values and then its nulls
    (SQL orders NULL differently per engine), each keyed on (value, id). One row more than
    asked tells whether another page follows. ``bind`` turns a key's value into what the
    driver takes."""
    wanted = limit + 1
    nullable = query.sort.nullable
    rows: list[TicketRow] = []
    if not nullable or after is None or after.value is not None:
        keyed = after is not None
        key = {"after_value": bind(after.value), "after_id": after.id} if after else {}
        shape = StatementShape.of(query, keyed, "values" if nullable else "all", dialect)
        rows += fetch(shape, {**key, "limit": wanted})
    if nullable and len(rows) < wanted:
        keyed = after is not None and after.value is None
        key = {"after_id": after.id} if after is not None and keyed else {}
        shape = StatementShape.of(query, keyed, "nulls", dialect)
        rows += fetch(shape, {**key, "limit": wanted - len(rows)})
    return finish_page(query, rows, limit)
