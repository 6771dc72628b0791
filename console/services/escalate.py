"""Submit an escalation: gate it, freeze it into a package, queue it for delivery.

The package row, the outbox row, the ticket's new status and the audit event are written in
one transaction: either the submission happened completely or not at all.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from console.domain.enums import Role, TicketStatus
from console.domain.handoff import CompletenessGate, Gap, HandoffDraft
from console.domain.priority import PriorityMatrix
from console.domain.ticket import TicketRecord
from console.packages.model import (
    SCHEMA_VERSION,
    Affected,
    AttachmentInfo,
    DiagnosticsSummary,
    GateInfo,
    Handoff,
    PackageDocument,
    PlaybookPin,
    TicketInfo,
    TriedStepInfo,
)
from console.packages.writer import BuiltPackage, build_package
from console.services.clock import Clock, utc_now
from console.store.database import TicketStore
from console.store.outbox import OutboxRepository
from console.store.repositories import (
    AuditRepository,
    PackageRepository,
    TicketRepository,
    ticket_record,
)


class SubmitRefused(Exception):
    """The submission was not made; ``str()`` says why in one sentence."""


class IncompleteHandoff(SubmitRefused):
    def __init__(self, gaps: Sequence[Gap]) -> None:
        self.gaps = tuple(gaps)
        listed = "; ".join(f"{g.field}: {g.message}" for g in self.gaps)
        super().__init__(f"The handoff is incomplete ({len(self.gaps)} missing): {listed}")


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    role: Role


@dataclass(frozen=True, slots=True)
class AttachmentInput:
    name: str
    media_type: str
    content: bytes
    description: str = ""


@dataclass(frozen=True, slots=True)
class DiagnosticsInput:
    """A redacted snapshot (redaction already ran: this is what leaves the machine)."""

    captured_at: datetime
    source: Literal["this_device", "imported_bundle"]
    privacy: Literal["standard", "strict"]
    snapshot: Mapping[str, Any]
    highlights: Mapping[str, str] = field(default_factory=dict)
    partial: bool = False


@dataclass(frozen=True, slots=True)
class Submission:
    ref: str
    draft: HandoffDraft
    affected_details: str = ""
    attachments: Sequence[AttachmentInput] = ()
    diagnostics: DiagnosticsInput | None = None
    playbook: PlaybookPin | None = None
    override_reason: str = ""


@dataclass(frozen=True, slots=True)
class Receipt:
    ref: str
    package_id: str
    package_hash: str
    priority: str
    destination: str


class EscalationService:
    def __init__(
        self,
        store: TicketStore,
        matrix: PriorityMatrix,
        destination: str,
        clock: Clock = utc_now,
        gate: CompletenessGate | None = None,
    ) -> None:
        self._store = store
        self._matrix = matrix
        self._destination = destination
        self._clock = clock
        self._gate = gate or CompletenessGate()

    def submit(self, submission: Submission, actor: Actor) -> Receipt:
        """Freeze and queue the package; raises :class:`SubmitRefused` and writes nothing."""
        result = self._gate.evaluate(submission.draft)
        override = submission.override_reason.strip()
        if not result.passed:
            if not override:
                raise IncompleteHandoff(result.gaps)
            if actor.role is not Role.SUPERVISOR:
                raise SubmitRefused("Only a supervisor may submit past the completeness gate")
        now = self._clock()
        with self._store.sessions.begin() as session:
            tickets = TicketRepository(session)
            ticket = tickets.row_by_ref(submission.ref)
            if ticket is None:
                raise SubmitRefused(f"No ticket {submission.ref} in {self._store.display_url}")
            if ticket.status in (
                TicketStatus.ESCALATED,
                TicketStatus.RESOLVED,
                TicketStatus.CLOSED,
            ):
                raise SubmitRefused(f"Ticket {ticket.ref} is already {ticket.status}")
            document, built = freeze_package(
                ticket_record(ticket), submission, actor.username, result.score, now, self._matrix
            )
            decision = self._matrix.decide(document.handoff.impact, document.handoff.urgency)
            # Core statements: the ORM's unit of work costs more than the rest of the submit.
            PackageRepository(session).add(package_values(document, built, now))
            tickets.update(
                ticket.id,
                status=TicketStatus.ESCALATED.value,
                impact=document.handoff.impact.value,
                urgency=document.handoff.urgency.value,
                priority=decision.priority.value,
                updated_at=now,
            )
            OutboxRepository(session).enqueue(str(document.package_id), self._destination, now)
            details: dict[str, Any] = {
                "package_id": str(document.package_id),
                "hash": built.package_hash,
                "priority": decision.priority.value,
                "score": result.score,
            }
            if override:
                details["override_reason"] = override
            AuditRepository(session).append(
                at=now,
                actor=actor.username,
                action="package.submitted",
                subject=ticket.ref,
                details=details,
            )
        return Receipt(
            ticket.ref,
            str(document.package_id),
            built.package_hash,
            decision.priority.value,
            self._destination,
        )


def freeze_package(
    ticket: TicketRecord,
    sub: Submission,
    submitted_by: str,
    score: int,
    now: datetime,
    matrix: PriorityMatrix,
) -> tuple[PackageDocument, BuiltPackage]:
    """Compose the package document and its ZIP; nothing is stored here."""
    document, members = compose_document(
        ticket, sub, submitted_by, score, now, matrix, uuid.uuid4()
    )
    return document, build_package(document, members)


def compose_document(
    ticket: TicketRecord,
    sub: Submission,
    submitted_by: str,
    score: int,
    now: datetime,
    matrix: PriorityMatrix,
    package_id: uuid.UUID,
) -> tuple[PackageDocument, dict[str, bytes]]:
    """The package document a submission makes, and the members it names (attachments and
    the diagnostics JSON by their paths). A preview of the handoff uses it too, so the
    exported Markdown and the frozen package can never disagree."""
    draft = sub.draft
    if draft.affected_scope is None or draft.urgency is None:
        # Only reachable with a supervisor override: the package format requires both.
        raise SubmitRefused("Even with an override, say who is affected and how urgent it is")
    decision = matrix.decide(draft.affected_scope, draft.urgency)
    members: dict[str, bytes] = {}
    attachments = []
    for attachment in sub.attachments:
        path = _unique_member(members, attachment.name)
        members[path] = attachment.content
        attachments.append(
            AttachmentInfo(
                path=path,
                media_type=attachment.media_type,
                size=len(attachment.content),
                sha256=hashlib.sha256(attachment.content).hexdigest(),
                description=attachment.description,
            )
        )
    diagnostics = None
    if sub.diagnostics is not None:
        path = _unique_member(members, "diagnostics.json")
        members[path] = json.dumps(sub.diagnostics.snapshot, indent=1, sort_keys=True).encode()
        diagnostics = DiagnosticsSummary(
            captured_at=sub.diagnostics.captured_at,
            source=sub.diagnostics.source,
            privacy=sub.diagnostics.privacy,
            partial=sub.diagnostics.partial,
            highlights=dict(sub.diagnostics.highlights),
            path=path,
        )
    document = PackageDocument(
        schema_version=SCHEMA_VERSION,
        package_id=package_id,
        created_at=now,
        submitted_by=submitted_by,
        ticket=TicketInfo.of_record(ticket),
        handoff=Handoff(
            what_is_wrong=draft.what_is_wrong,
            what_was_tried=[
                TriedStepInfo(action=s.action, outcome=s.outcome, at=_moment(s.at))
                for s in draft.what_was_tried
                if s.action.strip()  # an empty row of the form is not a step
            ],
            error_verbatim=draft.error_verbatim,
            affected=Affected(
                scope=draft.affected_scope,
                count=max(draft.affected_count or 1, 1),
                details=sub.affected_details,
            ),
            urgency=draft.urgency,
            impact=draft.affected_scope,
            priority=decision.priority,
            priority_reason=decision.reason,
            triggers=list(draft.triggers),
            queue=draft.queue,
            no_diagnostics_reason=draft.no_diagnostics_reason,
            facts=dict(draft.facts),
        ),
        playbook=sub.playbook,
        diagnostics=diagnostics,
        attachments=attachments,
        gate=GateInfo(score=score, override_reason=sub.override_reason.strip()),
    )
    return document, members


def _moment(text: str) -> datetime | None:
    """A step's ISO time; a malformed one (typed by hand) is left out, not fatal."""
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _unique_member(members: Mapping[str, bytes], name: str) -> str:
    """A safe attachments/ member path for a user-supplied file name."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name.rsplit("/", 1)[-1])
    safe = safe.lstrip(".") or "attachment"
    stem, dot, ext = safe.rpartition(".")
    if not dot:
        stem, ext = safe, ""
    candidate, n = f"attachments/{safe}", 2
    while candidate in members:
        candidate = f"attachments/{stem}-{n}{dot}{ext}"
        n += 1
    return candidate


def package_values(document: PackageDocument, built: BuiltPackage, now: datetime) -> dict[str, Any]:
    """The ``packages`` row of a frozen package."""
    return {
        "id": str(document.package_id),
        "ticket_ref": document.ticket.ref,
        "package_hash": built.package_hash,
        "schema_version": document.schema_version,
        "priority": document.handoff.priority.value,
        "queue": document.handoff.queue,
        "submitted_by": document.submitted_by,
        "created_at": now,
        "size": len(built.data),
        "content": built.data,
    }
