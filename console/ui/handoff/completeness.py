"""The completeness meter beside the handoff form: a score and the list of what is missing.

Each missing item names the form field it is about (:attr:`Gap.field`); activating it (click,
Enter) asks the form to put the cursor there, so the agent never hunts for a field.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from console.domain.handoff import GateResult


class CompletenessMeter(QWidget):
    """Shows a :class:`GateResult`: the score as a progress bar, then one item per gap.

    Signals:
        gap_activated(str): the agent clicked (or pressed Enter on) a gap; the argument is
            its field, as :attr:`console.domain.handoff.Gap.field` names it.
    """

    gap_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shown: GateResult | None = None
        self.bar = QProgressBar()
        self.bar.setObjectName("completeness_bar")
        self.bar.setAccessibleName("Handoff completeness")
        self.bar.setRange(0, 100)
        self.bar.setFormat("%p% complete")
        self.status = QLabel("")
        self.status.setObjectName("completeness_status")
        self.status.setAccessibleName("Completeness status")
        self.status.setWordWrap(True)
        bold = self.status.font()
        bold.setBold(True)
        self.status.setFont(bold)
        self.gaps = QListWidget()
        self.gaps.setObjectName("completeness_gaps")
        self.gaps.setAccessibleName("What is missing (activate an item to go to its field)")
        self.gaps.setWordWrap(True)
        self.gaps.itemClicked.connect(self._activated)
        self.gaps.itemActivated.connect(self._activated)
        layout = self._column = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.gaps, 1)
        layout.addStretch(0)

    def show_result(self, result: GateResult) -> None:
        """Show ``result``; the list keeps the gate's order (the order of the form)."""
        # Most keystrokes change nothing the gate sees: keep the list (and its current item).
        if result == self._shown:
            return
        self._shown = result
        self.bar.setValue(result.score)
        if result.passed:
            self.status.setText("Complete: ready to submit")
        else:
            missing = len(result.gaps)
            self.status.setText(f"{missing} thing{'s' if missing != 1 else ''} missing")
        self.gaps.clear()
        for gap in result.gaps:
            item = QListWidgetItem(gap.message)
            item.setData(Qt.ItemDataRole.UserRole, gap.field)
            item.setToolTip("Go to the field")
            self.gaps.addItem(item)
        self.gaps.setVisible(not result.passed)
        # The stretch after the list takes its room when it hides, keeping the text on top.
        self._column.setStretch(self._column.count() - 1, 1 if result.passed else 0)

    def fields(self) -> list[str]:
        """The fields of the gaps shown, in order."""
        return [
            str(self.gaps.item(n).data(Qt.ItemDataRole.UserRole)) for n in range(self.gaps.count())
        ]

    def _activated(self, item: QListWidgetItem) -> None:
        self.gap_activated.emit(str(item.data(Qt.ItemDataRole.UserRole)))
