"""The journal of intake typed before its ticket exists."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest

from console.services.intake_journal import IntakeJournal


def test_saved_forms_come_back_oldest_first_and_go_when_discarded(tmp_path: Path) -> None:
    journal = IntakeJournal(tmp_path)
    journal.save("b", {"caller": "Sam Okafor", "summary": "Printer jams"})
    os.utime(journal.directory / "b.json", (1_000, 1_000))
    journal.save("a", {"caller": ""})
    assert [(e.key, e.describe()) for e in journal.entries()] == [
        ("b", "a new ticket for Sam Okafor"),
        ("a", "a new ticket"),
    ]
    journal.save("b", {"caller": "Sam Okafor", "summary": "Printer jams on tray 2"})
    assert journal.entries()[-1].state["summary"] == "Printer jams on tray 2"
    assert (journal.directory / "b.json").is_file()
    journal.discard("b")
    journal.discard("b")  # twice is fine
    assert [e.key for e in journal.entries()] == ["a"]
    assert not (journal.directory / "b.json").exists()


def test_a_save_that_comes_after_the_discard_does_not_bring_the_form_back(
    tmp_path: Path,
) -> None:
    """Saves run on worker threads: one may still be on its way when the tab is closed."""
    journal = IntakeJournal(tmp_path)
    journal.save("k", {"caller": "Sam"})
    assert (journal.directory / "k.json").is_file()
    journal.discard("k")
    journal.save("k", {"caller": "Sam Okafor"})  # the save that lost the race
    assert not (journal.directory / "k.json").exists()
    assert journal.entries() == []


def test_a_failed_write_keeps_the_previous_version_and_leaves_no_temporary(
    tmp_path: Path,
) -> None:
    journal = IntakeJournal(tmp_path)
    journal.save("k", {"caller": "first"})
    failing = mock.patch("console.services.intake_journal.os.replace", side_effect=OSError("full"))
    with failing, pytest.raises(OSError, match="full"):
        journal.save("k", {"caller": "second"})
    assert [e.state for e in journal.entries()] == [{"caller": "first"}]
    assert sorted(p.name for p in journal.directory.iterdir()) == ["k.json"]


def test_an_unreadable_file_is_skipped_and_keys_cannot_escape(tmp_path: Path) -> None:
    journal = IntakeJournal(tmp_path)
    journal.save("ok", {"caller": "x"})
    (journal.directory / "broken.json").write_text("{not json", encoding="utf-8")
    assert [e.key for e in journal.entries()] == ["ok"]
    with pytest.raises(ValueError, match="not a journal key"):
        journal.save("../escape", {})
