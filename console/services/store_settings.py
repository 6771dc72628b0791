"""Checking and saving the team store settings: the URL, and its password in the OS keyring.

:func:`test_connection` opens a team store with a password the agent just typed (not the
keyring's), reads its schema revision and closes it again, turning every failure into one
sentence. :func:`apply_settings` saves settings so that a failure changes nothing: the keyring
is written first (and put back if the file cannot be written), the file atomically after.
Both touch the network or the disk: the GUI calls them through its task runner.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from console.settings import Settings, save_settings
from console.store.credentials import SERVICE_NAME, credential_account

# What the settings screen saves a password through (the OS keyring, in the app).
from console.store.credentials import Credentials as Credentials
from console.store.database import (
    HEAD_REVISION,
    current_revision,
    open_store,
    parse_store_url,
)
from console.store.errors import StoreError, StoreLoginFailed, StoreUnavailable

_SERVER_PREFIX = re.compile(r'^connection to server at "[^"]*", port \d+ failed:\s*(?:FATAL:\s*)?')
_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")

TEAM_SCHEMES = ("postgresql", "postgres")
EXAMPLE_URL = "postgresql://agent@db.example.com/helpdesk"


class ConnectionCheckFailed(Exception):
    """The team store settings do not work; the message is one sentence for the agent."""


class TeamUrlInvalid(ConnectionCheckFailed):
    """The URL is not one a team store can have (not PostgreSQL, no user, a password in it)."""


class LoginRefused(ConnectionCheckFailed):
    """The server was reached and refused the user and password."""


class ServerUnreachable(ConnectionCheckFailed):
    """The server could not be reached (down, wrong host or port, no such database)."""


def check_team_url(url: str) -> str:
    """``url`` stripped, if it can name a team store; raises :class:`TeamUrlInvalid` if not.

    Pure (no network), so the dialog can check as the agent types or presses Save.
    """
    url = url.strip()
    if not url:
        raise TeamUrlInvalid(f"Type the team store's URL, e.g. {EXAMPLE_URL}")
    try:
        parts = urlsplit(url)
        has_password = parts.password is not None
    except ValueError:
        raise TeamUrlInvalid(f"'{url}' is not a URL; write it as {EXAMPLE_URL}") from None
    scheme = parts.scheme.lower().split("+", 1)[0]
    if "://" not in url or scheme not in TEAM_SCHEMES:
        raise TeamUrlInvalid(
            f"'{url}' is not a PostgreSQL URL; a team store URL looks like {EXAMPLE_URL}"
        )
    if has_password:
        raise TeamUrlInvalid(
            "The URL must not contain the password: type the password in the password field "
            "and it is kept in the OS keyring"
        )
    try:
        credential_account(url)
    except ValueError as exc:  # no user, or a bad port
        raise TeamUrlInvalid(str(exc)) from None
    return url


def test_connection(url: str, password: str) -> str:
    """Open the team store at ``url`` with ``password`` ("" for none), read its schema, close.

    Returns one line saying where it connected and the schema revision (a store that still
    needs ``db upgrade`` is reached all the same, and the line says so). Raises
    :class:`TeamUrlInvalid`, :class:`LoginRefused` or :class:`ServerUnreachable` with one
    sentence. The connect timeout is the store's (5 seconds per address).
    """
    url = check_team_url(url)
    user, where = _user_and_server(url)
    try:
        store = open_store(
            parse_store_url(url),
            password=lambda _shown: password or None,
            upgrade=False,
            pool_size=1,
        )
    except StoreLoginFailed:
        if password:
            raise LoginRefused(
                f"Password authentication failed for user {user} at {where}: check the password"
            ) from None
        raise LoginRefused(
            f"The server at {where} wants a password for user {user}: type it in the password field"
        ) from None
    except StoreUnavailable as exc:
        raise ServerUnreachable(
            f"Could not connect to the server at {where}: {_driver_reason(exc)}"
        ) from None
    except StoreError as exc:  # reached and logged in; the schema is not this app's
        return f"Connected to {where} as {user}, but: {exc}"
    try:
        revision = current_revision(store)
    finally:
        store.dispose()
    state = "up to date" if revision == HEAD_REVISION else f"this app knows {HEAD_REVISION}"
    return f"Connected to {where} as {user}: schema revision {revision}, {state}"


def apply_settings(
    settings: Settings, path: Path, credentials: Credentials, password: str = ""
) -> None:
    """Save ``password`` (if any) for the settings' team store, then ``settings`` into ``path``.

    Nothing already saved is lost on failure: a keyring error raises before the file is
    touched, and when the file cannot be written the keyring entry is put back as it was.
    An empty ``password`` leaves the keyring alone (the one saved earlier, if any, is used).
    Raises :class:`TeamUrlInvalid` for a password without a team store URL,
    :class:`~console.store.credentials.CredentialStoreError` from the keyring, and
    :class:`~console.config.ConfigError` or OSError from the file.
    """
    if not password:
        save_settings(settings, path)
        return
    account = credential_account(check_team_url(settings.store_url))
    before = credentials.get(SERVICE_NAME, account)
    credentials.set(SERVICE_NAME, account, password)
    try:
        save_settings(settings, path)
    except BaseException:
        if before is None:
            credentials.delete(SERVICE_NAME, account)
        else:
            credentials.set(SERVICE_NAME, account, before)
        raise


def _driver_reason(exc: StoreUnavailable) -> str:
    """The driver's words without what the sentence already says: "Connection refused"."""
    reason = str(exc).partition(": ")[2] or str(exc)  # "Cannot reach the ticket store URL: ..."
    reason = _SERVER_PREFIX.sub("", reason.strip())
    return _ERRNO.sub("", reason).strip()


def _user_and_server(url: str) -> tuple[str, str]:
    """``(user, "host:port/database")`` for messages, with libpq's defaults filled in."""
    parts = urlsplit(url)
    user = unquote(parts.username or "")
    host = parts.hostname or "localhost"
    database = unquote(parts.path.lstrip("/")) or user
    return user, f"{host}:{parts.port or 5432}/{database}"
