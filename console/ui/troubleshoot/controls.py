"""What stays below the node on the troubleshooting panel: Back, Add note with its note line,
the note waiting for the current step, and the panel's one-sentence messages."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.ui.troubleshoot.views import ReturnLineEdit


class StepControls(QWidget):
    """Back and Add note, the note line (hidden until opened), the pending note and a notice.

    Signals:
        back_requested(): Back was pressed.
        note_requested(): Add note was pressed (the panel decides whether the line opens).
        note_entered(str): the agent attached the note typed (Enter or "Attach note").
        note_closed(): the note line closed (Escape, or after attaching).
    """

    back_requested = Signal()
    note_requested = Signal()
    note_entered = Signal(str)
    note_closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending_note = self._label("troubleshoot_pending_note", "Note waiting for this step")
        self.notice = self._label("troubleshoot_notice", "Troubleshooting message")
        self.note_edit = ReturnLineEdit()
        self.note_edit.setObjectName("troubleshoot_note")
        self.note_edit.setAccessibleName("Note on this step")
        self.note_edit.setPlaceholderText("A note on this step (Enter attaches, Escape closes)")
        self.note_edit.returnPressed.connect(self._enter_note)
        attach = self._button("Attach note", "troubleshoot_attach_note", "Attach note")
        attach.clicked.connect(self._enter_note)
        escape = QShortcut(QKeySequence("Escape"), self.note_edit)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.close_note)
        self.note_row = QWidget()
        note_layout = QHBoxLayout(self.note_row)
        note_layout.setContentsMargins(0, 0, 0, 0)
        note_layout.addWidget(self.note_edit, 1)
        note_layout.addWidget(attach)
        self.note_row.hide()
        self.back = self._button("Back (Alt+Left)", "troubleshoot_back", "Back: undo the last step")
        self.back.clicked.connect(self.back_requested)
        self.add_note = self._button(
            "Add note (Ctrl+Shift+N)", "troubleshoot_add_note", "Add a note to this step"
        )
        self.add_note.clicked.connect(self.note_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back)
        buttons.addWidget(self.add_note)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.pending_note, self.notice, self.note_row):
            layout.addWidget(widget)
        layout.addLayout(buttons)

    def say(self, message: str) -> None:
        """Show ``message`` (one sentence), or nothing for ""."""
        self.notice.setText(message)
        self.notice.setVisible(bool(message))

    def show_pending(self, note: str | None) -> None:
        self.pending_note.setText(f"Note on this step: {note}" if note else "")
        self.pending_note.setVisible(bool(note))

    def set_actions(self, *, back: bool, note: bool) -> None:
        self.back.setEnabled(back)
        self.add_note.setEnabled(note)

    def open_note(self) -> None:
        self.note_row.show()
        self.note_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_note(self) -> None:
        self.note_edit.clear()
        self.note_row.hide()
        self.note_closed.emit()

    def _enter_note(self) -> None:
        self.note_entered.emit(self.note_edit.text())

    @staticmethod
    def _label(name: str, accessible: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setWordWrap(True)
        label.hide()
        return label

    @staticmethod
    def _button(text: str, name: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        return button
