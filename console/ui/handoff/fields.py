"""The fields of the handoff form: the five things, the priority, trigger, queue and facts.

:class:`HandoffFields` turns what the agent typed into a :class:`HandoffDraft` and back (for
autosave), fills empty fields from a prefilled draft, and names the widget of each field the
completeness gate can complain about. The meter, the buttons and the dialogs are the form's
(:mod:`console.ui.handoff.form`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.enums import Impact, Trigger, Urgency
from console.domain.handoff import HandoffDraft
from console.domain.priority import PriorityDecision, PriorityMatrix
from console.services.handoff_prefill import with_field_facts
from console.ui.handoff.facts import FactsGrid
from console.ui.handoff.steps import TriedStepsEditor

DEFAULT_QUEUES = (
    "network",
    "messaging",
    "identity",
    "print",
    "desktop-support",
    "applications",
    "infrastructure",
    "security",
)
"""The tier 2 queues of the bundled playbooks (resources/playbooks/README.md)."""

TRIGGERS: Mapping[Trigger, tuple[str, str]] = {
    Trigger.TIME_EXCEEDED: ("Time exceeded", "open past the tier 1 SLA threshold"),
    Trigger.ACCESS_REQUIRED: ("Access required", "needs permissions tier 1 does not have"),
    Trigger.COMPLEXITY: ("Complexity", "cross-system, beyond tier 1's scripts"),
    Trigger.INTEGRATION_FAILURE: (
        "Integration failure",
        "two systems stopped talking; the fix needs backend access",
    ),
    Trigger.SECURITY: (
        "Security",
        "possible data exposure, unauthorized access or compliance risk (fast-tracked)",
    ),
}
SCOPES = (
    (Impact.SINGLE_USER, "One person"),
    (Impact.TEAM, "A team or department"),
    (Impact.SITE, "A whole site or the organization"),
)
URGENCIES = (
    (Urgency.WORK_STOPPED, "Work stopped: the caller cannot do their job"),
    (Urgency.DEGRADED, "Work degraded: slower or with a workaround"),
    (Urgency.MINOR, "Minor: an inconvenience, work goes on"),
)


class HandoffFields(QWidget):
    """The inputs of the handoff, with the live priority (``matrix`` decides it).

    Signals:
        changed(): the agent edited a field (not on :meth:`set_state` or :meth:`prefill`).
    """

    changed = Signal()

    def __init__(
        self,
        matrix: PriorityMatrix,
        queues: Sequence[str] = DEFAULT_QUEUES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._matrix = matrix
        # Nothing is an edit until the fields are built (setting up widgets emits signals).
        self._quiet = True
        self._has_diagnostics = False
        self._screenshot = False
        form = QFormLayout(self)
        self.what_is_wrong = self._text("handoff_what_is_wrong", "What is wrong")
        self.what_is_wrong.setPlaceholderText("What fails, where, since when (a full sentence)")
        form.addRow("What is wrong", self.what_is_wrong)
        self.steps = TriedStepsEditor(self)
        self.steps.changed.connect(self._edited)
        form.addRow("What was tried", self.steps)
        self.error = self._text("handoff_error_verbatim", "The error, word for word")
        self.error.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.error.setPlaceholderText("The exact message, including any code")
        self.screenshot_note = QLabel("A screenshot of the error is attached.")
        self.screenshot_note.setObjectName("handoff_screenshot_note")
        self.screenshot_note.hide()
        error_box = QVBoxLayout()
        error_box.addWidget(self.error)
        error_box.addWidget(self.screenshot_note)
        form.addRow("The error, verbatim", error_box)
        self.scope = self._combo("handoff_scope", "Who is affected", "Choose who…", SCOPES)
        self.count = QSpinBox()
        self.count.setObjectName("handoff_count")
        self.count.setAccessibleName("How many people are affected")
        self.count.setRange(0, 1_000_000)
        self.count.setSpecialValueText("How many?")
        self.count.valueChanged.connect(self._edited)
        self.details = self._line("handoff_affected_details", "Who exactly is affected")
        self.details.setPlaceholderText("Who exactly: a name, a team, a site")
        affected = QHBoxLayout()
        affected.addWidget(self.scope, 2)
        affected.addWidget(self.count, 1)
        affected.addWidget(self.details, 3)
        form.addRow("Who is affected", affected)
        self.urgency = self._combo("handoff_urgency", "How urgent", "Choose how urgent…", URGENCIES)
        form.addRow("How urgent", self.urgency)
        self.priority = QLabel("")
        self.priority.setObjectName("handoff_priority")
        self.priority.setAccessibleName("Priority")
        self.priority.setWordWrap(True)
        bold = self.priority.font()
        bold.setBold(True)
        self.priority.setFont(bold)
        form.addRow("Priority", self.priority)
        self.triggers = QListWidget()
        self.triggers.setObjectName("handoff_triggers")
        self.triggers.setAccessibleName("Escalation triggers (Space checks one)")
        for trigger, (label, explanation) in TRIGGERS.items():
            item = QListWidgetItem(f"{label}: {explanation}")
            item.setData(Qt.ItemDataRole.UserRole, trigger.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.triggers.addItem(item)
        self.triggers.setMaximumHeight(self.triggers.sizeHintForRow(0) * len(TRIGGERS) + 8)
        self.triggers.itemChanged.connect(self._edited)
        form.addRow("Escalation trigger", self.triggers)
        self.queue = QComboBox()
        self.queue.setObjectName("handoff_queue")
        self.queue.setAccessibleName("Tier 2 queue")
        self.queue.setEditable(True)
        self.queue.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.queue.addItems(list(queues))
        self.queue.setCurrentIndex(-1)
        self.queue.editTextChanged.connect(self._edited)
        form.addRow("Tier 2 queue", self.queue)
        self.diagnostics_note = QLabel("")
        self.diagnostics_note.setObjectName("handoff_diagnostics_note")
        self.diagnostics_note.setWordWrap(True)
        self.no_diagnostics = self._line("handoff_no_diagnostics", "No diagnostics because")
        self.no_diagnostics.setPlaceholderText("No diagnostics because… (e.g. the device is off)")
        diagnostics = QVBoxLayout()
        diagnostics.addWidget(self.diagnostics_note)
        diagnostics.addWidget(self.no_diagnostics)
        form.addRow("Diagnostics", diagnostics)
        self.facts = FactsGrid(self)
        self.facts.set_tab_anchor(self.no_diagnostics)
        self.facts.changed.connect(self._edited)
        form.addRow("Facts", self.facts)
        self._by_field: dict[str, QWidget] = {
            "what_is_wrong": self.what_is_wrong,
            "error_verbatim": self.error,
            "affected_scope": self.scope,
            "affected_count": self.count,
            "urgency": self.urgency,
            "triggers": self.triggers,
            "queue": self.queue,
            "diagnostics": self.no_diagnostics,
        }
        self.set_has_diagnostics(False)
        self._update_priority()
        self._quiet = False

    # -- reading -------------------------------------------------------------------------------

    def draft(self) -> HandoffDraft:
        """The handoff as typed; field facts (``error_text``...) follow their fields."""
        checked = {
            self.triggers.item(n).data(Qt.ItemDataRole.UserRole)
            for n in range(self.triggers.count())
            if self.triggers.item(n).checkState() == Qt.CheckState.Checked
        }
        scope, urgency = self.scope.currentData(), self.urgency.currentData()
        reason = "" if self._has_diagnostics else self.no_diagnostics.text().strip()
        draft = HandoffDraft(
            what_is_wrong=self.what_is_wrong.toPlainText().strip(),
            what_was_tried=self.steps.steps(),
            error_verbatim=self.error.toPlainText().strip("\n"),
            error_screenshot=self._screenshot,
            affected_scope=Impact(scope) if scope else None,
            affected_count=self.count.value() or None,
            urgency=Urgency(urgency) if urgency else None,
            triggers=tuple(t for t in Trigger if t.value in checked),
            queue=self.queue.currentText().strip(),
            has_diagnostics=self._has_diagnostics,
            no_diagnostics_reason=reason,
            required_facts=self.facts.required(),
            facts=self.facts.values(),
        )
        return with_field_facts(draft)

    def priority_decision(self) -> PriorityDecision | None:
        """The priority impact × urgency give, once both are chosen."""
        scope, urgency = self.scope.currentData(), self.urgency.currentData()
        if not scope or not urgency:
            return None
        return self._matrix.decide(Impact(scope), Urgency(urgency))

    def affected_details(self) -> str:
        """Who exactly is affected (a name, a team, a site)."""
        return self.details.text().strip()

    def focus(self, field: str) -> QWidget | None:
        """Put the cursor in the input a gap's field names; that input, or None when there
        is none to go to (or it is disabled)."""
        target = self.widget_for(field)
        if target is None or not target.isEnabled():
            return None
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        if target is self.count:
            self.count.selectAll()  # typing replaces "How many?"
        if target is self.triggers and self.triggers.currentRow() < 0:
            self.triggers.setCurrentRow(0)
        return target

    def add_step(self) -> QWidget:
        """A new empty step of "what was tried", focused; its row."""
        return self.steps.add_step(focus=True)

    def widget_for(self, field: str) -> QWidget | None:
        """The input a gap's field names (``facts.NAME`` included), if it has one."""
        if field.startswith("facts."):
            return self.facts.edit_for(field.removeprefix("facts."))
        if field == "what_was_tried":
            return self.steps.incomplete_widget()
        return self._by_field.get(field)

    # -- what the window knows -------------------------------------------------------------

    def set_has_diagnostics(self, present: bool) -> None:
        self._has_diagnostics = present
        self.no_diagnostics.setEnabled(not present)
        self.diagnostics_note.setText(
            "Diagnostics are attached."
            if present
            else "No diagnostics yet: capture or import them, or say why there are none."
        )

    def set_error_screenshot_attached(self, attached: bool) -> None:
        self._screenshot = attached
        self.screenshot_note.setVisible(attached)

    # -- filling -------------------------------------------------------------------------------

    def prefill(self, draft: HandoffDraft) -> bool:
        """Fill the empty fields from ``draft``; merge steps and facts. Returns whether
        anything was filled."""
        filled: list[bool] = []
        self._quiet = True
        try:
            if draft.what_is_wrong and not self.what_is_wrong.toPlainText().strip():
                self.what_is_wrong.setPlainText(draft.what_is_wrong)
                filled.append(True)
            filled.append(self.steps.merge(draft.what_was_tried))
            if draft.error_verbatim and not self.error.toPlainText().strip():
                self.error.setPlainText(draft.error_verbatim)
                filled.append(True)
            filled.append(_fill_combo(self.scope, draft.affected_scope))
            if draft.affected_count and not self.count.value():
                self.count.setValue(draft.affected_count)
                filled.append(True)
            filled.append(_fill_combo(self.urgency, draft.urgency))
            if draft.triggers and not self.draft().triggers:
                self._check_triggers(draft.triggers)
                filled.append(True)
            if draft.queue and not self.queue.currentText().strip():
                self.queue.setCurrentText(draft.queue)
                filled.append(True)
            if draft.no_diagnostics_reason and not self.no_diagnostics.text().strip():
                self.no_diagnostics.setText(draft.no_diagnostics_reason)
                filled.append(True)
            filled.append(self.facts.merge(draft.required_facts, draft.facts))
        finally:
            self._quiet = False
        self._update_priority()
        return any(filled)

    def state(self) -> dict[str, Any]:
        return {
            "what_is_wrong": self.what_is_wrong.toPlainText(),
            "steps": self.steps.state(),
            "error_verbatim": self.error.toPlainText(),
            "affected_scope": self.scope.currentData() or None,
            "affected_count": self.count.value(),
            "affected_details": self.details.text(),
            "urgency": self.urgency.currentData() or None,
            "triggers": [t.value for t in self.draft().triggers],
            "queue": self.queue.currentText(),
            "no_diagnostics_reason": self.no_diagnostics.text(),
            "required_facts": list(self.facts.required()),
            "facts": self.facts.typed(),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Show a saved :meth:`state`; missing or malformed keys leave their field empty."""
        self._quiet = True
        try:
            self.what_is_wrong.setPlainText(_str(state, "what_is_wrong"))
            steps = state.get("steps")
            self.steps.set_state(steps if isinstance(steps, Mapping) else {})
            self.error.setPlainText(_str(state, "error_verbatim"))
            _select(self.scope, state.get("affected_scope"))
            count = state.get("affected_count")
            self.count.setValue(count if isinstance(count, int) else 0)
            self.details.setText(_str(state, "affected_details"))
            _select(self.urgency, state.get("urgency"))
            triggers = state.get("triggers")
            known = {t.value for t in Trigger}
            self._check_triggers(
                [Trigger(t) for t in triggers if isinstance(t, str) and t in known]
                if isinstance(triggers, list)
                else []
            )
            self.queue.setCurrentText(_str(state, "queue"))
            self.no_diagnostics.setText(_str(state, "no_diagnostics_reason"))
            required, facts = state.get("required_facts"), state.get("facts")
            self.facts.set_facts(
                [str(r) for r in required] if isinstance(required, list) else [],
                {str(k): str(v) for k, v in facts.items()} if isinstance(facts, Mapping) else {},
            )
        finally:
            self._quiet = False
        self._update_priority()

    # -- internals ---------------------------------------------------------------------------

    def _edited(self) -> None:
        if self._quiet:
            return
        self._update_priority()
        self.changed.emit()

    def _update_priority(self) -> None:
        decision = self.priority_decision()
        text = decision.reason if decision else "Choose who is affected and how urgent it is."
        if self.priority.text() != text:  # runs on every keystroke
            self.priority.setText(text)

    def _check_triggers(self, triggers: Sequence[Trigger]) -> None:
        wanted = {t.value for t in triggers}
        for n in range(self.triggers.count()):
            item = self.triggers.item(n)
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _text(self, name: str, accessible: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setTabChangesFocus(True)  # a form: Tab goes on to the next field
        edit.setMaximumHeight(100)
        edit.textChanged.connect(self._edited)
        return edit

    def _line(self, name: str, accessible: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.textEdited.connect(self._edited)
        return edit

    def _combo(
        self, name: str, accessible: str, placeholder: str, choices: Sequence[tuple[Any, str]]
    ) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.addItem(placeholder, "")
        for value, label in choices:
            combo.addItem(label, value.value)
        combo.currentIndexChanged.connect(self._edited)
        return combo


def _fill_combo(combo: QComboBox, value: Impact | Urgency | None) -> bool:
    if value is None or combo.currentData():
        return False
    return _select(combo, value.value)


def _select(combo: QComboBox, value: object) -> bool:
    # The placeholder's data is "" rather than None: PySide6 6.12 on Python 3.11 loses a
    # reference to None each time a call returns it, and enough of them abort the interpreter.
    index = combo.findData(value) if isinstance(value, str) and value else 0
    combo.setCurrentIndex(max(index, 0))
    return index > 0


def _str(state: Mapping[str, Any], key: str) -> str:
    value = state.get(key, "")
    return value if isinstance(value, str) else ""
