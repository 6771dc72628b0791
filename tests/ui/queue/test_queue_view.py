"""The queue view: search, sort by header, open with Enter, and the loading/empty/error states."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from console.services import queue_model, queues
from console.store.database import TicketStore
from console.store.models import Ticket
from console.ui.common.tasks import ImmediateTaskRunner, TaskRunner, ThreadPoolTaskRunner
from console.ui.queue.ticket_model import COLUMN_KEYS, PageLike, PageSource
from console.ui.queue.view import QueueView, SourceFactory
from tests.ui.queue.test_ticket_model import FakeTickets, make_rows, open_seeded_store

# The offscreen platform says so whenever a shown top-level widget's size hint changes.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

DEBOUNCE_MS = 250


@dataclass
class RecordingFactory:
    """The window's source factory over a fake table, remembering each call."""

    tickets: FakeTickets
    calls: list[tuple[str, str, bool]] = field(default_factory=list)
    served: list[FakeTickets] = field(default_factory=list)

    def __call__(self, search: str, sort: str, descending: bool) -> PageSource:
        self.calls.append((search, sort, descending))
        chosen = self.tickets.where(search, sort, descending)
        self.served.append(chosen)
        return chosen.source()


@pytest.fixture
def factory() -> RecordingFactory:
    return RecordingFactory(FakeTickets(make_rows(10_000)))


def shown_view(qtbot: QtBot, factory: SourceFactory, runner: TaskRunner | None = None) -> QueueView:
    view = QueueView(factory, runner or ImmediateTaskRunner(), debounce_ms=DEBOUNCE_MS)
    view.set_view_title("All tickets")
    view.resize(1000, 500)
    qtbot.addWidget(view)
    with qtbot.waitExposed(view):
        view.show()
    with qtbot.waitActive(view):
        view.activateWindow()
    return view


def refs_shown(view: QueueView) -> list[str]:
    return [view.model.row_ref(row) for row in range(view.model.rowCount())]


def test_refresh_loads_the_first_page_newest_first(qtbot: QtBot, factory: RecordingFactory) -> None:
    view = shown_view(qtbot, factory)
    assert factory.calls == []  # nothing is read before the window asks
    view.refresh()
    assert factory.calls == [("", "created_at", True)]
    assert view.model.rowCount() == 200
    assert factory.served[0].calls == [(None, 200)]
    assert view.title.text() == "All tickets"
    assert not view.empty.isVisible() and view.table.isVisible()


def test_scrolling_the_table_loads_more(qtbot: QtBot, factory: RecordingFactory) -> None:
    view = shown_view(qtbot, factory)
    view.refresh()

    def scrolled() -> bool:
        view.table.scrollToBottom()
        return view.model.rowCount() >= 400

    qtbot.waitUntil(scrolled)
    assert factory.served[0].calls[:2] == [(None, 200), (199, 200)]


def test_header_click_asks_for_a_database_sort_and_reloads(
    qtbot: QtBot, factory: RecordingFactory
) -> None:
    view = shown_view(qtbot, factory)
    view.refresh()
    header = view.table.horizontalHeader()
    column = COLUMN_KEYS.index("caller")
    at = QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, 5)

    with qtbot.waitSignal(view.model.sort_requested) as request:
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert request.args == ["caller", False]
    assert factory.calls[-1] == ("", "caller", False)
    assert refs_shown(view) == [row.ref for row in factory.served[-1].rows[:200]]
    assert view.sort == ("caller", False)

    with qtbot.waitSignal(view.model.sort_requested) as request:
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert request.args == ["caller", True]
    assert factory.calls[-1] == ("", "caller", True)
    assert len(factory.calls) == 3


def click_header(qtbot: QtBot, view: QueueView, key: str) -> None:
    header = view.table.horizontalHeader()
    column = COLUMN_KEYS.index(key)
    at = QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, 5)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=at)


def test_a_column_the_database_cannot_sort_keeps_the_order(
    qtbot: QtBot, factory: RecordingFactory
) -> None:
    view = shown_view(qtbot, factory)
    view.refresh()
    click_header(qtbot, view, "summary")
    header = view.table.horizontalHeader()
    assert len(factory.calls) == 1
    assert header.sortIndicatorSection() == COLUMN_KEYS.index("created_at")
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    click_header(qtbot, view, "status")
    assert factory.calls[-1] == ("", "status", False)


def test_a_query_the_factory_refuses_is_explained(qtbot: QtBot) -> None:
    def refuses(search: str, sort: str, descending: bool) -> PageSource:
        raise ValueError("The 'My open tickets' queue needs the agent's username")

    view = shown_view(qtbot, refuses)
    view.refresh()
    assert view.error.text() == "The 'My open tickets' queue needs the agent's username"
    assert view.error.isVisible() and not view.empty.isVisible()
    assert view.model.rowCount() == 0


def test_opened_is_sorted_newest_first_on_its_first_click(
    qtbot: QtBot, factory: RecordingFactory
) -> None:
    view = shown_view(qtbot, factory)
    view.refresh()
    click_header(qtbot, view, "ref")
    click_header(qtbot, view, "created_at")
    assert factory.calls[-2:] == [("", "ref", False), ("", "created_at", True)]


def test_search_is_debounced_into_one_query(qtbot: QtBot, factory: RecordingFactory) -> None:
    view = shown_view(qtbot, factory)
    view.refresh()
    factory.calls.clear()
    qtbot.keyClicks(view.search, "Caller 42")
    assert factory.calls == []  # still typing
    # Quiet for twice the debounce after the last keystroke: Qt fires timers in the order they
    # fall due, so every timer a keystroke started (even a coarse one, up to 5 % late) has fired.
    quiet = QTimer(singleShot=True, interval=2 * DEBOUNCE_MS, timerType=Qt.TimerType.PreciseTimer)
    with qtbot.waitSignal(quiet.timeout):
        quiet.start()
    assert factory.calls == [("Caller 42", "created_at", True)]
    shown = refs_shown(view)
    assert shown and all(view.model.ticket_at(r).caller == "Caller 42" for r in range(len(shown)))


def test_ctrl_f_focuses_the_search_and_escape_clears_it(
    qtbot: QtBot, factory: RecordingFactory
) -> None:
    view = shown_view(qtbot, factory)
    view.refresh()
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is view.search
    qtbot.keyClicks(view.search, "HD-0000")
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert factory.calls[-1] == ("HD-0000", "created_at", True)
    assert view.model.rowCount() == 100

    qtbot.keyClick(view.search, Qt.Key.Key_Escape)
    assert view.search.text() == ""
    assert factory.calls[-1] == ("", "created_at", True)
    assert view.model.rowCount() == 200
    qtbot.keyClick(view.search, Qt.Key.Key_Escape)  # empty: Escape leaves for the list
    assert QApplication.focusWidget() is view.table


def test_enter_on_a_row_opens_its_ticket(qtbot: QtBot, factory: RecordingFactory) -> None:
    view = shown_view(qtbot, factory)
    view.refresh()
    qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is view.table
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    with qtbot.waitSignal(view.ticket_activated) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [refs_shown(view)[2]]


def test_double_click_opens_the_ticket_under_the_mouse(
    qtbot: QtBot, factory: RecordingFactory
) -> None:
    view = shown_view(qtbot, factory)
    view.refresh()
    cell = view.model.index(4, COLUMN_KEYS.index("summary"))
    qtbot.waitUntil(lambda: view.table.visualRect(cell).isValid())  # laid out
    at = view.table.visualRect(cell).center()
    opened_refs: list[str] = []
    view.ticket_activated.connect(opened_refs.append)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert opened_refs == []  # one click selects
    with qtbot.waitSignal(view.ticket_activated) as opened:
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=at)
    assert opened.args == [view.model.row_ref(4)]


def test_empty_queue_and_empty_search_say_so(qtbot: QtBot) -> None:
    factory = RecordingFactory(FakeTickets([]))
    view = shown_view(qtbot, factory)
    assert not view.empty.isVisible()  # not read yet: nothing to say
    view.refresh()
    assert view.empty.isVisible() and not view.table.isVisible()
    assert view.empty.text() == "No tickets here yet"

    factory.tickets = FakeTickets(make_rows(50))
    qtbot.keyClicks(view.search, "nobody")
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.empty.text() == "No tickets match 'nobody'"
    qtbot.keyClick(view.search, Qt.Key.Key_Escape)
    assert view.table.isVisible() and not view.empty.isVisible()
    assert view.model.rowCount() == 50


def test_a_failed_page_shows_its_sentence_and_retry_recovers(
    qtbot: QtBot, factory: RecordingFactory
) -> None:
    factory.tickets.fail_with = OSError("Cannot reach the ticket store db.example: timeout")
    view = shown_view(qtbot, factory)
    view.refresh()
    assert view.error.isVisible()
    assert view.error.text() == "Cannot reach the ticket store db.example: timeout"
    assert not view.empty.isVisible()  # a failure is not an empty queue
    factory.served[-1].fail_with = None
    qtbot.mouseClick(view.retry, Qt.MouseButton.LeftButton)
    assert not view.error.isVisible()
    assert view.model.rowCount() == 200


def test_loading_indicator_shows_while_a_page_is_in_flight(
    qtbot: QtBot, pool_runner: ThreadPoolTaskRunner
) -> None:
    release = threading.Event()
    tickets = FakeTickets(make_rows(500))

    def slow(after: object, limit: int) -> PageLike:
        release.wait(5)
        return tickets.page(after if isinstance(after, int) else None, limit)

    view = QueueView(lambda search, sort, descending: slow, pool_runner)
    qtbot.addWidget(view)
    with qtbot.waitExposed(view):
        view.show()
    view.refresh()
    assert view.loading.isVisible()
    assert not view.empty.isVisible()  # loading is not empty
    release.set()
    qtbot.waitUntil(lambda: not view.loading.isVisible())
    assert view.model.rowCount() == 200


def test_ctrl_f_in_the_queue_wins_over_a_window_find_action(
    qtbot: QtBot, factory: RecordingFactory
) -> None:
    window = QMainWindow()
    view = QueueView(factory, ImmediateTaskRunner())
    elsewhere = QLineEdit()
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.addWidget(view)
    layout.addWidget(elsewhere)
    window.setCentralWidget(holder)
    window_finds: list[bool] = []
    find = QAction("Find in queue", window)
    find.setShortcut(QKeySequence("Ctrl+F"))
    find.triggered.connect(lambda: window_finds.append(True))
    window.addAction(find)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    view.refresh()

    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is view.search
    assert window_finds == []  # no ambiguity: the queue took the key
    elsewhere.setFocus()
    qtbot.keyClick(elsewhere, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window_finds == [True]  # outside the queue the window's action still works
    assert ("Ctrl+F", "Search this queue") in view.shortcuts()


# -- the real store --------------------------------------------------------------------------


@pytest.fixture
def seeded_store(tmp_path: Path) -> Iterator[TicketStore]:
    store = open_seeded_store(tmp_path / "console.db", 2000)
    yield store
    store.dispose()


def test_search_and_sort_of_a_real_store_happen_in_its_database(
    qtbot: QtBot, seeded_store: TicketStore, pool_runner: ThreadPoolTaskRunner
) -> None:
    tickets = queues.TicketQueries(seeded_store)

    def factory(search: str, sort: str, descending: bool) -> PageSource:
        query = queue_model.QueueQuery(
            queue_model.QueueView.ALL,
            search=search,
            sort=queue_model.SortColumn(sort),
            descending=descending,
        )
        return lambda after, limit: tickets.page(query, after, limit)

    view = shown_view(qtbot, factory, pool_runner)
    view.refresh()
    qtbot.waitUntil(lambda: view.model.rowCount() == 200)
    with seeded_store.sessions() as session:
        callers = list(session.scalars(select(Ticket.caller).order_by(Ticket.id)))
    wanted = next(c for c in callers if callers.count(c) > 1)  # a caller with several tickets

    click_header(qtbot, view, "caller")
    qtbot.keyClicks(view.search, wanted.lower())
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.model.loading and view.applied_search == wanted.lower())
    with seeded_store.sessions() as session:
        needle = f"%{wanted.lower()}%"
        expected = list(
            session.scalars(
                select(Ticket.ref)
                .where(
                    func.lower(Ticket.ref).like(needle)
                    | func.lower(Ticket.caller).like(needle)
                    | func.lower(Ticket.summary).like(needle)
                )
                .order_by(Ticket.caller, Ticket.id)
            )
        )
    assert len(expected) > 1
    assert refs_shown(view) == expected
