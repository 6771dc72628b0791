"""Credentials: the in-memory store, account keys without passwords, keyring error wrapping,
and one round trip through the real Secret Service (gnome-keyring in a private D-Bus)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import (
    InitError,
    KeyringError,
    KeyringLocked,
    NoKeyringError,
    PasswordDeleteError,
    PasswordSetError,
)

from console.store.credentials import (
    SERVICE_NAME,
    Credentials,
    CredentialStoreError,
    InMemoryCredentials,
    KeyringCredentials,
    credential_account,
)
from tests.support.missing import skip_or_fail_in_ci

# --- the in-memory store --------------------------------------------------------------------


def test_in_memory_round_trip() -> None:
    store: Credentials = InMemoryCredentials()
    assert store.available()
    assert store.get(SERVICE_NAME, "a") is None

    store.set(SERVICE_NAME, "a", "one")
    store.set(SERVICE_NAME, "b", "two")
    store.set("other-service", "a", "three")
    store.set(SERVICE_NAME, "a", "replaced")
    assert store.get(SERVICE_NAME, "a") == "replaced"
    assert store.get(SERVICE_NAME, "b") == "two"
    assert store.get("other-service", "a") == "three"

    store.delete(SERVICE_NAME, "a")
    store.delete(SERVICE_NAME, "a")  # absent: no error
    assert store.get(SERVICE_NAME, "a") is None
    assert store.get(SERVICE_NAME, "b") == "two"


def test_in_memory_stores_are_independent() -> None:
    first, second = InMemoryCredentials(), InMemoryCredentials()
    first.set(SERVICE_NAME, "a", "secret")
    assert second.get(SERVICE_NAME, "a") is None


# --- account keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "account"),
    [
        (
            "postgresql://agent@db.example.com:5433/helpdesk",
            "postgresql://agent@db.example.com:5433/helpdesk",
        ),
        (
            "postgresql+psycopg://agent@db.example.com/helpdesk",
            "postgresql://agent@db.example.com:5432/helpdesk",
        ),
        (
            "postgresql://agent:hunter2@DB.Example.COM/helpdesk",
            "postgresql://agent@db.example.com:5432/helpdesk",
        ),
        (
            "postgresql+psycopg://agent:***@127.0.0.1:6000/team",
            "postgresql://agent@127.0.0.1:6000/team",
        ),
        ("postgres://agent@db/helpdesk?sslmode=require", "postgresql://agent@db:5432/helpdesk"),
        ("POSTGRESQL+PSYCOPG://agent@db/helpdesk", "postgresql://agent@db:5432/helpdesk"),
        ("postgresql://agent@[::1]:5433/helpdesk", "postgresql://agent@[::1]:5433/helpdesk"),
        ("postgresql://agent@/helpdesk", "postgresql://agent@localhost:5432/helpdesk"),
        ("postgresql://agent@db", "postgresql://agent@db:5432/agent"),
        (
            "postgresql://agent%40corp@db/help%20desk",
            "postgresql://agent%40corp@db:5432/help%20desk",
        ),
        ("postgresql://Agent@db/HelpDesk", "postgresql://Agent@db:5432/HelpDesk"),
    ],
)
def test_credential_account_normalizes_every_spelling(url: str, account: str) -> None:
    assert credential_account(url) == account


def test_credential_account_never_contains_the_password() -> None:
    account = credential_account("postgresql+psycopg://agent:s3cret-Pa55@db:5432/helpdesk")
    assert "s3cret" not in account


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://db.example.com/helpdesk", "names no user"),
        ("postgresql://:s3cret-Pa55@db.example.com/helpdesk", "names no user"),
        ("postgresql://agent@db:notaport/helpdesk", "invalid port"),
        ("sqlite:////home/agent/console.db", "Only PostgreSQL"),
    ],
)
def test_credential_account_refuses_urls_without_an_account(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        credential_account(url)
    assert "s3cret" not in str(error.value)


# --- KeyringCredentials over a fake backend ------------------------------------------------------


class FakeBackend(KeyringBackend):
    """A keyring backend in a dict that raises whatever a test tells it to."""

    priority = 5  # keyring declares it a class property; a plain number does as well
    # Subclasses register themselves with keyring; non-viable ones are never picked by its
    # backend detection, so these fakes cannot leak into later tests.
    viable = False

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring's is unannotated
        self.secrets: dict[tuple[str, str], str] = {}
        self.error: KeyringError | None = None

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_fail()
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail()
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail()
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")

    def _maybe_fail(self) -> None:
        if self.error is not None:
            raise self.error


@pytest.fixture
def backend() -> Iterator[FakeBackend]:
    previous = keyring.get_keyring()
    fake = FakeBackend()
    keyring.set_keyring(fake)
    try:
        yield fake
    finally:
        keyring.set_keyring(previous)


def test_keyring_round_trip_through_the_backend(backend: FakeBackend) -> None:
    store = KeyringCredentials()
    assert store.available()
    store.set(SERVICE_NAME, "acct", "s3cret-Pa55")
    assert backend.secrets == {(SERVICE_NAME, "acct"): "s3cret-Pa55"}
    assert store.get(SERVICE_NAME, "acct") == "s3cret-Pa55"
    store.delete(SERVICE_NAME, "acct")
    store.delete(SERVICE_NAME, "acct")  # absent: the backend's PasswordDeleteError is swallowed
    assert store.get(SERVICE_NAME, "acct") is None


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (NoKeyringError("nothing"), "No usable OS keyring: install and unlock a Secret Service"),
        (InitError("no D-Bus"), r"No usable OS keyring.*\(no D-Bus\)"),
        (KeyringLocked("locked"), "The OS keyring is locked: unlock it"),
        (PasswordSetError("disk full"), "could not (read|save|delete) the password for acct"),
    ],
)
def test_keyring_failures_become_one_sentence(
    backend: FakeBackend, error: KeyringError, message: str
) -> None:
    store = KeyringCredentials()
    backend.error = error
    calls: list[Callable[[], object]] = [
        lambda: store.get(SERVICE_NAME, "acct"),
        lambda: store.set(SERVICE_NAME, "acct", "s3cret-Pa55"),
        lambda: store.delete(SERVICE_NAME, "acct"),
    ]
    for call in calls:
        with pytest.raises(CredentialStoreError, match=message) as raised:
            call()
        assert "s3cret" not in str(raised.value)
        assert raised.value.__cause__ is None  # the sentence stands alone, no keyring traceback


def test_a_delete_that_really_failed_is_reported(backend: FakeBackend) -> None:
    class StuckBackend(FakeBackend):
        def delete_password(self, service: str, username: str) -> None:
            raise PasswordDeleteError("access denied")

    stuck = StuckBackend()
    stuck.secrets[(SERVICE_NAME, "acct")] = "kept"
    keyring.set_keyring(stuck)  # the fixture still restores the original afterwards
    with pytest.raises(CredentialStoreError, match="could not delete the password for acct"):
        KeyringCredentials().delete(SERVICE_NAME, "acct")


@pytest.mark.parametrize("useless", [fail.Keyring, null.Keyring])
def test_fail_and_null_backends_are_not_available(
    backend: FakeBackend, useless: type[KeyringBackend]
) -> None:
    keyring.set_keyring(useless())
    assert not KeyringCredentials().available()


def test_a_low_priority_backend_is_not_available(backend: FakeBackend) -> None:
    class Plaintext(FakeBackend):
        priority = 0.5  # type: ignore[assignment]

    keyring.set_keyring(Plaintext())
    assert not KeyringCredentials().available()


def test_importing_the_module_does_not_import_keyring() -> None:
    code = "import sys, console.store.credentials; print('keyring' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


# --- the real Secret Service ---------------------------------------------------------------------

_ROUND_TRIP = textwrap.dedent(
    """
    import keyring
    from console.store.credentials import KeyringCredentials

    store = KeyringCredentials()
    backend = type(keyring.get_keyring())
    print("backend", backend.__module__ + "." + backend.__name__)
    print("available", store.available())
    store.set("agent-console-test", "postgresql://agent@db:5432/helpdesk", "s3cret-Pa55")
    print("got", store.get("agent-console-test", "postgresql://agent@db:5432/helpdesk"))
    store.delete("agent-console-test", "postgresql://agent@db:5432/helpdesk")
    store.delete("agent-console-test", "postgresql://agent@db:5432/helpdesk")
    print("after delete", store.get("agent-console-test", "postgresql://agent@db:5432/helpdesk"))
    """
)


@pytest.mark.secret_service
def test_real_secret_service_round_trip() -> None:
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        skip_or_fail_in_ci(
            f"{' and '.join(missing)} not installed (Debian: dbus, gnome-keyring)",
            "The Secret Service test must run in CI",
        )

    # A short private directory: gnome-keyring's control socket path must stay short.
    with tempfile.TemporaryDirectory(prefix="ac-kr-") as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_"))}
        env.pop("DISPLAY", None)  # nothing may pop up an unlock prompt
        for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            (root / name.lower()).mkdir()
            env[name] = str(root / name.lower())
        runtime = root / "run"
        runtime.mkdir(mode=0o700)
        env["XDG_RUNTIME_DIR"] = str(runtime)
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
        # The daemon creates and unlocks a "login" keyring with this password, which
        # becomes the default collection, so nothing prompts.
        script = (
            "printf throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null;"
            ' exec "$0" -c "$1"'
        )
        result = subprocess.run(
            ["dbus-run-session", "--", "sh", "-c", script, sys.executable, _ROUND_TRIP],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        "backend keyring.backends.SecretService.Keyring",
        "available True",
        "got s3cret-Pa55",
        "after delete None",
    ], result.stderr
