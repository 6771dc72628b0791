"""A whole call through the real window: intake, the VPN playbook, a capture, the handoff and
submit, with the package read back from the store. Real threads, a real SQLite store; only
the automated checks (which would reach the network) and the device (a recorded machine) are
stand-ins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.services.exchange import PackageExchange
from console.ui.ticket.workspace import TicketWorkspace
from tests.ui.desk_support import HOSTS, DeskWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def press(qtbot: QtBot, key: Any, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClick(target, key, modifier)


def type_text(qtbot: QtBot, text: str) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClicks(target, text)


@pytest.mark.slow
def test_a_vpn_call_from_intake_to_a_delivered_package(
    qtbot: QtBot, desk_window: DeskWindow, tmp_path: Path
) -> None:
    desk, window = desk_window.desk, desk_window.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    workspace = window.current_workspace()
    assert isinstance(workspace, TicketWorkspace)
    qtbot.waitUntil(lambda: workspace.intake is not None, timeout=20_000)
    intake = workspace.intake
    assert intake is not None

    # 1. Intake, by keyboard: a vague summary is questioned, a specific one is not.
    qtbot.waitUntil(lambda: intake.edits["caller"].hasFocus())
    type_text(qtbot, "Dana Whitfield")
    intake.edits["summary"].setFocus()
    type_text(qtbot, "VPN issue")
    assert intake.vague.isVisible()
    intake.edits["summary"].clear()
    type_text(qtbot, "VPN fails with error 809 on laptop LT-0457 since 9:00")
    assert not intake.vague.isVisible()
    qtbot.waitUntil(lambda: intake.playbook_id() == "vpn-cannot-connect")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: workspace.ref is not None, timeout=10_000)
    ref = workspace.ref
    assert ref is not None
    assert window.tabs.tabText(window.tabs.currentIndex()) == ref
    qtbot.waitUntil(lambda: window.status.sla.text().startswith("SLA "), timeout=10_000)
    assert window.status.sla.text().endswith(" left")  # a minute old, far from its target

    # 2. Troubleshoot: the playbook by keyboard, to its escalation.
    panel = workspace.troubleshoot
    assert panel is not None
    qtbot.waitUntil(lambda: panel.isVisible() and panel.isAncestorOf(QApplication.focusWidget()))
    press(qtbot, Qt.Key.Key_1)  # only this caller
    press(qtbot, Qt.Key.Key_1)  # work has stopped
    type_text(qtbot, "GlobalProtect 6.2.1")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_2)  # SSL/TLS
    for _ in range(3):  # gateway passes, the name resolves, the port does not answer
        steps = len(panel.runner.entries)
        press(qtbot, Qt.Key.Key_Return)  # run the check, on a worker thread
        qtbot.waitUntil(lambda steps=steps: len(panel.runner.entries) > steps, timeout=10_000)
        press(qtbot, Qt.Key.Key_Return)  # continue
    qtbot.waitUntil(lambda: panel.runner.current.id == "other_network", timeout=10_000)
    press(qtbot, Qt.Key.Key_2)  # fails on the hotspot too
    type_text(qtbot, "Error 809: the network connection could not be established")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)  # finish: escalate
    form = workspace.handoff
    assert form is not None
    qtbot.waitUntil(lambda: workspace.steps.currentIndex() == 3)

    # 3. Diagnostics of the caller's device.
    diagnostics = workspace.diagnostics
    assert diagnostics is not None
    with qtbot.waitSignal(diagnostics.captures_changed, timeout=20_000):
        diagnostics.capture_device()

    # 4. Handoff: pre-filled from the run; the gate passes once diagnostics are there.
    draft = form.draft()
    assert draft.error_verbatim == "Error 809: the network connection could not be established"
    assert draft.what_was_tried
    qtbot.waitUntil(lambda: form.submit_button.isEnabled(), timeout=5_000)

    # 5. Submit: frozen into the outbox, then delivered.
    form.submit_button.click()
    qtbot.waitUntil(lambda: form.state.text().startswith("Delivered to tier 2: P3"), timeout=20_000)
    assert desk_window.window.current_workspace().attachments.isEnabled() is False
    qtbot.waitUntil(lambda: window.navigation.count_of("submitted") == 1, timeout=10_000)
    assert window.status.outbox.text() == "Outbox empty"
    verified = PackageExchange(desk.stores.workstation).export(ref, tmp_path / "handoff.zip")
    handoff = verified.document.handoff
    assert verified.document.ticket.ref == ref
    assert verified.document.ticket.caller == "Dana Whitfield"
    assert handoff.error_verbatim == draft.error_verbatim
    assert handoff.priority.value == "P3"  # one user, work stopped
    assert [t.value for t in handoff.triggers] == [t.value for t in draft.triggers]
    assert verified.document.playbook is not None
    assert verified.document.playbook.id == "vpn-cannot-connect"
    assert verified.document.diagnostics is not None
    # The recorded laptop holds secrets: its sync job's password and token on the command line,
    # its proxy's password. The package keeps the job and the proxy, never the secrets.
    captured = verified.members[verified.document.diagnostics.path].decode()
    assert "sync.py" in captured and "proxy.northwind.example" in captured
    recorded = (HOSTS / "windows11-laptop.json").read_text(encoding="utf-8")
    for secret in ("Summer2025!", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "Winter2025!"):
        assert secret in recorded  # so the check below can fail
        assert secret not in captured

    # 6. Exports: Markdown for another tool, a PDF, the frozen package byte for byte.
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QApplication.clipboard().clear()
    qtbot.keyClick(window, Qt.Key.Key_C, ctrl_shift)
    qtbot.waitUntil(lambda: ref in QApplication.clipboard().text(), timeout=10_000)
    assert draft.error_verbatim in QApplication.clipboard().text()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    pdf = desk_window.exports / f"{ref}-handoff.pdf"
    qtbot.waitUntil(pdf.exists, timeout=10_000)
    assert pdf.read_bytes().startswith(b"%PDF-")
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    exported = desk_window.exports / f"{ref}.zip"
    qtbot.waitUntil(exported.exists, timeout=10_000)
    assert exported.read_bytes() == (tmp_path / "handoff.zip").read_bytes()
