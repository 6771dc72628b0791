"""Fixtures every test directory may use: throwaway PostgreSQL clusters and thread hygiene.

Its hooks: without PySide6 (the headless run, ``tests/support/headless.py``) any Qt import fails
the run; SIGTERM stops the run after the test in progress.

Sub-directories add their own fixtures in their own ``conftest.py``; keep this one general.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import NoReturn

import psycopg
import pytest

from tests.support import headless
from tests.support.missing import skip_or_fail_in_ci
from tests.support.postgres import PostgresCluster
from tests.support.threads import threads_left_running

# Before any Qt import: tests never need a screen unless they start Xvfb themselves.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_qt_guard = None if headless.installed("PySide6") else headless.QtImportGuard().install()


def pytest_sessionstart(session: pytest.Session) -> None:
    # `./dev test` stops a run it started in the background with SIGTERM. Stop after the test
    # in progress, as -x does after a failure, so that the session's fixtures still remove
    # their PostgreSQL clusters. (An exception raised from the handler would land in whatever
    # Qt slot was running, and pytest-qt would report it there and go on.) A second SIGTERM
    # ends the process at once, for a test that hangs.
    def stop(signum: int, frame: FrameType | None) -> None:
        if session.shouldstop:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        session.shouldstop = f"stopped by signal {signum}"

    signal.signal(signal.SIGTERM, stop)


def pytest_addoption(parser: pytest.Parser) -> None:
    if not headless.installed("pytestqt"):
        headless.register_pytest_qt_ini(parser)


def pytest_runtest_logstart(nodeid: str) -> None:
    if _qt_guard is not None:
        _qt_guard.current = nodeid


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Also when the test caught the error: importing Qt at all is the failure.
    if _qt_guard is not None and _qt_guard.attempts:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _qt_guard is not None and _qt_guard.attempts:
        terminalreporter.section("Qt imported in the headless run", red=True)
        for attempt in _qt_guard.attempts:
            terminalreporter.line(f"import {attempt}")


_database_numbers = itertools.count(1)


def _unavailable(reason: str) -> NoReturn:
    skip_or_fail_in_ci(
        f"PostgreSQL unavailable ({reason}); ./dev test installs it when run as root",
        "PostgreSQL is required in CI but could not start",
    )


def _started_cluster() -> PostgresCluster:
    cluster: PostgresCluster | None = None
    try:
        cluster = PostgresCluster()
        return cluster.start()
    except (RuntimeError, OSError, psycopg.Error) as exc:
        if cluster is not None:
            cluster.remove()
        _unavailable(str(exc))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One started cluster for the whole session; tests make their own databases in it."""
    cluster = _started_cluster()
    yield cluster
    cluster.remove()


@pytest.fixture
def pg_url(postgres: PostgresCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty database, dropped (connections and all) after."""
    # The test's name in the database name helps when reading pg_stat_activity or the log.
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40].strip("_")
    name = f"t{next(_database_numbers)}_{slug}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture
def postgres_cluster_factory() -> Iterator[Callable[[], PostgresCluster]]:
    """Make dedicated started clusters, for tests that stop and start a server (an outage).

    Each call returns a new :class:`PostgresCluster`; all are stopped and deleted after the
    test.
    """
    made: list[PostgresCluster] = []

    def make() -> PostgresCluster:
        cluster = _started_cluster()
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.remove()


@pytest.fixture(autouse=True)
def _fail_on_leftover_threads() -> Iterator[None]:
    """Fail a test that leaves non-daemon threads running: they leak into later tests.

    Set up before the test's other function fixtures, so it checks after their teardown.
    """
    before = set(threading.enumerate())
    yield
    leftover = threads_left_running(before)
    if leftover:
        names = ", ".join(sorted(thread.name for thread in leftover))
        pytest.fail(f"test left non-daemon threads running: {names}", pytrace=False)
