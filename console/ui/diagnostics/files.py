"""Where a diagnostics bundle comes from: the file dialog, or a file dropped on the panel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QFileDialog, QWidget

ChooseFile = Callable[[QWidget], Path | None]
"""Asks the agent for a bundle file; None when they cancel (tests pass their own)."""


def ask_for_bundle(parent: QWidget) -> Path | None:
    """The file dialog for a bundle the caller made with ``agent-console collect -o``."""
    name, _ = QFileDialog.getOpenFileName(
        parent, "Import diagnostics bundle", "", "Diagnostics bundle (*.zip)"
    )
    return Path(name) if name else None


def bundle_path(mime: QMimeData) -> Path | None:
    """The one local ``.zip`` file a drag carries, or None (several files, a folder, a web
    link, anything else): one bundle is imported at a time."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() == ".zip" else None
