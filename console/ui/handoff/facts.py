"""The facts of the handoff form: the playbook's required facts first, then the rest it set.

Keys are fixed (they are the playbook's vocabulary); values are editable, so the agent can fill
a required fact the run never reached, or correct one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QWidget


class FactsGrid(QWidget):
    """A key/value grid of facts.

    Signals:
        changed(): the agent edited a value (not on :meth:`set_facts` or :meth:`merge`).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits: dict[str, QLineEdit] = {}
        self._required: tuple[str, ...] = ()
        self._labels: list[QLabel] = []
        self._anchor: QWidget | None = None
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setColumnStretch(1, 1)
        self.empty = QLabel("The playbook recorded no facts.")
        self._grid.addWidget(self.empty, 0, 0, 1, 2)

    def set_tab_anchor(self, widget: QWidget) -> None:
        """Rows follow ``widget`` in the tab order (they are made after the rest of the form)."""
        self._anchor = widget

    def required(self) -> tuple[str, ...]:
        return self._required

    def typed(self) -> dict[str, str]:
        """Every fact shown, exactly as typed (empty ones too): what a draft keeps."""
        return {key: edit.text() for key, edit in self.edits.items()}

    def values(self) -> dict[str, str]:
        """Every fact with a value, as typed (surrounding spaces removed)."""
        return {key: text for key, edit in self.edits.items() if (text := edit.text().strip())}

    def set_facts(self, required: Sequence[str], facts: Mapping[str, str]) -> None:
        """Show ``required`` facts (marked) and then the other ``facts``, replacing all rows."""
        self._required = tuple(dict.fromkeys(required))
        self._rebuild({key: str(facts.get(key, "")) for key in self._keys(facts)})

    def merge(self, required: Sequence[str], facts: Mapping[str, str]) -> bool:
        """Add required facts and fill empty values from ``facts``; never change a value the
        grid already has. Returns whether anything changed."""
        values = self.typed()
        merged_required = tuple(dict.fromkeys((*self._required, *required)))
        changed = merged_required != self._required
        self._required = merged_required
        for key, value in facts.items():
            if value.strip() and not values.get(key, "").strip():
                values[key] = value
                changed = True
        if changed:
            self._rebuild({key: values.get(key, "") for key in self._keys(values)})
        return changed

    def edit_for(self, name: str) -> QLineEdit | None:
        """The input of fact ``name``, if the grid shows it."""
        return self.edits.get(name)

    def _edited(self, _text: str) -> None:
        self.changed.emit()

    def _keys(self, facts: Mapping[str, str]) -> list[str]:
        others = sorted(key for key in facts if key not in self._required)
        return [*self._required, *others]

    def _rebuild(self, values: Mapping[str, str]) -> None:
        for widget in [*self._labels, *self.edits.values()]:
            self._grid.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self._labels.clear()
        self.edits.clear()
        previous = self._anchor
        for row, (key, value) in enumerate(values.items(), 1):
            required = key in self._required
            label = QLabel(f"{key} (required)" if required else key)
            if required:
                font = label.font()
                font.setBold(True)
                label.setFont(font)
            edit = QLineEdit(value)
            edit.setObjectName(f"handoff_fact_{key}")
            edit.setAccessibleName(f"Fact {key}" + (" (required)" if required else ""))
            edit.textEdited.connect(self._edited)
            label.setBuddy(edit)
            self._grid.addWidget(label, row, 0)
            self._grid.addWidget(edit, row, 1)
            label.show()  # now, not on the next event loop pass: a gap may focus the edit
            edit.show()
            self._labels.append(label)
            self.edits[key] = edit
            if previous is not None:
                QWidget.setTabOrder(previous, edit)
            previous = edit
        self.empty.setVisible(not values)
