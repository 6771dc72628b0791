"""Who answers a queue of the window: the stdlib sqlite3 reader where the queue lives in a
SQLite file, else the desk's SQLAlchemy queries.

The sqlite3 reader lets start-up show the first page without importing SQLAlchemy (about
0.5 s on a modest machine); both readers give the same pages (their parity is tested).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from console.services.desk import Desk
    from console.services.queue_model import TicketQueue
    from console.services.queues_sqlite import SqliteTicketQueries

T = TypeVar("T")

LOCAL_VIEWS = frozenset({"my_open", "drafts"})
"""Queues read from this workstation's store; in team mode its tickets reach the team store
only when their package is delivered."""


class QueueReaders:
    """Who answers a queue: the stdlib sqlite3 reader where the queue lives in a SQLite
    file (start-up shows the first page without importing SQLAlchemy, about 0.5 s here),
    else, or when that file is not (yet) readable so, the desk's SQLAlchemy queries."""

    def __init__(
        self, desk: Desk, tickets_path: Path | None, workstation_path: Callable[[], Path]
    ) -> None:
        """``tickets_path``: the SQLite file of the ticket store (None: a team store);
        ``workstation_path``: where this workstation's own store lives, asked on first use."""
        self._desk = desk
        self._tickets_path = tickets_path
        self._workstation_path = workstation_path
        self._readers: dict[Path, SqliteTicketQueries] = {}
        self._lock = threading.Lock()
        desk.on_close.append(self.close)

    def read(self, view: str, ask: Callable[[TicketQueue], T]) -> T:
        from console.services.queues_sqlite import QueueReaderUnavailable

        fast = self._fast(view)
        if fast is not None:
            try:
                return ask(fast)
            except QueueReaderUnavailable:
                pass  # a store not created or migrated yet: the desk opens (and upgrades) it
        desk = self._desk
        return ask(desk.workstation_queries if view in LOCAL_VIEWS else desk.queries)

    def _fast(self, view: str) -> TicketQueue | None:
        from console.services.queues_sqlite import SqliteTicketQueries

        path = self._tickets_path
        if path is None and view in LOCAL_VIEWS:
            path = self._workstation_path()
        if path is None:
            return None
        with self._lock:
            if path not in self._readers:
                self._readers[path] = SqliteTicketQueries(path)
            return self._readers[path]

    def close(self) -> None:
        with self._lock:
            for reader in self._readers.values():
                reader.close()
            self._readers.clear()
