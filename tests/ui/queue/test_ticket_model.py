"""The lazy ticket model: pages on demand, never twice, never from a replaced source."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

import pytest
import shiboken6
from PySide6.QtCore import (
    QByteArray,
    QDataStream,
    QIODevice,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.services.demo import DemoSeeder
from console.services.queue_model import QueueQuery, QueueView
from console.services.queues import TicketQueries
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.models import Ticket
from console.ui.common.tasks import ImmediateTaskRunner, TaskRunner, ThreadPoolTaskRunner
from console.ui.common.text import humanize, short_local_time
from console.ui.queue import ticket_model
from console.ui.queue.ticket_model import (
    COLUMN_KEYS,
    PageLike,
    PageSource,
    TicketTableModel,
    cell_roles,
    encode_cells,
)

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
ROOT = QModelIndex()


@dataclass(frozen=True, slots=True)
class FakeRow:
    ref: str
    status: str
    category: str
    priority: str | None
    has_package: bool
    caller: str
    summary: str
    agent: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FakePage:
    rows: tuple[FakeRow, ...]
    next_key: int | None


def make_rows(count: int) -> list[FakeRow]:
    """Newest first, like the store's default order; every ref is unique."""
    return [
        FakeRow(
            ref=f"HD-{n:06d}",
            status=("open", "pending_review", "escalated", "resolved")[n % 4],
            category=("vpn", "email", "login_sso", "printer")[n % 4],
            priority=None if n % 5 == 0 else f"P{n % 5}",
            has_package=n % 4 == 2,
            caller=f"Caller {n % 97}",
            summary=f"Summary of ticket {n}",
            agent=("ada", "grace", "linus")[n % 3],
            created_at=START - timedelta(minutes=n),
        )
        for n in range(count)
    ]


@dataclass
class FakeTickets:
    """An in-memory ticket table with keyset pages over its index (the key: last index)."""

    rows: Sequence[FakeRow]
    calls: list[tuple[int | None, int]] = field(default_factory=list)
    fail_with: Exception | None = None

    def page(self, after: int | None, limit: int) -> FakePage:
        self.calls.append((after, limit))
        if self.fail_with is not None:
            raise self.fail_with
        start = 0 if after is None else after + 1
        chunk = tuple(self.rows[start : start + limit])
        more = start + limit < len(self.rows)
        return FakePage(chunk, start + len(chunk) - 1 if more else None)

    def source(self) -> PageSource:
        return self.page

    def where(self, search: str, sort: str, descending: bool) -> FakeTickets:
        """What the database would return for a search and a sort (a new fake)."""
        needle = search.lower()
        chosen = [
            row
            for row in self.rows
            if not needle
            or any(needle in text.lower() for text in (row.ref, row.caller, row.summary))
        ]
        chosen.sort(key=lambda row: (str(getattr(row, sort)), row.ref), reverse=descending)
        return FakeTickets(chosen, fail_with=self.fail_with)


def model_refs(model: TicketTableModel) -> list[str]:
    return [model.row_ref(row) for row in range(model.rowCount())]


@pytest.fixture
def tickets() -> FakeTickets:
    return FakeTickets(make_rows(10_000))


def shown_table(qtbot: QtBot, model: TicketTableModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.resize(900, 400)
    qtbot.addWidget(table)
    with qtbot.waitExposed(table):
        table.show()
    return table


def scroll_until_more(qtbot: QtBot, table: QTableView, model: TicketTableModel) -> None:
    """Scroll to the bottom, as often as the view needs, until the next page is in."""
    loaded = model.rowCount()

    def more_arrived() -> bool:
        table.scrollToBottom()  # again each time: the scroll range grows after a layout pass
        return model.rowCount() > loaded

    qtbot.waitUntil(more_arrived)


class AskedModel(TicketTableModel):
    """Records the rows it held each time a view asked whether there is more to fetch."""

    def __init__(self, runner: TaskRunner) -> None:
        super().__init__(runner)
        self.asked_with: list[int] = []

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> bool:  # noqa: N802
        self.asked_with.append(self.rowCount())
        return super().canFetchMore(parent)


def test_opening_loads_only_the_first_page(qtbot: QtBot, tickets: FakeTickets) -> None:
    model = AskedModel(ImmediateTaskRunner())
    table = shown_table(qtbot, model)
    model.reset_source(tickets.source())
    # Once it has laid the page out, the view asks whether to fetch more: the page fills it,
    # so it must not.
    qtbot.waitUntil(lambda: 200 in model.asked_with)
    assert tickets.calls == [(None, 200)]
    assert model.rowCount() == 200
    assert model.has_more and model.canFetchMore(QModelIndex())
    assert table.model() is model


def test_scrolling_to_the_bottom_fetches_the_next_page(qtbot: QtBot, tickets: FakeTickets) -> None:
    model = TicketTableModel(ImmediateTaskRunner())
    table = shown_table(qtbot, model)
    model.reset_source(tickets.source())
    table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 400)
    assert tickets.calls == [(None, 200), (199, 200)]


def test_paging_through_everything_gives_every_row_once_in_order(
    qtbot: QtBot, tickets: FakeTickets
) -> None:
    model = TicketTableModel(ImmediateTaskRunner(), page_size=500)
    table = shown_table(qtbot, model)
    model.reset_source(tickets.source())
    while model.has_more:
        scroll_until_more(qtbot, table, model)
    assert model_refs(model) == [row.ref for row in tickets.rows]
    assert len(tickets.calls) == 20
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert len(tickets.calls) == 20


def test_a_page_in_flight_is_never_requested_again(
    qtbot: QtBot, tickets: FakeTickets, pool_runner: ThreadPoolTaskRunner
) -> None:
    release = threading.Event()

    def slow(after: int | None, limit: int) -> PageLike:
        release.wait(5)
        return tickets.page(after, limit)

    model = TicketTableModel(pool_runner)
    loading: list[bool] = []
    model.loading_changed.connect(loading.append)
    model.reset_source(slow)
    for _ in range(3):
        model.fetchMore(QModelIndex())
    assert model.loading and not model.canFetchMore(QModelIndex())
    release.set()
    qtbot.waitUntil(lambda: not model.loading)
    assert tickets.calls == [(None, 200)]
    assert model.rowCount() == 200
    assert loading == [True, False]


def test_a_late_page_of_a_replaced_source_is_dropped(
    qtbot: QtBot, tickets: FakeTickets, pool_runner: ThreadPoolTaskRunner
) -> None:
    release = threading.Event()
    old_started = threading.Event()
    old = FakeTickets(make_rows(300)[::-1])

    def slow_old(after: int | None, limit: int) -> PageLike:
        old_started.set()
        release.wait(5)
        return old.page(after, limit)

    model = TicketTableModel(pool_runner)
    model.reset_source(slow_old)
    assert old_started.wait(5)
    model.reset_source(tickets.source())
    qtbot.waitUntil(lambda: model.rowCount() == 200)
    with qtbot.waitSignal(pool_runner.busy_changed, check_params_cb=lambda n: n == 0):
        release.set()
    assert old.calls == [(None, 200)]  # it did run, and came back after the new page
    assert model_refs(model) == [row.ref for row in tickets.rows[:200]]
    assert not model.loading
    # The new source's paging is not disturbed by the stale answer.
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 400)
    assert tickets.calls == [(None, 200), (199, 200)]


def test_a_page_arriving_after_its_view_closed_is_ignored(
    qtbot: QtBot, tickets: FakeTickets, pool_runner: ThreadPoolTaskRunner
) -> None:
    release = threading.Event()

    def slow(after: int | None, limit: int) -> PageLike:
        release.wait(5)
        return tickets.page(after, limit)

    owner = QWidget()
    model = TicketTableModel(pool_runner, parent=owner)
    model.reset_source(slow)
    shiboken6.delete(owner)  # the window closed; the model went with it
    assert not shiboken6.isValid(model)
    with qtbot.waitSignal(pool_runner.busy_changed, check_params_cb=lambda n: n == 0):
        release.set()
    assert tickets.calls == [(None, 200)]  # it ran, and its answer found no model: no error


def test_a_failed_page_is_reported_and_not_retried_until_asked(tickets: FakeTickets) -> None:
    model = TicketTableModel(ImmediateTaskRunner())
    failures: list[str] = []
    model.load_failed.connect(failures.append)
    model.reset_source(tickets.source())
    tickets.fail_with = OSError("The ticket store is not answering")
    model.fetchMore(QModelIndex())
    assert failures == ["The ticket store is not answering"]
    assert model.error == "The ticket store is not answering"
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert len(tickets.calls) == 2
    tickets.fail_with = None
    model.retry()
    assert model.error == ""
    assert model_refs(model) == [row.ref for row in tickets.rows[:400]]


def test_sort_asks_the_owner_and_keeps_the_rows(tickets: FakeTickets) -> None:
    model = TicketTableModel(ImmediateTaskRunner())
    model.reset_source(tickets.source())
    requests: list[tuple[str, bool]] = []
    model.sort_requested.connect(lambda key, descending: requests.append((key, descending)))
    before = model_refs(model)
    model.sort(COLUMN_KEYS.index("caller"), Qt.SortOrder.AscendingOrder)
    model.sort(COLUMN_KEYS.index("created_at"), Qt.SortOrder.DescendingOrder)
    model.sort(COLUMN_KEYS.index("summary"), Qt.SortOrder.AscendingOrder)  # free text: no
    assert requests == [("caller", False), ("created_at", True)]
    assert model_refs(model) == before
    tip = Qt.ItemDataRole.ToolTipRole
    assert model.headerData(COLUMN_KEYS.index("caller"), Qt.Orientation.Horizontal, tip) == (
        "Sort by caller"
    )
    assert model.headerData(COLUMN_KEYS.index("summary"), Qt.Orientation.Horizontal, tip) is None
    with pytest.raises(ValueError, match="Not a column: colour"):
        TicketTableModel(ImmediateTaskRunner(), sortable={"ref", "colour"})


def test_cells_headers_and_roles(tickets: FakeTickets) -> None:
    now = START + timedelta(hours=1)
    model = TicketTableModel(ImmediateTaskRunner(), now=lambda: now)
    model.reset_source(tickets.source())
    labels = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    assert labels == [
        "Ref",
        "Priority",
        "Status",
        "Category",
        "Caller",
        "Summary",
        "Agent",
        "Opened",
    ]

    def cell(row: int, key: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return model.data(model.index(row, COLUMN_KEYS.index(key)), role)

    row = tickets.rows[2]  # n=2: escalated, login_sso, P2, packaged
    assert cell(2, "ref") == row.ref
    assert cell(2, "status") == "Escalated"
    assert cell(1, "status") == "Pending review"
    assert cell(2, "category") == "Login / SSO"
    assert cell(2, "priority") == "P2"
    assert cell(0, "priority") == ""
    assert cell(0, "priority", Qt.ItemDataRole.ToolTipRole) == "No priority yet"
    assert cell(2, "ref", Qt.ItemDataRole.ToolTipRole) == f"{row.ref}: escalation package attached"
    assert cell(2, "summary", Qt.ItemDataRole.ToolTipRole) == row.summary
    assert cell(2, "caller", Qt.ItemDataRole.AccessibleTextRole) == f"Caller: {row.caller}"
    assert cell(0, "priority", Qt.ItemDataRole.AccessibleTextRole) == "Priority: none"
    p1_font = cell(1, "priority", Qt.ItemDataRole.FontRole)
    assert isinstance(p1_font, QFont) and p1_font.bold()
    assert cell(2, "priority", Qt.ItemDataRole.FontRole) is None
    assert cell(2, "created_at") == short_local_time(row.created_at, now)
    assert model.data(model.index(2, 0).parent()) is None
    assert model.rowCount(model.index(0, 0)) == 0


def test_after_midnight_the_times_of_loaded_rows_gain_their_date(
    qtbot: QtBot, tickets: FakeTickets
) -> None:
    first = tickets.rows[0]
    # Now is when the newest ticket was opened: the same local day in every time zone.
    clock = [first.created_at]
    model = TicketTableModel(ImmediateTaskRunner(), now=lambda: clock[0])
    model.reset_source(tickets.source())
    opened = COLUMN_KEYS.index("created_at")

    def shown(row: int, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole) -> object:
        return model.data(model.index(row, opened), role)

    local = first.created_at.astimezone()
    assert shown(0) == local.strftime("%H:%M")  # today: time alone
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom: changes.append((top.row(), bottom.row())))

    clock[0] += timedelta(days=1)  # the list stays open past midnight
    model.redate()

    later = short_local_time(first.created_at, clock[0])
    assert changes  # the view is told
    assert shown(0) == later == f"{local.day} {local.strftime('%b %H:%M')}"  # yesterday: dated
    assert shown(0, Qt.ItemDataRole.AccessibleTextRole) == f"Opened: {later}"
    assert all(
        shown(r) == short_local_time(tickets.rows[r].created_at, clock[0]) for r in range(50)
    )
    changed = len(changes)
    model.redate()  # nothing more to change the same day
    assert len(changes) == changed


def test_short_local_time_drops_what_the_reader_knows() -> None:
    local = datetime(2024, 6, 14, 15, 30).astimezone()
    assert short_local_time(local, local + timedelta(minutes=5)) == "15:30"
    assert short_local_time(local, local + timedelta(days=40)) == "14 Jun 15:30"
    assert short_local_time(local, local + timedelta(days=400)) == "14 Jun 2024"
    assert humanize("pending_review") == "Pending review"
    assert humanize("vpn") == "VPN"


def test_resetting_to_no_source_empties_the_model(tickets: FakeTickets) -> None:
    model = TicketTableModel(ImmediateTaskRunner())
    model.reset_source(tickets.source())
    model.reset_source(None)
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())
    assert not model.loading


# -- the cells live in Qt ------------------------------------------------------------------


def test_a_repaint_runs_no_python_of_the_model(qtbot: QtBot, tickets: FakeTickets) -> None:
    model = TicketTableModel(ImmediateTaskRunner())
    table = shown_table(qtbot, model)
    model.reset_source(tickets.source())
    qtbot.waitUntil(lambda: table.visualRect(model.index(0, 0)).isValid())
    entered: list[str] = []

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call" and frame.f_code.co_filename == ticket_model.__file__:
            entered.append(frame.f_code.co_name)

    table.scrollTo(model.index(150, 0))  # rows the view has not painted yet
    sys.setprofile(profile)
    try:
        table.viewport().repaint()
    finally:
        sys.setprofile(None)
    assert entered == []  # no data(), no flags(): every question was answered by Qt


def test_cells_are_selectable_and_never_editable(qtbot: QtBot, tickets: FakeTickets) -> None:
    model = TicketTableModel(ImmediateTaskRunner())
    table = shown_table(qtbot, model)
    model.reset_source(tickets.source())
    cell = model.index(3, COLUMN_KEYS.index("summary"))
    assert model.flags(cell) == Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags
    table.setCurrentIndex(cell)
    qtbot.keyClick(table, Qt.Key.Key_F2)  # the view's edit key
    assert table.state() == QAbstractItemView.State.NoState
    assert table.selectionModel().isSelected(cell)


def test_a_page_arrives_as_one_insert_of_all_its_rows(tickets: FakeTickets) -> None:
    model = TicketTableModel(ImmediateTaskRunner())
    seen: list[tuple[int, int, int, str]] = []
    model.rowsInserted.connect(
        lambda _parent, first, last: seen.append(
            (first, last, model.rowCount(), model.row_ref(last))
        )
    )
    model.reset_source(tickets.source())
    model.fetchMore(QModelIndex())
    assert seen == [
        (0, 199, 200, tickets.rows[199].ref),
        (200, 399, 400, tickets.rows[399].ref),
    ]
    assert model.data(model.index(399, 0)) == tickets.rows[399].ref


def test_a_new_source_is_one_reset_that_keeps_the_columns(
    qtbot: QtBot, tickets: FakeTickets
) -> None:
    model = TicketTableModel(ImmediateTaskRunner())
    table = shown_table(qtbot, model)
    model.reset_source(tickets.source())
    model.fetchMore(QModelIndex())
    table.setColumnWidth(COLUMN_KEYS.index("caller"), 123)
    heard: list[str] = []
    model.modelReset.connect(lambda: heard.append("reset"))
    model.rowsRemoved.connect(lambda *_: heard.append("rows removed"))
    model.columnsRemoved.connect(lambda *_: heard.append("columns removed"))
    searched = tickets.where("Caller 42", "created_at", True)
    model.reset_source(searched.source())
    assert heard == ["reset"]
    assert model.columnCount() == len(COLUMN_KEYS)
    assert table.columnWidth(COLUMN_KEYS.index("caller")) == 123
    assert model_refs(model) == [row.ref for row in searched.rows[:200]]
    assert model.data(model.index(0, COLUMN_KEYS.index("caller"))) == "Caller 42"
    assert model.data(model.index(len(searched.rows), 0)) is None  # nothing left behind


def unusual_rows() -> list[FakeRow]:
    """Text that tests the encoding: accents, a character outside the BMP, an empty agent."""
    return [
        FakeRow(
            ref=row.ref,
            status=row.status,
            category=row.category,
            priority=row.priority,
            has_package=row.has_package,
            caller=f"Zoë Ångström {n}",
            summary=f"Outlook 🙂 crashes — ticket {n}",
            agent="" if n % 7 == 0 else row.agent,
            created_at=row.created_at,
        )
        for n, row in enumerate(make_rows(300))
    ]


def test_every_cell_of_pages_read_on_worker_threads_answers_every_role(
    qtbot: QtBot, pool_runner: ThreadPoolTaskRunner
) -> None:
    tickets = FakeTickets(unusual_rows())
    now = START + timedelta(days=2)
    model = TicketTableModel(pool_runner, now=lambda: now)
    model.reset_source(tickets.source())
    qtbot.waitUntil(lambda: model.rowCount() == 200 and not model.loading)
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 300 and not model.loading)
    roles = (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
    )
    for number, row in enumerate(tickets.rows):
        for column, expected in enumerate(cell_roles(row, now)):
            index = model.index(number, column)
            assert [model.data(index, role) for role in roles] == [
                expected.get(role.value) for role in roles
            ]
            font = model.data(index, Qt.ItemDataRole.FontRole)
            bold = COLUMN_KEYS[column] == "priority" and row.priority == "P1"
            assert font.bold() if bold else font is None
    assert model.data(model.index(7, COLUMN_KEYS.index("agent"))) == ""
    assert model.data(model.index(7, COLUMN_KEYS.index("summary"))) == (
        "Outlook 🙂 crashes — ticket 7"
    )


def test_the_page_encoding_is_what_qdatastream_writes() -> None:
    rows = unusual_rows()[:3]
    now = START
    expected = QByteArray()
    stream = QDataStream(expected, QIODevice.OpenModeFlag.WriteOnly)
    bold = QFont()
    bold.setBold(True)
    for number, row in enumerate(rows):
        for column, roles in enumerate(cell_roles(row, now)):
            emphasised = COLUMN_KEYS[column] == "priority" and row.priority == "P1"
            stream.writeInt32(number)
            stream.writeInt32(column)
            stream.writeUInt32(len(roles) + emphasised)
            for role, text in roles.items():
                stream.writeInt32(role)
                stream.writeQVariant(text)
            if emphasised:
                stream.writeInt32(Qt.ItemDataRole.FontRole.value)
                stream.writeQVariant(bold)
    emphasis = QByteArray()
    QDataStream(emphasis, QIODevice.OpenModeFlag.WriteOnly).writeQVariant(bold)
    assert rows[1].priority == "P1"  # the font is in it
    assert encode_cells(rows, now, bytes(emphasis.data())) == bytes(expected.data())


# -- the real store --------------------------------------------------------------------------


def open_seeded_store(path: Path, tickets: int) -> TicketStore:
    """A SQLite store seeded the way ``agent-console demo seed`` seeds one."""
    store = open_store(parse_store_url(str(path)))
    DemoSeeder(store).seed(tickets)
    return store


@pytest.fixture
def seeded_store(tmp_path: Path) -> Iterator[TicketStore]:
    store = open_seeded_store(tmp_path / "console.db", 2000)
    yield store
    store.dispose()


def queue_source(queries: TicketQueries, query: QueueQuery) -> PageSource:
    return lambda after, limit: queries.page(query, after, limit)


def test_pages_a_real_seeded_sqlite_store_on_worker_threads(
    qtbot: QtBot, seeded_store: TicketStore, pool_runner: ThreadPoolTaskRunner
) -> None:
    model = TicketTableModel(pool_runner)
    table = shown_table(qtbot, model)
    model.reset_source(queue_source(TicketQueries(seeded_store), QueueQuery(QueueView.ALL)))
    qtbot.waitUntil(lambda: model.rowCount() == 200)
    while model.has_more:
        scroll_until_more(qtbot, table, model)
    with seeded_store.sessions() as session:
        expected = list(
            session.scalars(select(Ticket.ref).order_by(Ticket.created_at.desc(), Ticket.id.desc()))
        )
    assert len(expected) == 2000
    assert model_refs(model) == expected
    assert model.error == ""
