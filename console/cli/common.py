"""What every command module shares: exit codes, the error that stops a command, and the
outside world a command may touch."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping

TYPE_CHECKING = False  # not typing's (~5 ms): see console/diagnostics/__init__.py
if TYPE_CHECKING:
    from typing import Any, TextIO

    from console.store.credentials import Credentials

OK, FAILED, BAD_INPUT = 0, 1, 2


class CommandError(Exception):
    """Stops a command with one sentence for the user and an exit code."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


class CliEnvironment:
    """What the commands need from the outside world; the composition root builds it.
    The streams default to this process's own. (A plain class, not a dataclass: importing
    `dataclasses` costs `collect`, whose run time is part of a capture, about 15 ms.)"""

    __slots__ = ("credentials", "environ", "stdin", "stdout", "stderr")

    def __init__(
        self,
        credentials: Callable[[], Credentials],
        environ: Mapping[str, str],
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.credentials = credentials
        self.environ = environ
        self.stdin: TextIO = sys.stdin if stdin is None else stdin
        self.stdout: TextIO = sys.stdout if stdout is None else stdout
        self.stderr: TextIO = sys.stderr if stderr is None else stderr


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, measuring the terminal as ``shutil.get_terminal_size`` does
    (``COLUMNS``, else the terminal, else 80) without importing shutil: argparse makes a
    formatter for every argument it adds, and shutil's imports (bz2, lzma, fnmatch) cost
    `collect`, whose run time is part of a capture, about 3 ms."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's, with :class:`HelpFormatter` as the default layout; its subparsers are of
    this class too, so they share it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def _terminal_columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1, refused in one sentence otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value
