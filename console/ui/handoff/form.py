"""Steps 4 and 5 of a call: the escalation handoff form, or resolving at tier 1 instead.

The fields (:class:`console.ui.handoff.fields.HandoffFields`) hold the five things tier 2 asks
for, the priority that follows from impact and urgency, the trigger, the queue and the
playbook's facts. The completeness meter beside them re-runs the gate on every edit; Submit
stays disabled until the gate passes, and only a supervisor may go past it, with a written
reason. The form never touches the store: the window turns :meth:`HandoffForm.draft` into a
submission and runs it in the background.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from console.domain.enums import Role
from console.domain.handoff import CompletenessGate, GateResult, HandoffDraft
from console.domain.priority import PriorityDecision, PriorityMatrix
from console.ui.handoff.completeness import CompletenessMeter
from console.ui.handoff.dialogs import RequiredTextDialog
from console.ui.handoff.fields import DEFAULT_QUEUES, HandoffFields

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")
OVERRIDE_KEYS = "Ctrl+Shift+Return"
RESOLVE_KEYS = "Ctrl+R"
ADD_STEP_KEYS = "Ctrl+Shift+T"
NEXT_GAP_KEYS = "Ctrl+Shift+M"


class HandoffForm(QWidget):
    """The handoff form with its completeness meter (a panel of the ticket workspace).

    ``gate`` judges :meth:`draft` on every edit, ``matrix`` gives the live priority, and
    ``role`` decides whether "Override with reason…" is offered (supervisors only).

    Signals:
        changed(): the agent edited something (also after :meth:`prefill` filled a field).
        submit_requested(): "Submit escalation" (Ctrl+Enter) on a complete handoff; the form
            shows "Submitting…" and waits for :meth:`set_submission_state`.
        override_requested(str): a supervisor submits past the gate with this written
            reason; the form waits for :meth:`set_submission_state` as for a submit.
        resolve_requested(str): "Resolve at tier 1…" (Ctrl+R) with the one-line summary.
    """

    changed = Signal()
    submit_requested = Signal()
    override_requested = Signal(str)
    resolve_requested = Signal(str)

    def __init__(
        self,
        matrix: PriorityMatrix,
        gate: CompletenessGate,
        role: Role,
        *,
        queues: Sequence[str] = DEFAULT_QUEUES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._gate = gate
        self._role = role
        self._submitting = False
        self._locked = False
        self.result = GateResult((), 0)
        """The gate's verdict on the draft as it is now."""

        self.fields = HandoffFields(matrix, queues)
        self.fields.changed.connect(self._edited)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.fields)
        self.meter = CompletenessMeter()
        self.meter.gap_activated.connect(self.focus_field)
        self.state = QLabel("")
        self.state.setObjectName("handoff_state")
        self.state.setAccessibleName("Submission state")
        self.state.setWordWrap(True)
        self.submit_button = self._button("handoff_submit", "Submit escalation", self._submit)
        self.override_button = self._button(
            "handoff_override", "Override with reason…", self._override
        )
        self.override_button.setVisible(role is Role.SUPERVISOR)
        self.resolve_button = self._button("handoff_resolve", "Resolve at tier 1…", self._resolve)
        # Made once and reused: deleting one of these after its Ctrl+Enter crashed PySide6 6.12.
        self.resolve_dialog = RequiredTextDialog(
            "Resolve at tier 1",
            "What fixed it? One line, for the ticket and the knowledge base.",
            "Resolve ticket",
            parent=self,
        )
        self.resolve_dialog.accepted.connect(self._resolved)
        self.override_dialog = RequiredTextDialog(
            "Submit past the completeness gate",
            "Why must this reach tier 2 incomplete? The reason is audited and shown to tier 2 "
            "in the handoff.",
            "Submit with this reason",
            multiline=True,
            parent=self,
        )
        self.override_dialog.accepted.connect(self._overridden)
        side = QVBoxLayout()
        side.addWidget(self.meter, 1)
        side.addWidget(self.state)
        side.addWidget(self.submit_button)
        side.addWidget(self.override_button)
        side.addWidget(self.resolve_button)
        layout = QHBoxLayout(self)
        layout.addWidget(self.scroll_area, 3)
        layout.addLayout(side, 1)
        for keys in SUBMIT_KEYS:
            self._shortcut(keys, self._submit)
        self._shortcut(RESOLVE_KEYS, self._resolve)
        self._shortcut(ADD_STEP_KEYS, self._add_step)
        self._shortcut(NEXT_GAP_KEYS, self.focus_first_gap)
        if role is Role.SUPERVISOR:
            self._shortcut(OVERRIDE_KEYS, self._override)
        self._refresh()

    # -- what the gate, submit and export read ---------------------------------------------

    def draft(self) -> HandoffDraft:
        """The handoff as the form holds it now (what the gate judges and submit freezes)."""
        return self.fields.draft()

    def affected_details(self) -> str:
        """Who exactly is affected (a name, a team, a site), for the submission."""
        return self.fields.affected_details()

    def priority_decision(self) -> PriorityDecision | None:
        """The priority impact × urgency give, once both are chosen."""
        return self.fields.priority_decision()

    # -- what the window tells the form ----------------------------------------------------

    def set_has_diagnostics(self, present: bool) -> None:
        """Diagnostics were captured or imported (or removed again); without them the agent
        must say why ("No diagnostics because…" is enabled only then)."""
        self.fields.set_has_diagnostics(present)
        self._refresh()

    def set_error_screenshot_attached(self, attached: bool) -> None:
        """A screenshot of the error is attached: it may stand in for the error text."""
        self.fields.set_error_screenshot_attached(attached)
        self._refresh()

    def prefill(self, draft: HandoffDraft) -> None:
        """Fill the fields that are still empty from ``draft`` (see
        :func:`console.services.handoff_prefill.prefill_handoff`); what the agent typed stays.
        Steps and facts are merged: new ones are added, none is changed. Emits ``changed``
        when anything was filled, so the draft is saved."""
        filled = self.fields.prefill(draft)
        self._refresh()
        if filled:
            self.changed.emit()

    def set_submission_state(self, text: str, *, locked: bool = True) -> None:
        """Show where the submission stands ("Queued for delivery", "Delivered", "Failed:
        …"). ``locked``: the package is frozen, so the form is read-only from now on; pass
        ``False`` when the submission was refused, so the agent can fix it and try again."""
        self._submitting = False
        self._locked = locked
        self.state.setText(text)
        self.fields.setEnabled(not locked)
        self._refresh()

    def lock(self) -> None:
        """The package is frozen or the ticket resolved: keep the state shown, read-only."""
        self.set_submission_state(self.state.text())

    def ask_resolution(self) -> None:
        """Ask for the one-line tier 1 resolution (the playbook ended in a fix)."""
        self._resolve()

    # -- the panel contract ------------------------------------------------------------------

    def draft_state(self) -> dict[str, Any]:
        return self.fields.state()

    def restore_state(self, state: Mapping[str, Any]) -> None:
        self.fields.set_state(state)
        self._refresh()

    def shortcuts(self) -> list[tuple[str, str]]:
        keys = [
            ("Ctrl+Enter", "Submit the escalation (or go to what is missing)"),
            (NEXT_GAP_KEYS, "Go to the first missing item"),
            (ADD_STEP_KEYS, "Add a step that was tried"),
            (RESOLVE_KEYS, "Resolve at tier 1 with a one-line summary"),
        ]
        if self._role is Role.SUPERVISOR:
            keys.append((OVERRIDE_KEYS, "Submit past the completeness gate, with a reason"))
        return keys

    # -- focus -------------------------------------------------------------------------------

    def focus_field(self, field: str) -> bool:
        """Put the cursor in the field a gap names (``facts.NAME`` included); returns whether
        there was one to go to."""
        target = self.fields.focus(field)
        if target is None:
            return False
        self.scroll_area.ensureWidgetVisible(target)
        return True

    def focus_first_gap(self) -> None:
        if self.result.gaps:
            self.focus_field(self.result.gaps[0].field)

    # -- internals ---------------------------------------------------------------------------

    def _edited(self) -> None:
        self._refresh()
        self.changed.emit()

    def _refresh(self) -> None:
        self.result = self._gate.evaluate(self.fields.draft())
        self.meter.show_result(self.result)
        idle = not self._submitting and not self._locked
        _enable(self.submit_button, idle and self.result.passed)
        _enable(self.override_button, idle and not self.result.passed)
        _enable(self.resolve_button, idle)

    def _add_step(self) -> None:
        if not self._locked:
            self.scroll_area.ensureWidgetVisible(self.fields.add_step())

    def _submit(self) -> None:
        if self._submitting or self._locked:
            return
        if not self.result.passed:
            self.focus_first_gap()
            return
        self._start_submitting()
        self.submit_requested.emit()

    @property
    def dialog(self) -> RequiredTextDialog | None:
        """The resolve or override dialog while it is open."""
        for dialog in (self.resolve_dialog, self.override_dialog):
            if dialog.isVisible():
                return dialog
        return None

    def _override(self) -> None:
        if self._role is not Role.SUPERVISOR or self._submitting or self._locked:
            return
        if self.result.passed or self.dialog is not None:
            return  # complete: Submit is the way; or already asking
        self.override_dialog.ask()

    def _overridden(self) -> None:
        self._start_submitting()
        self.override_requested.emit(self.override_dialog.text())

    def _resolve(self) -> None:
        if self._submitting or self._locked or self.dialog is not None:
            return
        self.resolve_dialog.ask()

    def _resolved(self) -> None:
        self.resolve_requested.emit(self.resolve_dialog.text())

    def _start_submitting(self) -> None:
        self._submitting = True
        self.state.setText("Submitting…")
        self._refresh()

    def _button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.clicked.connect(slot)
        return button

    def _shortcut(self, keys: str, slot: Callable[[], object]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self, slot)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)


def _enable(widget: QWidget, enabled: bool) -> None:
    # Only on a change: this runs on every keystroke (see _refresh).
    if widget.isEnabled() != enabled:
        widget.setEnabled(enabled)
