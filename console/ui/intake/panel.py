"""Step 1 of a call, intake: who is calling, how to reach them, and what is wrong.

A vague summary ("Email broken") gets a visible prompt for specifics as the agent types, and
the playbook (with its category) is suggested from the summary; the agent can pick another.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.enums import Category, Channel
from console.ui.common.text import humanize

FIELDS = ("caller", "contact", "client", "site", "summary")
NO_PLAYBOOK = ""


class SuggestionLike(Protocol):
    @property
    def playbook_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def category(self) -> str: ...


class IntakePanel(QWidget):
    """The intake form.

    Signals:
        changed(): the agent edited something.
        open_requested(dict): "Open ticket" (Ctrl+Return) with the form's values; the window
            creates the ticket in the background and calls :meth:`set_opened`.
    """

    changed = Signal()
    open_requested = Signal(dict)

    def __init__(
        self,
        check_summary: Callable[[str], str | None],
        suggest: Callable[[str], Sequence[SuggestionLike]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._check_summary = check_summary
        self._suggest = suggest
        self._restoring = False
        self._ref = ""
        self._opening = False
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        labels = {
            "caller": "Caller",
            "contact": "Contact (phone or email)",
            "client": "Client",
            "site": "Site",
            "summary": "Summary",
        }
        for key in FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"intake_{key}")
            edit.setAccessibleName(labels[key])
            edit.textEdited.connect(self._edited)
            self.edits[key] = edit
            if key == "summary":
                self.channel = QComboBox()
                self.channel.setObjectName("intake_channel")
                self.channel.setAccessibleName("Channel")
                for channel in Channel:
                    self.channel.addItem(humanize(channel.value), channel.value)
                self.channel.currentIndexChanged.connect(self._edited)
                form.addRow("Channel", self.channel)
            form.addRow(labels[key], edit)
        self.vague = QLabel("")
        self.vague.setObjectName("intake_vague")
        emphasis = self.vague.font()
        emphasis.setBold(True)  # weight, not colour: it reads in light and dark palettes
        self.vague.setFont(emphasis)
        self.vague.setWordWrap(True)
        self.vague.setAccessibleName("Summary prompt")
        self.vague.hide()
        form.addRow("", self.vague)
        self.description = QPlainTextEdit()
        self.description.setObjectName("intake_description")
        self.description.setAccessibleName("Details")
        self.description.setPlaceholderText("Anything else the caller said (optional)")
        self.description.setMaximumHeight(90)
        self.description.textChanged.connect(self._edited)
        form.addRow("Details", self.description)
        self.category = QComboBox()
        self.category.setObjectName("intake_category")
        self.category.setAccessibleName("Category")
        for category in Category:
            self.category.addItem(humanize(category.value), category.value)
        self.category.currentIndexChanged.connect(self._edited)
        form.addRow("Category", self.category)
        self.playbooks = QListWidget()
        self.playbooks.setObjectName("intake_playbooks")
        self.playbooks.setAccessibleName("Suggested playbooks")
        self.playbooks.setMaximumHeight(130)
        self.playbooks.currentItemChanged.connect(self._playbook_picked)
        form.addRow("Playbook", self.playbooks)
        self.open_button = QPushButton("Open ticket and start troubleshooting")
        self.open_button.setObjectName("intake_open")
        self.open_button.setAccessibleName("Open ticket")
        self.open_button.clicked.connect(self._request_open)
        self.problem = QLabel("")
        self.problem.setObjectName("intake_problem")
        self.problem.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.open_button)
        layout.addStretch(1)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self, self._request_open)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Suggestions follow the summary, but not on every keystroke.
        self._suggest_timer = QTimer(self, singleShot=True, interval=250)
        self._suggest_timer.timeout.connect(self._refresh_suggestions)
        self._refresh_suggestions()

    # -- the panel contract ------------------------------------------------------------

    def draft_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {key: edit.text() for key, edit in self.edits.items()}
        state["channel"] = self.channel.currentData()
        state["category"] = self.category.currentData()
        state["description"] = self.description.toPlainText()
        state["playbook_id"] = self.playbook_id()
        return state

    def restore_state(self, state: Mapping[str, Any]) -> None:
        self._restoring = True
        try:
            for key, edit in self.edits.items():
                edit.setText(str(state.get(key, "")))
            self.description.setPlainText(str(state.get("description", "")))
            _select_data(self.channel, state.get("channel"))
            self._refresh_suggestions(prefer=str(state.get("playbook_id", "")))
            _select_data(self.category, state.get("category"))
        finally:
            self._restoring = False

    def shortcuts(self) -> list[tuple[str, str]]:
        return [("Ctrl+Return", "Open the ticket and start its playbook")]

    # -- what the window reads -----------------------------------------------------------

    def summary(self) -> str:
        return self.edits["summary"].text()

    def focus_first_field(self) -> None:
        """A new ticket: the agent starts with who is calling."""
        self.edits["caller"].setFocus()

    def playbook_id(self) -> str:
        item = self.playbooks.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else NO_PLAYBOOK

    def set_opened(self, ref: str) -> None:
        """The ticket exists now: the form stays editable for corrections."""
        self._ref = ref
        self._opening = False
        self.open_button.setText(f"{ref} is open")
        self.open_button.setEnabled(False)
        self.problem.setText("")

    def set_problem(self, text: str) -> None:
        self._opening = False
        self.problem.setText(text)
        self.open_button.setEnabled(not self._ref)

    # -- internals ---------------------------------------------------------------------

    def _edited(self) -> None:
        if self._restoring:
            return
        self._update_vague_prompt()
        self._suggest_timer.start()
        self.changed.emit()

    def _update_vague_prompt(self) -> None:
        summary = self.edits["summary"].text()
        prompt = self._check_summary(summary) if summary.strip() else None
        self.vague.setText(prompt or "")
        self.vague.setVisible(bool(prompt))

    def _refresh_suggestions(self, prefer: str = "") -> None:
        current = prefer or self.playbook_id()
        self.playbooks.blockSignals(True)
        self.playbooks.clear()
        none = QListWidgetItem("No playbook: troubleshoot freely")
        none.setData(Qt.ItemDataRole.UserRole, NO_PLAYBOOK)
        self.playbooks.addItem(none)
        chosen: QListWidgetItem | None = None
        for n, suggestion in enumerate(self._suggest(self.edits["summary"].text())):
            item = QListWidgetItem(f"{suggestion.title} · {humanize(suggestion.category)}")
            item.setData(Qt.ItemDataRole.UserRole, suggestion.playbook_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, suggestion.category)
            self.playbooks.addItem(item)
            if suggestion.playbook_id == current or (n == 0 and not current):
                chosen = item
        self.playbooks.setCurrentItem(chosen or none)
        self.playbooks.blockSignals(False)
        self._playbook_picked(self.playbooks.currentItem())
        self._update_vague_prompt()

    def _playbook_picked(self, item: QListWidgetItem | None) -> None:
        category = item.data(Qt.ItemDataRole.UserRole + 1) if item is not None else None
        if category:
            _select_data(self.category, category)
        if not self._restoring and self.sender() is self.playbooks:
            self.changed.emit()

    def _request_open(self) -> None:
        if self._ref or self._opening:
            return  # open already, or being opened: a second press must not make two tickets
        missing = [name for name in ("caller", "summary") if not self.edits[name].text().strip()]
        if missing:
            self.set_problem(f"Fill in the {' and the '.join(missing)} to open the ticket.")
            self.edits[missing[0]].setFocus()
            return
        self._opening = True
        self.open_button.setEnabled(False)
        self.problem.setText("Opening…")
        self.open_requested.emit(self.draft_state())


def _select_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
