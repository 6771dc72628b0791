"""Validate playbook files and load the ones that pass: the only way playbooks enter the app.

:func:`validate_paths` is what ``agent-console playbook check`` runs: every problem of every
file, plus playbook ids used twice across all of them. :func:`load_playbook` and
:func:`load_playbooks` give the app playbooks with no errors at all, or raise
:class:`PlaybookError` with every problem, so nothing is ever half-loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from console.playbooks.analysis import analyse
from console.playbooks.build import build_playbook
from console.playbooks.catalog import CheckCatalog, registry_catalog
from console.playbooks.fields import Report
from console.playbooks.model import Playbook, PlaybookSource
from console.playbooks.problems import Location, PlaybookError, Problem, sorted_problems
from console.playbooks.yaml_tree import parse_yaml

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The findings for one file. ``playbook`` is there whenever the file's structure could be
    read (so ``simulate`` and ``graph`` can show a playbook with, say, an unreachable node);
    ``ok`` says whether the app may use it."""

    path: str
    problems: tuple[Problem, ...]
    playbook: Playbook | None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


def validate_bytes(
    data: bytes, path: str, *, catalog: CheckCatalog | None = None
) -> ValidationReport:
    """Every problem in one playbook's bytes; ``path`` is only used in the messages."""
    tree, problems = parse_yaml(data, path)
    if tree is None:
        return ValidationReport(path, tuple(problems), None)
    report = Report(path)
    report.problems.extend(problems)
    source = PlaybookSource(path, hashlib.sha256(data).hexdigest())
    draft = build_playbook(tree, report, source)
    analyse(draft, report, catalog or registry_catalog())
    playbook = draft.playbook if draft.sound and not problems else None
    return ValidationReport(path, tuple(sorted_problems(report.problems)), playbook)


def validate_file(path: Path, *, catalog: CheckCatalog | None = None) -> ValidationReport:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return ValidationReport(
            str(path), (Problem(str(path), None, f"cannot read: {reason}"),), None
        )
    return validate_bytes(data, str(path), catalog=catalog)


def playbook_files(directory: Path) -> list[Path]:
    """The ``*.yaml``/``*.yml`` files under ``directory``, in a stable order; hidden files and
    directories (an editor's swap files, ``.git``) are left out."""
    found = [
        path
        for path in Path(directory).rglob("*")
        if path.suffix in SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    ]
    return sorted(found)


def validate_paths(
    paths: Iterable[Path], *, catalog: CheckCatalog | None = None
) -> list[ValidationReport]:
    """Validate files and directories (recursively) as one set: a playbook id used twice is an
    error in the second file, pointing at the first. A directory with no playbook in it is an
    error too (a wrong path should not pass quietly)."""
    catalog = catalog or registry_catalog()
    reports: list[ValidationReport] = []
    for path in paths:
        if Path(path).is_dir():
            files = playbook_files(path)
            if not files:
                message = f"no playbook files ({', '.join('*' + s for s in SUFFIXES)}) in it"
                reports.append(
                    ValidationReport(str(path), (Problem(str(path), None, message),), None)
                )
            reports.extend(validate_file(file, catalog=catalog) for file in files)
        else:
            reports.append(validate_file(Path(path), catalog=catalog))
    return _with_duplicate_ids(reports)


def _with_duplicate_ids(reports: Sequence[ValidationReport]) -> list[ValidationReport]:
    first: dict[str, tuple[str, Location]] = {}
    checked: list[ValidationReport] = []
    for report in reports:
        playbook = report.playbook
        if playbook is None or not playbook.id:
            checked.append(report)
            continue
        where = playbook.locations.get("id", Location(1, 1))
        seen = first.setdefault(playbook.id, (report.path, where))
        if seen == (report.path, where):
            checked.append(report)
            continue
        problem = Problem(
            report.path,
            where,
            f"duplicate playbook id {playbook.id!r}: {seen[0]}:{seen[1]} uses it already",
        )
        problems = tuple(sorted_problems([*report.problems, problem]))
        checked.append(ValidationReport(report.path, problems, playbook))
    return checked


def load_playbook(path: Path, *, catalog: CheckCatalog | None = None) -> Playbook:
    """A playbook with no errors (warnings are allowed), or :class:`PlaybookError`."""
    report = validate_file(path, catalog=catalog)
    if not report.ok or report.playbook is None:
        raise PlaybookError(report.problems)
    return report.playbook


def load_playbooks(paths: Iterable[Path], *, catalog: CheckCatalog | None = None) -> list[Playbook]:
    """All playbooks under ``paths``, or :class:`PlaybookError` with every problem of every
    file and nothing loaded: a library with one broken file is fixed, not used in part."""
    reports = validate_paths(paths, catalog=catalog)
    problems = [p for report in reports for p in report.problems]
    if any(p.is_error for p in problems):
        raise PlaybookError(problems)
    return [report.playbook for report in reports if report.playbook is not None]
