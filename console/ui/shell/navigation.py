"""The list of queues on the left of the window, each with an optional count badge."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

KEY_ROLE = Qt.ItemDataRole.UserRole
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
SHORTCUT_COUNT = 6
BADGE_LIMIT = 999


def badge_text(count: int) -> str:
    return f"{BADGE_LIMIT}+" if count > BADGE_LIMIT else str(count)


class Navigation(QListWidget):
    """The queues this agent sees, as ``(key, label)`` pairs in the order given.

    Ctrl+1 … Ctrl+6 pick the first six. The shortcuts live on ``shortcut_host`` when one is
    given (the main window, so they work while a ticket tab hides this list), else on the
    list itself.

    Signals:
        view_selected(str): the agent picked a queue (also when a shortcut picks the queue
            already shown, so the window can bring the list back to the front).
    """

    view_selected = Signal(str)

    def __init__(
        self,
        views: Sequence[tuple[str, str]],
        *,
        shortcut_host: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if not views:
            raise ValueError("Navigation needs at least one queue")
        self.setObjectName("navigation")
        self.setAccessibleName("Queues")
        self.setItemDelegate(_BadgeDelegate(self))
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self._keys: list[str] = []
        self._labels: dict[str, str] = {}
        for key, label in views:
            if key in self._labels:
                raise ValueError(f"Queue '{key}' is listed twice")
            item = QListWidgetItem(label)
            item.setData(KEY_ROLE, key)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, label)
            self.addItem(item)
            self._keys.append(key)
            self._labels[key] = label
        self.setCurrentRow(0)
        self.currentRowChanged.connect(self._row_changed)
        host = shortcut_host or self
        self._shortcuts: list[QShortcut] = []
        for number in range(1, min(SHORTCUT_COUNT, len(self._keys)) + 1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), host)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda row=number - 1: self._pick(row))
            self._shortcuts.append(shortcut)

    def view_keys(self) -> list[str]:
        return list(self._keys)

    def label_of(self, key: str) -> str:
        return self._labels[key]

    def current_key(self) -> str:
        return self._keys[max(self.currentRow(), 0)]

    def select_view(self, key: str) -> None:
        """Show ``key`` as the current queue; emits ``view_selected`` if it changed."""
        self.setCurrentRow(self._keys.index(key))

    def set_count(self, key: str, count: int | None) -> None:
        """Show ``count`` in the queue's badge; None or a negative count hides it."""
        item = self.item(self._keys.index(key))
        label = self._labels[key]
        if count is None or count < 0:
            item.setData(COUNT_ROLE, None)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, label)
            item.setToolTip("")
            return
        noun = "ticket" if count == 1 else "tickets"
        item.setData(COUNT_ROLE, count)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{label}, {count} {noun}")
        item.setToolTip(f"{count} {noun}")

    def count_of(self, key: str) -> int | None:
        value = self.item(self._keys.index(key)).data(COUNT_ROLE)
        return value if isinstance(value, int) else None

    def shortcuts(self) -> list[tuple[str, str]]:
        return [
            (f"Ctrl+{n}", f"Show {self._labels[key]}")
            for n, key in enumerate(self._keys[:SHORTCUT_COUNT], start=1)
        ]

    def _pick(self, row: int) -> None:
        if row == self.currentRow():
            self.view_selected.emit(self._keys[row])
        else:
            self.setCurrentRow(row)  # emits through currentRowChanged

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self._keys):
            self.view_selected.emit(self._keys[row])


class _BadgeDelegate(QStyledItemDelegate):
    """Draws the count as a small rounded badge at the right edge of the item."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        count = index.data(COUNT_ROLE)
        if not isinstance(count, int):
            return
        text = badge_text(count)
        palette = option.palette
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        font = option.font
        font.setBold(True)
        metrics = option.fontMetrics
        width = metrics.horizontalAdvance(text) + metrics.height()
        height = metrics.height() + 2
        badge = QRect(rect.right() - width - 6, rect.center().y() - height // 2 + 1, width, height)
        # Inverted against the row, so the badge stands out both on a selected row and not.
        fill = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
        ink = QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.HighlightedText
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.color(fill))
        painter.drawRoundedRect(badge, height / 2, height / 2)
        painter.setFont(font)
        painter.setPen(palette.color(ink))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(  # noqa: N802
        self,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QSize:
        size = super().sizeHint(option, index)
        count = index.data(COUNT_ROLE)
        if isinstance(count, int):
            metrics = option.fontMetrics
            size.setWidth(
                size.width() + metrics.horizontalAdvance(badge_text(count)) + metrics.height() + 12
            )
        return size
