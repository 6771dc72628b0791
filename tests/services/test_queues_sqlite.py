"""The stdlib reader of the queues gives exactly the pages of the SQLAlchemy one.

Both readers walk the same SQLite stores, page by page, and must agree on every row (every
field, and its type), every page key and every count; a key from either continues in the
other; and the stdlib reader stands aside (``QueueReaderUnavailable``) for a store it was not
written for, so the window can read through SQLAlchemy instead.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, insert, select, text

from console.domain.enums import Category, Channel, TicketStatus
from console.services.demo import DemoSeeder
from console.services.queue_model import (
    PageKey,
    QueueQuery,
    QueueView,
    SortColumn,
    TicketPage,
    TicketQueue,
)
from console.services.queues import TicketQueries
from console.services.queues_sqlite import (
    SCHEMA_REVISIONS,
    QueueReaderUnavailable,
    SqliteTicketQueries,
)
from console.store.database import (
    HEAD_REVISION,
    MIGRATIONS_DIR,
    TicketStore,
    open_store,
    parse_store_url,
)
from console.store.repositories import DRAFTS, PACKAGES, TICKETS
from tests.services.conftest import StepClock
from tests.services.test_queues import seed

LIMIT = 37
AGENT = "aiko"  # has tickets in both the demo seed and the queue tests' seed
SEARCHES = ("", "okafor", "HD-", "100%", "r_s", "%_")
"""No filter, a caller, every ref, and LIKE's wildcards taken literally."""


@dataclass
class Readers:
    store: TicketStore
    slow: TicketQueries
    fast: SqliteTicketQueries


def open_readers(path: Path) -> Readers:
    store = open_store(parse_store_url(str(path)))
    return Readers(store, TicketQueries(store), SqliteTicketQueries(path))


def close_readers(readers: Readers) -> None:
    readers.fast.close()
    readers.store.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Readers]:
    """About 1,300 tickets: demo ones (unset priorities, drafts, packages) and the queue
    tests' ones (many equal sort values, callers with ``%`` and ``_`` in their names)."""
    readers = open_readers(tmp_path_factory.mktemp("parity") / "console.db")
    DemoSeeder(readers.store, clock=StepClock()).seed(700, seed=3)
    seed(readers.store, 600, seed=11)
    yield readers
    close_readers(readers)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Readers]:
    """A migrated store the property test refills for every example."""
    readers = open_readers(tmp_path_factory.mktemp("scratch") / "console.db")
    yield readers
    close_readers(readers)


def walk(queue: TicketQueue, query: QueueQuery, limit: int) -> list[TicketPage]:
    pages, after = [], None
    while True:
        page = queue.page(query, after, limit)
        pages.append(page)
        if page.next_key is None:
            return pages
        after = page.next_key


def walk_alternating(readers: Readers, query: QueueQuery, limit: int) -> list[TicketPage]:
    """Page 1 from the fast reader, page 2 from SQLAlchemy with the fast reader's key, ...:
    the window may switch readers in the middle of a scroll."""
    pages, after = [], None
    both: tuple[TicketQueue, TicketQueue] = (readers.fast, readers.slow)
    for queue in itertools.cycle(both):
        page = queue.page(query, after, limit)
        pages.append(page)
        if page.next_key is None:
            return pages
        after = page.next_key
    raise AssertionError("unreachable")


def assert_same_pages(fast: list[TicketPage], slow: list[TicketPage]) -> None:
    assert fast == slow
    # repr shows what equality forgives: 1 for True, another zone object, a naive datetime.
    assert repr(fast) == repr(slow)


@pytest.mark.parametrize("sort", list(SortColumn))
@pytest.mark.parametrize("view", list(QueueView))
def test_every_view_sort_direction_and_search_gives_the_same_pages(
    seeded: Readers, view: QueueView, sort: SortColumn
) -> None:
    found = 0
    for descending, search in itertools.product((True, False), SEARCHES):
        query = QueueQuery(view, agent=AGENT, search=search, sort=sort, descending=descending)
        slow = walk(seeded.slow, query, LIMIT)
        assert_same_pages(walk(seeded.fast, query, LIMIT), slow)
        assert_same_pages(walk_alternating(seeded, query, LIMIT), slow)
        rows = sum(len(page.rows) for page in slow)
        assert seeded.fast.count(query) == seeded.slow.count(query) == rows
        found += rows
    assert found, f"{view} found nothing: the comparison proves nothing"


def test_the_seed_has_what_the_comparison_needs(seeded: Readers) -> None:
    rows = [r for p in walk(seeded.fast, QueueQuery(sort=SortColumn.PRIORITY), 500) for r in p.rows]
    assert any(r.priority is None for r in rows) and any(r.priority for r in rows)
    assert any(r.has_draft for r in rows) and any(r.has_package for r in rows)
    assert len({r.created_at for r in rows}) < len(rows)  # ties the id has to break
    assert all(r.created_at.tzinfo is UTC and r.updated_at.tzinfo is UTC for r in rows)
    for search, needle in (("100%", "100%"), ("r_s", "r_s")):
        matched = [r for p in walk(seeded.fast, QueueQuery(search=search), 50) for r in p.rows]
        assert matched, f"nothing contains {search!r}"
        assert all(needle in f"{r.ref}\n{r.caller}\n{r.summary}".lower() for r in matched)
    assert seeded.fast.count(QueueQuery(search="%_")) == 0  # as wildcards it matches all


@pytest.mark.parametrize("status", [s.value for s in TicketStatus])
def test_the_cli_shorthand_for_one_status_gives_the_same_pages(
    seeded: Readers, status: str
) -> None:
    def pages(queue: TicketQueue) -> list[TicketPage]:
        result, after = [], None
        while True:
            result.append(queue.page(status=status, after=after, limit=LIMIT))
            if (after := result[-1].next_key) is None:
                return result

    assert_same_pages(pages(seeded.fast), pages(seeded.slow))


def test_a_key_in_another_time_zone_continues_at_the_same_instant(seeded: Readers) -> None:
    query = QueueQuery(sort=SortColumn.UPDATED_AT, descending=False)
    first = seeded.slow.page(query, None, LIMIT)
    assert first.next_key is not None and isinstance(first.next_key.value, datetime)
    paris = timezone(timedelta(hours=1))
    moved = PageKey(first.next_key.value.astimezone(paris), first.next_key.id, query.sort, False)
    assert seeded.fast.page(query, moved, LIMIT) == seeded.slow.page(query, first.next_key, LIMIT)


def test_refusals_are_the_same_sentences(seeded: Readers) -> None:
    foreign = PageKey("Maya Okafor", 5, SortColumn.CALLER, descending=False)
    calls: list[Callable[[TicketQueue], object]] = [
        lambda q: q.page(QueueQuery(QueueView.MY_OPEN)),
        lambda q: q.page(status="lost"),
        lambda q: q.page(QueueQuery(), status="open"),
        lambda q: q.page(QueueQuery(sort=SortColumn.CALLER, descending=True), foreign),
        lambda q: q.page(QueueQuery(), limit=0),
        lambda q: q.count(QueueQuery(QueueView.DRAFTS, agent="  ")),
    ]
    for call in calls:
        messages = []
        for queue in (seeded.fast, seeded.slow):
            with pytest.raises(ValueError) as refused:
                call(queue)
            messages.append(str(refused.value))
        assert messages[0] == messages[1]


def test_pages_come_the_same_from_several_threads_at_once(seeded: Readers) -> None:
    queries = [QueueQuery(sort=sort, descending=d) for sort in SortColumn for d in (True, False)]
    expected = [walk(seeded.slow, q, 200) for q in queries]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda q: walk(seeded.fast, q, 200), queries))
    assert got == expected


def test_the_reader_sees_tickets_written_after_it_opened(tmp_path: Path) -> None:
    readers = open_readers(tmp_path / "console.db")
    try:
        assert readers.fast.page(QueueQuery()) == TicketPage((), None)
        seed(readers.store, 5)
        assert readers.fast.count(QueueQuery()) == 5  # a kept connection, a fresh snapshot
        assert_same_pages(walk(readers.fast, QueueQuery(), 2), walk(readers.slow, QueueQuery(), 2))
    finally:
        close_readers(readers)


def test_a_path_with_uri_characters_opens(tmp_path: Path) -> None:
    folder = tmp_path / "desk 100% #1?ready=yes"
    folder.mkdir()
    readers = open_readers(folder / "console.db")
    try:
        seed(readers.store, 40)
        assert readers.fast.count(QueueQuery()) == 40
    finally:
        close_readers(readers)


# -- random stores and queries -------------------------------------------------------------

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
AGENTS = ("aiko", "Aiko", "ai_o", "ben")
"""Names an agent filter must tell apart: it is no case-folding LIKE."""
SEARCH_TEXT = st.text(alphabet="aAb%_\\ -1", max_size=3)

tickets_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "priority": st.sampled_from([None, "P1", "P2", "P3", "P4", "P5"]),
            # Few distinct instants, so sorts tie and the id decides; microseconds as stored.
            "created_at": st.builds(
                lambda m, us: START + timedelta(minutes=m, microseconds=us),
                st.integers(0, 2),
                st.sampled_from([0, 1, 500_000, 999_999]),
            ),
            "updated_minutes": st.integers(0, 2),
            "status": st.sampled_from([s.value for s in TicketStatus]),
            "agent": st.sampled_from(AGENTS),
            "caller": st.text(alphabet="aAbB%_\\ ", min_size=1, max_size=6),
            "summary": st.text(alphabet="aAb%_-1 ", max_size=6),
            "category": st.sampled_from([c.value for c in Category]),
            "drafted": st.booleans(),
            "packaged": st.booleans(),
        }
    ),
    min_size=3,
    max_size=30,
)

queries_strategy = st.builds(
    QueueQuery,
    view=st.sampled_from(list(QueueView)),
    agent=st.sampled_from([*AGENTS, " aiko "]),
    search=SEARCH_TEXT,
    sort=st.sampled_from(list(SortColumn)),
    descending=st.booleans(),
    status=st.one_of(st.none(), st.sampled_from([s.value for s in TicketStatus])),
)


def refill(store: TicketStore, tickets: list[dict[str, object]]) -> None:
    """Replace every ticket with ``tickets``, written by SQLAlchemy as the app writes them."""
    with store.sessions.begin() as session:
        session.execute(delete(PACKAGES))
        session.execute(delete(DRAFTS))
        session.execute(delete(TICKETS))
        for n, t in enumerate(tickets):
            created = t["created_at"]
            assert isinstance(created, datetime)
            ref = f"HD-{n:02d}{'_' if n % 3 else '%'}"
            ticket_id = session.execute(
                insert(TICKETS).returning(TICKETS.c.id),
                {
                    "ref": ref,
                    "caller": t["caller"],
                    "contact": "",
                    "client": "",
                    "site": "",
                    "channel": Channel.PHONE.value,
                    "summary": t["summary"],
                    "description": "",
                    "category": t["category"],
                    "status": t["status"],
                    "impact": None,
                    "urgency": None,
                    "priority": t["priority"],
                    "agent": t["agent"],
                    "created_at": created,
                    "updated_at": START + timedelta(minutes=int(str(t["updated_minutes"]))),
                    "resolved_at": None,
                    "resolution": "",
                },
            ).scalar_one()
            if t["drafted"]:
                draft = {"ticket_id": ticket_id, "content": {}, "revision": 1, "updated_at": START}
                session.execute(insert(DRAFTS), draft)
            if t["packaged"]:
                session.execute(
                    insert(PACKAGES),
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
                    },
                )


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tickets=tickets_strategy, query=queries_strategy, limit=st.integers(1, 7))
def test_random_stores_and_queries_give_the_same_pages(
    scratch: Readers, tickets: list[dict[str, object]], query: QueueQuery, limit: int
) -> None:
    refill(scratch.store, tickets)
    slow = walk(scratch.slow, query, limit)
    assert_same_pages(walk(scratch.fast, query, limit), slow)
    assert_same_pages(walk_alternating(scratch, query, limit), slow)
    # Every key of one reader, handed to the other, gives the page that followed it.
    for page, following in itertools.pairwise(slow):
        assert page.next_key is not None
        assert scratch.fast.page(query, page.next_key, limit) == following
    assert scratch.fast.count(query) == scratch.slow.count(query)


# -- stores this reader stands aside for -----------------------------------------------------


def unavailable(path: Path) -> str:
    reader = SqliteTicketQueries(path)
    try:
        with pytest.raises(QueueReaderUnavailable) as refused:
            reader.page(QueueQuery())
        with pytest.raises(QueueReaderUnavailable):
            reader.count(QueueQuery())
    finally:
        reader.close()
    message = str(refused.value)
    assert message.count(". ") == 0 and "\n" not in message, "one sentence"
    return message


def migrated(path: Path) -> Path:
    open_store(parse_store_url(str(path))).dispose()
    return path


def test_no_file_is_unavailable(tmp_path: Path) -> None:
    assert "no ticket store" in unavailable(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()  # read-only: nothing created


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    path.write_bytes(b"not a database, just some bytes " * 100)
    assert "not a database" in unavailable(path)


def test_an_empty_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    sqlite3.connect(path).close()
    assert "schema revision none" in unavailable(path)


def test_an_older_schema_revision_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:  # a store as release 0001 left it, before the sort indexes
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    engine.dispose()
    assert "schema revision 0001" in unavailable(path)


def test_a_newer_schema_revision_is_unavailable(tmp_path: Path) -> None:
    path = migrated(tmp_path / "console.db")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.close()
    assert "schema revision 0999" in unavailable(path)


def test_a_missing_column_is_unavailable(tmp_path: Path) -> None:
    path = migrated(tmp_path / "console.db")
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE tickets DROP COLUMN summary")
    conn.close()
    assert "lacks tickets.summary" in unavailable(path)


def test_a_closed_reader_is_unavailable(tmp_path: Path) -> None:
    reader = SqliteTicketQueries(migrated(tmp_path / "console.db"))
    assert reader.count(QueueQuery()) == 0
    reader.close()
    with pytest.raises(QueueReaderUnavailable, match="closed"):
        reader.count(QueueQuery())


def test_the_reader_knows_the_newest_schema_revision() -> None:
    """When a migration is added, check the reader against it, then add its revision."""
    assert HEAD_REVISION in SCHEMA_REVISIONS


def test_both_readers_declare_the_one_queue_reader_protocol() -> None:
    """Declared, so mypy holds each to the protocol that the window is typed against."""
    assert TicketQueue in TicketQueries.__mro__
    assert TicketQueue in SqliteTicketQueries.__mro__


def test_importing_the_reader_loads_no_heavy_library() -> None:
    heavy = ("sqlalchemy", "pydantic", "psutil", "yaml", "alembic", "PySide6")
    script = (
        "import sys, json; import console.services.queues_sqlite; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    assert "console.services.queues_sqlite" in loaded
    assert "sqlite3" in loaded
    assert [m for m in loaded if m.split(".")[0] in heavy] == []
    assert [m for m in loaded if m.startswith("console.store")] == []


def test_the_store_holds_timestamps_as_the_reader_parses_them(seeded: Readers) -> None:
    """The text SQLAlchemy writes for a UTC datetime, which the reader binds and parses."""
    with seeded.store.engine.connect() as conn:
        raw = conn.execute(text("SELECT created_at FROM tickets ORDER BY id LIMIT 1")).scalar_one()
        (stored,) = conn.execute(select(TICKETS.c.created_at).order_by(TICKETS.c.id).limit(1)).one()
    assert isinstance(raw, str) and len(raw) == len("2026-11-01 08:00:00.000000")
    assert raw == stored.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
