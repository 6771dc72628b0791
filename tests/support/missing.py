"""A test needing something this machine lacks (a server, a tool, an IPv6 stack) skips here
and fails in CI, which must prove the real thing (``CI`` set, as ``CI=true bash .ci/run``
does): the one rule every such test follows."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def _in_ci() -> bool:
    """``CI`` is set to anything but an explicit no ("", "0", "false", "no")."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def skip_or_fail_in_ci(reason: str, in_ci: str) -> NoReturn:
    """Skip with ``reason``; under ``CI`` fail instead, saying ``in_ci: reason``."""
    __tracebackhide__ = True  # reported where the test is, not here
    if _in_ci():
        pytest.fail(f"{in_ci}: {reason}", pytrace=False)
    pytest.skip(reason)
