"""Draft recovery after a crash: a console holding a draft is killed (SIGKILL, no chance to
clean up), and the next start offers to restore what it was working on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from console.app import build_desk_window
from console.settings import Settings
from console.ui.shell.main_window import MainWindow
from console.ui.ticket.workspace import TicketWorkspace
from tests.ui.shell.crash_victim import TYPED

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ROOT = Path(__file__).parents[3]


def start_window(qtbot: QtBot, store_url: str, data_dir: Path) -> tuple[Any, MainWindow, list[Any]]:
    qsettings = QSettings(str(data_dir / "geometry.ini"), QSettings.Format.IniFormat)
    desk, window, sessions = build_desk_window(
        store_url, {}, Settings({"agent.name": "alice"}), qsettings, data_dir=data_dir
    )
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_page_loaded, timeout=30_000):
        window.show()
        window.start()
    return desk, window, sessions


def kill_console(tmp_path: Path, *mode: str) -> tuple[str, str]:
    """(store URL, the ref or journal key READY named) after the console was killed."""
    store_url = f"sqlite:///{tmp_path / 'console.db'}"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with subprocess.Popen(
        [sys.executable, "-m", "tests.ui.shell.crash_victim", store_url, str(tmp_path), *mode],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as victim:
        try:
            assert victim.stdout is not None
            line = victim.stdout.readline()
            assert line.startswith("READY "), f"the console never saved its draft: {line!r}"
            victim.send_signal(signal.SIGKILL)  # no cleanup, like a power cut
            victim.wait(10)
        finally:
            if victim.poll() is None:
                victim.kill()
                victim.wait(10)
    return store_url, line.split()[1]


@pytest.fixture
def killed_console(tmp_path: Path) -> tuple[str, str]:
    """(store URL, ref) after a console that held a draft of ref was killed."""
    return kill_console(tmp_path)


@pytest.mark.slow
def test_the_next_start_offers_the_draft_a_killed_console_held(
    qtbot: QtBot, tmp_path: Path, killed_console: tuple[str, str]
) -> None:
    store_url, ref = killed_console
    desk, window, sessions = start_window(qtbot, store_url, tmp_path)
    try:
        qtbot.waitUntil(window.recovery_banner.isVisible, timeout=20_000)
        assert ref in window.recovery_banner.text.text()
        window.recovery_banner.restore_button.click()
        workspace = window.current_workspace()
        assert isinstance(workspace, TicketWorkspace)
        assert workspace.ref == ref
        qtbot.waitUntil(lambda: workspace.handoff is not None, timeout=20_000)
        assert workspace.handoff is not None
        assert workspace.handoff.draft().what_is_wrong == TYPED
        assert workspace.intake is not None
        assert workspace.intake.edits["caller"].text() == "Sam Okafor"
    finally:
        window.shutdown()
        desk.close()
        sessions.end()

    # A clean exit leaves nothing to offer the time after.
    desk, window, sessions = start_window(qtbot, store_url, tmp_path)
    try:
        qtbot.waitUntil(lambda: sessions.begun, timeout=20_000)  # the check for a crash ran...
        qtbot.waitUntil(lambda: window.idle, timeout=20_000)  # ...and was answered
        assert not window.recovery_banner.isVisible()
    finally:
        window.shutdown()
        desk.close()
        sessions.end()


@pytest.mark.slow
def test_intake_typed_before_the_ticket_was_opened_survives_a_crash(
    qtbot: QtBot, tmp_path: Path
) -> None:
    store_url, key = kill_console(tmp_path, "unopened")
    desk, window, sessions = start_window(qtbot, store_url, tmp_path)
    try:
        qtbot.waitUntil(window.recovery_banner.isVisible, timeout=20_000)
        assert "a new ticket for Sam Okafor" in window.recovery_banner.text.text()
        window.recovery_banner.restore_button.click()
        workspace = window.current_workspace()
        assert isinstance(workspace, TicketWorkspace)
        assert workspace.ref is None and workspace.journal_key == key
        qtbot.waitUntil(lambda: workspace.intake is not None, timeout=20_000)
        assert workspace.intake is not None
        assert workspace.intake.edits["summary"].text() == TYPED

        # Closing the tab without opening the ticket is the agent's choice: it is forgotten.
        journal = tmp_path / "unopened-intake" / f"{key}.json"
        assert journal.is_file()
        window.tabs.tabCloseRequested.emit(window.tabs.indexOf(workspace))
        qtbot.waitUntil(lambda: not journal.exists(), timeout=10_000)
    finally:
        window.shutdown()
        desk.close()
        sessions.end()
