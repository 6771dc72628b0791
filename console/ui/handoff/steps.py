"""The "what was already tried" list of the handoff form: one row per step, action and outcome.

Rows come from the playbook transcript (prefilled, with the time of the step) or from the
agent. A prefilled step the agent removed stays removed: prefilling again (after more
troubleshooting) only adds steps the list has never had.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.handoff import TriedStep

StepKey = tuple[str, str]
"""A prefilled step as the transcript gave it: (action, time)."""


class StepRow(QWidget):
    """One step: what was tried, what happened, and a button that removes it."""

    def __init__(self, step: TriedStep, origin: StepKey | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.at = step.at
        self.origin = origin
        self.action = QLineEdit(step.action)
        self.action.setPlaceholderText("What was tried")
        self.outcome = QLineEdit(step.outcome)
        self.outcome.setPlaceholderText("What happened")
        self.remove = QToolButton()
        self.remove.setText("Remove")
        for edit in (self.action, self.outcome):
            edit.setCursorPosition(0)  # long prompts read from their start
            edit.setToolTip(edit.text())
        if step.at:
            self.setToolTip(f"Recorded {step.at}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.action, 3)
        layout.addWidget(self.outcome, 2)
        layout.addWidget(self.remove)

    def step(self) -> TriedStep:
        return TriedStep(self.action.text().strip(), self.outcome.text().strip(), self.at)

    def number(self, n: int) -> None:
        self.action.setObjectName(f"handoff_step_{n}_action")
        self.outcome.setObjectName(f"handoff_step_{n}_outcome")
        self.remove.setObjectName(f"handoff_step_{n}_remove")
        self.action.setAccessibleName(f"Step {n}: what was tried")
        self.outcome.setAccessibleName(f"Step {n}: what happened")
        self.remove.setAccessibleName(f"Remove step {n}")


class TriedStepsEditor(QWidget):
    """An editable list of :class:`TriedStep`.

    Signals:
        changed(): the agent typed in a step, added one or removed one (not on
            :meth:`set_state` or :meth:`merge`, which the form announces itself).
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[StepRow] = []
        self._dismissed: set[StepKey] = set()
        self.add_button = QPushButton("Add step")
        self.add_button.setObjectName("handoff_add_step")
        self.add_button.setAccessibleName("Add a step that was tried")
        self.add_button.clicked.connect(lambda: self.add_step(focus=True))
        self.empty = QLabel("Nothing recorded yet: add what was tried and what happened.")
        self.empty.setWordWrap(True)
        header = QHBoxLayout()
        header.addWidget(self.empty, 1)
        header.addStretch(0)
        header.addWidget(self.add_button)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addLayout(self._rows_layout)

    # -- reading and writing -----------------------------------------------------------

    def steps(self) -> tuple[TriedStep, ...]:
        """The steps with something in "what was tried", in the order shown."""
        return tuple(step for row in self.rows if (step := row.step()).action)

    def merge(self, steps: Iterable[TriedStep]) -> bool:
        """Add the prefilled ``steps`` the list never had; returns whether any was added."""
        known = {row.origin for row in self.rows} | self._dismissed
        added = False
        for step in steps:
            key = (step.action, step.at)
            if step.action.strip() and key not in known:
                self._append(step, key)
                known.add(key)
                added = True
        if added:
            self._renumber()
        return added

    def state(self) -> dict[str, Any]:
        return {
            "rows": [
                {
                    "action": row.action.text(),
                    "outcome": row.outcome.text(),
                    "at": row.at,
                    "origin": list(row.origin) if row.origin else None,
                }
                for row in self.rows
            ],
            "dismissed": sorted([list(key) for key in self._dismissed]),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        for row in list(self.rows):
            self._drop(row)
        rows = state.get("rows")
        for data in rows if isinstance(rows, list) else ():
            if isinstance(data, Mapping):
                step = TriedStep(
                    str(data.get("action", "")),
                    str(data.get("outcome", "")),
                    str(data.get("at", "")),
                )
                self._append(step, _key(data.get("origin")))
        dismissed = state.get("dismissed")
        self._dismissed = {
            key
            for item in (dismissed if isinstance(dismissed, list) else ())
            if (key := _key(item))
        }
        self._renumber()

    # -- agent actions -------------------------------------------------------------------

    def add_step(self, *, focus: bool = False) -> StepRow:
        """An empty row at the end; with ``focus`` the cursor goes to its action."""
        row = self._append(TriedStep(""), None)
        self._renumber()
        if focus:
            row.action.setFocus()
        self.changed.emit()
        return row

    def remove_step(self, row: StepRow) -> None:
        index = self.rows.index(row)
        if row.origin is not None:
            self._dismissed.add(row.origin)
        self._drop(row)
        self._renumber()
        following = self.rows[index] if index < len(self.rows) else None
        (following.action if following is not None else self.add_button).setFocus()
        self.changed.emit()

    def incomplete_widget(self) -> QWidget:
        """Where to type the missing step: the first row without an action, else the first
        row, else the add button."""
        empty = [row for row in self.rows if not row.action.text().strip()]
        rows = empty or self.rows
        return rows[0].action if rows else self.add_button

    # -- internals -------------------------------------------------------------------------

    def _append(self, step: TriedStep, origin: StepKey | None) -> StepRow:
        row = StepRow(step, origin, self)
        row.action.textEdited.connect(row.action.setToolTip)
        row.outcome.textEdited.connect(row.outcome.setToolTip)
        row.action.textEdited.connect(self._edited)
        row.outcome.textEdited.connect(self._edited)
        row.remove.clicked.connect(lambda: self.remove_step(row))
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        row.show()  # now, not on the next event loop pass: the cursor may go there at once
        return row

    def _drop(self, row: StepRow) -> None:
        self.rows.remove(row)
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()

    def _renumber(self) -> None:
        previous: QWidget = self.add_button
        for n, row in enumerate(self.rows, 1):
            row.number(n)
            # New rows join the end of the window's focus chain; put them after "Add step".
            for widget in (row.action, row.outcome, row.remove):
                QWidget.setTabOrder(previous, widget)
                previous = widget
        self.empty.setVisible(not self.rows)

    def _edited(self, _text: str) -> None:
        self.changed.emit()


def _key(value: object) -> StepKey | None:
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        return (str(value[0]), str(value[1]))
    return None
