"""Team store settings: the connection test against a real server, and saving without loss."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from console.config import ConfigError
from console.services import store_settings
from console.services.store_settings import (
    LoginRefused,
    ServerUnreachable,
    TeamUrlInvalid,
    apply_settings,
    check_team_url,
)
from console.settings import Settings, load_settings
from console.store.credentials import SERVICE_NAME, CredentialStoreError, InMemoryCredentials
from console.store.database import HEAD_REVISION, open_store, parse_store_url
from tests.support.postgres import PASSWORD, PASSWORD_ROLE, PostgresCluster, free_port

# --- against the real server ----------------------------------------------------------------


@pytest.fixture
def secret_url(postgres: PostgresCluster, pg_url: str) -> Iterator[str]:
    """A fresh database owned by the role that must give its password, as that role."""
    name = urlsplit(pg_url).path.lstrip("/")
    with postgres.connect() as admin:
        admin.execute(f'ALTER DATABASE "{name}" OWNER TO {PASSWORD_ROLE}')
    yield f"postgresql://{PASSWORD_ROLE}@127.0.0.1:{postgres.port}/{name}"


def where(url: str) -> str:
    parts = urlsplit(url)
    return f"127.0.0.1:{parts.port}/{parts.path.lstrip('/')}"


@pytest.mark.postgres
def test_the_right_password_reaches_an_upgraded_store_and_reads_its_revision(
    secret_url: str,
) -> None:
    open_store(parse_store_url(secret_url), password=lambda _: PASSWORD, upgrade=True).dispose()

    line = store_settings.test_connection(secret_url, PASSWORD)

    assert line == (
        f"Connected to {where(secret_url)} as {PASSWORD_ROLE}: "
        f"schema revision {HEAD_REVISION}, up to date"
    )


@pytest.mark.postgres
def test_a_store_without_schema_is_reached_and_the_line_says_to_upgrade(
    secret_url: str,
) -> None:
    line = store_settings.test_connection(secret_url, PASSWORD)

    assert line.startswith(f"Connected to {where(secret_url)} as {PASSWORD_ROLE}, but: ")
    assert "schema revision none" in line and "db upgrade" in line


@pytest.mark.postgres
def test_a_wrong_password_is_one_sentence_naming_the_user(secret_url: str) -> None:
    with pytest.raises(LoginRefused) as refused:
        store_settings.test_connection(secret_url, "not-the-password")

    assert str(refused.value) == (
        f"Password authentication failed for user {PASSWORD_ROLE} at {where(secret_url)}: "
        "check the password"
    )
    assert "not-the-password" not in str(refused.value)


@pytest.mark.postgres
def test_no_password_where_one_is_needed_says_to_type_it(secret_url: str) -> None:
    with pytest.raises(LoginRefused, match="wants a password for user secret_agent"):
        store_settings.test_connection(secret_url, "")


@pytest.mark.postgres
def test_a_trusted_login_needs_no_password(pg_url: str) -> None:
    line = store_settings.test_connection(pg_url, "")
    assert line.startswith(f"Connected to {where(pg_url)} as console, but: ")


@pytest.mark.postgres
def test_a_missing_database_is_reported_as_not_reachable(postgres: PostgresCluster) -> None:
    url = f"postgresql://{PASSWORD_ROLE}@127.0.0.1:{postgres.port}/no_such_db"
    with pytest.raises(ServerUnreachable) as unreachable:
        store_settings.test_connection(url, PASSWORD)
    assert str(unreachable.value) == (
        f"Could not connect to the server at 127.0.0.1:{postgres.port}/no_such_db: "
        'database "no_such_db" does not exist'
    )


def test_a_port_nobody_listens_on_fails_quickly_with_one_sentence() -> None:
    port = free_port()
    started = time.monotonic()
    with pytest.raises(ServerUnreachable) as unreachable:
        store_settings.test_connection(f"postgresql://agent@127.0.0.1:{port}/helpdesk", "pw")
    assert time.monotonic() - started < 6  # within the 5 second connect timeout
    assert str(unreachable.value) == (
        f"Could not connect to the server at 127.0.0.1:{port}/helpdesk: Connection refused"
    )


# --- URLs that cannot name a team store (no server needed) ----------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite:///home/agent/tickets.db", "is not a PostgreSQL URL"),
        ("/home/agent/tickets.db", "is not a PostgreSQL URL"),
        ("mysql://agent@db.example.com/helpdesk", "is not a PostgreSQL URL"),
        ("db.example.com", "is not a PostgreSQL URL"),
        ("postgresql://agent:hunter2@db.example.com/helpdesk", "must not contain the password"),
        ("postgresql://db.example.com/helpdesk", "names no user"),
        ("postgresql://agent@db.example.com:port/helpdesk", "invalid port"),
        ("   ", "Type the team store's URL"),
    ],
)
def test_urls_that_cannot_name_a_team_store_are_refused_before_connecting(
    url: str, says: str
) -> None:
    with pytest.raises(TeamUrlInvalid, match=says) as invalid:
        store_settings.test_connection(url, "pw")
    assert "hunter2" not in str(invalid.value)


def test_a_team_url_is_kept_as_typed_without_surrounding_blanks() -> None:
    assert check_team_url("  postgres://agent@DB.example.com/helpdesk \n") == (
        "postgres://agent@DB.example.com/helpdesk"
    )


# --- saving: keyring first, file atomically, nothing lost on failure ------------------------

TEAM_URL = "postgresql://agent@db.example.com/helpdesk"
ACCOUNT = "postgresql://agent@db.example.com:5432/helpdesk"


class BrokenKeyring(InMemoryCredentials):
    def set(self, service: str, account: str, secret: str) -> None:
        raise CredentialStoreError("The OS keyring is locked: unlock it, then try again")


def test_saving_puts_the_password_in_the_keyring_and_only_the_url_in_the_file(
    tmp_path: Path,
) -> None:
    path, keyring = tmp_path / "config.toml", InMemoryCredentials()
    settings = Settings({"store.url": TEAM_URL, "agent.name": "Ada"})

    apply_settings(settings, path, keyring, "s3cret")

    assert keyring.get(SERVICE_NAME, ACCOUNT) == "s3cret"
    assert load_settings(path) == settings
    assert "s3cret" not in path.read_text()


def test_no_password_leaves_the_keyring_alone(tmp_path: Path) -> None:
    path, keyring = tmp_path / "config.toml", InMemoryCredentials()
    keyring.set(SERVICE_NAME, ACCOUNT, "saved-before")

    apply_settings(Settings({"store.url": TEAM_URL}), path, keyring, "")

    assert keyring.get(SERVICE_NAME, ACCOUNT) == "saved-before"
    assert load_settings(path).store_url == TEAM_URL


def test_a_keyring_failure_leaves_the_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[agent]\nname = "Before"\n')

    with pytest.raises(CredentialStoreError, match="locked"):
        apply_settings(Settings({"store.url": TEAM_URL}), path, BrokenKeyring(), "s3cret")

    assert path.read_text() == '[agent]\nname = "Before"\n'


@pytest.mark.parametrize("before", [None, "old-password"])
def test_a_file_that_cannot_be_written_puts_the_keyring_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: str | None
) -> None:
    path, keyring = tmp_path / "config.toml", InMemoryCredentials()
    path.write_text('[agent]\nname = "Before"\n')
    if before is not None:
        keyring.set(SERVICE_NAME, ACCOUNT, before)

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        apply_settings(Settings({"store.url": TEAM_URL}), path, keyring, "new-password")

    assert keyring.get(SERVICE_NAME, ACCOUNT) == before
    assert path.read_text() == '[agent]\nname = "Before"\n'
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary file left


def test_an_unreadable_file_is_not_overwritten_and_the_keyring_is_put_back(
    tmp_path: Path,
) -> None:
    path, keyring = tmp_path / "config.toml", InMemoryCredentials()
    path.write_text("[agent\nname = broken")

    with pytest.raises(ConfigError, match="not valid TOML"):
        apply_settings(Settings({"store.url": TEAM_URL}), path, keyring, "s3cret")

    assert path.read_text() == "[agent\nname = broken"
    assert keyring.get(SERVICE_NAME, ACCOUNT) is None
