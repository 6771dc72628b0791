"""Debounced draft saving."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QThreadPool, QTimer
from pytestqt.qtbot import QtBot

from console.ui.common.autosave import Autosaver
from console.ui.common.tasks import ImmediateTaskRunner, ThreadPoolTaskRunner


class Store:
    def __init__(self) -> None:
        self.writes: list[dict[str, Any]] = []

    def write(self, state: dict[str, Any]) -> int:
        self.writes.append(dict(state))
        return len(self.writes)


def test_a_burst_of_changes_is_saved_once_with_the_latest_state(qtbot: QtBot) -> None:
    store = Store()
    state = {"summary": ""}
    saver = Autosaver(ImmediateTaskRunner(), lambda: dict(state), store.write, debounce_ms=50)
    revisions: list[int] = []
    saver.saved.connect(revisions.append)
    for text in ("V", "VP", "VPN fails with 809"):
        state["summary"] = text
        saver.touch()
    assert saver.pending
    qtbot.waitUntil(lambda: bool(revisions), timeout=2000)
    assert store.writes == [{"summary": "VPN fails with 809"}]
    assert revisions == [1]
    assert not saver.pending


def test_a_failed_save_is_reported_and_retried(qtbot: QtBot) -> None:
    attempts: list[int] = []

    def flaky(state: dict[str, Any]) -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("database is locked")
        return 7

    saver = Autosaver(ImmediateTaskRunner(), dict, flaky, debounce_ms=20)
    failures: list[str] = []
    saved: list[int] = []
    saver.failed.connect(failures.append)
    saver.saved.connect(saved.append)
    saver.touch()
    qtbot.waitUntil(lambda: bool(saved), timeout=2000)
    assert failures == ["database is locked"]
    assert saved == [7]


def test_changes_during_a_running_save_are_saved_after_it(qtbot: QtBot) -> None:
    pool = QThreadPool()
    runner = ThreadPoolTaskRunner(pool)
    release = threading.Event()
    writes: list[str] = []
    state = {"v": "first"}

    def slow_write(s: dict[str, Any]) -> int:
        if s["v"] == "first":
            release.wait(5)
        writes.append(s["v"])
        return len(writes)

    saver = Autosaver(runner, lambda: dict(state), slow_write, debounce_ms=10)
    debounce = saver.findChild(QTimer)
    assert debounce is not None
    saver.touch()
    saver.save_now()
    state["v"] = "second"
    with qtbot.waitSignal(debounce.timeout):  # it fires while the first save still runs...
        saver.touch()
    assert runner.busy == 1  # ...and must not start a second one beside it
    release.set()
    qtbot.waitUntil(lambda: writes == ["first", "second"], timeout=3000)
    qtbot.waitUntil(lambda: not saver.pending, timeout=3000)
    assert runner.wait_for_done(3000)
