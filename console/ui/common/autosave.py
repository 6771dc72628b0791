"""Drafts are saved within two seconds of a change, off the GUI thread.

Changes restart a short timer; when it fires, the window's state is read on the GUI thread
(cheap: a dict of the fields) and written by the task runner. A save that is still running
when the next change comes makes the next one wait for it, so revisions never race.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from console.ui.common.tasks import TaskRunner

# Below the two seconds with room for the write itself.
DEBOUNCE_MS = 1200

S = TypeVar("S")
R = TypeVar("R")


class Autosaver(QObject, Generic[S, R]):
    """Debounced saving of one draft: ``read_state()`` on the GUI thread gives what to save
    (an ``S``), ``write(state)`` stores it on a worker thread and returns what it stored (an
    ``R``, such as the new revision), which ``saved`` carries back.

    Signals:
        saved(object): what ``write`` returned, on the GUI thread, before any later save
            reads its state.
        failed(str): the save failed; the sentence says why. The next change retries.
        pending_changed(bool): whether there are edits not yet in the store.
    """

    saved = Signal(object)
    failed = Signal(str)
    pending_changed = Signal(bool)

    def __init__(
        self,
        runner: TaskRunner,
        read_state: Callable[[], S],
        write: Callable[[S], R],
        debounce_ms: int = DEBOUNCE_MS,
        parent: QObject | None = None,
        is_transient: Callable[[BaseException], bool] = lambda error: True,
    ) -> None:
        """``write`` runs on a worker thread. ``is_transient`` tells a failure worth
        retrying on its own from one that is not."""
        super().__init__(parent)
        self._is_transient = is_transient
        self._runner = runner
        self._read_state = read_state
        self._write = write
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._timer.timeout.connect(self.save_now)
        self._saving = False
        self._dirty = False

    @property
    def pending(self) -> bool:
        return self._dirty or self._saving

    def touch(self) -> None:
        """Something changed: save soon."""
        if not self._dirty:
            self._dirty = True
            self.pending_changed.emit(True)
        self._timer.start()

    def stop(self) -> None:
        """Forget unsaved changes (what they belonged to is being thrown away)."""
        self._timer.stop()
        self._dirty = False

    def save_now(self) -> None:
        self._timer.stop()
        if not self._dirty or self._saving:
            return  # a running save is followed by another when it returns (see _done)
        self._dirty = False
        self._saving = True
        state, write = self._read_state(), self._write
        self._runner.run_task(lambda: write(state), self._done, self, label="Saving draft")

    def _done(self, written: R | None, error: BaseException | None) -> None:
        self._saving = False
        if error is not None:
            # A busy or unreachable store is worth another try; a refusal (the ticket was
            # escalated meanwhile, a conflicting revision) is not: the next change retries.
            self._dirty = self._dirty or self._is_transient(error)
            self.failed.emit(str(error) or type(error).__name__)
        else:
            self.saved.emit(written)
        if self._dirty and not self._timer.isActive():
            self._timer.start()
        self.pending_changed.emit(self.pending)
