"""After a crash or a power cut: the offer to restore what the last session left.

A banner over the tickets, not a modal question: the agent may be on a call when the app
starts again.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

SHOWN = 5
"""Drafts named in the sentence; the rest are counted."""


class RecoveryBanner(QFrame):
    """Says what can be restored, with Restore drafts and Dismiss.

    Signals:
        restore_requested(): the agent chose to open them again.
    """

    restore_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.text = QLabel("")
        self.text.setWordWrap(True)
        self.restore_button = QPushButton("Restore drafts")
        self.restore_button.setObjectName("restore_drafts")
        self.restore_button.setAccessibleName("Restore drafts")
        self.restore_button.clicked.connect(self.restore_requested)
        dismiss = QPushButton("Dismiss")
        dismiss.setAccessibleName("Dismiss the restore offer")
        dismiss.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.addWidget(self.text, 1)
        row.addWidget(self.restore_button)
        row.addWidget(dismiss)
        self.hide()

    def offer(self, labels: Sequence[str], crashed: bool) -> None:
        """Show the offer: drafts of tickets a crashed session was working on (``crashed``),
        or only intake typed last time and never opened."""
        listed = ", ".join(labels[:SHOWN])
        if len(labels) > SHOWN:
            listed += f" and {len(labels) - SHOWN} more"
        if crashed:
            said = (
                f"Agent Console stopped unexpectedly while you were working on {listed}. "
                "Everything up to two seconds before was saved."
            )
        else:
            said = f"Last time you began {listed} without opening it."
        self.text.setText(said)
        self.show()
        self.restore_button.setFocus()
