"""``agent-console``: the composition root of the command line.

Chooses the concrete credentials backend (the OS keyring) and hands it to the commands.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from console.cli import CliEnvironment, run

    def credentials():  # type: ignore[no-untyped-def]
        from console.store.credentials import KeyringCredentials

        return KeyringCredentials()

    return run(
        list(sys.argv[1:] if argv is None else argv), CliEnvironment(credentials, os.environ)
    )


if __name__ == "__main__":
    sys.exit(main())
