"""Intake typed before its ticket exists, kept on disk so a crash does not lose it.

A ticket is created when the agent opens it; until then the intake form (caller, summary,
…) lives only in the window. Each unopened form is written here as one small JSON file
(atomically), removed when its ticket is opened or its tab is closed, and offered back
after a crash together with the drafts of opened tickets.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JOURNAL_DIR = "unopened-intake"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    key: str
    state: dict[str, Any]

    def describe(self) -> str:
        """The agent's words for it: "a new ticket for Sam Okafor" (when the caller is typed)."""
        caller = str(self.state.get("caller", "")).strip()
        return f"a new ticket for {caller}" if caller else "a new ticket"


class IntakeJournal:
    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / JOURNAL_DIR
        # Saves and discards come from worker threads and may overlap: a save that finishes
        # after its key was discarded must not bring the file back.
        self._lock = threading.Lock()
        self._discarded: set[str] = set()

    def save(self, key: str, state: Mapping[str, Any]) -> None:
        with self._lock:
            if key not in self._discarded:
                self._write(key, state)

    def _write(self, key: str, state: Mapping[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(dict(state), f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, self._path(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def discard(self, key: str) -> None:
        with self._lock:
            self._discarded.add(key)
            with contextlib.suppress(FileNotFoundError):
                self._path(key).unlink()

    def entries(self) -> list[JournalEntry]:
        """Every unopened intake, oldest first; an unreadable file is skipped, not fatal."""
        if not self.directory.is_dir():
            return []
        found: list[tuple[float, JournalEntry]] = []
        for path in self.directory.glob("*.json"):
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
                modified = path.stat().st_mtime
            except (OSError, ValueError):
                continue
            if isinstance(state, dict):
                found.append((modified, JournalEntry(path.stem, state)))
        return [entry for _, entry in sorted(found, key=lambda item: item[0])]

    def _path(self, key: str) -> Path:
        if not key or not all(c.isalnum() or c in "-_" for c in key):
            raise ValueError(f"not a journal key: {key!r}")
        return self.directory / f"{key}.json"
