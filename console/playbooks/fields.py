"""Reading the fields of one YAML mapping and reporting, at their position, what is wrong.

Shared by the playbook and node readers in :mod:`console.playbooks.build`. Every reader
returns a usable fallback after reporting, so one bad field never hides the problems in the
rest of the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection

from console.playbooks.facts import FACT_NAME
from console.playbooks.problems import Location, Problem, Severity
from console.playbooks.yaml_tree import (
    YamlEntry,
    YamlList,
    YamlMap,
    YamlScalar,
    YamlValue,
    describe,
)


class Report:
    """Collects the problems of one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, where: Location, message: str) -> None:
        self.problems.append(Problem(self.path, where, message))

    def warning(self, where: Location, message: str) -> None:
        self.problems.append(Problem(self.path, where, message, Severity.WARNING))

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)


def suggestion(word: str, known: Collection[str]) -> str:
    """`` (did you mean 'next'?)`` when a known word is close, else nothing."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Fields:
    """The entries of a mapping by key, after reporting duplicate and unknown keys.

    ``what`` names the mapping in messages ("node 'client'", "the input of node 'client'").
    ``misplaced`` explains keys that are valid elsewhere but not here; ``at`` is where a
    missing key is reported (a node's id rather than its first key).
    """

    def __init__(
        self,
        report: Report,
        mapping: YamlMap,
        what: str,
        allowed: Collection[str],
        misplaced: dict[str, str] | None = None,
        at: Location | None = None,
    ) -> None:
        self.report = report
        self.mapping = mapping
        self.what = what
        self.at = at or mapping.location
        self.entries: dict[str, YamlEntry] = {}
        for entry in mapping.entries:
            key = entry.key.text
            first = self.entries.get(key)
            if first is not None:
                report.error(
                    entry.key.location,
                    f"{what}: key {key!r} is given twice (first at {first.key.location}); "
                    "YAML would silently keep only the last",
                )
                continue
            if key not in allowed:
                hint = (misplaced or {}).get(key) or f"it takes {', '.join(allowed)}"
                report.error(
                    entry.key.location,
                    f"{what}: unknown key {key!r}{suggestion(key, allowed)}; {hint}",
                )
                continue
            self.entries[key] = entry

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def get(self, key: str) -> YamlValue | None:
        entry = self.entries.get(key)
        return entry.value if entry is not None else None

    def where(self, key: str) -> Location:
        """Where the value of ``key`` is written, else where the mapping starts."""
        entry = self.entries.get(key)
        return entry.value.location if entry is not None else self.mapping.location

    def missing(self, key: str, what_it_is: str) -> None:
        self.report.error(self.at, f"{self.what}: missing {key!r} ({what_it_is})")

    def text(self, key: str, what_it_is: str, *, required: bool = True) -> str | None:
        """A text value as written (``Yes`` stays "Yes"); ``None`` if absent or wrong."""
        value = self.get(key)
        if value is None:
            if required:
                self.missing(key, what_it_is)
            return None
        return text_of(self.report, value, f"{self.what}: {key}", what_it_is)

    def mapping_of(self, key: str, what_it_is: str, *, required: bool = True) -> YamlMap | None:
        value = self.get(key)
        if value is None:
            if required:
                self.missing(key, what_it_is)
            return None
        if not isinstance(value, YamlMap):
            self.report.error(
                value.location,
                f"{self.what}: {key} must be a mapping ({what_it_is}), not {describe(value)}",
            )
            return None
        return value

    def list_of(self, key: str, what_it_is: str, *, required: bool = True) -> YamlList | None:
        value = self.get(key)
        if value is None:
            if required:
                self.missing(key, what_it_is)
            return None
        if not isinstance(value, YamlList):
            self.report.error(
                value.location,
                f"{self.what}: {key} must be a list ({what_it_is}), not {describe(value)}",
            )
            return None
        return value


def text_of(report: Report, value: YamlValue, what: str, what_it_is: str) -> str | None:
    """A scalar's text as written, refusing null, empty text, lists and mappings."""
    if not isinstance(value, YamlScalar) or value.is_null or not value.text.strip():
        shown = "empty" if isinstance(value, YamlScalar) else describe(value)
        report.error(value.location, f"{what} must be text ({what_it_is}), not {shown}")
        return None
    return value.text


def fact_name(report: Report, value: YamlValue, what: str) -> str | None:
    """A fact's name: text in snake_case, as the handoff form and the gate name facts."""
    name = text_of(report, value, what, "a fact name")
    if name is not None and not FACT_NAME.match(name):
        report.error(
            value.location,
            f"{what}: {name!r} is not a fact name (lower-case snake_case like vpn_client)",
        )
        return None
    return name
