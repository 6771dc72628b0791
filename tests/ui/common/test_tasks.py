"""The task runner: work off the GUI thread, results back on it."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from console.ui.common.tasks import ImmediateTaskRunner, ThreadPoolTaskRunner


@pytest.fixture
def runner(qtbot: QtBot) -> ThreadPoolTaskRunner:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    task_runner = ThreadPoolTaskRunner(pool)
    yield task_runner
    assert task_runner.wait_for_done(5000)


def test_work_runs_off_the_gui_thread_and_the_result_comes_back_on_it(
    qtbot: QtBot, runner: ThreadPoolTaskRunner
) -> None:
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(result: int | None, error: BaseException | None) -> None:
        seen["done_on"] = threading.get_ident()
        seen["result"], seen["error"] = result, error

    runner.run_task(work, done, label="Counting")
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["worker"] != gui
    assert seen["done_on"] == gui
    assert (seen["result"], seen["error"]) == (42, None)


def test_an_error_reaches_on_done_instead_of_escaping(
    qtbot: QtBot, runner: ThreadPoolTaskRunner
) -> None:
    errors: list[BaseException | None] = []

    def fails() -> None:
        raise OSError("disk gone")

    runner.run_task(fails, lambda _, error: errors.append(error))
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], OSError)
    assert str(errors[0]) == "disk gone"


def test_busy_count_and_activity_follow_the_running_tasks(
    qtbot: QtBot, runner: ThreadPoolTaskRunner
) -> None:
    release = threading.Event()
    counts: list[int] = []
    labels: list[str] = []
    runner.busy_changed.connect(counts.append)
    runner.activity.connect(labels.append)
    finished: list[object] = []

    runner.run_task(release.wait, lambda result, _: finished.append(result), label="Capturing")
    assert runner.busy == 1
    assert labels[-1] == "Capturing"
    release.set()
    qtbot.waitUntil(lambda: bool(finished))
    assert runner.busy == 0
    assert counts == [1, 0]
    assert labels[-1] == ""


def test_immediate_runner_keeps_the_same_contract() -> None:
    runner = ImmediateTaskRunner()
    got: list[tuple[object, object]] = []
    runner.run_task(lambda: "ok", lambda r, e: got.append((r, e)), label="a")
    runner.run_task(lambda: 1 / 0, lambda r, e: got.append((r, type(e))), label="b")
    assert got == [("ok", None), (None, ZeroDivisionError)]
    assert runner.labels == ["a", "b"]


def test_a_result_for_a_widget_closed_meanwhile_is_dropped(
    qtbot: QtBot, runner: ThreadPoolTaskRunner
) -> None:
    from PySide6.QtWidgets import QLabel

    class Panel(QLabel):
        def done(self, result: str | None, error: BaseException | None) -> None:
            self.setText(str(result))  # would raise on a deleted widget

    release = threading.Event()
    panel = Panel()
    runner.run_task(lambda: release.wait(5) and "late", panel.done)
    panel.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(panel))
    release.set()
    qtbot.waitUntil(lambda: runner.busy == 0)
