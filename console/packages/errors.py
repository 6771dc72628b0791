"""The one error a package reader or writer raises: it names the member and the rule."""

from __future__ import annotations


class PackageError(Exception):
    """A package broke a rule. ``str()`` is one sentence naming the member and the rule."""

    def __init__(self, member: str, rule: str, message: str) -> None:
        self.member = member
        self.rule = rule
        self.detail = message
        super().__init__(f"{member}: {message} (rule: {rule})")
