"""Saving one open ticket's draft from the window, without sharing state across threads.

What the next save builds on (the draft's revision in the store, and the intake the ticket
row holds) lives in a :class:`DraftLedger` that only the GUI thread touches. Each save is
read from it as an immutable :class:`DraftSave`, written on a worker by :func:`write_draft`,
and its :class:`DraftSaved` is recorded back on the GUI thread. Saves of one ticket run one
after another (the autosaver waits for a running save), so the ledger always describes the
store as the next save finds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.services.desk import Desk
    from console.services.intake_journal import IntakeJournal

UNOPENED_REVISION = 0
"""What a save of a ticket not opened yet returns: its intake went to the journal."""


@dataclass(frozen=True, slots=True)
class DraftSave:
    """One save, as read on the GUI thread."""

    ref: str | None
    """The ticket, or None while it is not opened yet (its intake goes to the journal)."""
    journal_key: str
    state: Mapping[str, Any]
    """Every step's state, as the draft keeps it."""
    base_revision: int | None
    """The revision this save replaces (None: the ticket has no draft yet)."""
    intake_correction: Mapping[str, Any] | None
    """The intake, when it differs from what the ticket row holds: the row gets it too, so
    the package and the queues carry the correction."""


@dataclass(frozen=True, slots=True)
class DraftSaved:
    """What a save left in the store."""

    revision: int
    intake_written: Mapping[str, Any] | None
    """The intake now on the ticket row, when this save wrote it."""


class DraftLedger:
    """What the store holds of one ticket's draft, as far as the window knows. GUI thread
    only: workers get a :class:`DraftSave` and hand back a :class:`DraftSaved`."""

    def __init__(self, journal_key: str) -> None:
        self.journal_key = journal_key
        self.revision: int | None = None
        self.ticket_intake: dict[str, Any] | None = None
        """The intake the ticket row holds (None until the ticket is opened)."""

    def opened(self, revision: int | None, ticket_intake: Mapping[str, Any]) -> None:
        """The ticket exists (just opened, or loaded with its draft's revision)."""
        self.revision = revision
        self.ticket_intake = dict(ticket_intake)

    def next_save(self, ref: str | None, state: Mapping[str, Any]) -> DraftSave:
        intake = state.get("intake")
        correction = None
        if ref is not None and intake and self.ticket_intake is not None:
            correction = intake if intake != self.ticket_intake else None
        return DraftSave(ref, self.journal_key, state, self.revision, correction)

    def record(self, saved: DraftSaved) -> None:
        if saved.revision != UNOPENED_REVISION:
            self.revision = saved.revision
        if saved.intake_written is not None:
            self.ticket_intake = dict(saved.intake_written)


def worth_retrying(error: BaseException) -> bool:
    """Whether a failed save may succeed on its own later: the store was busy or could not be
    reached, or the disk failed for a moment. A refusal (the ticket left tier 1, a newer
    revision) waits for the agent's next change instead."""
    from console.store.errors import StoreUnavailable  # StoreBusy is one

    return isinstance(error, StoreUnavailable | OSError)


def write_draft(desk: Desk, journal: IntakeJournal, save: DraftSave) -> DraftSaved:
    """Worker thread: store ``save``; an unopened ticket's intake goes to the journal."""
    if save.ref is None:
        journal.save(save.journal_key, save.state.get("intake", {}))
        return DraftSaved(UNOPENED_REVISION, None)
    if save.intake_correction is not None:
        from console.services.intake import IntakeForm

        desk.intake.update_intake(save.ref, IntakeForm.from_mapping(save.intake_correction))
    revision = desk.drafts.save(save.ref, save.state, save.base_revision)
    return DraftSaved(revision, save.intake_correction)
