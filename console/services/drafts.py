"""The work of a call in progress, saved on every change so a crash loses at most seconds.

A draft is one JSON document per ticket (the intake fields, the playbook run so far, the
handoff form, attachment ids) with a revision number. A save names the revision it started
from; if someone else saved in between (a second window, a restored session), the save is
refused with :class:`DraftConflict` instead of silently overwriting their work.

Attachments are stored the moment they are added (screenshots are the one thing the caller
cannot easily produce twice), in the attachments table, with their SHA-256 and size.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from console.domain.ticket import WORKING_STATUSES
from console.packages.reader import DEFAULT_LIMITS
from console.services.clock import Clock, utc_now
from console.services.escalate import AttachmentInput
from console.store.database import TicketStore
from console.store.repositories import (
    AttachmentRepository,
    DraftRepository,
    TicketRepository,
)

MAX_DRAFT_BYTES = 1024 * 1024
"""A draft is typed text and choices; files belong in attachments."""
MAX_ATTACHMENT_BYTES = DEFAULT_LIMITS.max_member_size
"""The largest member a package may hold: a bigger file could never be submitted."""


class DraftError(Exception):
    """The draft or attachment change was refused and nothing was written; one sentence."""


class DraftConflict(DraftError):
    """Someone saved the draft since ``base_revision`` was read; reload before saving."""

    def __init__(self, message: str, current_revision: int | None) -> None:
        self.current_revision = current_revision
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class DraftRecord:
    ref: str
    revision: int
    content: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    """An attachment's details (its bytes stay in the store until the package is frozen)."""

    id: int
    ref: str
    name: str
    media_type: str
    sha256: str
    size: int
    description: str
    created_at: datetime


class DraftService:
    """Cheap enough to call every two seconds from a background thread (one short
    transaction per call; sessions are not shared between threads)."""

    def __init__(self, store: TicketStore, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def save(self, ref: str, content: Mapping[str, Any], base_revision: int | None) -> int:
        """Store ``content`` as the ticket's draft; returns the new revision.

        ``base_revision`` is the revision the content was built on (None: there was no
        draft yet). Raises :class:`DraftConflict` when it is stale and :class:`DraftError`
        when the content is not JSON or the ticket is no longer worked on.
        """
        document = _json_document(ref, content)
        now = self._clock()
        try:
            with self._store.sessions.begin() as session:
                drafts = DraftRepository(session)
                if base_revision is not None:
                    if drafts.save(ref, document, base_revision, now):
                        return base_revision + 1
                    raise self._refusal(session, ref, base_revision)
                ticket = _workable_ticket(TicketRepository(session), ref)
                existing = drafts.by_ref(ref)
                if existing is not None:
                    raise _conflict(ref, existing.revision, None)
                drafts.insert(ticket.id, document, now)
                return 1
        except IntegrityError:
            # Another window created the first revision between our check and insert.
            raise _conflict(ref, None, None) from None

    def load(self, ref: str) -> DraftRecord | None:
        """The ticket's draft, or None when it has none."""
        with self._store.sessions() as session:
            row = DraftRepository(session).by_ref(ref)
        if row is None:
            return None
        return DraftRecord(row.ref, row.revision, dict(row.content), row.updated_at)

    def discard(self, ref: str) -> bool:
        """Delete the ticket's draft (its attachments stay: remove them one by one).

        Returns whether there was a draft.
        """
        with self._store.sessions.begin() as session:
            ticket = TicketRepository(session).row_by_ref(ref)
            if ticket is None:
                return False
            return DraftRepository(session).delete(ticket.id)

    # -- attachments ---------------------------------------------------------------------

    def add_attachment(
        self, ref: str, name: str, media_type: str, content: bytes, description: str = ""
    ) -> int:
        """Store a file for the ticket's handoff at once; returns its id."""
        name = name.strip().rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        if not name:
            raise DraftError("An attachment needs a file name.")
        if len(name) > 200:
            raise DraftError(f"The attachment's file name is too long ({len(name)} characters).")
        media_type = media_type.strip()
        if not media_type or len(media_type) > 100 or "/" not in media_type:
            raise DraftError(f"'{media_type}' is not a media type like image/png.")
        if not content:
            raise DraftError(f"The attachment {name} is empty.")
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise DraftError(
                f"The attachment {name} is {_mib(len(content))}; a package holds files of at "
                f"most {_mib(MAX_ATTACHMENT_BYTES)}."
            )
        with self._store.sessions.begin() as session:
            ticket = _workable_ticket(TicketRepository(session), ref)
            return AttachmentRepository(session).add(
                {
                    "ticket_id": ticket.id,
                    "name": name,
                    "media_type": media_type,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "size": len(content),
                    "description": description.strip(),
                    "content": content,
                    "created_at": self._clock(),
                }
            )

    def attachments(self, ref: str) -> list[AttachmentRecord]:
        """The ticket's attachments, oldest first, without their bytes."""
        with self._store.sessions() as session:
            ticket = TicketRepository(session).row_by_ref(ref)
            if ticket is None:
                return []
            rows = AttachmentRepository(session).for_ticket(ticket.id)
        return [_record(ref, row) for row in rows]

    def attachment_inputs(self, ref: str) -> list[AttachmentInput]:
        """The ticket's attachments with their bytes, ready for a :class:`Submission`."""
        with self._store.sessions() as session:
            ticket = TicketRepository(session).row_by_ref(ref)
            if ticket is None:
                return []
            rows = AttachmentRepository(session).with_content(ticket.id)
        return [AttachmentInput(r.name, r.media_type, r.content, r.description) for r in rows]

    def remove_attachment(self, attachment_id: int) -> None:
        """Delete an attachment of a ticket still being worked on."""
        with self._store.sessions.begin() as session:
            attachments = AttachmentRepository(session)
            row = attachments.get(attachment_id)
            if row is None:
                raise DraftError(f"There is no attachment {attachment_id}.")
            _require_workable(row.ref, row.status)
            attachments.delete(attachment_id)

    def _refusal(self, session: Any, ref: str, base_revision: int) -> DraftError:
        """Why a save that names ``base_revision`` wrote nothing (the rare path)."""
        _workable_ticket(TicketRepository(session), ref)
        existing = DraftRepository(session).by_ref(ref)
        return _conflict(ref, existing.revision if existing else None, base_revision)


def _json_document(ref: str, content: Mapping[str, Any]) -> dict[str, Any]:
    # Checked here rather than left to the driver: its error would name a column, not the
    # draft, and NaN would pass SQLite but fail PostgreSQL's JSONB.
    try:
        encoded = json.dumps(content, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise DraftError(f"The draft of {ref} cannot be saved as JSON: {exc}.") from None
    if len(encoded) > MAX_DRAFT_BYTES:
        raise DraftError(
            f"The draft of {ref} is {_mib(len(encoded))}, over the {_mib(MAX_DRAFT_BYTES)} a "
            "draft may hold; attach large text as a file."
        )
    return dict(content)


def _workable_ticket(tickets: TicketRepository, ref: str) -> Any:
    ticket = tickets.row_by_ref(ref)
    if ticket is None:
        raise DraftError(f"There is no ticket {ref}.")
    _require_workable(ref, ticket.status)
    return ticket


def _require_workable(ref: str, status: str) -> None:
    if status not in WORKING_STATUSES:
        raise DraftError(f"Ticket {ref} is {status.replace('_', ' ')}; its draft is closed.")


def _conflict(ref: str, current: int | None, base: int | None) -> DraftConflict:
    if current is None:
        message = f"The draft of {ref} was discarded elsewhere; start a new one or reopen it."
    elif base is None:
        message = f"Ticket {ref} already has a draft (revision {current}); load it before saving."
    else:
        message = (
            f"The draft of {ref} was saved elsewhere (revision {current}, this one started "
            f"from {base}); reload it before saving."
        )
    return DraftConflict(message, current)


def _record(ref: str, row: Any) -> AttachmentRecord:
    return AttachmentRecord(
        id=row.id,
        ref=ref,
        name=row.name,
        media_type=row.media_type,
        sha256=row.sha256,
        size=row.size,
        description=row.description,
        created_at=row.created_at,
    )


def _mib(size: int) -> str:
    return f"{math.ceil(size / 1024 / 1024 * 10) / 10:g} MiB"
