"""The small dialogs of the handoff form: a text the agent must write before going on.

Used for the resolution summary ("Resolve at tier 1…") and for a supervisor's reason to submit
past the completeness gate. OK stays disabled while the text is blank: an empty reason is no
reason, and an empty summary teaches the knowledge base nothing.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class RequiredTextDialog(QDialog):
    """Asks for one required text; :meth:`text` is it, stripped, once accepted.

    One line (Enter accepts) or several (``multiline``; Ctrl+Enter accepts, as everywhere).
    """

    def __init__(
        self,
        title: str,
        prompt: str,
        ok_label: str,
        *,
        multiline: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("handoff_text_dialog")
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.line: QLineEdit | None = None
        self.lines: QPlainTextEdit | None = None
        editor: QWidget
        if multiline:
            self.lines = QPlainTextEdit()
            self.lines.setTabChangesFocus(True)
            self.lines.textChanged.connect(self._update)
            editor = self.lines
        else:
            self.line = QLineEdit()
            self.line.textChanged.connect(self._update)
            editor = self.line
        editor.setObjectName("handoff_dialog_text")
        editor.setAccessibleName(prompt)
        label.setBuddy(editor)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok: QPushButton = ok
        self.ok.setText(ok_label)
        self.ok.setObjectName("handoff_dialog_ok")
        self.ok.setAccessibleName(ok_label)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(editor)
        layout.addWidget(buttons)
        # Ctrl+Enter clicks OK, which does nothing while it is disabled (blank text).
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.ok.click)
        self._update()

    def ask(self) -> None:
        """Open (window-modal, without blocking) with an empty text."""
        if self.line is not None:
            self.line.clear()
        if self.lines is not None:
            self.lines.clear()
        self.open()
        (self.line or self.lines or self).setFocus()

    def text(self) -> str:
        if self.line is not None:
            return self.line.text().strip()
        assert self.lines is not None
        return self.lines.toPlainText().strip()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.text()))
