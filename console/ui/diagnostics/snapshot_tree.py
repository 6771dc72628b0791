"""A read-only Qt tree model over a JSON tree (a diagnostics snapshot): field and value.

Rows are made when a branch is first opened, so a snapshot with long process lists shows at
once. Redaction placeholders (``[REDACTED:password]``) are set in bold, so the agent sees at a
glance what was taken out before the snapshot leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, overload

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

FIELD, VALUE = 0, 1
HEADERS = ("Field", "Value")
REDACTED_MARK = "[REDACTED:"
_LONG = 200
"""Characters of a value shown in the cell; the tooltip has the rest."""

Index = QModelIndex | QPersistentModelIndex


class _Node:
    __slots__ = ("_children", "key", "parent", "row", "value")

    def __init__(self, key: str, value: Any, parent: _Node | None, row: int) -> None:
        self.key = key
        self.value = value
        self.parent = parent
        self.row = row
        self._children: list[_Node] | None = None

    @property
    def children(self) -> list[_Node]:
        if self._children is None:
            self._children = [
                _Node(key, value, self, row) for row, (key, value) in enumerate(_items(self.value))
            ]
        return self._children

    @property
    def is_branch(self) -> bool:
        return isinstance(self.value, dict | list) and bool(self.value)


class SnapshotTreeModel(QAbstractItemModel):
    """Two columns, Field and Value; dicts and lists are branches, everything else a leaf.

    :meth:`set_snapshot` replaces the whole tree; the model never edits what it shows.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("", {}, None, 0)

    def set_snapshot(self, snapshot: dict[str, Any] | None) -> None:
        self.beginResetModel()
        self._root = _Node("", snapshot or {}, None, 0)
        self.endResetModel()

    def snapshot(self) -> dict[str, Any]:
        value = self._root.value
        return value if isinstance(value, dict) else {}

    def path(self, index: Index) -> str:
        """The dotted path of a row (``network.interfaces.0.name``), for tests and copying."""
        parts: list[str] = []
        node: _Node | None = self._node(index)
        while node is not None and node is not self._root:
            parts.append(node.key)
            node = node.parent
        return ".".join(reversed(parts))

    def find(self, path: str) -> QModelIndex:
        """The index of the row at a dotted path, or an invalid index."""
        index = QModelIndex()
        for key in path.split(".") if path else []:
            node = self._node(index)
            match = next((child for child in node.children if child.key == key), None)
            if match is None:
                return QModelIndex()
            index = self.createIndex(match.row, FIELD, match)
        return index

    def leaf_texts(self) -> Iterator[str]:
        """Every leaf's value as shown (the whole text, not cut), in tree order."""
        stack = [self._root]
        while stack:
            node = stack.pop()
            if node.is_branch:
                stack.extend(reversed(node.children))
            elif node is not self._root:
                yield _text(node.value)

    # -- QAbstractItemModel -------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column not in (FIELD, VALUE) or row < 0:
            return QModelIndex()
        children = self._node(parent).children
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, index: Index, /) -> QModelIndex: ...
    def parent(self, index: Index | None = None) -> QObject | QModelIndex | None:
        if index is None:  # QObject.parent(), which shares the name
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, FIELD, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        if parent.isValid() and parent.column() != FIELD:
            return 0
        node = self._node(parent)
        return len(node.children) if node.is_branch or node is self._root else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's name
        return len(HEADERS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt's name
        if not parent.isValid():
            return bool(self._root.children)
        return parent.column() == FIELD and self._node(parent).is_branch

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == FIELD:
                return node.key
            text = _summary(node.value) if node.is_branch else _text(node.value)
            return text if len(text) <= _LONG else text[: _LONG - 1] + "…"
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == VALUE:
            return None if node.is_branch else _text(node.value)
        if role == Qt.ItemDataRole.FontRole and _redacted(node.value):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{node.key}: {_summary(node.value) if node.is_branch else _text(node.value)}"
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

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _node(self, index: Index) -> _Node:
        if not index.isValid():
            return self._root
        node = index.internalPointer()
        assert isinstance(node, _Node)
        return node


def _items(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(str(key), item) for key, item in value.items()]
    if isinstance(value, list):
        return [(str(number), item) for number, item in enumerate(value)]
    return []


def _summary(value: Any) -> str:
    count = len(value)
    if isinstance(value, dict):
        return f"{{{count} field{'s' if count != 1 else ''}}}"
    return f"[{count} item{'s' if count != 1 else ''}]"


def _text(value: Any) -> str:
    """A leaf as JSON would spell it, strings without quotes."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return str(value)


def _redacted(value: Any) -> bool:
    return isinstance(value, str) and REDACTED_MARK in value
