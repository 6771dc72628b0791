"""What every command module shares: exit codes, the error that stops a command, and the
outside world a command may touch."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from console.store.credentials import Credentials

OK, FAILED, BAD_INPUT = 0, 1, 2


class CommandError(Exception):
    """Stops a command with one sentence for the user and an exit code."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class CliEnvironment:
    """What the commands need from the outside world; the composition root builds it."""

    credentials: Callable[[], Credentials]
    environ: Mapping[str, str]
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1, refused in one sentence otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value
