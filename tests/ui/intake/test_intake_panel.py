"""The intake step: the vague-summary prompt, playbook suggestions, and opening the ticket."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.domain.enums import Category
from console.domain.intake import PlaybookInfo, suggest_playbooks, vague_summary
from console.ui.intake.panel import NO_PLAYBOOK, IntakePanel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

BOOKS = [
    PlaybookInfo("vpn-cannot-connect", "VPN cannot connect", Category.VPN, ("vpn", "809")),
    PlaybookInfo("printer-offline", "Printer offline", Category.PRINTER, ("printer",)),
]


def make_panel(qtbot: QtBot) -> IntakePanel:
    panel = IntakePanel(vague_summary, lambda summary: suggest_playbooks(summary, BOOKS))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitActive(panel)
    return panel


def type_into(qtbot: QtBot, panel: IntakePanel, field: str, text: str) -> None:
    panel.edits[field].setFocus()
    qtbot.keyClicks(panel.edits[field], text)


def test_a_vague_summary_asks_for_specifics_and_a_specific_one_does_not(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    type_into(qtbot, panel, "summary", "Email broken")
    assert panel.vague.isVisible()
    assert panel.vague.text() == vague_summary("Email broken")
    panel.edits["summary"].clear()
    type_into(qtbot, panel, "summary", "VPN fails with error 809 on laptop LT-0457")
    assert not panel.vague.isVisible()


def test_the_playbook_and_its_category_follow_the_summary(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    assert panel.playbook_id() == NO_PLAYBOOK
    type_into(qtbot, panel, "summary", "VPN fails with error 809")
    qtbot.waitUntil(lambda: panel.playbook_id() == "vpn-cannot-connect")
    assert panel.draft_state()["category"] == Category.VPN.value
    assert panel.summary() == "VPN fails with error 809"


def test_open_needs_the_caller_and_the_summary_and_says_which(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    requests: list[dict[str, Any]] = []
    panel.open_requested.connect(requests.append)
    type_into(qtbot, panel, "summary", "Printer shows offline for accounting")
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert requests == []
    assert panel.problem.text() == "Fill in the caller to open the ticket."
    qtbot.waitUntil(panel.edits["caller"].hasFocus)
    type_into(qtbot, panel, "caller", "Sam Okafor")
    qtbot.keyClick(panel.edits["caller"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert [r["caller"] for r in requests] == ["Sam Okafor"]
    assert not panel.open_button.isEnabled()  # not a second ticket while this one opens


def test_an_opened_ticket_keeps_its_form_editable_for_corrections(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    panel.set_opened("HD-ABC1234")
    assert panel.open_button.text() == "HD-ABC1234 is open"
    assert not panel.open_button.isEnabled()
    assert panel.edits["site"].isEnabled()


def test_restoring_a_draft_emits_no_change_and_keeps_the_chosen_playbook(qtbot: QtBot) -> None:
    source = make_panel(qtbot)
    type_into(qtbot, source, "caller", "Sam Okafor")
    type_into(qtbot, source, "summary", "Printer shows offline and VPN fails")
    qtbot.waitUntil(lambda: source.playbooks.count() == 3)  # no playbook, then the two
    source.playbooks.setCurrentRow(2)  # the second suggestion, not the first
    state = source.draft_state()
    assert state["playbook_id"] in {book.id for book in BOOKS}
    restored = make_panel(qtbot)
    changes: list[int] = []
    restored.changed.connect(lambda: changes.append(1))
    restored.restore_state(state)
    assert restored.draft_state() == state
    assert changes == []


def test_a_new_ticket_starts_at_the_caller(qtbot: QtBot) -> None:
    panel = make_panel(qtbot)
    panel.edits["summary"].setFocus()
    qtbot.waitUntil(panel.edits["summary"].hasFocus)
    panel.focus_first_field()
    qtbot.waitUntil(panel.edits["caller"].hasFocus)
