"""Saving an open ticket's draft: what each save builds on is kept on one thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.connect import Stores
from console.domain.enums import Role
from console.services.desk import Agent, Desk
from console.services.draft_saving import (
    UNOPENED_REVISION,
    DraftLedger,
    DraftSaved,
    worth_retrying,
    write_draft,
)
from console.services.drafts import DraftConflict
from console.services.intake import IntakeForm
from console.services.intake_journal import IntakeJournal
from console.store.database import TicketStore
from console.store.errors import StoreBusy, StoreUnavailable

INTAKE = {
    "caller": "Sam Okafor",
    "contact": "sam@example.com",
    "client": "",
    "site": "",
    "summary": "VPN fails with error 809 since this morning",
    "channel": "phone",
    "category": "vpn",
    "description": "",
    "playbook_id": "",
}


@pytest.fixture
def desk(sqlite_store: TicketStore) -> Iterator[Desk]:
    yield Desk(Agent("dana", Role.AGENT), lambda: Stores(sqlite_store, sqlite_store))


@pytest.fixture
def journal(tmp_path: Path) -> IntakeJournal:
    return IntakeJournal(tmp_path)


def opened(desk: Desk) -> str:
    return desk.intake.open_ticket(IntakeForm.from_mapping(INTAKE), "dana")


def test_an_unopened_ticket_goes_to_the_journal(desk: Desk, journal: IntakeJournal) -> None:
    ledger = DraftLedger("key-1")
    saved = write_draft(desk, journal, ledger.next_save(None, {"intake": {"caller": "Sam"}}))
    assert saved == DraftSaved(UNOPENED_REVISION, None)
    assert [(e.key, e.state) for e in journal.entries()] == [("key-1", {"caller": "Sam"})]
    ledger.record(saved)
    assert ledger.revision is None


def test_each_save_builds_on_the_revision_the_last_one_left(
    desk: Desk, journal: IntakeJournal
) -> None:
    ref = opened(desk)
    ledger = DraftLedger("key-1")
    ledger.opened(None, INTAKE)
    first = ledger.next_save(ref, {"intake": INTAKE, "handoff": {"what_is_wrong": "a"}})
    assert first.base_revision is None
    assert first.intake_correction is None  # the ticket row already holds this intake
    ledger.record(write_draft(desk, journal, first))
    second = ledger.next_save(ref, {"intake": INTAKE, "handoff": {"what_is_wrong": "ab"}})
    assert second.base_revision == ledger.revision is not None
    ledger.record(write_draft(desk, journal, second))
    draft = desk.drafts.load(ref)
    assert draft is not None
    assert draft.revision == ledger.revision
    assert draft.content["handoff"] == {"what_is_wrong": "ab"}


def test_a_save_built_on_a_stale_revision_is_refused(desk: Desk, journal: IntakeJournal) -> None:
    """What the ledger guards against: two saves racing on the same base revision."""
    ref = opened(desk)
    ledger = DraftLedger("key-1")
    ledger.opened(None, INTAKE)
    save = ledger.next_save(ref, {"intake": INTAKE})
    ledger.record(write_draft(desk, journal, save))
    with pytest.raises(DraftConflict):
        write_draft(desk, journal, save)  # the same base again: the store moved on


def test_an_intake_correction_reaches_the_ticket_once(desk: Desk, journal: IntakeJournal) -> None:
    ref = opened(desk)
    ledger = DraftLedger("key-1")
    ledger.opened(None, INTAKE)
    corrected = {**INTAKE, "caller": "Sam Okafor-Reyes"}
    save = ledger.next_save(ref, {"intake": corrected})
    assert save.intake_correction == corrected
    ledger.record(write_draft(desk, journal, save))
    assert desk.ticket(ref).caller == "Sam Okafor-Reyes"
    assert ledger.next_save(ref, {"intake": corrected}).intake_correction is None


@pytest.mark.parametrize(
    ("error", "retry"),
    [
        (StoreBusy("The ticket store is busy."), True),
        (StoreUnavailable("Cannot reach the ticket store."), True),
        (OSError("No space left on device"), True),
        (DraftConflict("HD-1 was saved elsewhere meanwhile.", 3), False),
        (ValueError("HD-1 is escalated: its draft can no longer change."), False),
    ],
)
def test_only_a_store_or_disk_that_may_recover_is_worth_a_retry(
    error: BaseException, retry: bool
) -> None:
    assert worth_retrying(error) is retry
