"""The record of one run of a playbook: what was asked, answered, checked and noted, and when.

It is "what was already tried" in the escalation package, so it keeps everything: steps the
agent went back over stay in it, marked reverted, and it pins the playbook's id, version and
the SHA-256 of the file's bytes, so tier 2 can replay the exact path even after the playbook
changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class RunOutcome(StrEnum):
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    ABANDONED = "abandoned"


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """An automated check as it ran (or could not): ``status`` is pass, fail, error or
    skipped; ``evidence`` is what the check saw, JSON-able and free of secrets."""

    name: str
    args: Mapping[str, Any]
    status: str
    summary: str
    evidence: Mapping[str, Any]
    duration_ms: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "args": dict(self.args),
            "status": self.status,
            "summary": self.summary,
            "evidence": dict(self.evidence),
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One step. ``automatic`` steps (a branch on a fact) were taken without the agent;
    ``reverted_at`` is set when the agent went back over this step."""

    at: datetime
    node: str
    kind: str
    prompt: str
    answer: str | None
    facts_set: Mapping[str, str]
    next: str | None
    check: CheckRecord | None = None
    note: str | None = None
    automatic: bool = False
    reverted_at: datetime | None = None

    @property
    def reverted(self) -> bool:
        return self.reverted_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "node": self.node,
            "kind": self.kind,
            "prompt": self.prompt,
            "answer": self.answer,
            "facts_set": dict(self.facts_set),
            "next": self.next,
            "check": self.check.to_dict() if self.check is not None else None,
            "note": self.note,
            "automatic": self.automatic,
            "reverted": self.reverted,
            "reverted_at": self.reverted_at.isoformat() if self.reverted_at else None,
        }


@dataclass(frozen=True, slots=True)
class Transcript:
    playbook_id: str
    playbook_version: int | str
    playbook_sha256: str
    started_at: datetime
    initial_facts: Mapping[str, str]
    entries: tuple[TranscriptEntry, ...]
    facts: Mapping[str, str]
    """The facts now: the initial ones and those set by steps not reverted."""
    current_node: str | None
    """Where the run stands (or ended)."""
    outcome: RunOutcome | None = None
    finished_at: datetime | None = None
    finish_reason: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """The nodes of the steps that count (reverted ones left out)."""
        return tuple(entry.node for entry in self.entries if not entry.reverted)

    def to_dict(self) -> dict[str, Any]:
        return {
            "playbook": {
                "id": self.playbook_id,
                "version": self.playbook_version,
                "sha256": self.playbook_sha256,
            },
            "started_at": self.started_at.isoformat(),
            "initial_facts": dict(self.initial_facts),
            "entries": [entry.to_dict() for entry in self.entries],
            "facts": dict(self.facts),
            "current_node": self.current_node,
            "outcome": self.outcome.value if self.outcome else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "finish_reason": self.finish_reason,
        }
