"""The heartbeat notices when the GUI thread stops answering."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from tests.benchmarks.heartbeat import Heartbeat

BLOCK_MS = 150


def block_gui_thread() -> None:
    # Deliberately blocking the GUI thread: this is exactly what the heartbeat measures.
    time.sleep(BLOCK_MS / 1000)


def test_a_blocking_slot_shows_up_as_a_stall(qtbot: QtBot) -> None:
    heartbeat = Heartbeat(interval_ms=10)
    heartbeat.start()
    qtbot.waitUntil(lambda: heartbeat.ticks >= 3)
    QTimer.singleShot(0, block_gui_thread)
    qtbot.waitUntil(lambda: heartbeat.max_stall_ms > 0.8 * BLOCK_MS, timeout=3000)
    heartbeat.stop()
    assert BLOCK_MS * 0.8 < heartbeat.max_stall_ms < BLOCK_MS * 10
    stalls = heartbeat.stalls_over(BLOCK_MS * 0.8)
    assert len(stalls) == 1
    assert stalls[0] == heartbeat.max_stall_ms


def test_a_quiet_thread_stays_under_the_block(qtbot: QtBot) -> None:
    heartbeat = Heartbeat(interval_ms=10)
    heartbeat.start()
    qtbot.waitUntil(lambda: heartbeat.ticks >= 15)
    heartbeat.stop()
    # Generous: the machine is shared, but nothing here blocks for anywhere near BLOCK_MS.
    assert heartbeat.max_stall_ms < BLOCK_MS * 0.8
    assert heartbeat.stalls_over(BLOCK_MS * 0.8) == []


def test_a_block_just_before_stop_is_counted(qtbot: QtBot) -> None:
    heartbeat = Heartbeat(interval_ms=10)
    heartbeat.start()
    qtbot.waitUntil(lambda: heartbeat.ticks >= 2)
    block_gui_thread()
    heartbeat.stop()  # no tick came after the block, stop measures it
    assert heartbeat.max_stall_ms > 0.8 * BLOCK_MS
    assert not heartbeat.running


def test_reset_forgets_and_stop_stops_ticking(qtbot: QtBot) -> None:
    heartbeat = Heartbeat(interval_ms=10)
    heartbeat.start()
    qtbot.waitUntil(lambda: heartbeat.ticks >= 2)
    block_gui_thread()
    qtbot.waitUntil(lambda: heartbeat.max_stall_ms > 0)
    heartbeat.reset()
    assert heartbeat.max_stall_ms == 0.0
    assert heartbeat.ticks == 0
    assert heartbeat.running
    heartbeat.stop()
    ticks = heartbeat.ticks
    # Three intervals on a precise timer: Qt fires timers in the order they fall due, so a tick
    # still scheduled would come first.
    later = QTimer(singleShot=True, interval=3 * heartbeat.interval_ms)
    later.setTimerType(Qt.TimerType.PreciseTimer)
    with qtbot.waitSignal(later.timeout):
        later.start()
    assert heartbeat.ticks == ticks


def test_a_fake_clock_gives_exact_figures(qtbot: QtBot) -> None:
    now = [100.0]
    heartbeat = Heartbeat(interval_ms=10, clock=lambda: now[0])
    heartbeat.start()
    for gap in (0.010, 0.0105, 0.070, 0.0115, 0.030):
        now[0] += gap
        heartbeat._tick()  # the timer's slot, driven by hand so the gaps are exact
    assert heartbeat.max_stall_ms == pytest.approx(60.0)
    assert heartbeat.stalls_over(15) == pytest.approx([60.0, 20.0])
    assert heartbeat.stalls_over(0.9) == pytest.approx([60.0, 1.5, 20.0])  # 0.5 is jitter
    heartbeat.stop()


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="interval"):
        Heartbeat(interval_ms=0)
