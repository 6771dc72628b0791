"""A ticket as every layer sees it: its stored fields, and the statuses tier 1 may change.

The store's ``tickets`` table has exactly these columns (plus its own row id); a test keeps
the two equal, so a new column cannot be forgotten here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.domain.enums import TicketStatus

WORKING_STATUSES: tuple[str, ...] = (TicketStatus.OPEN.value, TicketStatus.RETURNED.value)
"""A ticket in one of these is still being worked on at tier 1: its intake, draft and
attachments may change (the stored values, as ``TicketRecord.status`` holds them)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketRecord:
    """One ticket's fields, as stored. Enumerated fields hold their stored values (``status``
    is a :class:`TicketStatus` value, ``channel`` a ``Channel`` value, ...).

    A frozen package carries the caller's and the intake's part of it; delivery carries all
    of it to the team store, so the ticket can be recreated there.
    """

    ref: str
    caller: str
    contact: str = ""
    client: str = ""
    site: str = ""
    channel: str
    summary: str
    description: str = ""
    category: str
    status: str
    impact: str | None = None
    urgency: str | None = None
    priority: str | None = None
    agent: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None = None
    resolution: str = ""
