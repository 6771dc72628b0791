"""Compare two captures of a ticket: the facts that changed, as a table of fact, before, after.

The diff itself is :func:`console.diagnostics.diff.diff` (counters and samples left out); this
module shows its result and lets the agent pick the two captures.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.ui.diagnostics.preview import describe_capture

if TYPE_CHECKING:
    from console.diagnostics.diff import Change
    from console.services.capture import CaptureInfo
    from console.ui.common.tasks import TaskRunner

Compare = Callable[[int, int], list["Change"]]
"""The changed facts between two captures, by id (loads both from the store: slow)."""

HEADERS = ("Fact", "Before", "After")
ABSENT = "(absent)"
Index = QModelIndex | QPersistentModelIndex


class DiffTableModel(QAbstractTableModel):
    """Read-only rows of (fact, before, after), one per :class:`Change`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._changes: list[Change] = []

    def set_changes(self, changes: Sequence[Change]) -> None:
        self.beginResetModel()
        self._changes = list(changes)
        self.endResetModel()

    def changes(self) -> list[Change]:
        return list(self._changes)

    def row_texts(self) -> list[tuple[str, str, str]]:
        """Every row as shown, for tests and for copying."""
        return [
            tuple(self._text(row, column) for column in range(len(HEADERS)))  # type: ignore[misc]
            for row in range(len(self._changes))
        ]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return 0 if parent.isValid() else len(self._changes)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._changes):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(index.row(), index.column())
        return None

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(HEADERS)
        ):
            return HEADERS[section]
        return None

    def _text(self, row: int, column: int) -> str:
        change = self._changes[row]
        if column == 0:
            return change.path
        if column == 1:
            return ABSENT if change.kind == "added" else _value(change.before)
        return ABSENT if change.kind == "removed" else _value(change.after)


class CaptureDiffView(QWidget):
    """Two pickers (before, after) over a ticket's captures and the table of what changed.

    Until the agent picks, the newest capture is compared with the one before it. Each new
    pair is compared through the task runner; only the newest comparison is shown.

    Signals:
        selection_changed(): the agent picked another capture in either box (not emitted by
            :meth:`set_captures` or :meth:`select`).
    """

    selection_changed = Signal()

    def __init__(self, runner: TaskRunner, compare: Compare, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._compare = compare
        self._requests = itertools.count(1)
        self._latest = 0
        self._count = 0
        self.model = DiffTableModel(self)
        self._chosen = False
        self.before = QComboBox()
        self.before.setObjectName("diagnostics_diff_before")
        self.before.setAccessibleName("Capture before")
        self.after = QComboBox()
        self.after.setObjectName("diagnostics_diff_after")
        self.after.setAccessibleName("Capture after")
        for combo in (self.before, self.after):
            # activated: the agent's choice only, never a programmatic change.
            combo.activated.connect(self._picked)
        self.message = QLabel("Capture twice, before and after a fix, to compare.")
        self.message.setObjectName("diagnostics_diff_message")
        self.message.setAccessibleName("Comparison status")
        self.message.setWordWrap(True)
        self.table = QTableView()
        self.table.setObjectName("diagnostics_diff_table")
        self.table.setAccessibleName("Facts that changed")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        form = QFormLayout()
        form.addRow("Before", self.before)
        form.addRow("After", self.after)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

    def set_captures(
        self, captures: Sequence[CaptureInfo], prefer: tuple[int, int] | None = None
    ) -> None:
        """Offer these captures (oldest first) and compare. The pair: ``prefer`` (a restored
        draft), else the agent's choice while both remain, else newest against the one before."""
        before, after = self.selected()
        ids = [c.snapshot_id for c in captures]
        if prefer is not None and set(prefer) <= set(ids):
            self._chosen = True
            before, after = prefer
        elif not (self._chosen and before in ids and after in ids):
            self._chosen = False
            after = ids[-1] if ids else None
            before = ids[-2] if len(ids) > 1 else after
        self._count = len(ids)
        for combo in (self.before, self.after):
            combo.clear()
            for info in reversed(captures):  # newest first: the usual pick
                combo.addItem(describe_capture(info), info.snapshot_id)
        self._set(before, after)
        self.refresh()

    def select(self, before: int | None, after: int | None) -> bool:
        """Pick two captures (a restored draft) and compare them; False when either is not
        offered. Does not emit :attr:`selection_changed`."""
        if self.before.findData(before) < 0 or self.after.findData(after) < 0:
            return False
        self._chosen = True
        self._set(before, after)
        self.refresh()
        return True

    def refresh(self) -> None:
        """Compare the picked pair again (in the background)."""
        self._latest = request = next(self._requests)
        before, after = self.selected()
        if self._count < 2:
            self.show_message("Capture twice, before and after a fix, to compare.")
            return
        if before is None or after is None or before == after:
            self.show_message("Pick two different captures to compare.")
            return
        compare = self._compare
        self._runner.run_task(
            lambda: compare(before, after),
            lambda result, error: self._compared(request, result, error),
            self,
            label="Comparing captures…",
        )

    def selected(self) -> tuple[int | None, int | None]:
        """The ids of the captures picked as before and after (None while there is none)."""
        return _data(self.before), _data(self.after)

    @property
    def chosen(self) -> bool:
        """The agent (or a restored draft) picked the pair, rather than the default."""
        return self._chosen

    def show_changes(self, changes: Sequence[Change]) -> None:
        self.model.set_changes(changes)
        for column in (0, 1):  # the facts and their old values; the new ones take the rest
            self.table.resizeColumnToContents(column)
        count = len(changes)
        self.message.setText(
            f"{count} fact{'s' if count != 1 else ''} changed." if count else "No facts changed."
        )

    def show_message(self, text: str) -> None:
        """Instead of a table: why there is nothing to compare, or what went wrong."""
        self.model.set_changes([])
        self.message.setText(text)

    def _set(self, before: int | None, after: int | None) -> None:
        self.before.setCurrentIndex(self.before.findData(before))
        self.after.setCurrentIndex(self.after.findData(after))

    def _picked(self) -> None:
        self._chosen = True
        self.refresh()
        self.selection_changed.emit()

    def _compared(
        self, request: int, changes: list[Change] | None, error: BaseException | None
    ) -> None:
        if request != self._latest:
            return  # the agent picked another pair meanwhile
        if error is not None or changes is None:
            self.show_message(str(error) or "The captures could not be compared.")
            return
        self.show_changes(changes)


def _data(combo: QComboBox) -> int | None:
    value = combo.currentData()
    return value if isinstance(value, int) else None


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
