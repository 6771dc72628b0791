"""Saving a handoff as PDF."""

from __future__ import annotations

import re
from pathlib import Path

from pytestqt.qtbot import QtBot

from console.ui.ticket.pdf import write_handoff_pdf

HANDOFF = """# HD-0001234 · VPN cannot connect

**What is wrong:** the VPN client fails with error 809 since this morning.

| Impact | Urgency | Priority |
|---|---|---|
| one user | work stopped | P3 |

```
Error 809: The network connection between your computer and the VPN server could not be
established
```
"""


def test_a_long_handoff_becomes_a_multi_page_pdf(qtbot: QtBot, tmp_path: Path) -> None:
    target = tmp_path / "HD-0001234.pdf"
    pages = write_handoff_pdf(HANDOFF + "\n\nA step tried and its outcome.\n" * 120, target, "x")
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert pages >= 2
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == pages
    assert list(tmp_path.iterdir()) == [target]  # no partial file left beside it


def test_a_short_handoff_is_one_page(qtbot: QtBot, tmp_path: Path) -> None:
    assert write_handoff_pdf(HANDOFF, tmp_path / "h.pdf", "HD-0001234") == 1
