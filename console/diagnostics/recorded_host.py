"""A :class:`~console.diagnostics.host.Host` recorded on another machine, so the collectors'
Windows and macOS branches run on Linux against fixtures (``tests/fixtures/hosts/``).

Apart from :mod:`console.diagnostics.host` because only replays need it: a live capture
(`collect`, which is timed) then does not import `dataclasses`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from console.diagnostics.host import READ_LIMIT


@dataclass
class RecordedHost:
    """A machine as recorded in a fixture: answers only what was recorded."""

    system: str
    files: Mapping[str, str] = field(default_factory=dict)
    commands: Mapping[str, str] = field(default_factory=dict)
    """Keyed by the command line joined with single spaces."""
    environ: Mapping[str, str] = field(default_factory=dict)
    platform: Mapping[str, str] = field(default_factory=dict)

    def read_text(self, path: str, limit: int = READ_LIMIT) -> str | None:
        text = self.files.get(path)
        return None if text is None else text[:limit]

    def run(self, argv: Sequence[str], timeout: float = 2.0) -> str | None:
        return self.commands.get(" ".join(argv))

    def socket_states(self, table: str) -> dict[str, int] | None:
        """Not recorded: the collector reads the recorded ``/proc/net`` tables instead."""
        return None
