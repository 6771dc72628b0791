"""Reading the ticket queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.store.database import TicketStore
from console.store.repositories import PackageRepository, PageKey, TicketRepository


@dataclass(frozen=True, slots=True)
class TicketRow:
    ref: str
    status: str
    category: str
    priority: str | None
    has_package: bool
    caller: str
    summary: str
    agent: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketPage:
    rows: tuple[TicketRow, ...]
    next_key: PageKey | None


class TicketQueries:
    def __init__(self, store: TicketStore) -> None:
        self._store = store

    def page(
        self, *, status: str | None = None, after: PageKey | None = None, limit: int = 200
    ) -> TicketPage:
        with self._store.sessions() as session:
            tickets = TicketRepository(session).page(status=status, after=after, limit=limit)
            packaged = PackageRepository(session).refs_with_packages([t.ref for t in tickets])
            rows = tuple(
                TicketRow(
                    ref=t.ref,
                    status=t.status,
                    category=t.category,
                    priority=t.priority,
                    has_package=t.ref in packaged,
                    caller=t.caller,
                    summary=t.summary,
                    agent=t.agent,
                    created_at=t.created_at,
                )
                for t in tickets
            )
        last = tickets[-1] if len(tickets) == limit else None
        return TicketPage(rows, PageKey(last.created_at, last.id) if last else None)
