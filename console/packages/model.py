"""The ``package.json`` document, schema version 1.

These models are the format: ``resources/schema/package.schema.json`` is generated from them
(``python -m console.packages.schema``) and a test keeps the committed copy in sync. Adding an
optional field is compatible; anything else needs a new ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from console.domain.enums import Category, Channel, Impact, Priority, Trigger, Urgency
from console.domain.ticket import TicketRecord

SCHEMA_VERSION = 1
SUPPORTED_SCHEMA_VERSIONS = frozenset({1})

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
MemberPath = Annotated[
    str, Field(pattern=r"^attachments/[A-Za-z0-9._-][A-Za-z0-9._/-]*$", max_length=200)
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TicketInfo(_Strict):
    ref: Annotated[str, Field(min_length=1, max_length=40)]
    caller: str
    contact: str = ""
    client: str = ""
    site: str = ""
    channel: Channel
    summary: str
    description: str = ""
    category: Category
    agent: str
    opened_at: datetime

    @classmethod
    def of_record(cls, ticket: TicketRecord) -> TicketInfo:
        """The part of a stored ticket that its package carries."""
        return cls(
            ref=ticket.ref,
            caller=ticket.caller,
            contact=ticket.contact,
            client=ticket.client,
            site=ticket.site,
            channel=Channel(ticket.channel),
            summary=ticket.summary,
            description=ticket.description,
            category=Category(ticket.category),
            agent=ticket.agent,
            opened_at=ticket.created_at,
        )

    def to_record(self, handoff: Handoff, *, status: str, updated_at: datetime) -> TicketRecord:
        """The ticket again, as a package brings it to a store that never saw it: what the
        package carries, with the impact, urgency and priority of its ``handoff``."""
        return TicketRecord(
            ref=self.ref,
            caller=self.caller,
            contact=self.contact,
            client=self.client,
            site=self.site,
            channel=self.channel.value,
            summary=self.summary,
            description=self.description,
            category=self.category.value,
            status=status,
            impact=handoff.impact.value,
            urgency=handoff.urgency.value,
            priority=handoff.priority.value,
            agent=self.agent,
            created_at=self.opened_at,
            updated_at=updated_at,
        )


class TriedStepInfo(_Strict):
    action: str
    outcome: str = ""
    at: datetime | None = None


class Affected(_Strict):
    scope: Impact
    count: Annotated[int, Field(ge=1)]
    details: str = ""
    """Who exactly: a name, a team, a site."""


class Handoff(_Strict):
    """The five things tier 2 needs, then what follows from them."""

    what_is_wrong: str
    what_was_tried: list[TriedStepInfo]
    error_verbatim: str
    affected: Affected
    urgency: Urgency
    impact: Impact
    priority: Priority
    priority_reason: str
    triggers: Annotated[list[Trigger], Field(min_length=1)]
    queue: str
    no_diagnostics_reason: str = ""
    facts: dict[str, str] = {}


class PlaybookPin(_Strict):
    """Which script was followed, pinned so tier 2 can replay the exact path."""

    id: str
    version: int
    sha256: Sha256
    outcome: str = ""


class DiagnosticsSummary(_Strict):
    captured_at: datetime
    source: Literal["this_device", "imported_bundle"]
    privacy: Literal["standard", "strict"]
    partial: bool = False
    highlights: dict[str, str] = {}
    """A few lines for the handoff (OS, free disk, memory, VPN adapter...)."""
    path: MemberPath
    """The member that holds the full redacted snapshot JSON."""


class AttachmentInfo(_Strict):
    path: MemberPath
    media_type: str
    size: Annotated[int, Field(ge=0)]
    sha256: Sha256
    description: str = ""


class GateInfo(_Strict):
    score: Annotated[int, Field(ge=0, le=100)]
    override_reason: str = ""
    """Set when a supervisor submitted past the completeness gate; audited."""


class PackageDocument(_Strict):
    schema_version: Literal[1]
    package_id: UUID
    created_at: datetime
    submitted_by: str
    ticket: TicketInfo
    handoff: Handoff
    playbook: PlaybookPin | None = None
    diagnostics: DiagnosticsSummary | None = None
    attachments: list[AttachmentInfo] = []
    gate: GateInfo
