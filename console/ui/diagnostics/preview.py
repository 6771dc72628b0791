"""The "what leaves this machine" preview: a stored capture exactly as it will travel to tier 2.

A short header (privacy level, when it was captured, whether it is partial and why, and what
redaction removed, as kinds and counts) above an expandable tree of the stored JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeView, QVBoxLayout, QWidget

from console.ui.diagnostics.snapshot_tree import SnapshotTreeModel

if TYPE_CHECKING:
    from console.services.capture import CaptureInfo, StoredSnapshot

SOURCES = {"this_device": "this device", "imported_bundle": "imported bundle"}


def local_time(info: CaptureInfo) -> str:
    """When a capture was taken, in this machine's time zone (the agent's clock)."""
    return info.captured_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def describe_capture(info: CaptureInfo) -> str:
    """One line naming a capture: "#12 · 2025-11-23 13:13:20 · this device · standard"."""
    partial = " · partial" if info.partial else ""
    return (
        f"#{info.snapshot_id} · {local_time(info)} · {SOURCES[info.source]} · "
        f"{info.privacy}{partial}"
    )


def describe_header(info: CaptureInfo) -> str:
    """The header line: "Privacy: standard · captured 2025-11-23 13:13:20 · this device (#12)"."""
    return (
        f"Privacy: {info.privacy} · captured {local_time(info)} · "
        f"{SOURCES[info.source]} (#{info.snapshot_id})"
    )


def describe_removed(removed: Mapping[str, int]) -> str:
    """Kinds and counts, never values: "Removed: 3 password, 2 mac"."""
    found = ", ".join(f"{count} {kind}" for kind, count in sorted(removed.items()) if count)
    return f"Removed: {found or 'nothing found'}"


def describe_completeness(content: Mapping[str, Any]) -> str:
    """Either "Complete" or "Partial: could not read sensors (…); logs (…)"."""
    meta = content.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    if not meta.get("partial"):
        return "Complete"
    problems = meta.get("problems")
    described = [
        f"{p.get('section', '?')} ({p.get('error', '?')})"
        for p in (problems if isinstance(problems, list) else [])
        if isinstance(p, Mapping)
    ]
    return "Partial: could not read " + ("; ".join(described) or "every section")


class SnapshotPreview(QWidget):
    """The header and the JSON tree of one stored capture; read-only, no signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SnapshotTreeModel(self)
        self.header = QLabel("No capture yet: capture this device or import a bundle.")
        self.header.setObjectName("diagnostics_preview_header")
        self.header.setAccessibleName("Capture details")
        self.header.setWordWrap(True)
        self.completeness = QLabel("")
        self.completeness.setObjectName("diagnostics_preview_partial")
        self.completeness.setAccessibleName("Partial or complete")
        self.completeness.setWordWrap(True)
        self.removed = QLabel("")
        self.removed.setObjectName("diagnostics_preview_removed")
        self.removed.setAccessibleName("What redaction removed")
        self.removed.setWordWrap(True)
        font = self.removed.font()
        font.setBold(True)  # emphasis by weight, not colour: it follows the palette
        self.removed.setFont(font)
        self.tree = QTreeView()
        self.tree.setObjectName("diagnostics_preview_tree")
        self.tree.setAccessibleName("What leaves this machine")
        self.tree.setModel(self.model)
        self.tree.expanded.connect(lambda _index: self._fit_names())
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.expand_button = QPushButton("Expand all")
        self.expand_button.setObjectName("diagnostics_preview_expand")
        self.expand_button.setAccessibleName("Expand every section")
        self.expand_button.clicked.connect(self.tree.expandAll)
        self.collapse_button = QPushButton("Collapse all")
        self.collapse_button.setObjectName("diagnostics_preview_collapse")
        self.collapse_button.setAccessibleName("Collapse every section")
        self.collapse_button.clicked.connect(self.tree.collapseAll)
        buttons = QHBoxLayout()
        buttons.addWidget(self.expand_button)
        buttons.addWidget(self.collapse_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.completeness)
        layout.addWidget(self.removed)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self._shown: int | None = None

    @property
    def shown_id(self) -> int | None:
        """The id of the capture on show, None when none is."""
        return self._shown

    def show_snapshot(self, stored: StoredSnapshot) -> None:
        info = stored.info
        self._shown = info.snapshot_id
        self.header.setText(describe_header(info))
        self.completeness.setText(describe_completeness(stored.content))
        self.removed.setText(describe_removed(stored.removed))
        self.model.set_snapshot(stored.content)
        self.tree.resizeColumnToContents(0)

    def _fit_names(self) -> None:
        # Branches build their rows when opened: widen the name column to what is now shown.
        self.tree.resizeColumnToContents(0)
