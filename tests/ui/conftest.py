"""Fixtures of the window-level tests (the widget tests build their own parts)."""

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from console.ui.common.tasks import ThreadPoolTaskRunner
from tests.ui.desk_support import desk_window

__all__ = ["desk_window", "pool_runner"]


@pytest.fixture
def pool_runner(qtbot: QtBot) -> Iterator[ThreadPoolTaskRunner]:
    """A real task runner on a pool of its own (two threads), drained after the test."""
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    runner = ThreadPoolTaskRunner(pool)
    yield runner
    assert runner.wait_for_done(5000)
