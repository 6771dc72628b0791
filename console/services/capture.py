"""Attach a device's diagnostics to a ticket: captured here, or imported from a caller's bundle.

Redaction runs again on the way in, at the level the bundle asked for or stricter: a bundle
was redacted on the caller's machine by whatever version they ran, and this store is where
the snapshot starts travelling to tier 2. The row and its audit event are one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from console.diagnostics.bundle import read_bundle
from console.diagnostics.redaction import Privacy, redact_snapshot
from console.diagnostics.summary import highlights
from console.services.clock import Clock, utc_now
from console.services.escalate import DiagnosticsInput
from console.store.database import TicketStore
from console.store.models import DiagnosticsSnapshot
from console.store.repositories import AuditRepository, DiagnosticsRepository, TicketRepository

_KIND = re.compile(r"[a-z][a-z-]{0,39}")
"""What a redaction kind looks like (``password``, ``public-ip``): anything else is dropped."""

Source = Literal["this_device", "imported_bundle"]


class CaptureError(Exception):
    """The snapshot cannot be attached as asked; one sentence for the user."""


@dataclass(frozen=True, slots=True)
class AttachedSnapshot:
    ref: str
    snapshot_id: int
    source: Source
    privacy: Privacy
    partial: bool
    redacted_now: int
    """How many more secrets this console's redaction found on the way in (0 for a bundle
    made by an up-to-date console)."""


@dataclass(frozen=True, slots=True)
class CaptureInfo:
    """One capture attached to a ticket, as a list of captures shows it (no content)."""

    snapshot_id: int
    captured_at: datetime
    source: Source
    privacy: Privacy
    partial: bool


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    """One capture exactly as stored: what leaves this machine when the ticket escalates."""

    info: CaptureInfo
    content: dict[str, Any]
    removed: Mapping[str, int]
    """What redaction removed, by kind: at capture (on the caller's machine, for a bundle)
    and on the way into this store, added up. Kinds and counts only, never values."""


class CaptureService:
    def __init__(self, store: TicketStore, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def attach_bundle(
        self, ref: str, path: Path, actor: str, privacy: Privacy = Privacy.STANDARD
    ) -> AttachedSnapshot:
        """Verify the bundle (nothing is written when it fails) and attach its snapshot."""
        bundle = read_bundle(path)
        return self.attach(ref, bundle.snapshot, "imported_bundle", actor, privacy)

    def attach(
        self,
        ref: str,
        snapshot: Mapping[str, Any],
        source: Source,
        actor: str,
        privacy: Privacy = Privacy.STANDARD,
    ) -> AttachedSnapshot:
        meta = dict(snapshot.get("meta") or {})
        asked = meta.get("privacy")
        level = Privacy.STRICT if Privacy.STRICT in (privacy, asked) else Privacy.STANDARD
        # The capture's redaction report is kinds and counts, not device facts: kept apart,
        # or strict privacy would read its "mac" count as a MAC address to hide.
        at_capture = _counts_only(meta.pop("redaction", None))
        # The bundle's own meta goes through redaction too (its problems name paths).
        redacted, report = redact_snapshot({**snapshot, "meta": meta}, level)
        redacted["meta"] = {
            **(redacted.get("meta") or {}),
            "privacy": level.value,
            "redaction": at_capture,
        }
        captured_at = _captured_at(meta) or self._clock()
        now = self._clock()
        with self._store.sessions.begin() as session:
            ticket = TicketRepository(session).by_ref(ref)
            if ticket is None:
                raise CaptureError(f"No ticket {ref} in {self._store.display_url}")
            row = DiagnosticsRepository(session).add(
                DiagnosticsSnapshot(
                    ticket_id=ticket.id,
                    captured_at=captured_at,
                    source=source,
                    privacy=level.value,
                    partial=bool(meta.get("partial")),
                    content=redacted,
                    redaction_report={
                        "at_capture": at_capture,
                        "on_attach": report.to_dict(),
                    },
                )
            )
            AuditRepository(session).append(
                at=now,
                actor=actor,
                action="diagnostics.attached",
                subject=ref,
                details={"snapshot_id": row.id, "source": source, "privacy": level.value},
            )
            snapshot_id = row.id
        return AttachedSnapshot(
            ref, snapshot_id, source, level, bool(meta.get("partial")), report.total()
        )

    def latest(self, ref: str) -> DiagnosticsInput | None:
        """The ticket's newest snapshot, shaped for the escalation package."""
        with self._store.sessions() as session:
            ticket = TicketRepository(session).by_ref(ref)
            if ticket is None:
                raise CaptureError(f"No ticket {ref} in {self._store.display_url}")
            row = DiagnosticsRepository(session).latest_for_ticket(ticket.id)
            if row is None:
                return None
            return DiagnosticsInput(
                captured_at=row.captured_at,
                source="imported_bundle" if row.source == "imported_bundle" else "this_device",
                privacy="strict" if row.privacy == "strict" else "standard",
                snapshot=row.content,
                highlights=highlights(row.content),
                partial=row.partial,
            )

    def captures(self, ref: str) -> list[CaptureInfo]:
        """The ticket's captures, oldest first; their contents stay in the store."""
        with self._store.sessions() as session:
            ticket_id = self._ticket_id(session, ref)
            rows = DiagnosticsRepository(session).listed_for_ticket(ticket_id)
        return [_info(r.id, r.captured_at, r.source, r.privacy, r.partial) for r in rows]

    def load(self, ref: str, snapshot_id: int) -> StoredSnapshot:
        """One of the ticket's captures, content and all; CaptureError when the ticket has no
        capture of that id (a capture of another ticket included)."""
        with self._store.sessions() as session:
            ticket_id = self._ticket_id(session, ref)
            row = DiagnosticsRepository(session).of_ticket(ticket_id, snapshot_id)
            if row is None:
                raise CaptureError(f"{ref} has no diagnostics #{snapshot_id}")
            report = row.redaction_report or {}
            removed: dict[str, int] = dict(_counts_only(report.get("at_capture"))["counts"])
            for kind, number in _counts_only(report.get("on_attach"))["counts"].items():
                removed[kind] = removed.get(kind, 0) + number
            return StoredSnapshot(
                info=_info(row.id, row.captured_at, row.source, row.privacy, row.partial),
                content=row.content,
                removed=dict(sorted(removed.items())),
            )

    def _ticket_id(self, session: Session, ref: str) -> int:
        ticket_id = TicketRepository(session).id_of(ref)
        if ticket_id is None:
            raise CaptureError(f"No ticket {ref} in {self._store.display_url}")
        return ticket_id


def _info(
    snapshot_id: int, captured_at: datetime, source: str, privacy: str, partial: bool
) -> CaptureInfo:
    return CaptureInfo(
        snapshot_id=snapshot_id,
        captured_at=captured_at,
        source="imported_bundle" if source == "imported_bundle" else "this_device",
        privacy=Privacy.STRICT if privacy == "strict" else Privacy.STANDARD,
        partial=bool(partial),
    )


def _counts_only(report: Any) -> dict[str, Any]:
    """A redaction report as a bundle carried it, reduced to what a report may hold (kind
    names and counts): it comes from outside and is stored without being redacted."""
    counts: dict[str, int] = {}
    if isinstance(report, Mapping) and isinstance(report.get("counts"), Mapping):
        counts = {
            kind: number
            for kind, number in report["counts"].items()
            if isinstance(kind, str)
            and _KIND.fullmatch(kind)
            and isinstance(number, int)
            and not isinstance(number, bool)
        }
    privacy = report.get("privacy") if isinstance(report, Mapping) else None
    return {
        "privacy": privacy if privacy in ("standard", "strict") else None,
        "counts": counts,
        "total": sum(counts.values()),
    }


def _captured_at(meta: Mapping[str, Any]) -> datetime | None:
    value = meta.get("captured_at")
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
