"""The audit trail is a hash chain: each event carries the hash of the one before it.

Removing or editing an event breaks every hash after it, which :func:`verify_chain` finds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: str
    actor: str
    action: str
    subject: str
    details: Mapping[str, object]
    prev_hash: str
    hash: str


def event_hash(
    prev_hash: str, at: str, actor: str, action: str, subject: str, details: Mapping[str, object]
) -> str:
    """SHA-256 over the previous hash and a canonical JSON of the event."""
    body = json.dumps(
        {"at": at, "actor": actor, "action": action, "subject": subject, "details": details},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def verify_chain(records: Iterable[AuditRecord]) -> int | None:
    """Return the index of the first record that breaks the chain, or None when it holds."""
    prev = GENESIS_HASH
    for index, record in enumerate(records):
        expected = event_hash(
            prev, record.at, record.actor, record.action, record.subject, record.details
        )
        if record.prev_hash != prev or record.hash != expected:
            return index
        prev = record.hash
    return None
