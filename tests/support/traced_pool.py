"""Let coverage see the work the GUI runs on QThreadPool threads.

coverage.py measures a thread through ``threading.settrace``, which only ``threading.Thread``
applies; Qt's pool threads start untraced, so on Python 3.11 everything the desk tests run
through ``run_task`` (the exports, the desk's services, the app's start-up work) would count
as never run. While a trace function is set for new threads (coverage is measuring, or a
debugger is attached), each pool task first sets it for its own thread, as
``threading.Thread`` does. ``tests/conftest.py`` applies this when PySide6 is installed.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any


def trace_pool_tasks() -> int:
    """Patch the task runner's QRunnable classes; returns how many (0 when nothing traces)."""
    if threading.gettrace() is None:
        return 0
    from PySide6.QtCore import QRunnable

    from console.ui.common import tasks  # the one background-task helper (STYLE.md rule 5)

    runnables = [
        value
        for value in vars(tasks).values()
        if isinstance(value, type) and issubclass(value, QRunnable) and "run" in vars(value)
    ]
    if not runnables:
        raise RuntimeError(
            "tests/support/traced_pool.py found no QRunnable with a run() in "
            "console.ui.common.tasks: update it, or coverage misses the pool threads' work"
        )
    for runnable in runnables:
        runnable.run = _traced(runnable.run)  # type: ignore[method-assign]
    return len(runnables)


def _traced(run: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(run)
    def traced_run(self: Any) -> None:
        hook = threading.gettrace()
        if hook is not None and sys.gettrace() is None:
            sys.settrace(hook)
        run(self)

    return traced_run
