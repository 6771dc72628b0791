"""The task runner: work off the GUI thread, results back on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from console.ui.common.tasks import ImmediateTaskRunner, ThreadPoolTaskRunner


@pytest.fixture
def runner(pool_runner: ThreadPoolTaskRunner) -> ThreadPoolTaskRunner:
    return pool_runner


@pytest.fixture
def owner() -> QObject:
    return QObject()


def test_work_runs_off_the_gui_thread_and_the_result_comes_back_on_it(
    qtbot: QtBot, runner: ThreadPoolTaskRunner, owner: QObject
) -> None:
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(result: int | None, error: BaseException | None) -> None:
        seen["done_on"] = threading.get_ident()
        seen["result"], seen["error"] = result, error

    runner.run_task(work, done, owner, label="Counting")
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["worker"] != gui
    assert seen["done_on"] == gui
    assert (seen["result"], seen["error"]) == (42, None)


def test_an_error_reaches_on_done_instead_of_escaping(
    qtbot: QtBot, runner: ThreadPoolTaskRunner, owner: QObject
) -> None:
    errors: list[BaseException | None] = []

    def fails() -> None:
        raise OSError("disk gone")

    runner.run_task(fails, lambda _, error: errors.append(error), owner)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], OSError)
    assert str(errors[0]) == "disk gone"


def test_busy_count_and_activity_follow_the_running_tasks(
    qtbot: QtBot, runner: ThreadPoolTaskRunner, owner: QObject
) -> None:
    release = threading.Event()
    counts: list[int] = []
    labels: list[str] = []
    runner.busy_changed.connect(counts.append)
    runner.activity.connect(labels.append)
    finished: list[object] = []

    runner.run_task(
        release.wait, lambda result, _: finished.append(result), owner, label="Capturing"
    )
    assert runner.busy == 1
    assert labels[-1] == "Capturing"
    release.set()
    qtbot.waitUntil(lambda: bool(finished))
    assert runner.busy == 0
    assert counts == [1, 0]
    assert labels[-1] == ""


def test_immediate_runner_keeps_the_same_contract(owner: QObject) -> None:
    runner = ImmediateTaskRunner()
    got: list[tuple[object, object]] = []
    runner.run_task(lambda: "ok", lambda r, e: got.append((r, e)), owner, label="a")
    runner.run_task(lambda: 1 / 0, lambda r, e: got.append((r, type(e))), owner, label="b")
    assert got == [("ok", None), (None, ZeroDivisionError)]
    assert runner.labels == ["a", "b"]


class Panel(QLabel):
    def done(self, result: str | None, error: BaseException | None) -> None:
        self.setText(str(result))  # raises RuntimeError on a deleted widget


def _callbacks(panel: Panel) -> dict[str, Callable[[str | None, BaseException | None], None]]:
    def closure(result: str | None, error: BaseException | None) -> None:
        panel.setText(str(result))

    return {
        "bound method": panel.done,
        "lambda": lambda result, error: panel.setText(str(result)),
        "closure": closure,
    }


@pytest.mark.parametrize("kind", ["bound method", "lambda", "closure"])
def test_a_result_for_an_owner_deleted_meanwhile_is_dropped_whatever_the_callback(
    qtbot: QtBot, runner: ThreadPoolTaskRunner, kind: str
) -> None:
    release = threading.Event()
    panel = Panel()
    runner.run_task(
        lambda: "late" if release.wait(5) else "timeout", _callbacks(panel)[kind], panel
    )
    panel.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(panel))
    release.set()
    assert runner.wait_for_done(5000)
    # The result is queued to the GUI thread: let it arrive. It must be dropped there; a
    # callback run on the deleted label raises, which pytest-qt turns into a failure.
    qtbot.waitUntil(lambda: runner.busy == 0)


def test_a_result_for_a_live_owner_arrives_even_when_another_owner_is_gone(
    qtbot: QtBot, runner: ThreadPoolTaskRunner
) -> None:
    gone, kept = Panel(), Panel()
    runner.run_task(lambda: "dropped", gone.done, gone)
    runner.run_task(lambda: "shown", kept.done, kept)
    gone.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(gone))
    qtbot.waitUntil(lambda: kept.text() == "shown")


def test_the_immediate_runner_drops_a_result_for_an_owner_its_work_deleted(qtbot: QtBot) -> None:
    panel = Panel()
    got: list[object] = []

    def close_the_panel() -> str:
        shiboken6.delete(panel)
        return "late"

    ImmediateTaskRunner().run_task(close_the_panel, lambda r, e: got.append(r), panel)
    assert got == []


def test_a_tracer_set_for_new_threads_follows_the_work_onto_the_pool(
    qtbot: QtBot, runner: ThreadPoolTaskRunner, owner: QObject
) -> None:
    """Coverage and debuggers follow new threads through threading.settrace, which Qt's pool
    threads never apply: the runner hands the tracer on, or the pool's work goes unseen."""
    traced: list[int] = []

    def work() -> int:
        return threading.get_ident()

    def tracer(frame: Any, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is work.__code__:
            traced.append(threading.get_ident())

    done: list[int | None] = []
    previous = threading.gettrace()  # coverage's own, when the suite is measured
    threading.settrace(tracer)
    try:
        runner.run_task(work, lambda result, _: done.append(result), owner)
        qtbot.waitUntil(lambda: bool(done))
    finally:
        threading.settrace(previous)  # type: ignore[arg-type]
    assert traced == done
    assert traced[0] != threading.get_ident()
