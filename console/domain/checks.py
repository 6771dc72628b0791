"""What the playbook runner and the registry of automated checks agree on, so that neither
imports the other: a check that does not exist here is skipped, not an error."""

from __future__ import annotations


class CheckUnavailable(Exception):
    """The named check does not exist on this machine: not in this console's registry (a
    playbook written for a newer console, say), or not on this platform. A playbook run
    records the check as ``skipped`` with ``str()`` as the reason and follows ``on_error``.
    Raised by a check callable; the registry's ``UnknownCheck`` is one."""
