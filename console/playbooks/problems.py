"""What the validator reports: a problem at a place in a file, as an editor would jump to it.

Lines and columns are 1-based (PyYAML's marks are 0-based), so ``path:line:column`` works with
every editor and CI annotation format. A problem without a location is about the file as a
whole (it cannot be read); every problem found *in* a file's text has one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """``error`` makes a playbook invalid; ``warning`` is printed but allowed (the handoff gate
    or the agent deals with it at run time)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding. ``str()`` is ``path:line:column: severity: message``."""

    path: str
    location: Location | None
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.location}" if self.location else self.path
        return f"{where}: {self.severity.value}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.location.line if self.location else None,
            "column": self.location.column if self.location else None,
            "severity": self.severity.value,
            "message": self.message,
        }


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File order (unlocated ones first), so output reads top to bottom like the file."""
    return sorted(
        problems,
        key=lambda p: (p.path, p.location or Location(0, 0), p.severity != Severity.ERROR),
    )


class PlaybookError(Exception):
    """A playbook that must not be used. ``problems`` holds every finding; ``str()`` lists the
    errors one per line, each ``path:line:column: error: message``."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.is_error] or list(self.problems)
        super().__init__("\n".join(str(p) for p in errors))
