"""This run's work session marker, shared by the worker that begins it and the exit that ends
it. Kept apart from :mod:`console.services.recovery` (psutil, the store) because the window
builds it before anything heavy is imported."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.services.recovery import WorkSession


class WorkSessions:
    """This run's work session: begun by a worker once the window has checked for a crashed
    one, ended on the GUI thread at a clean exit. Either may come first or not at all (a run
    may quit before the check), so a lock orders them and an end is for good."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._session: WorkSession | None = None
        self._ended = False

    @property
    def begun(self) -> bool:
        with self._lock:
            return self._session is not None

    def begin(self, directory: Path, pid: int, now: datetime) -> None:
        """Write this run's marker (see :meth:`WorkSession.begin`), unless the run ended."""
        from console.services.recovery import WorkSession

        with self._lock:
            if not self._ended and self._session is None:
                self._session = WorkSession.begin(directory, pid, now)

    def end(self) -> None:
        """A clean exit: remove the marker, so the next start offers nothing to restore."""
        with self._lock:
            self._ended = True
            if self._session is not None:
                self._session.end()
