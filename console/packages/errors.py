"""The errors the archive readers and writers raise: each names the member and the rule."""

from __future__ import annotations


class ArchiveError(Exception):
    """A ZIP archive (package or diagnostics bundle) broke a rule.

    ``str()`` is one sentence naming the member and the rule; callers map every subclass to
    "bad input" (the CLI's exit code 2).
    """

    def __init__(self, member: str, rule: str, message: str) -> None:
        self.member = member
        self.rule = rule
        self.detail = message
        super().__init__(f"{member}: {message} (rule: {rule})")


class PackageError(ArchiveError):
    """An escalation package broke a rule. ``str()`` is one sentence naming the member and
    the rule."""
