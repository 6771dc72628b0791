"""The handoff form: the gate blocks an incomplete handoff and points at each gap, a handoff
typed in by keyboard can be submitted, the priority follows the real matrix, prefill never
overwrites the agent, drafts round-trip, resolving needs a summary, and the draft the form
gives is one the escalation service accepts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from console.domain.enums import Impact, Role, Trigger, Urgency
from console.domain.handoff import CompletenessGate, HandoffDraft, TriedStep
from console.domain.priority import PriorityMatrix
from console.packages.reader import read_package
from console.playbooks.runner import PlaybookRunner
from console.playbooks.transcript import RunOutcome
from console.playbooks.validator import load_playbook
from console.resources import load_priority_matrix
from console.services.escalate import DiagnosticsInput, EscalationService, Submission
from console.services.handoff_prefill import prefill_handoff, reached_escalation
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.models import Package
from console.ui.handoff.form import HandoffForm
from tests.builders import AGENT, OPENED, add_ticket
from tests.services.test_handoff_prefill import (
    VPN,
    MinuteClock,
    walk_single_user_to_gateway_escalation,
)

# The offscreen platform says so whenever a window is shown; it is not ours to fix.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(scope="module")
def matrix() -> PriorityMatrix:
    return load_priority_matrix()


def make_form(qtbot: QtBot, matrix: PriorityMatrix, role: Role = Role.AGENT) -> HandoffForm:
    form = HandoffForm(matrix, CompletenessGate(), role)
    qtbot.addWidget(form)
    form.resize(1100, 800)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    return form


def vpn_prefill() -> HandoffDraft:
    """What the form is opened with after a real run of the bundled VPN playbook."""
    playbook = load_playbook(VPN)
    runner = PlaybookRunner(playbook, clock=MinuteClock())
    walk_single_user_to_gateway_escalation(runner)
    transcript = runner.finish(RunOutcome.ESCALATED)
    leaf = reached_escalation(playbook, transcript)
    return prefill_handoff(
        "VPN will not connect from home",
        transcript,
        transcript.facts,
        leaf,
        playbook.required_facts,
    )


def click_gap(qtbot: QtBot, form: HandoffForm, field: str) -> QWidget:
    """Click the meter's item for ``field``; returns the widget that should get the cursor."""
    gaps = form.meter.gaps
    row = form.meter.fields().index(field)
    item = gaps.item(row)
    gaps.scrollToItem(item)
    qtbot.mouseClick(
        gaps.viewport(), Qt.MouseButton.LeftButton, pos=gaps.visualItemRect(item).center()
    )
    target = form.fields.widget_for(field)
    assert target is not None
    return target


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def test_the_gate_blocks_an_incomplete_handoff_and_each_gap_focuses_its_field(
    qtbot: QtBot, matrix: PriorityMatrix
) -> None:
    form = make_form(qtbot, matrix)
    form.prefill(HandoffDraft(required_facts=("vpn_client",)))
    submitted: list[bool] = []
    form.submit_requested.connect(lambda: submitted.append(True))
    qtbot.mouseClick(form.fields.what_is_wrong.viewport(), Qt.MouseButton.LeftButton)
    qtbot.keyClicks(form.fields.what_is_wrong, "VPN issue")

    assert not form.submit_button.isEnabled()
    assert form.meter.fields() == [
        "what_is_wrong",
        "what_was_tried",
        "error_verbatim",
        "affected_scope",
        "affected_count",
        "urgency",
        "triggers",
        "queue",
        "diagnostics",
        "facts.vpn_client",
    ]
    assert form.meter.bar.value() == 0
    assert form.meter.gaps.item(0).text().startswith("Describe what is wrong in a full sentence")
    assert form.meter.status.text() == "10 things missing"

    for field, widget in [
        ("urgency", form.fields.urgency),
        ("facts.vpn_client", form.fields.facts.edits["vpn_client"]),
        ("what_was_tried", form.fields.steps.add_button),
        ("diagnostics", form.fields.no_diagnostics),
        ("affected_count", form.fields.count),
        ("error_verbatim", form.fields.error),
    ]:
        assert click_gap(qtbot, form, field) is widget
        qtbot.waitUntil(widget.hasFocus)

    # Ctrl+Enter on an incomplete handoff goes to the first gap instead of submitting.
    qtbot.keyClick(form.fields.error, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(form.fields.what_is_wrong.hasFocus)
    assert submitted == []
    assert not form.override_button.isVisible()  # agents cannot go past the gate


def test_a_handoff_typed_in_by_keyboard_enables_submit_and_ctrl_enter_submits(
    qtbot: QtBot, matrix: PriorityMatrix
) -> None:
    form = make_form(qtbot, matrix)
    form.prefill(HandoffDraft(required_facts=("vpn_client",)))
    fields = form.fields
    fields.what_is_wrong.setFocus()
    qtbot.waitUntil(fields.what_is_wrong.hasFocus)
    qtbot.keyClicks(fields.what_is_wrong, "GlobalProtect hangs at Connecting from home")

    qtbot.keyClick(fields.what_is_wrong, Qt.Key.Key_T, CTRL | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(fields.steps.rows) == 1)
    row = fields.steps.rows[0]
    qtbot.waitUntil(row.action.hasFocus)
    qtbot.keyClicks(row.action, "Restarted the VPN client")

    def tab_to(widget: QWidget) -> None:
        current = focused()
        assert current is not None
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        qtbot.waitUntil(widget.hasFocus)

    tab_to(row.outcome)
    qtbot.keyClicks(row.outcome, "Still hangs")
    tab_to(row.remove)
    tab_to(fields.error)
    qtbot.keyClicks(fields.error, "Gateway vpn: The network connection is unreachable")
    tab_to(fields.scope)
    qtbot.keyClick(fields.scope, Qt.Key.Key_Down)  # one person
    tab_to(fields.count)
    qtbot.keyClicks(fields.count, "1")
    tab_to(fields.details)
    qtbot.keyClicks(fields.details, "Maya Okafor, Sales")
    tab_to(fields.urgency)
    qtbot.keyClick(fields.urgency, Qt.Key.Key_Down)  # work stopped
    tab_to(fields.triggers)
    for _ in range(3):
        qtbot.keyClick(fields.triggers, Qt.Key.Key_Down)
    qtbot.keyClick(fields.triggers, Qt.Key.Key_Space)  # integration failure
    tab_to(fields.queue)
    line = fields.queue.lineEdit()
    assert line is not None
    qtbot.keyClicks(line, "network")
    tab_to(fields.no_diagnostics)
    qtbot.keyClicks(fields.no_diagnostics, "The laptop is at the office")
    vpn_client = fields.facts.edits["vpn_client"]
    tab_to(vpn_client)
    assert not form.submit_button.isEnabled()  # the last gap is still open
    qtbot.keyClicks(vpn_client, "GlobalProtect 6.2.1")

    assert form.result.passed and form.meter.bar.value() == 100
    assert form.submit_button.isEnabled()
    assert form.meter.status.text() == "Complete: ready to submit"
    draft = form.draft()
    assert draft.what_was_tried == (TriedStep("Restarted the VPN client", "Still hangs"),)
    assert (draft.affected_scope, draft.affected_count, draft.urgency) == (
        Impact.SINGLE_USER,
        1,
        Urgency.WORK_STOPPED,
    )
    assert draft.triggers == (Trigger.INTEGRATION_FAILURE,) and draft.queue == "network"
    assert draft.facts["vpn_client"] == "GlobalProtect 6.2.1"
    assert form.affected_details() == "Maya Okafor, Sales"

    with qtbot.waitSignal(form.submit_requested, timeout=1000):
        qtbot.keyClick(vpn_client, Qt.Key.Key_Return, CTRL)
    assert form.state.text() == "Submitting…"
    assert not form.submit_button.isEnabled()  # not twice

    form.set_submission_state("Refused: ticket HD-1 is already escalated", locked=False)
    assert form.submit_button.isEnabled() and form.fields.isEnabled()
    form.set_submission_state("Queued for delivery to the team store")
    assert not form.submit_button.isEnabled() and not form.fields.isEnabled()
    assert form.state.text() == "Queued for delivery to the team store"


@pytest.mark.parametrize(
    ("scope_downs", "urgency_downs", "impact", "urgency", "expected"),
    [
        (3, 1, Impact.SITE, Urgency.WORK_STOPPED, "P1: impact a site or the whole organization"),
        (2, 2, Impact.TEAM, Urgency.DEGRADED, "P3: impact a team or department"),
        (1, 3, Impact.SINGLE_USER, Urgency.MINOR, "P5: impact one user, urgency minor"),
    ],
)
def test_the_priority_follows_impact_and_urgency_from_the_policy(
    qtbot: QtBot,
    matrix: PriorityMatrix,
    scope_downs: int,
    urgency_downs: int,
    impact: Impact,
    urgency: Urgency,
    expected: str,
) -> None:
    form = make_form(qtbot, matrix)
    priority = form.fields.priority
    assert priority.text() == "Choose who is affected and how urgent it is."
    for _ in range(scope_downs):
        qtbot.keyClick(form.fields.scope, Qt.Key.Key_Down)
    assert form.priority_decision() is None
    for _ in range(urgency_downs):
        qtbot.keyClick(form.fields.urgency, Qt.Key.Key_Down)

    decision = matrix.decide(impact, urgency)
    assert form.priority_decision() == decision
    assert priority.text() == decision.reason
    assert priority.text().startswith(expected)


def test_prefill_fills_empty_fields_only_and_never_brings_back_a_removed_step(
    qtbot: QtBot, matrix: PriorityMatrix
) -> None:
    form = make_form(qtbot, matrix)
    fields = form.fields
    fields.what_is_wrong.setFocus()
    qtbot.keyClicks(fields.what_is_wrong, "Maya's VPN hangs since this morning's update")
    qtbot.keyClick(fields.urgency, Qt.Key.Key_Down)
    qtbot.keyClick(fields.urgency, Qt.Key.Key_Down)  # the agent says: degraded
    changes: list[bool] = []
    form.changed.connect(lambda: changes.append(True))

    prefilled = vpn_prefill()
    form.prefill(prefilled)

    draft = form.draft()
    assert draft.what_is_wrong == "Maya's VPN hangs since this morning's update"
    assert draft.urgency is Urgency.DEGRADED  # the playbook said work_stopped: the agent wins
    assert draft.affected_scope is Impact.SINGLE_USER and draft.affected_count == 1
    assert draft.what_was_tried == prefilled.what_was_tried
    assert draft.error_verbatim == prefilled.error_verbatim
    assert draft.triggers == (Trigger.INTEGRATION_FAILURE,) and draft.queue == "network"
    assert draft.facts["vpn_protocol"] == "ssl"
    assert changes == [True]  # once, so the autosave keeps the prefilled draft

    first = fields.steps.rows[0]
    qtbot.mouseClick(first.remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fields.steps.rows) == len(prefilled.what_was_tried) - 1)
    qtbot.waitUntil(fields.steps.rows[0].action.hasFocus)
    edited = fields.steps.rows[0].outcome
    edited.setFocus()
    edited.selectAll()
    qtbot.keyClicks(edited, "SSL, per the caller")
    vpn_client = fields.facts.edits["vpn_client"]
    vpn_client.setFocus()
    vpn_client.selectAll()
    qtbot.keyClicks(vpn_client, "GlobalProtect 6.2.2")

    later = TriedStep("Asked the caller to reboot", "No change", "2026-11-20T10:00:00+00:00")
    form.prefill(
        replace(prefilled, what_was_tried=(*prefilled.what_was_tried, later), queue="security")
    )

    steps = form.draft().what_was_tried
    assert steps[0].action != prefilled.what_was_tried[0].action  # removed stays removed
    assert steps[0].outcome == "SSL, per the caller"  # edited stays edited
    assert steps[-1] == later and len(steps) == len(prefilled.what_was_tried)
    assert form.draft().queue == "network"
    assert form.draft().facts["vpn_client"] == "GlobalProtect 6.2.2"


def test_restore_state_of_draft_state_round_trips_without_a_change_signal(
    qtbot: QtBot, matrix: PriorityMatrix
) -> None:
    form = make_form(qtbot, matrix)
    form.prefill(vpn_prefill())
    form.fields.steps.remove_step(form.fields.steps.rows[1])
    form.fields.details.setText("Maya Okafor")
    form.set_has_diagnostics(False)
    form.fields.no_diagnostics.setText("Caller calls from a phone")
    state = json.loads(json.dumps(form.draft_state()))

    again = make_form(qtbot, matrix)
    changes: list[bool] = []
    again.changed.connect(lambda: changes.append(True))
    again.restore_state(state)

    assert again.draft() == form.draft()
    assert again.draft_state() == state
    assert again.affected_details() == "Maya Okafor"
    assert changes == []
    # The removed step stays removed when the playbook prefills again after a restore.
    again.prefill(vpn_prefill())
    assert again.draft().what_was_tried == form.draft().what_was_tried

    older = make_form(qtbot, matrix)
    older.restore_state({"what_is_wrong": 3, "steps": {"rows": ["x", {"action": "A"}]}})
    assert older.draft() == HandoffDraft(what_was_tried=(TriedStep("A"),))
    older.restore_state({"triggers": ["bogus", ["x"], "security"], "affected_scope": "nope"})
    assert older.draft().triggers == (Trigger.SECURITY,)
    assert older.draft().affected_scope is None


def test_resolving_needs_a_one_line_summary(qtbot: QtBot, matrix: PriorityMatrix) -> None:
    form = make_form(qtbot, matrix)
    resolved: list[str] = []
    form.resolve_requested.connect(resolved.append)

    qtbot.keyClick(form.fields.what_is_wrong, Qt.Key.Key_R, CTRL)
    qtbot.waitUntil(lambda: form.dialog is not None and form.dialog.isVisible())
    dialog = form.dialog
    assert dialog is not None and dialog.line is not None
    qtbot.waitUntil(dialog.line.hasFocus)
    assert not dialog.ok.isEnabled()
    qtbot.keyClick(dialog.line, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.line, "   ")
    qtbot.keyClick(dialog.line, Qt.Key.Key_Return)
    assert dialog.isVisible() and resolved == []

    qtbot.keyClicks(dialog.line, "Reinstalled the VPN client; connects and intranet loads")
    assert dialog.ok.isEnabled()
    qtbot.keyClick(dialog.line, Qt.Key.Key_Return)

    assert resolved == ["Reinstalled the VPN client; connects and intranet loads"]
    qtbot.waitUntil(lambda: form.dialog is None)


def test_a_supervisor_may_override_the_gate_with_a_written_reason(
    qtbot: QtBot, matrix: PriorityMatrix
) -> None:
    form = make_form(qtbot, matrix, Role.SUPERVISOR)
    assert form.override_button.isVisible() and form.override_button.isEnabled()
    assert not form.submit_button.isEnabled()
    reasons: list[str] = []
    form.override_requested.connect(reasons.append)

    qtbot.mouseClick(form.override_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.dialog is not None and form.dialog.isVisible())
    dialog = form.dialog
    assert dialog is not None and dialog.lines is not None
    qtbot.waitUntil(dialog.isActiveWindow)  # its Ctrl+Enter works in the active window
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.lines, "Whole site down; caller hung up before reading the error")
    qtbot.keyClick(dialog.lines, Qt.Key.Key_Return, CTRL)

    assert reasons == ["Whole site down; caller hung up before reading the error"]
    assert form.state.text() == "Submitting…" and not form.override_button.isEnabled()
    assert ("Ctrl+Shift+Return", "Submit past the completeness gate, with a reason") in (
        form.shortcuts()
    )


def test_diagnostics_and_a_screenshot_close_their_gaps(
    qtbot: QtBot, matrix: PriorityMatrix
) -> None:
    form = make_form(qtbot, matrix)
    assert {"diagnostics", "error_verbatim"} <= set(form.meter.fields())
    form.set_has_diagnostics(True)
    form.set_error_screenshot_attached(True)
    assert not {"diagnostics", "error_verbatim"} & set(form.meter.fields())
    assert not form.fields.no_diagnostics.isEnabled()
    assert form.fields.screenshot_note.isVisible()
    form.set_has_diagnostics(False)
    assert form.fields.no_diagnostics.isEnabled() and "diagnostics" in form.meter.fields()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TicketStore]:
    s = open_store(parse_store_url(str(tmp_path / "console.db")))
    yield s
    s.dispose()


def test_the_draft_of_the_form_is_accepted_by_the_escalation_service(
    qtbot: QtBot, matrix: PriorityMatrix, store: TicketStore
) -> None:
    add_ticket(store)
    form = make_form(qtbot, matrix)
    form.prefill(vpn_prefill())
    form.set_has_diagnostics(True)
    form.fields.details.setFocus()
    qtbot.keyClicks(form.fields.details, "Maya Okafor, Sales")
    assert form.submit_button.isEnabled()

    with qtbot.waitSignal(form.submit_requested, timeout=1000):
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    submission = Submission(
        ref="HD-VPN0001",
        draft=form.draft(),
        affected_details=form.affected_details(),
        diagnostics=DiagnosticsInput(
            captured_at=OPENED,
            source="this_device",
            privacy="standard",
            snapshot={"system": {"os_family": "windows"}},
        ),
    )
    service = EscalationService(store, matrix, "local", clock=lambda: OPENED)
    receipt = service.submit(submission, AGENT)
    form.set_submission_state(f"Queued: {receipt.package_id}")

    decision = form.priority_decision()
    assert decision is not None and receipt.priority == decision.priority.value == "P3"
    with store.sessions() as s:
        package = s.get(Package, receipt.package_id)
        assert package is not None
        handoff = read_package(package.content).document.handoff
    assert handoff.error_verbatim == form.draft().error_verbatim
    assert [s.action for s in handoff.what_was_tried] == [
        s.action for s in form.draft().what_was_tried
    ]
    assert handoff.affected.details == "Maya Okafor, Sales"
    assert handoff.facts["error_text"] == form.draft().error_verbatim
    assert not form.submit_button.isEnabled() and not form.fields.isEnabled()
