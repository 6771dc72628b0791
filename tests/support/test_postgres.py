"""The throwaway cluster itself: starts, serves, authenticates, survives stop and start."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from tests.support.postgres import PASSWORD, PASSWORD_ROLE, PostgresCluster

pytestmark = pytest.mark.postgres


def dsn(cluster: PostgresCluster, database: str = "postgres", user: str = "console") -> str:
    return cluster.url(database, user).replace("+psycopg", "")


def test_cluster_serves_and_creates_databases(postgres: PostgresCluster) -> None:
    url = postgres.create_database("probe")
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("probe",)
    postgres.drop_database("probe")
    with pytest.raises(psycopg.OperationalError, match='database "probe" does not exist'):
        psycopg.connect(url.replace("+psycopg", ""))


def test_password_role_needs_its_password(postgres: PostgresCluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(dsn(postgres, user=PASSWORD_ROLE))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(dsn(postgres, user=PASSWORD_ROLE), password="wrong")
    with psycopg.connect(dsn(postgres, user=PASSWORD_ROLE), password=PASSWORD) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (PASSWORD_ROLE,)


def test_stop_and_start_keep_port_and_data(
    postgres_cluster_factory: Callable[[], PostgresCluster],
) -> None:
    cluster = postgres_cluster_factory()
    cluster.create_database("kept")
    port = cluster.port
    cluster.stop()
    assert not cluster.running
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(dsn(cluster), connect_timeout=2)
    cluster.start()
    assert cluster.running and cluster.port == port
    with psycopg.connect(dsn(cluster, "kept")) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
