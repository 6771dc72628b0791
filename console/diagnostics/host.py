"""What the collectors may ask of the machine besides psutil: files, commands, environment.

Collectors take a :class:`Host` instead of touching the OS themselves, so the branches for
Windows and macOS run on Linux against a :class:`RecordedHost` built from a fixture recorded on
such a machine (``tests/fixtures/hosts/``). Every method answers ``None`` rather than raising
when the thing is missing, unreadable or too slow: a collector records that and goes on.
"""

from __future__ import annotations

import functools
import locale
import os
import platform
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

COMMAND_TIMEOUT = 2.0
"""Seconds any one command may take; a machine that slow has its answer recorded as missing."""

READ_LIMIT = 256 * 1024
"""No file a collector reads needs more; a bigger one (a runaway log) is cut here."""


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


class LiveHost:
    """This machine."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)

    @property
    def system(self) -> str:
        return platform.system()

    @property
    def environ(self) -> Mapping[str, str]:
        return self._environ

    @functools.cached_property
    def platform(self) -> Mapping[str, str]:
        """Read once: several collectors ask, and the answers do not change during a call."""
        facts = {
            "system": platform.system(),
            "release": platform.release(),
            "version": platform.version(),
            "machine": platform.machine(),
            "node": platform.node(),
            "locale": locale.getlocale()[0] or "",
        }
        local = datetime.now().astimezone()
        offset = local.utcoffset()
        facts["timezone"] = local.tzname() or ""
        facts["utc_offset_minutes"] = str(
            0 if offset is None else int(offset.total_seconds()) // 60
        )
        if facts["system"] == "Windows":
            # Elsewhere platform.processor() runs `uname -p`, which says less than cpuinfo.
            facts["processor"] = platform.processor()
            facts["win32_edition"] = platform.win32_edition() or ""
            facts["win32_release"], facts["win32_version"] = platform.win32_ver()[:2]
        elif facts["system"] == "Darwin":
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
