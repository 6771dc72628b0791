"""A ticket list that never loads a whole store: pages arrive as the view scrolls.

The model asks a *page source* for the next page (keyset pagination: "the rows after this
key") through the task runner, so the query runs on a worker thread, and appends the rows
when the page comes back. Sorting and filtering belong to the database: the model never
reorders rows in memory; a header click asks the owner (``sort_requested``) to build a new
source, which :meth:`TicketTableModel.reset_source` then starts reading from the top.

The cells live in Qt (a :class:`QStandardItemModel`), not behind a Python ``data()``: a
repaint asks a few thousand questions (every role of every visible cell), and each one that
entered Python would have to win the GIL back from whatever a worker thread is doing. The
worker formats a page's cells and encodes them in the layout Qt's own item drag and drop
uses, so the GUI thread hands Qt the whole page in one call instead of one per cell.

The model codes against the small protocols below, not against ``console.services``, so the
list can show any page shape that has these fields (``TicketQueries.page`` returns one).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import (
    QByteArray,
    QDataStream,
    QIODevice,
    QMetaType,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from console.ui.common.tasks import TaskRunner
from console.ui.common.text import full_local_time, humanize, local_now, short_local_time

PAGE_SIZE = 200

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invisible root: a table's rows are its children


class RowLike(Protocol):
    """One ticket as the list shows it (``console.services`` ``TicketRow`` fits)."""

    @property
    def ref(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def priority(self) -> str | None: ...
    @property
    def has_package(self) -> bool: ...
    @property
    def caller(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def created_at(self) -> datetime:
        """Timezone-aware."""
        ...


class PageLike(Protocol):
    """One page: its rows, and the key to ask for the next one (None: this was the last)."""

    @property
    def rows(self) -> Sequence[RowLike]: ...
    @property
    def next_key(self) -> Any | None: ...


PageSource = Callable[[Any | None, int], PageLike]
"""``source(after_key, limit)``: the page after ``after_key`` (None: the first). Runs on a
worker thread, so it may query the database; it must not touch widgets."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    """The sort key the database understands (the row attribute of the same name)."""
    label: str


COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref"),
    Column("priority", "Priority"),
    Column("status", "Status"),
    Column("category", "Category"),
    Column("caller", "Caller"),
    Column("summary", "Summary"),
    Column("agent", "Agent"),
    Column("created_at", "Opened"),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)

# What the queue service sorts in the database; a free-text summary is no useful order.
SORTABLE_KEYS = frozenset({"ref", "priority", "status", "category", "caller", "created_at"})

# Newest first is what an agent wants from the first click on Opened (P1 first is ascending).
_DESCENDING_FIRST = frozenset({"created_at"})
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole.value
_FONT = Qt.ItemDataRole.FontRole.value


def cell_text(row: RowLike, key: str, now: datetime) -> str:
    """What the cell of column ``key`` shows for ``row``."""
    if key == "priority":
        return row.priority or ""
    if key in ("status", "category"):
        return humanize(getattr(row, key))
    if key == "created_at":
        return short_local_time(row.created_at, now)
    return str(getattr(row, key))


def cell_tooltip(row: RowLike, key: str) -> str | None:
    """The cell's tooltip, where it says more than the cell (None elsewhere)."""
    if key == "ref":
        return f"{row.ref}: escalation package attached" if row.has_package else row.ref
    if key == "summary":
        return row.summary
    if key == "created_at":
        return full_local_time(row.created_at)
    if key == "priority" and row.priority is None:
        return "No priority yet"
    return None


def cell_roles(row: RowLike, now: datetime) -> list[dict[int, str]]:
    """The text roles of each cell of ``row``, in column order: display, accessible text
    (the column's name and the value, "none" for a blank) and the tooltip where there is one.
    """
    cells: list[dict[int, str]] = []
    for column in COLUMNS:
        shown = cell_text(row, column.key, now)
        roles = {_DISPLAY: shown, _ACCESSIBLE: f"{column.label}: {shown or 'none'}"}
        tooltip = cell_tooltip(row, column.key)
        if tooltip is not None:
            roles[_TOOLTIP] = tooltip
        cells.append(roles)
    return cells


def _emphasised(row: RowLike, key: str) -> bool:
    """P1 stands out in bold: the ticket that stopped someone's work."""
    return key == "priority" and row.priority == "P1"


def _serialized(value: object) -> bytes:
    """``value`` as a QVariant in QDataStream's format."""
    data = QByteArray()
    stream = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    stream.writeQVariant(value)
    return bytes(data.data())


# QDataStream's layout (big-endian; Qt's "Serializing Qt Data Types" page): a cell's row, its
# column and the size of its QMap<int, QVariant>; then each role and its QVariant, which for
# text is the type (QString), a null flag, the length in bytes and the UTF-16 itself.
_CELL = struct.Struct(">iiI")
_TEXT_ROLE = struct.Struct(">iIbI")
_ROLE = struct.Struct(">i")
_QSTRING = QMetaType.Type.QString.value


def encode_cells(rows: Sequence[RowLike], now: datetime, emphasis: bytes) -> bytes:
    """The cells of ``rows`` in the layout ``QAbstractItemModel::decodeData`` reads (item
    drag and drop's ``application/x-qabstractitemmodeldatalist``): for each cell its row
    (from 0), its column and its role map. ``emphasis`` is the FontRole value, serialized.

    Plain Python with no Qt call, so that it runs on the worker thread, with the page query,
    without handing the GIL back and forth.
    """
    parts: list[bytes] = []
    for number, row in enumerate(rows):
        for column, roles in enumerate(cell_roles(row, now)):
            bold = _emphasised(row, COLUMNS[column].key)
            parts.append(_CELL.pack(number, column, len(roles) + bold))
            for role, text in roles.items():
                utf16 = text.encode("utf-16-be")
                parts.append(_TEXT_ROLE.pack(role, _QSTRING, 0, len(utf16)))
                parts.append(utf16)
            if bold:
                parts.append(_ROLE.pack(_FONT))
                parts.append(emphasis)
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class _LoadedPage:
    """A page as the worker hands it over: its rows, next key, and its cells encoded."""

    rows: Sequence[RowLike]
    next_key: Any | None
    cells: bytes


class TicketTableModel(QStandardItemModel):
    """Tickets, one row each, loaded a page at a time from a :data:`PageSource`.

    At most one page is in flight; a page of a source that was replaced while it ran is
    dropped when it arrives (each source has a generation number). After a failed page the
    model stops asking until :meth:`retry` or :meth:`reset_source`, so a broken connection
    does not turn scrolling into a stream of failing queries.

    The cells are QStandardItems (enabled, selectable, never editable), so a view's paint
    never calls into Python. A page arrives as one ``rowsInserted`` (with every row counted
    and :meth:`row_ref` answering); its cells are filled right after, in the same call,
    before the view paints. A source change is one ``modelReset``.

    Signals:
        loading_changed(bool): a page request started (True) or ended (False).
        load_failed(str): a page failed; the sentence says why.
        sort_requested(str, bool): the view asked for a sort (column key, descending);
            the owner builds a source that sorts in the database and calls reset_source.
    """

    loading_changed = Signal(bool)
    load_failed = Signal(str)
    sort_requested = Signal(str, bool)

    def __init__(
        self,
        runner: TaskRunner,
        page_size: int = PAGE_SIZE,
        now: Callable[[], datetime] = local_now,
        sortable: Collection[str] = SORTABLE_KEYS,
        parent: QObject | None = None,
    ) -> None:
        """``sortable``: the column keys the page sources can sort by; clicks on other
        headers ask for nothing. ``now`` dates the "Opened" cells of each page."""
        super().__init__(0, len(COLUMNS), parent)
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        unknown = set(sortable) - set(COLUMN_KEYS)
        if unknown:
            raise ValueError(f"Not a column: {', '.join(sorted(unknown))}")
        self._runner = runner
        self._page_size = page_size
        self._sortable = frozenset(sortable)
        self._now = now
        self._rows: list[RowLike] = []
        self._source: PageSource | None = None
        self._generation = 0
        self._next_key: Any | None = None
        self._has_more = False
        self._loading = False
        self._error = ""
        # Every cell Qt creates for the model is a copy of this one: only its flags matter.
        prototype = QStandardItem()
        prototype.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.setItemPrototype(prototype)
        self.invisibleRootItem().setFlags(Qt.ItemFlag.NoItemFlags)
        self._label_columns()
        bold = QFont()
        bold.setBold(True)
        self._emphasis = _serialized(bold)  # bytes, so the worker never shares a QFont

    def _label_columns(self) -> None:
        """The header's texts live in Qt too: a header repaints with the list it heads."""
        horizontal = Qt.Orientation.Horizontal
        for section, column in enumerate(COLUMNS):
            self.setHeaderData(section, horizontal, column.label, Qt.ItemDataRole.DisplayRole)
            if column.key in self._sortable:
                tooltip = f"Sort by {column.label.lower()}"
                self.setHeaderData(section, horizontal, tooltip, Qt.ItemDataRole.ToolTipRole)
            descending = column.key in _DESCENDING_FIRST
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            self.setHeaderData(
                section, horizontal, order.value, Qt.ItemDataRole.InitialSortOrderRole
            )

    # -- state ---------------------------------------------------------------------------

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def loading(self) -> bool:
        """A page of the current source is being read."""
        return self._loading

    @property
    def has_more(self) -> bool:
        """The current source has rows not loaded yet."""
        return self._has_more

    @property
    def error(self) -> str:
        """Why the last page failed; "" when it did not."""
        return self._error

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(COLUMNS) and COLUMNS[column].key in self._sortable

    def row_ref(self, row: int) -> str:
        """The ticket reference shown in ``row``."""
        return self._rows[row].ref

    def ticket_at(self, row: int) -> RowLike:
        return self._rows[row]

    # -- loading -------------------------------------------------------------------------

    def reset_source(self, source: PageSource | None) -> None:
        """Forget every row and start reading ``source`` from its first page.

        Called when the queue, the search or the sort changes; a page of the previous
        source that is still running is ignored when it arrives.
        """
        self._generation += 1
        self.beginResetModel()
        # Inside the reset the view hears one modelReset, not the removal of every row; the
        # columns stay, and with them the header's widths.
        with QSignalBlocker(self):
            self.setRowCount(0)
        self._rows = []
        self._source = source
        self._next_key = None
        self._has_more = source is not None
        self._error = ""
        self.endResetModel()
        if source is None:
            self._set_loading(False)
        else:
            self._request_page(source)

    def retry(self) -> None:
        """After a failed page: ask for it again, keeping the rows already loaded."""
        if self._error and self._source is not None and not self._loading:
            self._error = ""
            self._request_page(self._source)

    def canFetchMore(self, parent: AnyIndex = _ROOT) -> bool:  # noqa: N802
        return not parent.isValid() and self._has_more and not self._loading and not self._error

    def fetchMore(self, parent: AnyIndex = _ROOT) -> None:  # noqa: N802
        if self.canFetchMore(parent) and self._source is not None:
            self._request_page(self._source)

    def redate(self) -> None:
        """Show the "Opened" cells as of now: after midnight yesterday's ``14:05`` gains its
        date. Only rows opened within the last two days can read differently."""
        now = self._now()
        since = now - timedelta(days=2)
        column = COLUMN_KEYS.index("created_at")
        label = COLUMNS[column].label
        for number, row in enumerate(self._rows):
            if row.created_at < since:
                continue
            shown = short_local_time(row.created_at, now)
            item = self.item(number, column)
            if item is not None and item.text() != shown:
                item.setData(shown, Qt.ItemDataRole.DisplayRole)
                item.setData(f"{label}: {shown}", Qt.ItemDataRole.AccessibleTextRole)

    def _request_page(self, source: PageSource) -> None:
        self._set_loading(True)
        after, limit, now, emphasis = self._next_key, self._page_size, self._now(), self._emphasis

        def read() -> _LoadedPage:
            page = source(after, limit)
            rows = list(page.rows)
            return _LoadedPage(rows, page.next_key, encode_cells(rows, now, emphasis))

        self._runner.run_task(
            read, partial(self._page_arrived, self._generation), self, label="Loading tickets"
        )

    def _page_arrived(
        self, generation: int, page: _LoadedPage | None, error: BaseException | None
    ) -> None:
        if generation != self._generation:
            return  # the source was replaced while this page ran: its rows belong nowhere
        if error is not None or page is None:
            self._fail(str(error) or type(error).__name__)
            return
        if page.rows and not self._append(page):
            self._fail("The ticket list could not take this page")
            return
        self._next_key = page.next_key
        # An empty page with a key would make every scroll ask again for nothing.
        self._has_more = page.next_key is not None and bool(page.rows)
        self._set_loading(False)

    def _append(self, page: _LoadedPage) -> bool:
        """Qt decodes the cells and inserts the rows: one call, one rowsInserted."""
        first = len(self._rows)
        self._rows.extend(page.rows)  # first, so the rowsInserted slots can ask row_ref
        mime = QMimeData()
        # The format QAbstractItemModel::dropMimeData decodes: the first of mimeTypes().
        mime.setData(self.mimeTypes()[0], page.cells)
        if self.dropMimeData(mime, Qt.DropAction.CopyAction, first, 0, _ROOT):
            return True
        del self._rows[first:]
        return False

    def _fail(self, reason: str) -> None:
        self._error = reason
        self._set_loading(False)
        self.load_failed.emit(reason)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # -- sorting -------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask for a sort; the rows stay as they are until the new source's first page."""
        if self.is_sortable(column):
            self.sort_requested.emit(COLUMNS[column].key, order == Qt.SortOrder.DescendingOrder)
