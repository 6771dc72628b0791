"""Which automated checks exist and what arguments they take, as the validator needs to know.

The real list is the fixed registry in :mod:`console.diagnostics.checks`. The validator takes
a :class:`CheckCatalog` so tests (and a future organisation-specific registry) can give
another one; the default is imported only when it is first needed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

ArgumentValidator = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]
"""``(check, args) -> args with defaults``; raises :class:`ValueError` naming the argument (an
``argument`` attribute, when present, names the key to point at)."""


@dataclass(frozen=True, slots=True)
class CheckCatalog:
    names: Collection[str]
    validate_arguments: ArgumentValidator


def registry_catalog() -> CheckCatalog:
    """The checks of :mod:`console.diagnostics.checks`, the only ones a playbook can run."""
    from console.diagnostics import checks

    return CheckCatalog(frozenset(checks.REGISTRY), checks.validate_arguments)
