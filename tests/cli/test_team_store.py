"""Team mode against a real PostgreSQL server: keyring login, sync through outages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from console.config import workstation_path
from console.resources import load_priority_matrix
from console.services.escalate import EscalationService
from console.store.credentials import SERVICE_NAME, InMemoryCredentials
from console.store.database import open_store, parse_store_url
from tests.builders import AGENT, add_ticket, complete_submission
from tests.cli.conftest import CliRunner

pytestmark = pytest.mark.postgres


def submit_on_this_workstation(ref: str, destination: str) -> str:
    workstation = open_store(parse_store_url(str(workstation_path())))
    try:
        add_ticket(workstation, ref)
        service = EscalationService(workstation, load_priority_matrix(), destination)
        return service.submit(complete_submission(ref), AGENT).package_id
    finally:
        workstation.dispose()


def test_sync_delivers_the_outbox_once(cli: CliRunner, home: Path, pg_url: str) -> None:
    assert cli("--store", pg_url, "db", "upgrade").code == 0
    package_id = submit_on_this_workstation("HD-SYNC001", pg_url)

    first = cli("--store", pg_url, "sync")
    assert first.code == 0, first.err
    assert "Delivered 1 package(s)" in first.out and package_id in first.out
    assert "Outbox empty" in first.out

    again = cli("--store", pg_url, "sync")
    assert again.code == 0
    assert "Nothing new delivered" in again.out

    listed = json.loads(cli("--store", pg_url, "tickets", "list", "--json").out)
    assert [(r["ref"], r["has_package"]) for r in listed] == [("HD-SYNC001", True)]


def test_sync_while_the_team_store_is_down_reports_what_waits_and_why(
    cli: CliRunner, home: Path, postgres_cluster_factory: Any
) -> None:
    cluster = postgres_cluster_factory()
    url = cluster.create_database("team")
    assert cli("--store", url, "db", "upgrade").code == 0
    package_id = submit_on_this_workstation("HD-DOWN001", url)
    cluster.stop()

    down = cli("--store", url, "sync")
    assert down.code == 1
    assert "1 still waiting to send" in down.out
    assert package_id in down.out and "1 attempt(s)" in down.out
    assert "Cannot reach the ticket store" in down.out

    cluster.start()
    up = cli("--store", url, "sync")
    assert up.code == 0, up.out
    assert "Delivered 1 package(s)" in up.out


def test_store_login_keeps_the_password_only_in_the_keyring(
    cli: CliRunner, keyring: InMemoryCredentials, postgres: Any, home: Path
) -> None:
    name = "secretdb"
    postgres.create_database(name)
    with psycopg.connect(postgres.url(name).replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} OWNER TO secret_agent")
    try:
        url = f"postgresql://secret_agent@127.0.0.1:{postgres.port}/{name}"
        account = f"postgresql://secret_agent@127.0.0.1:{postgres.port}/{name}"

        wrong = cli("store", "login", url, stdin="not-the-password\n")
        assert wrong.code == 2
        assert "refused the password" in wrong.err
        assert keyring.get(SERVICE_NAME, account) is None

        refused = cli("--store", url, "db", "upgrade")
        assert refused.code == 1
        assert "store login" in refused.err

        ok = cli("store", "login", url, stdin="s3cret-Pa55\n")
        assert ok.code == 0, ok.err
        assert keyring.get(SERVICE_NAME, account) == "s3cret-Pa55"
        upgraded = cli("--store", url, "db", "upgrade")
        assert upgraded.code == 0, upgraded.err
        for path in home.rglob("*"):
            if path.is_file():
                assert b"s3cret-Pa55" not in path.read_bytes(), path

        out = cli("store", "logout", url)
        assert out.code == 0
        assert keyring.get(SERVICE_NAME, account) is None
        assert cli("--store", url, "tickets", "list").code == 1
    finally:
        postgres.drop_database(name)
