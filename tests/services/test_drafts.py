"""Drafts saved on every change, with revisions that refuse lost updates; attachments."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest
from sqlalchemy import text

from console.domain.enums import TicketStatus
from console.services.drafts import (
    MAX_DRAFT_BYTES,
    DraftConflict,
    DraftError,
    DraftService,
)
from console.store.database import TicketStore
from tests.builders import PNG_HEADER, add_ticket
from tests.services.conftest import StepClock

REF = "HD-VPN0001"


def work(step: int) -> dict[str, Any]:
    """A draft as the window saves it: intake, the playbook run so far, the handoff form."""
    return {
        "intake": {"caller": "Maya Okafor", "summary": "GlobalProtect times out", "step": step},
        "playbook": {"id": "vpn-cannot-connect", "answers": [["scope", 0]] * step},
        "handoff": {"what_is_wrong": "Times out at Connecting", "urgency": "work_stopped"},
        "attachments": [1, 2],
    }


def test_save_and_load_round_trip_with_revisions(any_store: TicketStore, clock: StepClock) -> None:
    add_ticket(any_store, REF)
    drafts = DraftService(any_store, clock)
    assert drafts.load(REF) is None

    assert drafts.save(REF, work(1), None) == 1
    clock.advance(2)
    assert drafts.save(REF, work(2), 1) == 2
    loaded = drafts.load(REF)
    assert loaded is not None
    assert (loaded.ref, loaded.revision, loaded.content) == (REF, 2, work(2))
    assert loaded.updated_at == clock.now


def test_a_stale_save_is_refused_and_changes_nothing(
    any_store: TicketStore, clock: StepClock
) -> None:
    add_ticket(any_store, REF)
    window, other_window = DraftService(any_store, clock), DraftService(any_store, clock)
    window.save(REF, work(1), None)
    other_window.save(REF, work(5), 1)  # another window saved revision 2

    with pytest.raises(DraftConflict) as conflict:
        window.save(REF, work(2), 1)
    assert str(conflict.value) == (
        f"The draft of {REF} was saved elsewhere (revision 2, this one started from 1); "
        "reload it before saving."
    )
    assert conflict.value.current_revision == 2
    with pytest.raises(DraftConflict, match=r"already has a draft \(revision 2\)"):
        window.save(REF, work(2), None)
    loaded = window.load(REF)
    assert loaded is not None and (loaded.revision, loaded.content) == (2, work(5))


def test_racing_first_saves_leave_one_winner(sqlite_store: TicketStore) -> None:
    add_ticket(sqlite_store, REF)
    outcomes: list[object] = []
    barrier = threading.Barrier(4)

    def first_save(n: int) -> None:
        barrier.wait()
        try:
            outcomes.append(DraftService(sqlite_store).save(REF, work(n), None))
        except DraftConflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=first_save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(1) == 1
    assert sum(isinstance(o, DraftConflict) for o in outcomes) == 3


def test_discarding_then_saving_on_the_old_revision_is_a_conflict(
    sqlite_store: TicketStore, clock: StepClock
) -> None:
    add_ticket(sqlite_store, REF)
    drafts = DraftService(sqlite_store, clock)
    drafts.save(REF, work(1), None)
    assert drafts.discard(REF) is True
    assert drafts.discard(REF) is False
    assert drafts.load(REF) is None
    with pytest.raises(DraftConflict, match="was discarded elsewhere"):
        drafts.save(REF, work(2), 1)
    assert drafts.save(REF, work(2), None) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"when": object()}, "cannot be saved as JSON: Object of type object"),
        ({"ratio": float("nan")}, "cannot be saved as JSON: Out of range float values"),
        ({"text": "x" * MAX_DRAFT_BYTES}, "over the 1 MiB a draft may hold"),
    ],
)
def test_content_that_is_not_a_json_document_is_refused(
    sqlite_store: TicketStore, content: dict[str, Any], message: str
) -> None:
    add_ticket(sqlite_store, REF)
    with pytest.raises(DraftError, match=message):
        DraftService(sqlite_store).save(REF, content, None)
    assert DraftService(sqlite_store).load(REF) is None


@pytest.mark.parametrize("status", [TicketStatus.ESCALATED, TicketStatus.PENDING_REVIEW])
def test_a_ticket_past_tier_1_keeps_its_draft_as_it_was(
    sqlite_store: TicketStore, status: TicketStatus
) -> None:
    add_ticket(sqlite_store, REF)
    drafts = DraftService(sqlite_store)
    drafts.save(REF, work(1), None)
    with sqlite_store.sessions.begin() as session:
        session.execute(text("UPDATE tickets SET status = :s"), {"s": status.value})
    with pytest.raises(DraftError, match=f"Ticket {REF} is {status.replace('_', ' ')}"):
        drafts.save(REF, work(2), 1)
    loaded = drafts.load(REF)
    assert loaded is not None and loaded.revision == 1
    with pytest.raises(DraftError, match="There is no ticket HD-NONE000"):
        drafts.save("HD-NONE000", work(1), None)


def test_attachments_are_stored_at_once_with_hash_and_size(
    any_store: TicketStore, clock: StepClock
) -> None:
    add_ticket(any_store, REF)
    drafts = DraftService(any_store, clock)
    screenshot = PNG_HEADER + bytes(range(256)) * 40
    first = drafts.add_attachment(REF, "C:\\Users\\maya\\error.png", "image/png", screenshot, "Err")
    second = drafts.add_attachment(REF, "vpn.log", "text/plain", b"timeout\n")

    listed = drafts.attachments(REF)
    assert [(a.id, a.name, a.size) for a in listed] == [
        (first, "error.png", len(screenshot)),
        (second, "vpn.log", 8),
    ]
    assert listed[0].sha256 == hashlib.sha256(screenshot).hexdigest()
    assert listed[0].description == "Err"
    inputs = drafts.attachment_inputs(REF)
    assert [i.content for i in inputs] == [screenshot, b"timeout\n"]

    drafts.remove_attachment(first)
    assert [a.id for a in drafts.attachments(REF)] == [second]
    with pytest.raises(DraftError, match=f"There is no attachment {first}"):
        drafts.remove_attachment(first)


@pytest.mark.parametrize(
    ("name", "media_type", "content", "message"),
    [
        ("", "image/png", b"x", "needs a file name"),
        ("a.png", "png", b"x", "'png' is not a media type"),
        ("a.png", "image/png", b"", "The attachment a.png is empty"),
    ],
)
def test_bad_attachments_are_refused(
    sqlite_store: TicketStore, name: str, media_type: str, content: bytes, message: str
) -> None:
    add_ticket(sqlite_store, REF)
    with pytest.raises(DraftError, match=message):
        DraftService(sqlite_store).add_attachment(REF, name, media_type, content)
    assert DraftService(sqlite_store).attachments(REF) == []


def test_attachments_of_an_escalated_ticket_are_frozen(sqlite_store: TicketStore) -> None:
    add_ticket(sqlite_store, REF)
    drafts = DraftService(sqlite_store)
    kept = drafts.add_attachment(REF, "a.txt", "text/plain", b"a")
    add_ticket(sqlite_store, "HD-SENT001", status=TicketStatus.ESCALATED.value)
    with pytest.raises(DraftError, match="Ticket HD-SENT001 is escalated"):
        drafts.add_attachment("HD-SENT001", "b.txt", "text/plain", b"b")
    with sqlite_store.sessions.begin() as session:
        session.execute(text("UPDATE tickets SET status = 'escalated'"))
    with pytest.raises(DraftError, match=f"Ticket {REF} is escalated"):
        drafts.remove_attachment(kept)
    assert [a.id for a in drafts.attachments(REF)] == [kept]
