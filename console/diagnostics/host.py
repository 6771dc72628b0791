"""What the collectors may ask of the machine besides psutil: files, commands, environment.

Collectors take a :class:`Host` instead of touching the OS themselves, so the branches for
Windows and macOS run on Linux against a
:class:`~console.diagnostics.recorded_host.RecordedHost` built from a fixture recorded on such a
machine (``tests/fixtures/hosts/``). Every method answers ``None`` rather than raising
when the thing is missing, unreadable or too slow: a collector records that and goes on.
"""

from __future__ import annotations

import functools
import locale
import os
import subprocess
from collections.abc import Mapping, Sequence
from datetime import datetime

from console.diagnostics import TYPE_CHECKING

COMMAND_TIMEOUT = 2.0
"""Seconds any one command may take; a machine that slow has its answer recorded as missing."""

READ_LIMIT = 256 * 1024
"""No file a collector reads needs more; a bigger one (a runaway log) is cut here."""


# Only the type checker needs the protocol (nothing checks it at run time), and typing costs
# `collect` ~5 ms: see console/diagnostics/__init__.py.
if TYPE_CHECKING:
    from typing import Protocol

    class Host(Protocol):
        """The operating system, seen through the few questions collectors ask of it."""

        @property
        def system(self) -> str:
            """``platform.system()``: ``Linux``, ``Windows`` or ``Darwin``."""

        @property
        def environ(self) -> Mapping[str, str]: ...

        @property
        def platform(self) -> Mapping[str, str]:
            """``platform`` module facts (system, release, version, machine, node), the locale,
            timezone and utc_offset_minutes, and where they apply processor, win32_edition,
            win32_release, win32_version and mac_release."""

        def read_text(self, path: str, limit: int = READ_LIMIT) -> str | None:
            """The file's text (at most ``limit`` characters), or None if it cannot be read."""

        def run(self, argv: Sequence[str], timeout: float = 2.0) -> str | None:
            """A command's stdout, or None if it is missing, fails or outlives ``timeout``."""

        def socket_states(self, table: str) -> dict[str, int] | None:
            """Counts by state of one of Linux's socket tables (``tcp``, ``tcp6``, ``udp``,
            ``udp6``) asked of the kernel directly, or None where that cannot be done (then
            the collector reads ``/proc/net/<table>``)."""


class LiveHost:
    """This machine."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)

    @property
    def system(self) -> str:
        return _uname()["system"]

    @property
    def environ(self) -> Mapping[str, str]:
        return self._environ

    @functools.cached_property
    def platform(self) -> Mapping[str, str]:
        """Read once: several collectors ask, and the answers do not change during a call."""
        facts = {**_uname(), "locale": locale.getlocale()[0] or ""}
        local = datetime.now().astimezone()
        offset = local.utcoffset()
        facts["timezone"] = local.tzname() or ""
        facts["utc_offset_minutes"] = str(
            0 if offset is None else int(offset.total_seconds()) // 60
        )
        if facts["system"] == "Windows":
            import platform  # here, not at the top: see _uname

            # Elsewhere platform.processor() runs `uname -p`, which says less than cpuinfo.
            facts["processor"] = platform.processor()
            facts["win32_edition"] = platform.win32_edition() or ""
            facts["win32_release"], facts["win32_version"] = platform.win32_ver()[:2]
        elif facts["system"] == "Darwin":
            import platform

            facts["mac_release"] = platform.mac_ver()[0]
        return facts

    def read_text(self, path: str, limit: int = READ_LIMIT) -> str | None:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return handle.read(limit)
        except OSError:
            return None

    def run(self, argv: Sequence[str], timeout: float = 2.0) -> str | None:
        try:
            done = subprocess.run(
                list(argv),
                capture_output=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
                env={**self._environ, "LC_ALL": "C"},
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode != 0:
            return None
        return done.stdout.decode("utf-8", errors="replace")

    def socket_states(self, table: str) -> dict[str, int] | None:
        if self.system != "Linux":
            return None
        from console.diagnostics import sock_diag

        return sock_diag.table_states(table)


@functools.cache
def _uname() -> dict[str, str]:
    """``platform.uname()``'s system, node, release, version and machine. Where the OS has
    uname (Linux, macOS, the BSDs) that is all ``platform`` reads, so ask it directly: importing
    ``platform`` (its regexes) costs `collect`, whose run time is part of a capture, ~2.5 ms."""
    fields = ("system", "node", "release", "version", "machine")
    if hasattr(os, "uname"):
        values: tuple[str, ...] = tuple(os.uname())
    else:
        import platform

        values = tuple(platform.uname())[:5]
    return {
        name: "" if value == "unknown" else value
        for name, value in zip(fields, values, strict=True)
    }
