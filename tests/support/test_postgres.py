"""The throwaway cluster itself: starts, serves, authenticates, survives stop and start."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from tests.support.postgres import PASSWORD, PASSWORD_ROLE, SUPERUSER, PostgresCluster

pytestmark = pytest.mark.postgres


def conninfo(cluster: PostgresCluster, database: str = "postgres", user: str = SUPERUSER) -> str:
    """The libpq form of the cluster's SQLAlchemy URL (psycopg takes no driver suffix)."""
    return cluster.url(database, user).replace("postgresql+psycopg://", "postgresql://")


def is_up(cluster: PostgresCluster) -> bool:
    """``cluster.running``, read afresh (a plain attribute read would let mypy narrow it)."""
    return cluster.running


def test_the_session_cluster_serves_the_url_user_as_superuser(postgres: PostgresCluster) -> None:
    assert postgres.running
    assert postgres.url() == f"postgresql+psycopg://console@127.0.0.1:{postgres.port}/postgres"
    with psycopg.connect(conninfo(postgres)) as conn:
        row = conn.execute(
            "SELECT current_user, rolsuper, current_setting('server_encoding'),"
            " current_setting('lc_collate'), current_setting('listen_addresses')"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert row == ("console", True, "UTF8", "C", "127.0.0.1")


def test_create_and_drop_database(postgres: PostgresCluster) -> None:
    url = postgres.create_database("probe")
    assert url == postgres.url("probe")
    conn = psycopg.connect(conninfo(postgres, "probe"), autocommit=True)
    try:
        assert conn.execute("SELECT current_database()").fetchone() == ("probe",)
        # Dropping is forced: a connection still open in the database does not block it.
        postgres.drop_database("probe")
        with pytest.raises(psycopg.OperationalError):
            conn.execute("SELECT 1")
    finally:
        conn.close()
    with pytest.raises(psycopg.OperationalError, match='database "probe" does not exist'):
        psycopg.connect(conninfo(postgres, "probe"))
    postgres.drop_database("probe")  # already gone: no error


def test_pg_url_is_a_fresh_empty_database(pg_url: str, postgres: PostgresCluster) -> None:
    assert pg_url.startswith(f"postgresql+psycopg://console@127.0.0.1:{postgres.port}/t")
    with psycopg.connect(pg_url.replace("+psycopg", "")) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_the_password_role_must_give_its_password(postgres: PostgresCluster) -> None:
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(conninfo(postgres, user=PASSWORD_ROLE))
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(conninfo(postgres, user=PASSWORD_ROLE), password="not-the-password")
    with psycopg.connect(conninfo(postgres, user=PASSWORD_ROLE), password=PASSWORD) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (PASSWORD_ROLE,)


def test_stop_then_start_keeps_port_and_data(
    postgres_cluster_factory: Callable[[], PostgresCluster],
) -> None:
    cluster = postgres_cluster_factory()
    cluster.create_database("kept")
    port = cluster.port

    cluster.stop()
    assert not is_up(cluster)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(conninfo(cluster), connect_timeout=2)
    cluster.stop()  # idempotent

    cluster.start()
    assert is_up(cluster)
    assert cluster.port == port
    with psycopg.connect(conninfo(cluster, "kept")) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with psycopg.connect(conninfo(cluster, user=PASSWORD_ROLE), password=PASSWORD) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (PASSWORD_ROLE,)


def test_a_cluster_is_a_context_manager_that_cleans_up(postgres: PostgresCluster) -> None:
    # Asking for the session cluster first applies its skip-or-fail policy when there is
    # no server to run.
    with PostgresCluster() as cluster:
        assert is_up(cluster)
        assert cluster.port != postgres.port
        base = cluster.base
    assert not is_up(cluster)
    assert not base.exists()
