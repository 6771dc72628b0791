"""The window's own duties: help overlay, remembered geometry, the settings dialog, and not
losing the outbox when the agent quits."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from console.services.delivery import DeliveryService
from console.store.database import open_store
from console.store.destinations import UnreachableDestination
from console.ui.settings.dialog import SettingsDialog
from console.ui.shell.help_overlay import HelpOverlay
from tests.builders import AGENT, add_ticket, complete_submission
from tests.ui.desk_support import DeskWindow, open_desk_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_f1_lists_the_shortcuts_of_the_window_and_of_the_ticket_in_front(
    qtbot: QtBot, desk_window: DeskWindow
) -> None:
    window = desk_window.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    overlay = window.findChild(HelpOverlay)
    assert overlay is not None and overlay.isVisible()
    keys = overlay.shortcut_texts()
    for expected in ("Ctrl+N", "F1", "F5", "Ctrl+Shift+C", "Ctrl+P", "Ctrl+E", "Ctrl+1…Ctrl+6"):
        assert expected in keys
    overlay.close()

    workspace = window.open_ticket(None)
    qtbot.waitUntil(lambda: workspace.shortcuts()[1:] != [], timeout=20_000)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    overlays = [o for o in window.findChildren(HelpOverlay) if o.isVisible()]
    assert len(overlays) == 1
    assert "Alt+1…Alt+4" in overlays[0].shortcut_texts()
    assert "Ctrl+Return" in overlays[0].shortcut_texts()  # the intake's "open the ticket"


def test_the_window_comes_back_where_the_agent_left_it(qtbot: QtBot, tmp_path: Path) -> None:
    first = open_desk_window(qtbot, tmp_path)
    first.window.resize(701, 507)
    first.window.splitter.setSizes([260, 441])
    first.window.close()
    first.close()

    second = open_desk_window(qtbot, tmp_path)
    try:
        assert (second.window.width(), second.window.height()) == (701, 507)
        assert second.window.splitter.sizes()[0] == 260
    finally:
        second.close()


def test_ctrl_comma_opens_the_settings(qtbot: QtBot, desk_window: DeskWindow) -> None:
    window = desk_window.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_quitting_with_packages_waiting_says_so_and_keeps_them(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    # Nothing listens on port 9: the team store is unreachable from the start.
    opened = open_desk_window(qtbot, tmp_path, store_url="postgresql://agent@127.0.0.1:9/team")
    window, desk = opened.window, opened.desk
    try:
        ref = add_ticket(desk.stores.workstation, "HD-WAITING")
        workstation_url = desk.stores.workstation.url
        desk.escalation.submit(complete_submission(ref), AGENT)
        window.deliver_outbox(now=True)
        qtbot.waitUntil(lambda: window.status.outbox.text() == "1 waiting to send", timeout=20_000)

        asked: list[str] = []

        def answer(button: QMessageBox.StandardButton) -> None:
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox)
            asked.append(box.text())
            box.button(button).click()

        QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.No))
        window.close()
        assert window.isVisible()  # the agent chose to stay
        assert "1 escalation package(s) have not reached the team store" in asked[0]

        QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Yes))
        window.close()
        assert not window.isVisible()
    finally:
        opened.close()
    # Read back from the file, as the next start will: the window's stores are closed.
    workstation = open_store(workstation_url)
    try:
        waiting = DeliveryService(workstation, UnreachableDestination("team", "down")).waiting()
    finally:
        workstation.dispose()
    assert [w.ref for w in waiting] == ["HD-WAITING"]


def test_captures_of_this_device_report_cpu_use_since_the_ticket_opened(
    qtbot: QtBot, tmp_path: Path
) -> None:
    opened = open_desk_window(qtbot, tmp_path, this_device=True)
    try:
        ref = add_ticket(opened.desk.stores.workstation)
        opened_at = time.monotonic()
        workspace = opened.window.open_ticket(ref)
        qtbot.waitUntil(lambda: workspace.diagnostics is not None, timeout=20_000)
        panel = workspace.diagnostics
        assert panel is not None
        qtbot.wait(400)  # deliberate: the call time the CPU sample must cover (asserted below)
        with qtbot.waitSignal(panel.captures_changed, timeout=20_000):
            panel.capture_device()
        elapsed_ms = (time.monotonic() - opened_at) * 1000
        (info,) = opened.desk.capture.captures(ref)
        content = opened.desk.capture.load(ref, info.snapshot_id).content
    finally:
        opened.close()
    assert content["meta"]["collector"]["source"] == "this_device"
    # The window began as the ticket opened, not as the capture did (a few milliseconds).
    assert 400 <= content["cpu"]["sample_ms"] <= elapsed_ms
    assert content["processes"]["sample_ms"] >= 400


def test_the_queue_is_redated_once_when_the_day_changes(desk_window: DeskWindow) -> None:
    from datetime import date, timedelta

    window = desk_window.window
    redated: list[None] = []
    window.queue.model.redate = lambda: redated.append(None)  # type: ignore[method-assign]
    window._sla_timer.timeout.emit()  # the window's half-minute tick, on the same day
    assert redated == []
    window._day = date.today() - timedelta(days=1)  # it was opened yesterday
    window._sla_timer.timeout.emit()
    window._sla_timer.timeout.emit()
    assert redated == [None]
