"""One view per kind of playbook node, as the troubleshooting panel shows it.

Views hold no run state and never touch the runner: they show a node and say what the agent
asked for through their signals; :class:`~console.ui.troubleshoot.panel.TroubleshootPanel` acts on
it. Every view answers :meth:`NodeView.primary` (what Enter does) and
:meth:`NodeView.choose` (what a digit key does).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.playbooks import (
    AskNode,
    CheckNode,
    CheckRecord,
    EscalateNode,
    InputKind,
    InputNode,
    InstructNode,
    ResolveNode,
    Transcript,
)

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
MAX_NUMBERED = 9


def _is_plain_enter(event: QEvent) -> bool:
    return (
        isinstance(event, QKeyEvent)
        and event.key() in ENTER_KEYS
        and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
    )


class ReturnLineEdit(QLineEdit):
    """A line edit that keeps Enter for itself (``returnPressed``), ahead of the panel's
    Enter shortcut, so Enter in a note or an answer never does the node's other action."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and _is_plain_enter(event):
            event.accept()
            return True
        return super().event(event)


class AnswerTextEdit(QPlainTextEdit):
    """Long answers (an error read out word for word): Enter submits, Shift+Enter starts a
    new line.

    Signals:
        submitted(): Enter was pressed.
    """

    submitted = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and _is_plain_enter(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if _is_plain_enter(event):
            self.submitted.emit()
            return
        if event.key() in ENTER_KEYS:
            self.insertPlainText("\n")  # Shift+Enter: a line break, not a paragraph
            return
        super().keyPressEvent(event)


class NodeView(QWidget):
    """Base of the node views: a heading, a body, and the keyboard hooks."""

    def __init__(self, heading: str, body: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.layout_ = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setObjectName("troubleshoot_heading")
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        self.body = QLabel(body)
        self.body.setObjectName("troubleshoot_prompt")
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.body)

    def primary(self) -> None:
        """What Enter does here (nothing by default)."""

    def choose(self, number: int) -> None:
        """What digit key ``number`` (1-9) does here (nothing by default)."""

    def focus_first(self) -> None:
        """Put the keyboard focus where the agent starts on this node."""
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _button(self, text: str, name: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        self.layout_.addWidget(button)
        return button


class AskView(NodeView):
    """A question with numbered answers; keys 1-9 pick one.

    Signals:
        chosen(int): the answer's position, from 0.
    """

    chosen = Signal(int)

    def __init__(self, node: AskNode, parent: QWidget | None = None) -> None:
        super().__init__("Ask the caller", node.question, parent)
        self.buttons: list[QPushButton] = []
        for index, choice in enumerate(node.choices):
            number = index + 1
            text = f"{number}  {choice.label}" if number <= MAX_NUMBERED else choice.label
            button = self._button(text, f"troubleshoot_choice_{number}", choice.label)
            button.clicked.connect(lambda _=False, i=index: self.chosen.emit(i))
            self.buttons.append(button)
        self.layout_.addStretch(1)

    def choose(self, number: int) -> None:
        if not 1 <= number <= min(len(self.buttons), MAX_NUMBERED):
            return
        if self.buttons[number - 1].isEnabled():
            self.chosen.emit(number - 1)


class InputView(NodeView):
    """A fact the agent types; Enter continues. The runner's objection shows in ``error``.

    Signals:
        submitted(str): the value to enter.
    """

    submitted = Signal(str)

    def __init__(self, node: InputNode, parent: QWidget | None = None) -> None:
        super().__init__(f"Type in: {node.fact}", node.question, parent)
        self.editor: QWidget
        if node.input_kind is InputKind.MULTILINE:
            text = AnswerTextEdit()
            text.setPlaceholderText("Word for word (Shift+Enter for a new line)")
            text.submitted.connect(self.primary)
            self.editor = text
        elif node.input_kind is InputKind.CHOICE:
            combo = QComboBox()
            combo.addItems(list(node.options))
            self.editor = combo
        else:
            line = ReturnLineEdit()
            if node.input_kind is InputKind.NUMBER:
                line.setPlaceholderText("A number")
            line.returnPressed.connect(self.primary)
            self.editor = line
        self.editor.setObjectName("troubleshoot_input")
        self.editor.setAccessibleName(node.fact.replace("_", " "))
        self.layout_.addWidget(self.editor)
        self.error = QLabel("")
        self.error.setObjectName("troubleshoot_input_error")
        self.error.setAccessibleName("Problem with the answer")
        self.error.setWordWrap(True)
        self.error.hide()
        self.layout_.addWidget(self.error)
        self.continue_button = self._button(
            "Continue (Enter)", "troubleshoot_input_continue", "Continue"
        )
        self.continue_button.clicked.connect(self.primary)
        self.layout_.addStretch(1)

    def value(self) -> str:
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        if isinstance(self.editor, QComboBox):
            return self.editor.currentText()
        assert isinstance(self.editor, QLineEdit)
        return self.editor.text()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def primary(self) -> None:
        self.submitted.emit(self.value())

    def focus_first(self) -> None:
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)


class CheckView(NodeView):
    """An automated check: "Run check" (Enter), a busy bar while it runs, then its status,
    summary and evidence, and "Continue" (Enter) along the branch the run took.

    Signals:
        run_requested(): run the check.
        continue_requested(): the agent read the result; show the next node.
    """

    run_requested = Signal()
    continue_requested = Signal()

    def __init__(self, node: CheckNode, parent: QWidget | None = None) -> None:
        super().__init__("Automated check", check_label(node), parent)
        self.progress = QProgressBar()
        self.progress.setObjectName("troubleshoot_progress")
        self.progress.setAccessibleName("Check running")
        self.progress.setRange(0, 0)  # indeterminate: a check's length is not known
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.layout_.addWidget(self.progress)
        self.running = QLabel(f"Running {node.check}…")
        self.running.setObjectName("troubleshoot_running")
        self.running.hide()
        self.layout_.addWidget(self.running)
        self.run_button = self._button("Run check (Enter)", "troubleshoot_run_check", "Run check")
        self.run_button.clicked.connect(self.run_requested)
        self.status = self._result_label("troubleshoot_check_status", "Check status")
        bold = QFont(self.status.font())
        bold.setBold(True)
        self.status.setFont(bold)
        self.summary = self._result_label("troubleshoot_check_summary", "Check summary")
        self.evidence = self._result_label("troubleshoot_check_evidence", "Check evidence")
        self.evidence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.continue_button = self._button(
            "Continue (Enter)", "troubleshoot_check_continue", "Continue after the check"
        )
        self.continue_button.clicked.connect(self.continue_requested)
        self.continue_button.hide()
        self.layout_.addStretch(1)

    def _result_label(self, name: str, accessible: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setWordWrap(True)
        label.hide()
        self.layout_.addWidget(label)
        return label

    @property
    def has_result(self) -> bool:
        return not self.continue_button.isHidden()

    def set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.running.setVisible(running)
        self.run_button.setEnabled(not running)

    def show_result(self, record: CheckRecord, next_node: str) -> None:
        self.set_running(False)
        self.run_button.hide()
        self.status.setText(f"{record.status.upper()} → {next_node}")
        self.summary.setText(record.summary)
        self.evidence.setText("\n".join(evidence_lines(record.evidence)) or "(no evidence)")
        for label in (self.status, self.summary, self.evidence, self.continue_button):
            label.show()

    def primary(self) -> None:
        if self.has_result:
            self.continue_requested.emit()
        elif self.run_button.isEnabled():
            self.run_requested.emit()

    def focus_first(self) -> None:
        button = self.continue_button if self.has_result else self.run_button
        button.setFocus(Qt.FocusReason.OtherFocusReason)


class InstructView(NodeView):
    """Something the caller must do; "Done, continue" (Enter) when they did.

    Signals:
        acknowledged(): the caller did it.
    """

    acknowledged = Signal()

    def __init__(self, node: InstructNode, parent: QWidget | None = None) -> None:
        super().__init__("Tell the caller", " ".join(node.text.split()), parent)
        self.done_button = self._button(
            "Done, continue (Enter)", "troubleshoot_instruct_done", "Done, continue"
        )
        self.done_button.clicked.connect(self.acknowledged)
        self.layout_.addStretch(1)

    def primary(self) -> None:
        self.acknowledged.emit()


class LeafView(NodeView):
    """The end of the script: resolve at tier 1 or escalate; the button finishes the run.

    Signals:
        finish_requested(): finish the run as the leaf says.
    """

    finish_requested = Signal()

    def __init__(
        self,
        node: ResolveNode | EscalateNode,
        facts: Mapping[str, str],
        parent: QWidget | None = None,
    ) -> None:
        """``facts``: the run's, for the facts an escalation's note names."""
        if isinstance(node, ResolveNode):
            heading, lines = "Resolved at tier 1", [node.summary]
            if node.kb:
                lines.append(f"Knowledge base article: {node.kb}")
            text, accessible = "Finish: resolve (Enter)", "Finish and resolve"
        else:
            heading = "Escalate to tier 2"
            lines = [f"Trigger: {node.trigger.value}", f"Queue: {node.queue}"]
            note = node.note_with(facts)
            if note:
                lines.append(f"Note for tier 2: {note}")
            text, accessible = "Finish: escalate (Enter)", "Finish and escalate"
        super().__init__(heading, "\n".join(lines), parent)
        self.finish_button = self._button(text, "troubleshoot_finish", accessible)
        self.finish_button.clicked.connect(self.finish_requested)
        self.layout_.addStretch(1)

    def primary(self) -> None:
        self.finish_requested.emit()


class EndedView(NodeView):
    """The run is over; nothing to do here any more."""

    def __init__(self, transcript: Transcript, parent: QWidget | None = None) -> None:
        outcome = transcript.outcome.value if transcript.outcome else "ended"
        body = f"The run {outcome} at {transcript.current_node}."
        if transcript.finish_reason:
            body += f" Reason: {transcript.finish_reason}"
        super().__init__("Run finished", body, parent)
        self.layout_.addStretch(1)


def check_label(node: CheckNode) -> str:
    """``tcp_connect (host=vpn.example.com, port=443)``: the check as the agent sees it."""
    shown = ", ".join(f"{key}={value}" for key, value in node.args.items())
    return f"{node.check} ({shown})" if shown else node.check


def evidence_lines(evidence: Mapping[str, Any]) -> list[str]:
    """``key: value`` per piece of evidence; lists and mappings as compact JSON."""
    return [f"{key}: {_shown(value)}" for key, value in evidence.items()]


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)
