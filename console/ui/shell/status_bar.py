"""The window's status bar: where tickets are stored, whether that store answers, what waits
in the outbox, the current ticket's SLA clock, and what is running in the background."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from console.domain.sla import ClockState, SlaReading


class DeskStatusBar(QStatusBar):
    """Permanent labels, each with an accessible name so a screen reader can find it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.activity = QLabel("")
        self.activity.setObjectName("status_activity")
        self.message = QLabel("")
        self.message.setObjectName("status_message")
        self.message.setAccessibleName("Last message")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: background work has no known length
        self.busy.setMaximumWidth(90)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.store = self._label("store", "Store")
        self.connection = self._label("connection", "Connection")
        self.outbox = self._label("outbox", "Outbox")
        self.sla = self._label("sla", "SLA clock of the open ticket")
        self.addWidget(self.busy)
        self.addWidget(self.activity)
        self.addWidget(self.message, 1)
        for label in (self.sla, self.outbox, self.connection, self.store):
            self.addPermanentWidget(label)

    def _label(self, name: str, accessible: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(f"status_{name}")
        label.setAccessibleName(accessible)
        return label

    def set_store(self, team_mode: bool, display: str) -> None:
        self.store.setText(f"Team store: {display}" if team_mode else "Local store")
        self.store.setToolTip(display)

    def set_connection(self, connected: bool, detail: str = "") -> None:
        """``detail``: why the store is unreachable, in one sentence."""
        self.connection.setText("Connected" if connected else "Offline")
        self.connection.setToolTip(detail)
        self._emphasise(self.connection, not connected)

    def set_outbox(self, waiting: int, last_error: str = "") -> None:
        if waiting:
            self.outbox.setText(f"{waiting} waiting to send")
        else:
            self.outbox.setText("Outbox empty")
        self.outbox.setToolTip(last_error)
        self._emphasise(self.outbox, bool(waiting and last_error))

    def set_sla(self, reading: SlaReading | None) -> None:
        self.sla.setText("" if reading is None else reading.text())
        self._emphasise(
            self.sla,
            reading is not None and reading.state in (ClockState.WARNING, ClockState.BREACHED),
        )

    def set_activity(self, label: str) -> None:
        """What runs in the background now ("" when nothing does)."""
        self.activity.setText(label)

    def say(self, text: str) -> None:
        """A message for the agent (an export done, the store back online); it stays until
        the next one."""
        self.message.setText(text)
        self.message.setToolTip(text)

    def set_busy(self, running: int) -> None:
        self.busy.setVisible(running > 0)

    @staticmethod
    def _emphasise(label: QLabel, on: bool) -> None:
        # Weight, not colour: it reads in light and dark palettes alike.
        font = QFont(label.font())
        font.setBold(on)
        label.setFont(font)
