"""The one schema both engines share (SQLite for the workstation, PostgreSQL for the team).

Changing a model means adding an Alembic revision under ``migrations/versions``; a test
compares the models with the migrated schema on both engines.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import BYTEA, JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both engines (SQLite keeps no zone, so store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


JSONDocument = JSON().with_variant(JSONB(), "postgresql")
Blob = LargeBinary().with_variant(BYTEA(), "postgresql")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSONDocument}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    caller: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200), default="")
    client: Mapped[str] = mapped_column(String(200), default="")
    site: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    impact: Mapped[str | None] = mapped_column(String(20))
    urgency: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[str | None] = mapped_column(String(2))
    agent: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolution: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        # Keyset pagination of the queues: newest first, within a status or over all.
        Index("ix_tickets_status_created", "status", "created_at", "id"),
        Index("ix_tickets_created", "created_at", "id"),
        Index("ix_tickets_agent_status", "agent", "status"),
        # Keyset pagination by every other sortable column (console/services/queues.py).
        Index("ix_tickets_updated", "updated_at", "id"),
        Index("ix_tickets_priority", "priority", "id"),
        Index("ix_tickets_status_id", "status", "id"),
        Index("ix_tickets_caller", "caller", "id"),
        Index("ix_tickets_category", "category", "id"),
    )


class EscalationDraft(Base):
    """The handoff form as the agent left it; saved on every change."""

    __tablename__ = "escalation_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    content: Mapped[dict[str, Any]]
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]


class Package(Base):
    """A frozen escalation package: the ZIP bytes exactly as verified, never edited."""

    __tablename__ = "packages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    ticket_ref: Mapped[str] = mapped_column(String(40), index=True)
    package_hash: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int]
    priority: Mapped[str] = mapped_column(String(2))
    queue: Mapped[str] = mapped_column(String(100))
    submitted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(Blob, deferred=True)


class DiagnosticsSnapshot(Base):
    """A redacted snapshot of a device; redaction ran before this row was written."""

    __tablename__ = "diagnostics_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    captured_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))
    privacy: Mapped[str] = mapped_column(String(20))
    partial: Mapped[bool] = mapped_column(default=False)
    content: Mapped[dict[str, Any]]
    redaction_report: Mapped[dict[str, Any]]


class Attachment(Base):
    """A screenshot, log tail or file attached to a ticket's draft handoff."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[bytes] = mapped_column(Blob, deferred=True)
    created_at: Mapped[datetime]


class OutboxItem(Base):
    """A frozen package waiting to reach its destination; one row per package."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(
        ForeignKey("packages.id", ondelete="RESTRICT"), unique=True
    )
    destination: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)


class AuditEvent(Base):
    """Append-only (database triggers refuse UPDATE and DELETE); hash-chained."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
