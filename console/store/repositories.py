"""Repositories: queries and writes over one Session that the caller owns.

They never open, commit or close sessions: a service does that, once per user action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from console.domain.audit import GENESIS_HASH, AuditRecord, event_hash
from console.domain.ticket import WORKING_STATUSES, TicketRecord
from console.store.models import (
    Attachment,
    AuditEvent,
    Base,
    DiagnosticsSnapshot,
    EscalationDraft,
    OutboxItem,
    Package,
    Ticket,
)

# Tables for Core inserts on hot paths: an ORM-enabled insert(Model) takes the bulk-persistence
# route, which costs more than the rest of a submission.
_TABLES = Base.metadata.tables
PACKAGES = _TABLES[Package.__tablename__]
OUTBOX = _TABLES[OutboxItem.__tablename__]
AUDIT_EVENTS = _TABLES[AuditEvent.__tablename__]
TICKETS = _TABLES[Ticket.__tablename__]
DRAFTS = _TABLES[EscalationDraft.__tablename__]
ATTACHMENTS = _TABLES[Attachment.__tablename__]

# Statements of the submit and delivery paths, built once: SQLAlchemy memoizes a statement
# object's cache key, so reusing one skips rebuilding and re-keying it on every call.
_INSERT_PACKAGE = insert(PACKAGES)
_INSERT_AUDIT = insert(AUDIT_EVENTS)
_TICKET_BY_REF = select(TICKETS).where(TICKETS.c.ref == bindparam("ticket_ref"))
_UPDATE_TICKET = update(TICKETS).where(TICKETS.c.id == bindparam("ticket_pk"))
_LAST_AUDIT_HASH = select(AUDIT_EVENTS.c.hash).order_by(AUDIT_EVENTS.c.id.desc()).limit(1)

AUDIT_CHAIN_LOCK = 4242002
"""PostgreSQL advisory lock id that serializes appends to the audit chain."""

_TICKET_FIELDS = tuple(field.name for field in fields(TicketRecord))


def ticket_record(row: Row[Any], prefix: str = "") -> TicketRecord:
    """The ticket of a row holding every column of ``tickets`` (named ``prefix`` + column
    when the row joins other tables)."""
    columns = row._mapping
    return TicketRecord(**{name: columns[prefix + name] for name in _TICKET_FIELDS})


def ticket_values(ticket: TicketRecord) -> dict[str, Any]:
    """The ``tickets`` row of a ticket, its id left to the store."""
    return {name: getattr(ticket, name) for name in _TICKET_FIELDS}


class TicketRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, ticket: Ticket) -> Ticket:
        self._s.add(ticket)
        self._s.flush()
        return ticket

    def update(self, ticket_id: int, **values: Any) -> None:
        """A Core update: nothing in the session is refreshed (the ORM route costs a
        millisecond per call, a quarter of a submission)."""
        self._s.execute(_UPDATE_TICKET, {"ticket_pk": ticket_id, **values})

    def by_ref(self, ref: str) -> Ticket | None:
        return self._s.scalar(select(Ticket).where(Ticket.ref == ref))

    def id_of(self, ref: str) -> int | None:
        """The ticket's row id, or None when there is no such ticket."""
        return self._s.scalar(select(Ticket.id).where(Ticket.ref == ref))

    def row_by_ref(self, ref: str) -> Row[Any] | None:
        """The ticket's columns as a read-only row (attribute access like a Ticket), without
        the cost of loading an ORM object."""
        return self._s.execute(_TICKET_BY_REF, {"ticket_ref": ref}).first()

    def record_by_ref(self, ref: str) -> TicketRecord | None:
        """The ticket's fields, or None when there is no such ticket."""
        row = self.row_by_ref(ref)
        return None if row is None else ticket_record(row)


class PackageRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, values: dict[str, Any]) -> None:
        """Insert a frozen package (a Core insert: the blob never enters the identity map)."""
        self._s.execute(_INSERT_PACKAGE, values)

    def latest_for_ticket(self, ref: str) -> Package | None:
        return self._s.scalar(
            select(Package)
            .where(Package.ticket_ref == ref)
            .order_by(Package.created_at.desc(), Package.id)
            .limit(1)
        )


@dataclass(frozen=True, slots=True)
class SnapshotListing:
    """A stored snapshot as a list of captures shows it."""

    id: int
    captured_at: datetime
    source: str
    privacy: str
    partial: bool


class DiagnosticsRepository:
    """Redacted device snapshots attached to tickets (redaction ran before they got here)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, snapshot: DiagnosticsSnapshot) -> DiagnosticsSnapshot:
        self._s.add(snapshot)
        self._s.flush()
        return snapshot

    def listed_for_ticket(self, ticket_id: int) -> list[SnapshotListing]:
        """The ticket's snapshots without their contents, oldest first."""
        rows = self._s.execute(
            select(
                DiagnosticsSnapshot.id,
                DiagnosticsSnapshot.captured_at,
                DiagnosticsSnapshot.source,
                DiagnosticsSnapshot.privacy,
                DiagnosticsSnapshot.partial,
            )
            .where(DiagnosticsSnapshot.ticket_id == ticket_id)
            .order_by(DiagnosticsSnapshot.captured_at, DiagnosticsSnapshot.id)
        ).all()
        return [SnapshotListing(*row) for row in rows]

    def of_ticket(self, ticket_id: int, snapshot_id: int) -> DiagnosticsSnapshot | None:
        """One snapshot, content and all, if it belongs to that ticket."""
        row = self._s.get(DiagnosticsSnapshot, snapshot_id)
        return row if row is not None and row.ticket_id == ticket_id else None

    def latest_for_ticket(self, ticket_id: int) -> DiagnosticsSnapshot | None:
        return self._s.scalar(
            select(DiagnosticsSnapshot)
            .where(DiagnosticsSnapshot.ticket_id == ticket_id)
            .order_by(DiagnosticsSnapshot.captured_at.desc(), DiagnosticsSnapshot.id.desc())
            .limit(1)
        )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]


class AuditRepository:
    """Appends to the hash-chained audit trail."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def append(
        self, *, at: datetime, actor: str, action: str, subject: str, details: dict[str, Any]
    ) -> str:
        """Append one event; returns its hash."""
        return self.append_many([AuditEntry(at, actor, action, subject, details)])[-1]

    def append_many(self, entries: Sequence[AuditEntry]) -> list[str]:
        """Append events in order, each chained to the one before; returns their hashes.

        Call it last in a transaction: on PostgreSQL it takes the chain's lock, which every
        console's transaction then waits for until this one commits.
        """
        if not entries:
            return []
        if self._s.get_bind().dialect.name == "postgresql":
            self._s.execute(select(func.pg_advisory_xact_lock(AUDIT_CHAIN_LOCK)))
        prev = self._s.scalar(_LAST_AUDIT_HASH)
        prev_hash = prev or GENESIS_HASH
        rows: list[dict[str, Any]] = []
        for entry in entries:
            at = entry.at.astimezone(UTC)
            digest = event_hash(
                prev_hash, at.isoformat(), entry.actor, entry.action, entry.subject, entry.details
            )
            rows.append(
                {
                    "at": at,
                    "actor": entry.actor,
                    "action": entry.action,
                    "subject": entry.subject,
                    "details": entry.details,
                    "prev_hash": prev_hash,
                    "hash": digest,
                }
            )
            prev_hash = digest
        self._s.execute(_INSERT_AUDIT, rows)
        return [row["hash"] for row in rows]

    def records(self) -> list[AuditRecord]:
        events = self._s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [
            AuditRecord(
                at=e.at.isoformat(),
                actor=e.actor,
                action=e.action,
                subject=e.subject,
                details=e.details,
                prev_hash=e.prev_hash,
                hash=e.hash,
            )
            for e in events
        ]


# The draft autosave runs every couple of seconds while an agent types: one statement that
# finds the ticket, checks it is still being worked on and that nobody saved in between.
_WORKING_TICKET_ID = (
    select(TICKETS.c.id)
    .where(TICKETS.c.ref == bindparam("ticket_ref"), TICKETS.c.status.in_(WORKING_STATUSES))
    .scalar_subquery()
)
_SAVE_DRAFT = (
    update(DRAFTS)
    .where(
        DRAFTS.c.ticket_id == _WORKING_TICKET_ID,
        DRAFTS.c.revision == bindparam("base_revision"),
    )
    .values(
        content=bindparam("draft_content", type_=DRAFTS.c.content.type),
        revision=DRAFTS.c.revision + 1,
        updated_at=bindparam("saved_at", type_=DRAFTS.c.updated_at.type),
    )
)
_INSERT_DRAFT = insert(DRAFTS)
_DRAFTS_OF_TICKETS: Select[Any] = select(
    TICKETS.c.ref,
    TICKETS.c.status,
    DRAFTS.c.ticket_id,
    DRAFTS.c.revision,
    DRAFTS.c.content,
    DRAFTS.c.updated_at,
).join_from(DRAFTS, TICKETS, DRAFTS.c.ticket_id == TICKETS.c.id)
_DRAFT_BY_REF: Select[Any] = _DRAFTS_OF_TICKETS.where(TICKETS.c.ref == bindparam("ticket_ref"))
_ATTACHMENT_INFO = (
    ATTACHMENTS.c.id,
    ATTACHMENTS.c.ticket_id,
    ATTACHMENTS.c.name,
    ATTACHMENTS.c.media_type,
    ATTACHMENTS.c.sha256,
    ATTACHMENTS.c.size,
    ATTACHMENTS.c.description,
    ATTACHMENTS.c.created_at,
)


class DraftRepository:
    """The work of a call in progress, one row per ticket with a revision counter."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def save(self, ref: str, content: dict[str, Any], base_revision: int, now: datetime) -> bool:
        """Overwrite the draft if the ticket is still worked on and the draft is still at
        ``base_revision``; False when nothing was written (ask :meth:`by_ref` why)."""
        result = self._s.execute(
            _SAVE_DRAFT,
            {
                "ticket_ref": ref,
                "base_revision": base_revision,
                "draft_content": content,
                "saved_at": now,
            },
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def insert(self, ticket_id: int, content: dict[str, Any], now: datetime) -> None:
        """The first revision (1); a second insert for the ticket violates its unique key."""
        self._s.execute(
            _INSERT_DRAFT,
            {"ticket_id": ticket_id, "content": content, "revision": 1, "updated_at": now},
        )

    def by_ref(self, ref: str) -> Row[Any] | None:
        """ref, status (of the ticket), ticket_id, revision, content, updated_at."""
        return self._s.execute(_DRAFT_BY_REF, {"ticket_ref": ref}).first()

    def delete(self, ticket_id: int) -> bool:
        result = self._s.execute(delete(DRAFTS).where(DRAFTS.c.ticket_id == ticket_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def updated_since(
        self, since: datetime, agent: str, statuses: Sequence[str] = WORKING_STATUSES
    ) -> Sequence[Row[Any]]:
        """Drafts saved at or after ``since`` on ``agent``'s tickets in ``statuses``, newest
        first; the same columns as :meth:`by_ref`."""
        query = _DRAFTS_OF_TICKETS.where(
            DRAFTS.c.updated_at >= since,
            TICKETS.c.agent == agent,
            TICKETS.c.status.in_(statuses),
        ).order_by(DRAFTS.c.updated_at.desc(), DRAFTS.c.id.desc())
        return self._s.execute(query).all()


class AttachmentRepository:
    """Files attached to a ticket's handoff, stored as they arrive (content loaded apart)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, values: dict[str, Any]) -> int:
        result = self._s.execute(insert(ATTACHMENTS).returning(ATTACHMENTS.c.id), values)
        return int(result.scalar_one())

    def for_ticket(self, ticket_id: int) -> Sequence[Row[Any]]:
        """Every attachment's details (no content), oldest first."""
        query: Select[Any] = (
            select(*_ATTACHMENT_INFO)
            .where(ATTACHMENTS.c.ticket_id == ticket_id)
            .order_by(ATTACHMENTS.c.id)
        )
        return self._s.execute(query).all()

    def with_content(self, ticket_id: int) -> Sequence[Row[Any]]:
        """Details and content, oldest first (for freezing into a package)."""
        query: Select[Any] = (
            select(*_ATTACHMENT_INFO, ATTACHMENTS.c.content)
            .where(ATTACHMENTS.c.ticket_id == ticket_id)
            .order_by(ATTACHMENTS.c.id)
        )
        return self._s.execute(query).all()

    def get(self, attachment_id: int) -> Row[Any] | None:
        """One attachment's details (no content), with its ticket's ``ref`` and ``status``."""
        query: Select[Any] = (
            select(*_ATTACHMENT_INFO, TICKETS.c.ref, TICKETS.c.status)
            .join_from(ATTACHMENTS, TICKETS, ATTACHMENTS.c.ticket_id == TICKETS.c.id)
            .where(ATTACHMENTS.c.id == attachment_id)
        )
        return self._s.execute(query).first()

    def delete(self, attachment_id: int) -> bool:
        result = self._s.execute(delete(ATTACHMENTS).where(ATTACHMENTS.c.id == attachment_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
