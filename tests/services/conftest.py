"""Stores for the service tests: a workstation SQLite file, and the team PostgreSQL store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.store.database import TicketStore, open_store, parse_store_url


class StepClock:
    """A clock tests move by hand; starts at a fixed morning."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[TicketStore]:
    store = open_store(parse_store_url(str(tmp_path / "console.db")))
    yield store
    store.dispose()


@pytest.fixture
def team_store(pg_url: str) -> Iterator[TicketStore]:
    store = open_store(parse_store_url(pg_url), upgrade=True)
    yield store
    store.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest) -> TicketStore:
    """Each test that asks for it runs on both engines."""
    fixture = "sqlite_store" if request.param == "sqlite" else "team_store"
    store: TicketStore = request.getfixturevalue(fixture)
    return store
