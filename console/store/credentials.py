"""Secrets behind a four-method protocol; the real one is the OS keyring.

Only the composition root picks the backend. Tests use :class:`InMemoryCredentials`, and one
test runs :class:`KeyringCredentials` against a real Secret Service (gnome-keyring).
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import unquote, urlsplit

SERVICE_NAME = "agent-console"


class CredentialStoreError(Exception):
    """The OS keyring cannot be used; one sentence saying what to do."""


class Credentials(Protocol):
    def get(self, service: str, account: str) -> str | None: ...

    def set(self, service: str, account: str, secret: str) -> None: ...

    def delete(self, service: str, account: str) -> None:
        """Forget the secret; no error when there is none."""
        ...

    def available(self) -> bool: ...


class InMemoryCredentials:
    """Secrets in a dict: for tests, and for runs that must never touch the OS keyring."""

    def __init__(self) -> None:
        self._secrets: dict[tuple[str, str], str] = {}

    def get(self, service: str, account: str) -> str | None:
        return self._secrets.get((service, account))

    def set(self, service: str, account: str, secret: str) -> None:
        self._secrets[(service, account)] = secret

    def delete(self, service: str, account: str) -> None:
        self._secrets.pop((service, account), None)

    def available(self) -> bool:
        return True


_NO_KEYRING = (
    "No usable OS keyring: install and unlock a Secret Service provider such as gnome-keyring "
    "(or use the macOS Keychain / Windows Credential Manager)"
)


class KeyringCredentials:
    """The OS keyring through the ``keyring`` package (imported lazily: it is slow to load)."""

    def get(self, service: str, account: str) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        try:
            secret: str | None = keyring.get_password(service, account)
        except KeyringError as exc:
            raise CredentialStoreError(f"{_NO_KEYRING} ({exc})") from None
        return secret

    def set(self, service: str, account: str, secret: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(service, account, secret)
        except KeyringError as exc:
            raise CredentialStoreError(f"{_NO_KEYRING} ({exc})") from None

    def delete(self, service: str, account: str) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(service, account)
        except PasswordDeleteError:
            return  # nothing saved: already the state the caller wants
        except KeyringError as exc:
            raise CredentialStoreError(f"{_NO_KEYRING} ({exc})") from None

    def available(self) -> bool:
        import keyring

        backend = keyring.get_keyring()
        priority = getattr(type(backend), "priority", 0)
        try:
            return float(priority) >= 1
        except (TypeError, ValueError):
            return False


def credential_account(url: str) -> str:
    """The keyring account of a database URL: ``postgresql://user@host:port/database``.

    The driver suffix (``+psycopg``) and any password are dropped and the default port filled
    in, so every spelling of the same store finds the same secret.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    if not parts.username:
        raise ValueError(f"The store URL '{_without_password(url)}' names no user (user@host)")
    host = (parts.hostname or "localhost").lower()
    try:
        port = parts.port or 5432
    except ValueError:
        raise ValueError(f"The store URL '{_without_password(url)}' has an invalid port") from None
    database = parts.path.lstrip("/")
    return f"{scheme}://{unquote(parts.username)}@{host}:{port}/{database}"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
