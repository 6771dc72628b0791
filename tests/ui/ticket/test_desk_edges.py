"""Edges of a ticket's life in the window, found by review: a second press of Open, closing
a tab while its work runs, edits after the package is frozen, corrections to the intake,
and the intake journal racing a discard."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.services.queue_model import QueueQuery, QueueView
from console.ui.shell.main_window import MainWindow
from console.ui.ticket.workspace import TicketWorkspace
from tests.ui.desk_support import DeskWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def new_ws(qtbot: QtBot, window: MainWindow) -> TicketWorkspace:
    ws = window.open_ticket()
    assert isinstance(ws, TicketWorkspace)
    qtbot.waitUntil(lambda: ws.intake is not None, timeout=20_000)
    return ws


def fill(
    ws: TicketWorkspace, caller: str = "Dana", summary: str = "VPN fails with error 809 on LT-0457"
) -> None:
    assert ws.intake is not None
    ws.intake.edits["caller"].setText(caller)
    ws.intake.edits["caller"].textEdited.emit(caller)
    ws.intake.edits["summary"].setText(summary)
    ws.intake.edits["summary"].textEdited.emit(summary)


def test_an_edit_after_resolving_is_not_retried_forever(
    qtbot: QtBot, desk_window: DeskWindow
) -> None:
    window = desk_window.window
    ws = new_ws(qtbot, window)
    fill(ws)
    ws.intake.open_button.click()
    qtbot.waitUntil(lambda: ws.handoff is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not ws.autosaver.pending, timeout=10_000)
    ws._resolve("Reinstalled the client")
    qtbot.waitUntil(lambda: ws.handoff.state.text().startswith("Resolved"), timeout=10_000)
    failures = []
    ws.autosaver.failed.connect(failures.append)
    with qtbot.waitSignal(ws.autosaver.failed, timeout=10_000):
        ws.intake.edits["site"].setText("HQ")
        ws.intake.edits["site"].textEdited.emit("HQ")
    # Refused, not busy: nothing is left pending, so no retry is coming.
    assert not ws.autosaver.pending
    assert len(failures) == 1


def test_closing_an_unopened_ticket_forgets_its_intake(
    qtbot: QtBot, desk_window: DeskWindow, tmp_path: Path
) -> None:
    window = desk_window.window
    ws = new_ws(qtbot, window)
    fill(ws, caller="Sam Okafor")
    journal = tmp_path / "unopened-intake" / f"{ws.journal_key}.json"
    ws.flush()
    qtbot.waitUntil(journal.is_file, timeout=10_000)  # the intake was kept
    window.tabs.tabCloseRequested.emit(window.tabs.indexOf(ws))  # starts the discard
    qtbot.waitUntil(lambda: window.idle, timeout=10_000)
    assert not journal.exists()


def test_a_second_open_press_makes_no_second_ticket(qtbot: QtBot, desk_window: DeskWindow) -> None:
    window = desk_window.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    ws = new_ws(qtbot, window)
    fill(ws)
    ws.intake.open_button.click()
    # Pressed again while "Opening…": the button is disabled by now, the shortcut is not.
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(ws.intake.edits["summary"], Qt.Key.Key_Return, ctrl)
    qtbot.waitUntil(lambda: ws.handoff is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.idle, timeout=20_000)  # a second open is done too
    everything = QueueQuery(QueueView.ALL, agent="alice")
    assert desk_window.desk.workstation_queries.count(everything) == 1
    assert ws.steps.count() == 4


def test_closing_a_tab_while_its_ticket_opens_raises_nothing(
    qtbot: QtBot, desk_window: DeskWindow
) -> None:
    window = desk_window.window
    ws = new_ws(qtbot, window)
    fill(ws)
    ws.intake.open_button.click()
    window.tabs.tabCloseRequested.emit(window.tabs.indexOf(ws))
    window.deliver_outbox()  # a task after it, to know the open's result came back
    qtbot.waitUntil(lambda: window.idle, timeout=20_000)  # pytest-qt fails on errors


def test_intake_corrections_reach_the_ticket(qtbot: QtBot, desk_window: DeskWindow) -> None:
    window = desk_window.window
    ws = new_ws(qtbot, window)
    fill(ws, caller="Dana Whitfeld")
    ws.intake.open_button.click()
    qtbot.waitUntil(lambda: ws.handoff is not None, timeout=20_000)
    ws.intake.edits["caller"].setText("Dana Whitfield")
    ws.intake.edits["caller"].textEdited.emit("Dana Whitfield")
    ws.flush()
    qtbot.waitUntil(lambda: not ws.autosaver.pending, timeout=10_000)
    row = desk_window.desk.ticket(ws.ref)
    assert row.caller == "Dana Whitfield"


def test_a_save_racing_the_discard_does_not_bring_the_intake_back(
    qtbot: QtBot, desk_window: DeskWindow, tmp_path: Path
) -> None:
    window = desk_window.window
    left = 0
    for i in range(15):
        ws = new_ws(qtbot, window)
        fill(ws, caller=f"Sam {i}")
        journal = tmp_path / "unopened-intake" / f"{ws.journal_key}.json"
        ws.flush()
        qtbot.waitUntil(lambda ws=ws: not ws.autosaver.pending, timeout=10_000)
        assert journal.is_file()  # the intake was kept
        fill(ws, caller=f"Sam {i} Okafor")
        ws.flush()  # this save runs on a worker thread while the discard runs on another
        window.tabs.tabCloseRequested.emit(window.tabs.indexOf(ws))
        qtbot.waitUntil(lambda: window.idle, timeout=10_000)
        if journal.exists():
            left += 1
    assert left == 0


def test_closing_a_tab_during_a_save_still_saves_the_last_edit(
    qtbot: QtBot, desk_window: DeskWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = desk_window.window
    desk = desk_window.desk
    ws = new_ws(qtbot, window)
    fill(ws)
    ws.intake.open_button.click()
    qtbot.waitUntil(lambda: ws.handoff is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not ws.autosaver.pending, timeout=10_000)
    real = desk.drafts.save
    closed = threading.Event()

    def slow(ref: str, content: Any, base: int | None) -> int:
        closed.wait(10)  # e.g. SQLite waiting on the delivery's write lock until the tab closes
        return real(ref, content, base)

    monkeypatch.setattr(desk.drafts, "save", slow)
    ws.intake.edits["site"].setText("HQ")
    ws.intake.edits["site"].textEdited.emit("HQ")
    ws.flush()  # a save is running
    ws.intake.edits["site"].setText("HQ floor 3")
    ws.intake.edits["site"].textEdited.emit("HQ floor 3")
    ref = ws.ref
    window.tabs.tabCloseRequested.emit(window.tabs.indexOf(ws))
    closed.set()
    qtbot.waitUntil(lambda: not shiboken6.isValid(ws), timeout=10_000)  # once its last save is in
    site = desk.drafts.load(ref).content["intake"]["site"]
    assert site == "HQ floor 3"


def test_a_capture_during_the_call_gives_the_playbook_the_callers_os(
    qtbot: QtBot, desk_window: DeskWindow
) -> None:
    """The playbook's Windows, macOS and Linux steps need the OS, which the capture brings:
    captured before the run reaches its branch, the branch takes the caller's OS."""
    ws = new_ws(qtbot, desk_window.window)
    fill(ws, summary="No internet on the laptop since this morning, websites won't load")
    qtbot.waitUntil(lambda: ws.intake.playbook_id() == "no-network-internet", timeout=10_000)
    ws.intake.open_button.click()
    qtbot.waitUntil(lambda: ws.handoff is not None, timeout=20_000)
    troubleshoot, diagnostics = ws.troubleshoot, ws.diagnostics
    assert troubleshoot is not None and diagnostics is not None
    assert "os_family" not in troubleshoot.facts()

    with qtbot.waitSignal(diagnostics.newest_shown, timeout=20_000):
        diagnostics.capture_device()  # the recorded Windows 11 laptop
    assert troubleshoot.facts()["os_family"] == "windows"
    runner = troubleshoot.runner
    for _ in range(3):  # only the caller; work stopped; Wi-Fi
        runner.choose(0)
    assert runner.current.id == "quick_windows"
    # The draft keeps what the capture told the run: a restored run goes the same way.
    restored = ws.troubleshoot.draft_state()
    assert restored["run"]["initial_facts"]["os_family"] == "windows"


def test_a_save_refused_by_a_busy_store_is_retried_without_another_edit(
    qtbot: QtBot, desk_window: DeskWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy store (another transaction holds the lock) wrote nothing: the autosaver tries
    again on its own, so the agent's last edit lands although they typed nothing more."""
    from console.store.errors import StoreBusy

    ws = new_ws(qtbot, desk_window.window)
    fill(ws)
    ws.intake.open_button.click()
    qtbot.waitUntil(lambda: ws.handoff is not None, timeout=20_000)
    qtbot.waitUntil(lambda: not ws.autosaver.pending, timeout=10_000)
    drafts = desk_window.desk.drafts
    save = drafts.save
    attempts: list[int | None] = []

    def busy_once(ref: str, content: Any, base_revision: int | None) -> int:
        attempts.append(base_revision)
        if len(attempts) == 1:
            raise StoreBusy("The ticket store is busy; nothing was written, try again.")
        return save(ref, content, base_revision)

    monkeypatch.setattr(drafts, "save", busy_once)
    failures: list[str] = []
    ws.autosaver.failed.connect(failures.append)
    ws.intake.edits["site"].setText("HQ")
    ws.intake.edits["site"].textEdited.emit("HQ")
    with qtbot.waitSignal(ws.draft_saved, timeout=15_000):
        pass
    assert failures == ["The ticket store is busy; nothing was written, try again."]
    assert attempts[0] == attempts[1]  # the retry builds on the same revision
    draft = drafts.load(ws.ref)
    assert draft is not None
    assert draft.content["intake"]["site"] == "HQ"
