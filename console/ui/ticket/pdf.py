"""Saving a handoff as PDF: the Markdown tier 2 reads, laid out on A4 pages."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument


def write_handoff_pdf(markdown: str, path: Path, title: str) -> int:
    """Write ``markdown`` to ``path`` as a PDF; returns the number of pages.

    QtGui painting works off the GUI thread, so the window runs this through the task
    runner. The file is written beside the target and renamed, so a failed export never
    leaves half a PDF under the name the agent chose.
    """
    partial = path.with_name(f".{path.name}.partial")
    writer = QPdfWriter(str(partial))
    writer.setTitle(title)
    writer.setCreator("Agent Console")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(18, 18, 18, 18),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(96)
    document = QTextDocument()
    document.setMarkdown(markdown)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(rect.size()))
    document.print_(writer)
    pages = document.pageCount()
    del writer  # closes and flushes the file
    partial.replace(path)
    return pages
