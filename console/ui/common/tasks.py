"""The one way the GUI runs slow work: ``run_task(fn, on_done, owner)``.

``fn`` runs on a worker thread and never touches a widget; ``on_done(result, error)`` runs
on the GUI thread afterwards, with exactly one of the two set. Anything that reads the disk,
the network, the database or psutil goes through here, so the window never freezes.

``owner`` is the QObject the result is for (usually the widget that asked). When it is gone
by the time the result arrives (the agent closed the tab), the runner drops the result itself,
as Qt's ``connect`` does with a context object, whatever ``on_done`` is: a bound method, a
lambda or a closure. Widgets need no guard of their own.

Tests inject :class:`ImmediateTaskRunner`, which runs ``fn`` at once on the calling thread,
so a widget test reads like a story with no waiting.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot

T = TypeVar("T")


class TaskRunner(Protocol):
    """What widgets are given to run work off the GUI thread."""

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T | None, BaseException | None], None],
        owner: QObject,
        *,
        label: str = "",
    ) -> None:
        """Run ``fn`` in the background; call ``on_done(result, error)`` on the GUI thread
        unless ``owner`` has been deleted by then.

        ``label`` ("Capturing diagnostics…") is shown while the task runs.
        """
        ...


def alive(owner: QObject) -> bool:
    """Whether ``owner``'s C++ object still exists (a deleted widget keeps its wrapper)."""
    return shiboken6.isValid(owner)


@dataclass(frozen=True, slots=True)
class _Pending:
    label: str
    on_done: Callable[[Any, BaseException | None], None]
    owner: QObject


class ThreadPoolTaskRunner(QObject):
    """Runs tasks on a :class:`QThreadPool`; results come back through a queued signal.

    Signals:
        busy_changed(int): how many tasks are running, after each start and finish.
        activity(str): the label of the newest running task, "" when none runs.
    """

    busy_changed = Signal(int)
    activity = Signal(str)
    _finished = Signal(int, object, object)

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._ids = itertools.count(1)
        self._running: dict[int, _Pending] = {}
        # Queued: the relay is emitted on a worker thread and this object lives on the GUI one.
        self._finished.connect(self._deliver)

    @property
    def busy(self) -> int:
        return len(self._running)

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T | None, BaseException | None], None],
        owner: QObject,
        *,
        label: str = "",
    ) -> None:
        task_id = next(self._ids)
        self._running[task_id] = _Pending(label, on_done, owner)
        self._pool.start(_Task(task_id, fn, self._finished))
        self._announce()

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until every started task has returned (at shutdown, and in tests)."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object, object)
    def _deliver(self, task_id: int, result: object, error: object) -> None:
        pending = self._running.pop(task_id)
        self._announce()
        if not alive(pending.owner):
            return  # the widget that asked was closed meanwhile: nobody to tell
        pending.on_done(result, error if isinstance(error, BaseException) else None)

    def _announce(self) -> None:
        self.busy_changed.emit(len(self._running))
        labels = [pending.label for pending in self._running.values() if pending.label]
        self.activity.emit(labels[-1] if labels else "")


class _Task(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], object], finished: SignalInstance) -> None:
        super().__init__()
        self._id = task_id
        self._fn = fn
        self._finished = finished

    def run(self) -> None:
        # Qt's pool threads start untraced, unlike threading.Thread: a tracer set for new
        # threads (coverage measuring the tests, a debugger) would miss the pool's work. It
        # applies to the calls made after it, hence the work in a method of its own.
        trace = threading.gettrace()
        if trace is not None and sys.gettrace() is None:
            sys.settrace(trace)
        self._work()

    def _work(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to on_done on the GUI thread
            self._finished.emit(self._id, None, exc)
            return
        self._finished.emit(self._id, result, None)


class ImmediateTaskRunner:
    """Runs each task at once on the calling thread (tests; STYLE.md rule 13)."""

    def __init__(self) -> None:
        self.labels: list[str] = []

    def run_task(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T | None, BaseException | None], None],
        owner: QObject,
        *,
        label: str = "",
    ) -> None:
        self.labels.append(label)
        # An error reaches on_done as from the pool. Unlike there, KeyboardInterrupt and the
        # test framework's own exits go on up: this runs on the caller's thread.
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001
            error: BaseException | None = exc
            result = None
        else:
            error = None
        if alive(owner):  # fn may have closed its own owner
            on_done(result, error)
