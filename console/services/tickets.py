"""Reading the ticket queues: the names the CLI imports, now served by :mod:`queues`.

``TicketQueries(store).page(status=..., after=..., limit=...)`` lists all tickets (or one
status) newest first, as ``agent-console tickets list`` always has.
"""

from __future__ import annotations

from console.services.queues import PageKey, TicketPage, TicketQueries, TicketRow

__all__ = ["PageKey", "TicketPage", "TicketQueries", "TicketRow"]
