"""Finding threads a test started and left running (STYLE.md: fail such a test)."""

from __future__ import annotations

import threading
import time
from collections.abc import Set


def threads_left_running(
    before: Set[threading.Thread], grace: float = 2.0
) -> list[threading.Thread]:
    """Non-daemon threads alive now that were not in ``before``, after up to ``grace`` seconds.

    A thread that was just told to stop may need a moment to return, so each one is given
    until the shared deadline before it is blamed. Daemon threads are left out: they cannot
    keep the process alive, and Qt or a library may keep one for its whole life.
    """
    deadline = time.monotonic() + grace
    for thread in _new_threads(before):
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return _new_threads(before)


def _new_threads(before: Set[threading.Thread]) -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if thread not in before and thread.is_alive() and not thread.daemon
    ]
