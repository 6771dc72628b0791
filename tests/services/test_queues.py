"""The desk's queues: views, search and keyset pages that add up to the full ORDER BY."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from console.domain.enums import Category, Channel, TicketStatus
from console.services.queue_model import (
    PageKey,
    QueueQuery,
    QueueView,
    SortColumn,
    TicketPage,
    TicketRow,
)
from console.services.queues import TicketQueries
from console.store.database import TicketStore
from console.store.repositories import DRAFTS, PACKAGES, TICKETS

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
PAGED = 1100
AGENTS = ("aiko", "ben", "chen")
CALLERS = (
    "Maya Okafor",
    "MAYA OKAFOR",
    "Li Wei",
    "Zoe Brandt",
    "Ana 100% Sure",
    "Sam under_score",
    "Tom O'Neil",
    "Ravi Patel",
)
SUMMARIES = (
    "VPN drops every ten minutes on the home network",
    "Outlook shows 0x800CCC0E since the password change",
    "Printer on floor 3 jams on every duplex job",
    "Excel crashes when opening the budget workbook",
)
STATUS_WEIGHTS = {
    TicketStatus.OPEN: 5,
    TicketStatus.RETURNED: 2,
    TicketStatus.PENDING_REVIEW: 2,
    TicketStatus.ESCALATED: 3,
    TicketStatus.RESOLVED: 6,
    TicketStatus.CLOSED: 1,
}


@dataclass(frozen=True)
class Seeded:
    rows: dict[int, dict[str, Any]]
    """Every ticket by id, with ``has_draft`` and ``has_package``."""


def seed(store: TicketStore, count: int, seed: int = 7) -> Seeded:
    """Tickets with many equal sort values (ties only the id breaks) and unset priorities."""
    rng = random.Random(seed)
    refs = [f"HD-T{n:05d}" for n in range(count)]
    rng.shuffle(refs)  # ref order is not id order
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    tickets = []
    for ref in refs:
        created = START + timedelta(minutes=rng.randint(0, 300))
        tickets.append(
            {
                "ref": ref,
                "caller": rng.choice(CALLERS),
                "contact": "",
                "client": "",
                "site": "",
                "channel": Channel.PHONE.value,
                "summary": rng.choice(SUMMARIES),
                "description": "",
                "category": rng.choice(list(Category)).value,
                "status": rng.choices(statuses, weights)[0].value,
                "impact": None,
                "urgency": None,
                "priority": None if rng.random() < 0.4 else f"P{rng.randint(1, 5)}",
                "agent": rng.choice(AGENTS),
                "created_at": created,
                "updated_at": created + timedelta(minutes=30 * rng.randint(0, 3)),
                "resolved_at": None,
                "resolution": "",
            }
        )
    with store.sessions.begin() as session:
        session.execute(insert(TICKETS), tickets)
        stored = {r.ref: r.id for r in session.execute(select(TICKETS.c.ref, TICKETS.c.id))}
        drafted = [ref for ref in refs if rng.random() < 0.25]
        packaged = [ref for ref in refs if rng.random() < 0.15]
        session.execute(
            insert(DRAFTS),
            [
                {"ticket_id": stored[ref], "content": {"n": 1}, "revision": 1, "updated_at": START}
                for ref in drafted
            ],
        )
        session.execute(
            insert(PACKAGES),
            [
                {
                    "id": f"00000000-0000-4000-8000-{n:012d}",
                    "ticket_ref": ref,
                    "package_hash": "0" * 64,
                    "schema_version": 1,
                    "priority": "P3",
                    "queue": "network",
                    "submitted_by": "aiko",
                    "created_at": START,
                    "size": 1,
                    "content": b"x",
                }
                for n, ref in enumerate(packaged)
            ],
        )
    rows, drafted_refs, packaged_refs = {}, set(drafted), set(packaged)
    for values in tickets:
        ticket_id = stored[values["ref"]]
        rows[ticket_id] = {
            **values,
            "id": ticket_id,
            "has_draft": values["ref"] in drafted_refs,
            "has_package": values["ref"] in packaged_refs,
        }
    return Seeded(rows)


def full_order(store: TicketStore, sort: SortColumn, descending: bool) -> list[int]:
    """Every ticket id in the order the queues promise, by one plain ORDER BY: unset values
    last in both directions, ties by id in the same direction."""
    column, ticket_id = TICKETS.c[sort.value], TICKETS.c.id
    direct: Callable[[Any], Any] = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    query = select(ticket_id).order_by(column.is_(None), direct(column), direct(ticket_id))
    with store.sessions() as session:
        return list(session.scalars(query))


def in_view(row: dict[str, Any], query: QueueQuery) -> bool:
    status, mine = row["status"], row["agent"] == query.agent
    working = status in ("open", "returned")
    wanted = {
        QueueView.MY_OPEN: mine and working,
        QueueView.DRAFTS: mine and working and row["has_draft"],
        QueueView.RETURNED: mine and status == "returned",
        QueueView.SUBMITTED: mine and status in ("pending_review", "escalated"),
        QueueView.ALL: True,
        QueueView.REVIEW: status == "pending_review",
    }[query.view]
    text = query.search.lower()
    found = not text or any(text in row[k].lower() for k in ("ref", "caller", "summary"))
    return wanted and found and (query.status is None or status == query.status)


def walk(queries: TicketQueries, query: QueueQuery, limit: int) -> list[TicketPage]:
    pages, after = [], None
    while True:
        page = queries.page(query, after, limit)
        pages.append(page)
        assert len(page.rows) <= limit
        if page.next_key is None:
            return pages
        assert len(page.rows) == limit  # a short page is the last one
        after = page.next_key


def expected(store: TicketStore, seeded: Seeded, query: QueueQuery) -> list[int]:
    return [
        i for i in full_order(store, query.sort, query.descending) if in_view(seeded.rows[i], query)
    ]


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
@pytest.mark.parametrize("sort", list(SortColumn))
def test_pages_add_up_to_the_full_order_in_every_sort(
    any_store: TicketStore, sort: SortColumn, descending: bool
) -> None:
    seeded = seed(any_store, PAGED)
    query = QueueQuery(sort=sort, descending=descending)
    pages = walk(TicketQueries(any_store), query, limit=97)

    ids = [row.id for page in pages for row in page.rows]
    assert ids == full_order(any_store, sort, descending)  # no gap, no duplicate, same order
    assert len(pages) == -(-PAGED // 97)
    if sort is SortColumn.PRIORITY:  # the unset priorities really are there, and last
        priorities = [seeded.rows[i]["priority"] for i in ids]
        first_unset = priorities.index(None)
        assert all(p is None for p in priorities[first_unset:])
        assert None not in priorities[:first_unset]


@pytest.mark.parametrize("view", list(QueueView))
def test_each_view_holds_exactly_its_tickets_with_their_flags(
    any_store: TicketStore, view: QueueView
) -> None:
    seeded = seed(any_store, 600)
    queries = TicketQueries(any_store)
    for sort, descending in ((SortColumn.UPDATED_AT, True), (SortColumn.PRIORITY, False)):
        query = QueueQuery(view, agent="aiko", sort=sort, descending=descending)
        rows = [row for page in walk(queries, query, limit=23) for row in page.rows]
        assert [row.id for row in rows] == expected(any_store, seeded, query)
        assert rows, f"the seed left {view} empty: the test proves nothing"
        for row in rows:
            stored = seeded.rows[row.id]
            assert (row.ref, row.status, row.caller, row.priority) == (
                stored["ref"],
                stored["status"],
                stored["caller"],
                stored["priority"],
            )
            assert (row.has_draft, row.has_package) == (stored["has_draft"], stored["has_package"])
            assert row.created_at == stored["created_at"]
        assert queries.count(query) == len(rows)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("okafor", "okafor"),  # caller, either case
        ("OKAFOR", "okafor"),
        ("hd-t0001", "hd-t0001"),  # ref
        ("0x800ccc0e", "0x800ccc0e"),  # summary
        ("100%", "100%"),  # LIKE's wildcards are plain characters here
        ("_", "_"),
    ],
)
def test_search_is_a_case_insensitive_substring_of_ref_caller_or_summary(
    any_store: TicketStore, text: str, needle: str
) -> None:
    seeded = seed(any_store, 400)
    queries = TicketQueries(any_store)
    query = QueueQuery(QueueView.ALL, search=text, sort=SortColumn.CALLER, descending=False)
    rows = [row for page in walk(queries, query, limit=31) for row in page.rows]

    assert [row.id for row in rows] == expected(any_store, seeded, query)
    assert rows
    assert len(rows) < len(seeded.rows)
    assert all(needle in f"{row.ref}\n{row.caller}\n{row.summary}".lower() for row in rows), (
        "a wildcard matched where the text does not occur"
    )
    assert queries.count(query) == len(rows)


def test_search_combines_with_a_view(sqlite_store: TicketStore) -> None:
    seeded = seed(sqlite_store, 400)
    query = QueueQuery(QueueView.MY_OPEN, agent="ben", search="printer")
    rows = [r for page in walk(TicketQueries(sqlite_store), query, 10) for r in page.rows]
    assert [r.id for r in rows] == expected(sqlite_store, seeded, query)
    assert {r.agent for r in rows} == {"ben"}
    assert all("Printer" in r.summary for r in rows)


def test_the_cli_listing_is_newest_first_within_one_status(sqlite_store: TicketStore) -> None:
    seeded = seed(sqlite_store, 300)
    queries = TicketQueries(sqlite_store)
    rows: list[TicketRow] = []
    after: PageKey | None = None
    while True:
        page = queries.page(status="escalated", after=after, limit=40)
        rows += page.rows
        if page.next_key is None:
            break
        after = page.next_key
    query = QueueQuery(status="escalated")
    assert [r.id for r in rows] == expected(sqlite_store, seeded, query)


def test_refusals_are_one_sentence(sqlite_store: TicketStore) -> None:
    queries = TicketQueries(sqlite_store)
    with pytest.raises(ValueError, match="'My open tickets' queue needs the agent's username"):
        queries.page(QueueQuery(QueueView.MY_OPEN))
    with pytest.raises(ValueError, match="'lost' is not a ticket status"):
        queries.page(status="lost")
    foreign = PageKey("Maya Okafor", 5, SortColumn.CALLER, descending=False)
    with pytest.raises(ValueError, match="another sort order"):
        queries.page(QueueQuery(sort=SortColumn.CALLER, descending=True), foreign)
    with pytest.raises(ValueError, match="at least one row"):
        queries.page(QueueQuery(), limit=0)


def test_an_empty_store_is_one_empty_last_page(sqlite_store: TicketStore) -> None:
    queries = TicketQueries(sqlite_store)
    for sort in SortColumn:
        page = queries.page(QueueQuery(sort=sort), limit=10)
        assert page == TicketPage((), None)
    assert queries.count(QueueQuery(QueueView.REVIEW)) == 0
