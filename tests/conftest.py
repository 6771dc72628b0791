"""Fixtures every test directory may use: the throwaway PostgreSQL cluster, thread hygiene."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.support.postgres import PostgresCluster

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_database_names = itertools.count(1)


def _unavailable(reason: str) -> None:
    """CI must prove the real thing: there a missing server fails the run instead of skipping."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One cluster for the whole session; tests get their own databases in it."""
    try:
        cluster = PostgresCluster().start()
    except (RuntimeError, OSError) as exc:
        _unavailable(str(exc))
    yield cluster
    cluster.remove()


@pytest.fixture
def pg_url(postgres: PostgresCluster) -> Iterator[str]:
    """A fresh, empty database (SQLAlchemy URL), dropped after the test."""
    name = f"t{os.getpid()}_{next(_database_names)}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture
def postgres_cluster_factory() -> Iterator[Callable[[], PostgresCluster]]:
    """Dedicated clusters a test may stop and start (an outage) without disturbing others."""
    made: list[PostgresCluster] = []

    def make() -> PostgresCluster:
        try:
            cluster = PostgresCluster().start()
        except (RuntimeError, OSError) as exc:
            _unavailable(str(exc))
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.remove()


@pytest.fixture(autouse=True)
def _no_leftover_threads() -> Iterator[None]:
    """A test that leaves threads running fails (they would leak into the next test)."""
    before = set(threading.enumerate())
    yield
    leftover = [
        t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon
    ]
    if leftover:
        pytest.fail(f"test left threads running: {[t.name for t in leftover]}", pytrace=False)
