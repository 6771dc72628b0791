"""The transcript beside the troubleshooting node: every step so far, undone ones struck
through, notes under their step, and the facts known now."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from console.playbooks import Transcript, TranscriptEntry

UNDONE = " (undone)"
PROMPT_CHARS = 120
REVERTED_ROLE = Qt.ItemDataRole.UserRole.value + 1
"""Item data: whether the item's step was undone."""


def entry_text(number: int, entry: TranscriptEntry, *, finishing: bool = False) -> str:
    """One step as the agent reads it in the list; ``finishing`` for the entry that ended
    the run (its answer is the outcome)."""
    prompt = _short(entry.prompt)
    if finishing:
        text = f"{number}. {str(entry.answer).capitalize()} at {entry.node}"
    elif entry.check is not None:
        text = f"{number}. Check {entry.check.name}: {entry.check.status}. {entry.check.summary}"
    elif entry.kind == "branch":
        text = f"{number}. {prompt}: {entry.answer} (automatic)"
    elif entry.kind == "instruct":
        text = f"{number}. Told the caller: {prompt} (done)"
    else:
        text = f"{number}. {prompt} → {entry.answer}"
    if entry.note:
        text += "\n    Note: " + entry.note.replace("\n", "\n    ")
    return text + (UNDONE if entry.reverted else "")


def fact_lines(facts: Mapping[str, str]) -> list[str]:
    return [f"{name}: {value}" for name, value in facts.items()]


class TranscriptView(QWidget):
    """Two read-only lists: ``entries`` (objectName ``troubleshoot_transcript``) and
    ``facts`` (``troubleshoot_facts``). No signals: the panel calls :meth:`show_run`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries = QListWidget()
        self.entries.setObjectName("troubleshoot_transcript")
        self.entries.setAccessibleName("Transcript of the steps so far")
        self.entries.setWordWrap(True)
        self.facts = QListWidget()
        self.facts.setObjectName("troubleshoot_facts")
        self.facts.setAccessibleName("Facts known so far")
        self.facts.setMaximumHeight(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Transcript"))
        layout.addWidget(self.entries, 1)
        layout.addWidget(QLabel("Facts"))
        layout.addWidget(self.facts)

    def show_run(self, transcript: Transcript) -> None:
        self.entries.clear()
        last = len(transcript.entries) - 1
        for index, entry in enumerate(transcript.entries):
            finishing = transcript.outcome is not None and index == last
            item = QListWidgetItem(entry_text(index + 1, entry, finishing=finishing))
            item.setToolTip(f"{entry.at:%H:%M:%S} · {entry.node} ({entry.kind})")
            item.setData(REVERTED_ROLE, entry.reverted)
            if entry.reverted or entry.automatic:
                # Font, not colour: it reads the same in light and dark palettes.
                font = QFont(self.entries.font())
                font.setStrikeOut(entry.reverted)
                font.setItalic(entry.automatic)
                item.setFont(font)
            self.entries.addItem(item)
        self.entries.scrollToBottom()
        self.facts.clear()
        self.facts.addItems(fact_lines(transcript.facts))


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PROMPT_CHARS else flat[: PROMPT_CHARS - 1] + "…"
