"""What the playbook runner and the registry of automated checks agree on, so that neither
imports the other: the verdicts a check gives, and that a check that does not exist here is
skipped, not an error."""

from __future__ import annotations

from enum import StrEnum


class CheckStatus(StrEnum):
    """``error`` means the check could not tell (it broke or ran out of time), not a finding;
    ``skipped`` means the question does not apply here (no battery on a desktop)."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


class CheckUnavailable(Exception):
    """The named check does not exist on this machine: not in this console's registry (a
    playbook written for a newer console, say), or not on this platform. A playbook run
    records the check as ``skipped`` with ``str()`` as the reason and follows ``on_error``.
    Raised by a check callable; the registry's ``UnknownCheck`` is one."""
