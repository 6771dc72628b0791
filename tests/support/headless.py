"""The headless run: the tests below the UI, in an environment where PySide6 is not installed.

STYLE.md rule 1: the domain, store, diagnostics, playbooks, packages, services and the CLI
never need Qt. ``./dev test`` proves it by running their tests again in ``.venv-headless``,
which has every dependency but PySide6 and pytest-qt. There, an attempt to import Qt must fail
the run rather than skip a test: ``pytest.importorskip("PySide6")`` or an
``except ImportError`` would otherwise hide it. So :class:`QtImportGuard` answers such an
import with an error that is no ``ImportError``, and remembers it, so that ``tests/conftest.py``
fails the session even when the error was caught.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

QT_PACKAGES = ("PySide6", "shiboken6")

# The ini keys of pytest-qt that pyproject.toml sets; `--strict-config` rejects unknown keys.
PYTEST_QT_INI = {
    "qt_api": "Qt binding (pytest-qt is not installed: ignored)",
    "qt_log_level_fail": "Qt log level that fails a test (pytest-qt is not installed: ignored)",
    "qt_default_raising": "waitSignal's default raising (pytest-qt is not installed: ignored)",
}


def installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


def register_pytest_qt_ini(parser: pytest.Parser) -> None:
    """Accept pytest-qt's ini keys without pytest-qt, so one configuration serves both runs."""
    for name, help_text in PYTEST_QT_INI.items():
        parser.addini(name, help_text)


class QtImportRefused(Exception):
    """Raised for an import of PySide6 in the headless run; not an ImportError on purpose."""


class QtImportGuard(MetaPathFinder):
    """A meta path finder that refuses PySide6 and shiboken6 and lists who asked."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self.current = "collection"

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] not in QT_PACKAGES:
            return None
        self.attempts.append(f"{fullname} during {self.current}")
        raise QtImportRefused(
            f"import {fullname} in the headless run: the code under this test must not need "
            "Qt (STYLE.md rule 1); a test that needs Qt belongs under tests/ui"
        )

    def install(self) -> QtImportGuard:
        sys.meta_path.insert(0, self)
        return self
