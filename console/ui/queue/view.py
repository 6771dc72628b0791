"""One queue of tickets: a search box over a lazily loaded table.

The view owns what the agent asked for (search text, sort column, direction) and turns it
into a page source through the injected factory, so filtering and sorting happen in the
database; the table model only appends the pages it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.ui.common.tasks import TaskRunner
from console.ui.queue.ticket_model import (
    COLUMN_KEYS,
    PAGE_SIZE,
    SORTABLE_KEYS,
    PageSource,
    TicketTableModel,
)

SourceFactory = Callable[[str, str, bool], PageSource]
"""``factory(search, sort column key, descending)``: a page source for those choices. Called
on the GUI thread, so it only builds the source; the source itself runs on a worker."""

SEARCH_DEBOUNCE_MS = 250
DEFAULT_SORT = ("created_at", True)

_WIDTHS = {"ref": 110, "priority": 64, "status": 110, "category": 110, "caller": 160}


class SearchBox(QLineEdit):
    """The search field: Escape clears it (then leaves it), Down moves into the list."""

    cleared = Signal()
    leave = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            if self.text():
                self.clear()
                self.cleared.emit()
            else:
                self.leave.emit()
            return
        if event.key() == Qt.Key.Key_Down:
            self.leave.emit()
            return
        super().keyPressEvent(event)


class _FindKey(QObject):
    """Turns Ctrl+F (the platform's Find key) on a watched widget into ``focus_search``."""

    def __init__(self, focus_search: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._focus_search = focus_search

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(event, QKeyEvent) or not event.matches(QKeySequence.StandardKey.Find):
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # ours: no window shortcut sees it, the key press follows
            return True
        self._focus_search()
        return True


class QueueView(QWidget):
    """A queue: title, search box, the ticket table and its loading, empty and error states.

    Signals:
        ticket_activated(str): the agent opened a ticket (Enter or double-click on its row).
        page_loaded(): a page of tickets is in the table, or loading stopped (an empty queue
            loads no rows).
    """

    ticket_activated = Signal(str)
    page_loaded = Signal()

    def __init__(
        self,
        source_factory: SourceFactory,
        runner: TaskRunner,
        *,
        page_size: int = PAGE_SIZE,
        debounce_ms: int = SEARCH_DEBOUNCE_MS,
        sortable: Collection[str] = SORTABLE_KEYS,
        parent: QWidget | None = None,
    ) -> None:
        """``sortable``: the column keys the factory's sources can sort by."""
        super().__init__(parent)
        self._factory = source_factory
        self._sort_key, self._descending = DEFAULT_SORT
        self._applied_search = ""
        self._started = False
        self._problem = ""
        self.model = TicketTableModel(runner, page_size, sortable=sortable, parent=self)

        self.title = QLabel("")
        self.title.setObjectName("queue_title")
        title_font = QFont(self.title.font())
        title_font.setBold(True)
        if title_font.pointSizeF() > 0:
            title_font.setPointSizeF(title_font.pointSizeF() * 1.2)
        self.title.setFont(title_font)
        self.loading = QLabel("Loading…")
        self.loading.setObjectName("queue_loading")
        self.loading.setAccessibleName("Loading tickets")
        self.loading.hide()

        self.search = SearchBox()
        self.search.setObjectName("queue_search")
        self.search.setAccessibleName("Search tickets")
        self.search.setPlaceholderText("Search by ref, caller or summary (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=debounce_ms)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.search.returnPressed.connect(self._apply_search)
        self.search.cleared.connect(self._apply_search)
        self.search.leave.connect(self._focus_table)

        self.table = self._build_table()
        self.empty = QLabel("")
        self.empty.setObjectName("queue_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("Queue is empty")
        self._stack = QStackedWidget()
        self._stack.addWidget(self.table)
        self._stack.addWidget(self.empty)

        self.error = QLabel("")
        self.error.setObjectName("queue_error")
        self.error.setAccessibleName("Loading problem")
        self.error.setWordWrap(True)
        self.retry = QPushButton("Retry")
        self.retry.setObjectName("queue_retry")
        self.retry.setAccessibleName("Retry loading tickets")
        self.retry.clicked.connect(self._retry)
        error_row = QWidget()
        error_layout = QHBoxLayout(error_row)
        error_layout.setContentsMargins(0, 0, 0, 0)
        error_layout.addWidget(self.error, 1)
        error_layout.addWidget(self.retry)
        self._error_row = error_row
        error_row.hide()

        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.loading)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.search)
        layout.addWidget(error_row)
        layout.addWidget(self._stack, 1)
        self.setTabOrder(self.search, self.table)

        # Ctrl+F as a key of the list and the box, not a QShortcut: the window may bind it
        # too (to show the queue first), and two shortcuts on one key cancel each other.
        self._find_key = _FindKey(self.focus_search, self)
        self.search.installEventFilter(self._find_key)
        self.table.installEventFilter(self._find_key)

        self.model.loading_changed.connect(self._update_state)
        self.model.load_failed.connect(self._update_state)
        self.model.modelReset.connect(self._update_state)
        self.model.rowsInserted.connect(self._update_state)
        self.model.sort_requested.connect(self._sort_requested)
        self.model.rowsInserted.connect(self.page_loaded)
        self.model.loading_changed.connect(self._loading_changed)
        self.table.activated.connect(self._activated)
        self._update_state()

    # -- what the window calls -------------------------------------------------------------

    def redate(self) -> None:
        """The day changed: times of what was today get their date."""
        self.model.redate()

    @property
    def sort(self) -> tuple[str, bool]:
        """The current sort: (column key, descending)."""
        return self._sort_key, self._descending

    @property
    def applied_search(self) -> str:
        """The search the table shows (the box may hold newer text not applied yet)."""
        return self._applied_search

    def set_view_title(self, title: str) -> None:
        self.title.setText(title)
        self.table.setAccessibleName(f"Tickets: {title}")

    def refresh(self) -> None:
        """Read the queue again from its first page with the current search and sort."""
        self._debounce.stop()
        self._started = True
        self._applied_search = self.search.text().strip()
        try:
            source = self._factory(self._applied_search, self._sort_key, self._descending)
        except ValueError as exc:  # a query the service refuses: say why, show nothing
            self._problem = str(exc)
            self.model.reset_source(None)
            return
        self._problem = ""
        self.model.reset_source(source)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def shortcuts(self) -> list[tuple[str, str]]:
        return [
            ("Ctrl+F", "Search this queue"),
            ("Escape", "Clear the search"),
            ("Down", "From the search box into the list"),
            ("Enter", "Open the selected ticket"),
        ]

    # -- reactions -------------------------------------------------------------------------

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("queue_table")
        table.setAccessibleName("Tickets")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = table.verticalHeader()
        rows.hide()
        # One fixed height for every row: the view never measures rows it is not showing.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        columns = table.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setSectionsClickable(True)
        for index, key in enumerate(COLUMN_KEYS):
            if key in _WIDTHS:
                table.setColumnWidth(index, _WIDTHS[key])
        columns.setSectionResizeMode(COLUMN_KEYS.index("summary"), QHeaderView.ResizeMode.Stretch)
        # The indicator first, so enabling sorting asks for the sort the view already has.
        columns.setSortIndicator(
            COLUMN_KEYS.index(DEFAULT_SORT[0]),
            Qt.SortOrder.DescendingOrder if DEFAULT_SORT[1] else Qt.SortOrder.AscendingOrder,
        )
        table.setSortingEnabled(True)
        # After the table's own handler, which asked the model: put the arrow back where the
        # rows really are when the column cannot be sorted.
        columns.sortIndicatorChanged.connect(self._indicator_moved)
        return table

    def _apply_search(self) -> None:
        self._debounce.stop()
        if self.search.text().strip() != self._applied_search or not self._started:
            self.refresh()

    def _sort_requested(self, key: str, descending: bool) -> None:
        if (key, descending) == (self._sort_key, self._descending):
            return
        self._sort_key, self._descending = key, descending
        if self._started:
            self.refresh()

    def _indicator_moved(self, column: int, _order: Qt.SortOrder) -> None:
        if not self.model.is_sortable(column):
            header = self.table.horizontalHeader()
            blocked = header.blockSignals(True)
            order = (
                Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder
            )
            header.setSortIndicator(COLUMN_KEYS.index(self._sort_key), order)
            header.blockSignals(blocked)

    def _retry(self) -> None:
        if self._problem:
            self.refresh()
        else:
            self.model.retry()
        self._update_state()

    def _focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.TabFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self.table.selectRow(0)

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        if index.isValid():
            self.ticket_activated.emit(self.model.row_ref(index.row()))

    def _loading_changed(self, loading: bool) -> None:
        if not loading:
            self.page_loaded.emit()

    def _update_state(self, *_: object) -> None:
        model = self.model
        problem = self._problem or model.error
        self.loading.setVisible(model.loading)
        self.error.setText(problem)
        self._error_row.setVisible(bool(problem))
        empty = self._started and not model.loading and not problem
        empty = empty and model.rowCount() == 0
        if self._applied_search:
            self.empty.setText(f"No tickets match '{self._applied_search}'")
        else:
            self.empty.setText("No tickets here yet")
        self._stack.setCurrentWidget(self.empty if empty else self.table)
