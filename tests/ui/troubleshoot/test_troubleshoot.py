"""The troubleshooting panel, driven by the keyboard through the bundled VPN playbook: digits
answer, Enter continues and runs checks, Alt+Left undoes, Ctrl+Shift+N attaches a note; checks
run through the task runner (one test on real threads), and a draft restores the run."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from console.diagnostics import checks
from console.playbooks import CheckCallable, CheckNode, Playbook, RunOutcome, load_playbook
from console.resources import resources_dir
from console.ui.common.tasks import ImmediateTaskRunner, TaskRunner, ThreadPoolTaskRunner
from console.ui.troubleshoot.panel import TroubleshootPanel
from console.ui.troubleshoot.transcript import REVERTED_ROLE
from console.ui.troubleshoot.views import AskView, CheckView, EndedView, InputView, LeafView

# The offscreen platform cannot pass a window's size hints on and says so whenever a layout
# changes them (every node shown does); real platforms can.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
VPN = resources_dir() / "playbooks" / "vpn-cannot-connect.yaml"


@pytest.fixture(scope="module")
def vpn() -> Playbook:
    return load_playbook(VPN)


class Clock:
    def __init__(self) -> None:
        self.times: Iterator[datetime] = (T0 + timedelta(minutes=i) for i in range(10_000))

    def __call__(self) -> datetime:
        return next(self.times)


@dataclasses.dataclass
class Result:
    status: str
    summary: str
    evidence: Mapping[str, Any]
    duration_ms: float = 4.0


class FakeChecks:
    """Pass or fail per check name; a name in ``broken`` raises; every call is recorded with
    the thread it ran on."""

    def __init__(self, outcomes: Mapping[str, str], broken: Mapping[str, Exception] = {}) -> None:
        self.outcomes = dict(outcomes)
        self.broken = dict(broken)
        self.calls: list[tuple[str, dict[str, Any], int]] = []
        self.gate: threading.Event | None = None

    def __call__(self, name: str, args: Mapping[str, Any]) -> Result:
        self.calls.append((name, dict(args), threading.get_ident()))
        if self.gate is not None:
            assert self.gate.wait(10), "the test never released the check"
        if name in self.broken:
            raise self.broken[name]
        status = self.outcomes[name]
        return Result(status, f"{name} said {status}.", {"checked": name, "ports": [443]})


def make_panel(
    qtbot: QtBot, playbook: Playbook, run_check: CheckCallable, tasks: TaskRunner | None = None
) -> TroubleshootPanel:
    panel = TroubleshootPanel(playbook, run_check, tasks or ImmediateTaskRunner(), clock=Clock())
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    panel.setFocus()
    return panel


def press(qtbot: QtBot, key: Any, modifier: Any = None) -> None:
    """A key press where the keyboard focus is, as the agent's keyboard would send it."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    if modifier is None:
        qtbot.keyClick(target, key)
    else:
        qtbot.keyClick(target, key, modifier)


def type_text(qtbot: QtBot, text: str) -> None:
    target = QApplication.focusWidget()
    assert target is not None
    qtbot.keyClicks(target, text)


def child(panel: QWidget, kind: type[Any], name: str) -> Any:
    found = panel.findChild(kind, name)
    assert found is not None, name
    return found


def node_id(panel: TroubleshootPanel) -> str:
    return panel.runner.current.id


def transcript_items(panel: TroubleshootPanel) -> list[str]:
    entries: QListWidget = child(panel, QListWidget, "troubleshoot_transcript")
    return [entries.item(i).text() for i in range(entries.count())]


def visible_check_view(panel: TroubleshootPanel) -> CheckView:
    views = [v for v in panel.findChildren(CheckView) if v.isVisible()]
    assert len(views) == 1
    return views[0]


# --- the scripted call ----------------------------------------------------------------------------


def test_a_vpn_call_by_keyboard_to_an_escalation(qtbot: QtBot, vpn: Playbook) -> None:
    checks = FakeChecks(
        {"default_gateway_present": "pass", "dns_resolves": "pass", "tcp_connect": "fail"}
    )
    panel = make_panel(qtbot, vpn, checks)
    changes: list[None] = []
    panel.changed.connect(lambda: changes.append(None))
    assert node_id(panel) == "scope"
    assert child(panel, QPushButton, "troubleshoot_choice_1").text() == "1  Only this caller"
    assert not child(panel, QPushButton, "troubleshoot_back").isEnabled()

    press(qtbot, Qt.Key.Key_1)  # only this caller
    assert node_id(panel) == "urgency" and len(changes) == 1
    press(
        qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    type_text(qtbot, "Caller is at a hotel")
    press(qtbot, Qt.Key.Key_Return)  # attaches the note; does not answer the node
    assert node_id(panel) == "urgency"
    assert child(panel, QLabel, "troubleshoot_pending_note").text() == (
        "Note on this step: Caller is at a hotel"
    )
    press(qtbot, Qt.Key.Key_1)  # work has stopped
    assert node_id(panel) == "client"

    type_text(qtbot, "GlobalProtect 6.2.1")  # the input has the focus
    press(qtbot, Qt.Key.Key_Return)
    assert node_id(panel) == "protocol"
    press(qtbot, Qt.Key.Key_3)  # WireGuard, by mistake: the branch leads on to the check
    assert node_id(panel) == "gateway"
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert node_id(panel) == "protocol"
    assert "vpn_protocol" not in panel.facts()
    press(qtbot, Qt.Key.Key_2)  # SSL/TLS

    press(qtbot, Qt.Key.Key_Return)  # run default_gateway_present
    assert visible_check_view(panel).status.text() == "PASS → resolve_name"
    assert "checked: default_gateway_present" in visible_check_view(panel).evidence.text()
    press(qtbot, Qt.Key.Key_Return)  # continue
    press(qtbot, Qt.Key.Key_Return)  # run dns_resolves
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)  # run tcp_connect: it fails
    view = visible_check_view(panel)
    assert view.status.text() == "FAIL → other_network"
    assert view.summary.text() == "tcp_connect said fail."
    assert view.evidence.text() == "checked: tcp_connect\nports: [443]"
    press(
        qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    type_text(qtbot, "Not from here either")
    press(qtbot, Qt.Key.Key_Return)  # a note on the check just shown
    press(qtbot, Qt.Key.Key_Return)  # continue
    assert node_id(panel) == "other_network"
    press(qtbot, Qt.Key.Key_2)  # fails on the hotspot too
    assert node_id(panel) == "local_network_error"
    type_text(qtbot, "Gateway not responding")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)  # a second line
    type_text(qtbot, "(code 1402)")
    press(qtbot, Qt.Key.Key_Return)
    assert node_id(panel) == "local_network"
    assert child(panel, QPushButton, "troubleshoot_finish").text() == "Finish: escalate (Enter)"
    # The note names the hotspot answer; the agent reads it with the answer in its place.
    leaf = child(panel, QPushButton, "troubleshoot_finish").parentWidget()
    assert isinstance(leaf, LeafView)
    assert "such as a phone hotspot: fails (connects there" in leaf.body.text()

    with qtbot.waitSignal(panel.finished) as finished:
        press(qtbot, Qt.Key.Key_Return)
    assert finished.args == ["escalate"]

    transcript = panel.transcript()
    assert transcript.outcome is RunOutcome.ESCALATED
    assert [(e.node, e.answer, e.reverted) for e in transcript.entries] == [
        ("scope", "Only this caller", False),
        ("urgency", "Work has stopped: nothing internal is reachable", False),
        ("client", "GlobalProtect 6.2.1", False),
        ("protocol", "WireGuard", True),
        ("route_scope", "default (single_user)", True),
        ("protocol", "SSL/TLS", False),
        ("route_scope", "default (single_user)", False),
        ("gateway", "pass", False),
        ("resolve_name", "pass", False),
        ("reach", "fail", False),
        ("other_network", "It fails on the other network too", False),
        ("local_network_error", "Gateway not responding\n(code 1402)", False),
        ("local_network", "escalated", False),
    ]
    assert transcript.entries[1].note == "Caller is at a hotel"
    assert transcript.entries[9].note == "Not from here either"
    assert [(name, args) for name, args, _ in checks.calls] == [
        ("default_gateway_present", {}),
        ("dns_resolves", {"host": "vpn.example.com"}),
        ("tcp_connect", {"host": "vpn.example.com", "port": 443}),
    ]
    assert panel.facts() == {
        "affected_scope": "single_user",
        "affected_count": "1",
        "urgency": "work_stopped",
        "vpn_client": "GlobalProtect 6.2.1",
        "vpn_protocol": "ssl",
        "other_network_test": "fails",
        "error_text": "Gateway not responding\n(code 1402)",
    }

    items = transcript_items(panel)
    assert items[3] == "4. Which protocol does the profile use? (The client's settings or " + (
        "connection details show it.) → WireGuard (undone)"
    )
    assert items[1].endswith("\n    Note: Caller is at a hotel")
    assert items[-1] == "13. Escalated at local_network"
    entries: QListWidget = child(panel, QListWidget, "troubleshoot_transcript")
    undone = [i for i in range(entries.count()) if entries.item(i).data(REVERTED_ROLE)]
    assert undone == [3, 4]
    assert entries.item(3).font().strikeOut() and not entries.item(5).font().strikeOut()
    facts: QListWidget = child(panel, QListWidget, "troubleshoot_facts")
    assert facts.item(facts.count() - 1).text() == "error_text: Gateway not responding\n(code 1402)"

    assert [v for v in panel.findChildren(EndedView) if v.isVisible()]
    assert not child(panel, QPushButton, "troubleshoot_back").isEnabled()
    # every step, note and back announced itself: 14 runner changes and 3 "continue" after checks
    assert len(changes) == 14 + 3


def test_a_wrong_answer_shows_the_runners_sentence(qtbot: QtBot, vpn: Playbook) -> None:
    panel = make_panel(qtbot, vpn, FakeChecks({}))
    changes: list[None] = []
    panel.changed.connect(lambda: changes.append(None))
    press(qtbot, Qt.Key.Key_2)  # several people in a team: how many?
    assert node_id(panel) == "count"
    type_text(qtbot, "lots")
    press(qtbot, Qt.Key.Key_Return)
    error = child(panel, QLabel, "troubleshoot_input_error")
    assert error.isVisible()
    assert error.text() == "count: affected_count must be a number, not 'lots'"
    assert node_id(panel) == "count" and len(changes) == 1
    editor = [v for v in panel.findChildren(InputView) if v.isVisible()][0].editor
    assert isinstance(editor, QLineEdit)
    editor.clear()
    type_text(qtbot, "12")
    press(qtbot, Qt.Key.Key_Return)
    assert node_id(panel) == "urgency" and panel.facts()["affected_count"] == "12"


def test_digits_beyond_the_choices_and_enter_on_a_question_do_nothing(
    qtbot: QtBot, vpn: Playbook
) -> None:
    panel = make_panel(qtbot, vpn, FakeChecks({}))
    press(qtbot, Qt.Key.Key_4)  # scope has three choices
    press(qtbot, Qt.Key.Key_Return)
    assert node_id(panel) == "scope" and panel.transcript().entries == ()
    assert [v for v in panel.findChildren(AskView) if v.isVisible()]


def test_a_check_that_raises_is_an_error_and_takes_on_error(qtbot: QtBot, vpn: Playbook) -> None:
    checks = FakeChecks(
        {"default_gateway_present": "pass"}, broken={"dns_resolves": OSError("resolver hung")}
    )
    panel = make_panel(qtbot, vpn, checks)
    for key in (Qt.Key.Key_1, Qt.Key.Key_1):
        press(qtbot, key)
    type_text(qtbot, "AnyConnect 5")
    for key in (Qt.Key.Key_Return, Qt.Key.Key_2, Qt.Key.Key_Return, Qt.Key.Key_Return):
        press(qtbot, key)
    assert node_id(panel) == "resolve_name"
    press(qtbot, Qt.Key.Key_Return)  # run dns_resolves: it raises

    view = visible_check_view(panel)
    assert view.status.text() == "ERROR → browse_test"
    assert view.summary.text() == "the check could not run (OSError: resolver hung)"
    assert view.evidence.text() == "error: the check could not run (OSError: resolver hung)"
    record = panel.transcript().entries[-1].check
    assert record is not None and (record.name, record.status) == ("dns_resolves", "error")
    press(qtbot, Qt.Key.Key_Return)
    assert node_id(panel) == "browse_test"
    assert [v for v in panel.findChildren(AskView) if v.isVisible()]


def test_a_running_check_keeps_the_panel_responsive(qtbot: QtBot, vpn: Playbook) -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    tasks = ThreadPoolTaskRunner(pool)
    checks = FakeChecks({"default_gateway_present": "fail"})
    checks.gate = threading.Event()
    panel = make_panel(qtbot, vpn, checks, tasks)
    try:
        for key in (Qt.Key.Key_1, Qt.Key.Key_1):
            press(qtbot, key)
        type_text(qtbot, "AnyConnect 5")
        press(qtbot, Qt.Key.Key_Return)
        press(qtbot, Qt.Key.Key_2)
        press(qtbot, Qt.Key.Key_Return)  # run default_gateway_present: it blocks on the gate

        progress = child(panel, QProgressBar, "troubleshoot_progress")
        run = child(panel, QPushButton, "troubleshoot_run_check")
        back = child(panel, QPushButton, "troubleshoot_back")
        note = child(panel, QPushButton, "troubleshoot_add_note")
        assert tasks.busy == 1
        assert progress.isVisible() and (progress.minimum(), progress.maximum()) == (0, 0)
        assert child(panel, QLabel, "troubleshoot_running").text() == (
            "Running default_gateway_present…"
        )
        assert not run.isEnabled() and not back.isEnabled() and not note.isEnabled()
        # The event loop runs while the check waits on its worker thread, and keys are ignored.
        qtbot.waitUntil(lambda: len(checks.calls) == 1, timeout=5000)
        assert checks.calls[0][2] != threading.get_ident()  # ran on a worker thread
        press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
        press(qtbot, Qt.Key.Key_Return)
        assert node_id(panel) == "gateway" and tasks.busy == 1  # no second run was started

        checks.gate.set()
        qtbot.waitUntil(lambda: visible_check_view(panel).has_result, timeout=5000)
        assert visible_check_view(panel).status.text() == "FAIL → no_internet"
        assert back.isEnabled() and note.isEnabled()
        assert not child(panel, QProgressBar, "troubleshoot_progress").isVisible()
        press(qtbot, Qt.Key.Key_Return)
        assert node_id(panel) == "no_internet"
    finally:
        if checks.gate is not None:
            checks.gate.set()
        assert tasks.wait_for_done(5000)


# --- drafts ---------------------------------------------------------------------------------------


def walk_part_way(qtbot: QtBot) -> None:
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_2)
    type_text(qtbot, "GlobalProtect 6")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    press(qtbot, Qt.Key.Key_4)  # not sure
    press(qtbot, Qt.Key.Key_Return)  # run the gateway check; its result stays on screen


def test_a_draft_restores_the_same_node_and_transcript(qtbot: QtBot, vpn: Playbook) -> None:
    checks = FakeChecks({"default_gateway_present": "pass"})
    panel = make_panel(qtbot, vpn, checks)
    walk_part_way(qtbot)
    panel.add_note("Checked twice")
    draft = json.loads(json.dumps(panel.draft_state()))

    restored = make_panel(qtbot, vpn, FakeChecks({}))
    with qtbot.assertNotEmitted(restored.changed):
        restored.restore_state(draft)
    assert restored.transcript() == panel.transcript()
    assert restored.facts() == panel.facts()
    assert transcript_items(restored) == transcript_items(panel)
    assert restored.draft_state() == draft
    view = visible_check_view(restored)  # the check's result, as it was on screen
    assert view.status.text() == "PASS → resolve_name"
    assert [e.note for e in restored.transcript().entries if e.note] == ["Checked twice"]

    restored.setFocus()
    press(qtbot, Qt.Key.Key_Return)  # continue: the run goes on from where it was
    assert node_id(restored) == "resolve_name"
    press(qtbot, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert node_id(restored) == "gateway"
    assert child(restored, QPushButton, "troubleshoot_run_check").isVisible()


def test_a_draft_of_a_changed_playbook_starts_over_and_says_so(qtbot: QtBot, vpn: Playbook) -> None:
    panel = make_panel(qtbot, vpn, FakeChecks({"default_gateway_present": "pass"}))
    walk_part_way(qtbot)
    draft = panel.draft_state()

    newer = dataclasses.replace(vpn, version=2)
    restored = make_panel(qtbot, newer, FakeChecks({}))
    with qtbot.assertNotEmitted(restored.changed):
        restored.restore_state(draft)
    notice = child(restored, QLabel, "troubleshoot_notice")
    assert notice.isVisible()
    assert notice.text() == (
        "The playbook vpn-cannot-connect changed since the run was saved "
        "(version 1 then, 2 now); the playbook starts again from the first step."
    )
    assert node_id(restored) == "scope" and restored.transcript().entries == ()


def test_an_empty_draft_is_a_fresh_run(qtbot: QtBot, vpn: Playbook) -> None:
    panel = make_panel(qtbot, vpn, FakeChecks({}))
    press(qtbot, Qt.Key.Key_1)
    with qtbot.assertNotEmitted(panel.changed):
        panel.restore_state({})
    assert node_id(panel) == "scope" and panel.transcript().entries == ()
    assert not child(panel, QLabel, "troubleshoot_notice").isVisible()


def test_shortcuts_are_listed_for_the_help_overlay(qtbot: QtBot, vpn: Playbook) -> None:
    panel = make_panel(qtbot, vpn, FakeChecks({}))
    keys = dict(panel.shortcuts())
    assert {"1-9", "Return", "Alt+Left", "Ctrl+Shift+N"} <= set(keys)
    assert "Back" in keys["Alt+Left"] and "note" in keys["Ctrl+Shift+N"]


def test_buttons_have_accessible_names(qtbot: QtBot, vpn: Playbook) -> None:
    panel = make_panel(qtbot, vpn, FakeChecks({}))
    for button in panel.findChildren(QPushButton):
        assert button.accessibleName(), button.objectName()


def test_the_real_check_registry_through_the_panel(qtbot: QtBot, vpn: Playbook) -> None:
    """What the window passes: the registry's run_check; its result (a StrEnum status,
    read-only evidence) is shown and recorded as it came."""
    panel = make_panel(qtbot, vpn, checks.run_check)
    for key in (Qt.Key.Key_1, Qt.Key.Key_1):
        press(qtbot, key)
    type_text(qtbot, "AnyConnect 5")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_2)
    press(qtbot, Qt.Key.Key_Return)  # default_gateway_present, on this machine

    record = panel.transcript().entries[-1].check
    assert record is not None and record.name == "default_gateway_present"
    assert record.status == checks.run_check(record.name, record.args).status  # as it came
    view = visible_check_view(panel)
    assert view.status.text().startswith(record.status.upper() + " → ")
    assert view.summary.text() == record.summary
    gateway = vpn.node("gateway")
    assert isinstance(gateway, CheckNode)
    assert view.status.text().endswith(gateway.target_for(record.status))
