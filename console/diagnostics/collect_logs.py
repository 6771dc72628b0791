"""The ``logs`` section: recent error-level system log lines, where no elevation is needed.

Bounded three ways: how far back (a day), how many lines, and how long the reader may take.
The lines are redacted with the rest of the snapshot before anything is stored or shown.
"""

from __future__ import annotations

from console.diagnostics import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from console.diagnostics.host import Host

MAX_LINES = 50
MAX_LINE_CHARS = 500
TIMEOUT_SECONDS = 3.0

_READERS: dict[str, tuple[str, list[str]]] = {
    "Linux": (
        "journalctl",
        [
            "journalctl",
            "-p",
            "err",
            "-n",
            str(MAX_LINES),
            "--since=-24h",
            "--no-pager",
            "-q",
            "-o",
            "short-iso",
        ],
    ),
    "Windows": (
        "Windows System event log",
        [
            "wevtutil",
            "qe",
            "System",
            "/q:*[System[(Level=1 or Level=2)]]",
            f"/c:{MAX_LINES}",
            "/rd:true",
            "/f:text",
        ],
    ),
    "Darwin": (
        "unified log",
        [
            "log",
            "show",
            "--last",
            "1h",
            "--style",
            "compact",
            "--predicate",
            "messageType == error",
        ],
    ),
}


def collect_logs(host: Host) -> dict[str, Any]:
    reader = _READERS.get(host.system)
    if reader is None:
        return {"supported": False, "source": None, "lines": []}
    source, argv = reader
    output = host.run(argv, timeout=TIMEOUT_SECONDS)
    if output is None:
        return {
            "supported": True,
            "source": source,
            "lines": [],
            "problems": [
                f"{argv[0]} could not be read (missing, refused or over {TIMEOUT_SECONDS:.0f} s)"
            ],
        }
    lines = [line[:MAX_LINE_CHARS] for line in output.splitlines() if line.strip()]
    return {
        "supported": True,
        "source": source,
        "lines": lines[-MAX_LINES:],
        "truncated": len(lines) > MAX_LINES,
    }
