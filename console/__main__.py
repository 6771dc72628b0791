"""``agent-console``: the window with no command, else the command line.

Chooses the concrete credentials backend (the OS keyring) and hands it to the commands; the
window's own composition root is ``console.app``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # not typing's (~5 ms): see console/diagnostics/__init__.py
if TYPE_CHECKING:
    from typing import NoReturn

# Commands that end without tearing the interpreter down: `collect` runs on a caller's machine
# and its whole run time is part of the capture, teardown costs it about 30 ms, and by then
# its output is flushed and it holds no store, file or connection open.
QUICK_EXIT_COMMANDS = frozenset({"collect"})


def wants_window(argv: Sequence[str]) -> bool:
    """No command, only the window's own options (``--store URL``, ``--exit-after-startup``)."""
    items = iter(argv)
    for item in items:
        if item == "--store":
            next(items, None)
        elif not (item.startswith("--store=") or item == "--exit-after-startup"):
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if wants_window(arguments):
        from console.app import run as run_window

        return run_window(arguments)
    from console.cli import CliEnvironment, run

    def credentials():  # type: ignore[no-untyped-def]
        from console.store.credentials import KeyringCredentials

        return KeyringCredentials()

    return run(arguments, CliEnvironment(credentials, os.environ))


def entry() -> NoReturn:
    """The installed ``agent-console`` command."""
    code = main()
    from console.cli import command_of

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        # The reader went away: point stdout at nothing so the interpreter's own final flush
        # does not print an "Exception ignored" message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = code or 1
    if command_of(sys.argv[1:]) in QUICK_EXIT_COMMANDS:
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
