"""Crash recovery: did the last console on this machine end cleanly, and what did it leave?

A running console keeps a marker file in its data directory (written when it starts,
removed when it closes). At the next start, a marker whose process is gone means the last
session crashed or lost power: :class:`RecoveryService` then lists the drafts saved during
that session on tickets still being worked on, for the window to offer to restore.

A process id alone is not proof: after a reboot the id may belong to something else. The
marker also records the process's start time, and only the same id *and* start time count
as the same process.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from console.services.drafts import DraftRecord
from console.store.database import TicketStore
from console.store.repositories import DraftRepository

MARKER_NAME = "work-session.json"
_START_TOLERANCE = 0.01
"""Seconds: psutil derives start times from clock ticks, so allow rounding, not more."""


@dataclass(frozen=True, slots=True)
class SessionMarker:
    """What a marker file says about the console that wrote it."""

    pid: int
    process_started: float
    """The process's start time (``psutil.Process.create_time()``, seconds since the epoch)."""
    started_at: datetime
    """When the work session began (the app's clock)."""


class WorkSession:
    """This console's marker: :meth:`begin` at startup, :meth:`end` on a clean exit."""

    def __init__(self, path: Path, marker: SessionMarker) -> None:
        self.path = path
        self.marker = marker

    @property
    def started_at(self) -> datetime:
        return self.marker.started_at

    @classmethod
    def begin(cls, directory: Path, pid: int, now: datetime) -> WorkSession:
        """Write the marker for process ``pid`` (atomically: a reader never sees half a file).

        Call :meth:`crashed_before` first: this replaces any marker already there.
        """
        marker = SessionMarker(pid, psutil.Process(pid).create_time(), now.astimezone(UTC))
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / MARKER_NAME
        _write_atomically(
            path,
            {
                "pid": marker.pid,
                "process_started": marker.process_started,
                "started_at": marker.started_at.isoformat(),
            },
        )
        return cls(path, marker)

    def end(self) -> None:
        """Remove the marker, unless a later console has replaced it with its own."""
        if _read(self.path) == self.marker:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    @staticmethod
    def crashed_before(directory: Path) -> SessionMarker | None:
        """The marker of a session that did not end cleanly, or None.

        None when there is no marker, or when its process is still running (another
        console on this account is open). An unreadable marker counts as a crash that
        began when the file was last written.
        """
        path = directory / MARKER_NAME
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:
            return None
        marker = _read(path)
        if marker is None:
            return SessionMarker(0, 0.0, datetime.fromtimestamp(modified, UTC))
        return None if _alive(marker) else marker


class RecoveryService:
    def __init__(self, store: TicketStore) -> None:
        self._store = store

    def unsaved_since(self, started_at: datetime, agent: str) -> list[DraftRecord]:
        """Drafts ``agent`` saved since ``started_at`` on tickets still open or returned,
        newest first: the work a crashed session may not have finished."""
        with self._store.sessions() as session:
            rows = DraftRepository(session).updated_since(started_at, agent)
        return [DraftRecord(r.ref, r.revision, dict(r.content), r.updated_at) for r in rows]


def _alive(marker: SessionMarker) -> bool:
    try:
        process = psutil.Process(marker.pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False  # killed, only not yet reaped by its parent
        started = process.create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True  # someone else's process under a reused id: not ours to judge; keep it
    return abs(started - marker.process_started) <= _START_TOLERANCE


def _read(path: Path) -> SessionMarker | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SessionMarker(
            pid=int(data["pid"]),
            process_started=float(data["process_started"]),
            started_at=datetime.fromisoformat(data["started_at"]).astimezone(UTC),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_atomically(path: Path, data: dict[str, object]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file)
            file.flush()
            os.fsync(file.fileno())  # the marker must survive the power loss it is there for
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a directory (nor needs to).
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
