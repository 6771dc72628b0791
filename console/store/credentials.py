"""Secrets behind a four-method protocol; the real implementation is the OS keyring.

Only the composition root picks the implementation: :class:`KeyringCredentials` for the app
and the command line, :class:`InMemoryCredentials` for tests and for an explicit opt-out of
the OS keyring. Store passwords are filed under :data:`SERVICE_NAME` and an account made by
:func:`credential_account`, which never contains the password itself.

``keyring`` is imported inside the methods: it scans its backends on import, and commands
that never need a password should not pay for that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote, unquote, urlsplit

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend
    from keyring.errors import KeyringError

SERVICE_NAME = "agent-console"
"""The keyring service every Agent Console secret is filed under."""

_DEFAULT_PORTS = {"postgresql": 5432}
_SCHEME_ALIASES = {"postgres": "postgresql"}

_NO_KEYRING = (
    "No usable OS keyring: install and unlock a Secret Service provider such as gnome-keyring"
)


class CredentialStoreError(Exception):
    """The credential store cannot do what was asked; the message is one sentence for people."""


class Credentials(Protocol):
    """Where secrets (team store passwords) are kept, by service and account."""

    def get(self, service: str, account: str) -> str | None:
        """The secret saved for ``account``, or None if there is none."""
        ...

    def set(self, service: str, account: str, secret: str) -> None:
        """Save ``secret`` for ``account``, replacing any earlier one."""
        ...

    def delete(self, service: str, account: str) -> None:
        """Forget the secret for ``account``; no error when there is none."""
        ...

    def available(self) -> bool:
        """Whether secrets can be kept here at all (e.g. a real OS keyring exists)."""
        ...


class InMemoryCredentials:
    """Secrets in a dict, gone with the process: for tests, and for an explicit opt-in."""

    def __init__(self) -> None:
        self._secrets: dict[tuple[str, str], str] = {}

    def get(self, service: str, account: str) -> str | None:
        """The secret saved for ``account``, or None."""
        return self._secrets.get((service, account))

    def set(self, service: str, account: str, secret: str) -> None:
        """Save ``secret`` for ``account``."""
        self._secrets[(service, account)] = secret

    def delete(self, service: str, account: str) -> None:
        """Forget the secret for ``account``, if any."""
        self._secrets.pop((service, account), None)

    def available(self) -> bool:
        """Always True: a dict is always there."""
        return True


class KeyringCredentials:
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker).

    Backend failures become :class:`CredentialStoreError` with a sentence saying what to
    do; the secret never appears in a message.
    """

    def get(self, service: str, account: str) -> str | None:
        """The secret saved for ``account``, or None."""
        import keyring
        from keyring.errors import KeyringError

        try:
            secret: str | None = keyring.get_password(service, account)
        except KeyringError as exc:
            raise _translate(exc, "read", account) from None
        return secret

    def set(self, service: str, account: str, secret: str) -> None:
        """Save ``secret`` for ``account`` in the OS keyring."""
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(service, account, secret)
        except KeyringError as exc:
            raise _translate(exc, "save", account) from None

    def delete(self, service: str, account: str) -> None:
        """Remove the secret for ``account``; no error when there is none."""
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(service, account)
        except PasswordDeleteError as exc:
            # Backends say "no such password" with this error, but may also use it for a
            # real failure: only the first is the state the caller asked for.
            if self.get(service, account) is not None:
                raise _translate(exc, "delete", account) from None
        except KeyringError as exc:
            raise _translate(exc, "delete", account) from None

    def available(self) -> bool:
        """Whether a real keyring backend is in use (not keyring's fail or null backend)."""
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring | null.Keyring):
            return False
        return _priority(backend) >= 1


def _priority(backend: KeyringBackend) -> float:
    try:
        return float(type(backend).priority)
    except Exception:  # a backend says "not usable here" by raising, whatever the type
        return 0.0


def _translate(exc: KeyringError, action: str, account: str) -> CredentialStoreError:
    from keyring.errors import InitError, KeyringLocked, NoKeyringError

    if isinstance(exc, NoKeyringError):
        return CredentialStoreError(_NO_KEYRING)
    if isinstance(exc, KeyringLocked):
        return CredentialStoreError(
            f"The OS keyring is locked: unlock it, then try again to {action} the password "
            f"for {account}"
        )
    if isinstance(exc, InitError):
        return CredentialStoreError(f"{_NO_KEYRING} ({exc})")
    return CredentialStoreError(
        f"The OS keyring could not {action} the password for {account}: {exc}"
    )


def credential_account(url: str) -> str:
    """The keyring account for a database URL: ``postgresql://user@host:port/database``.

    Every spelling of the same store maps to the same account, so the secret saved by
    ``store login`` is found again: the driver suffix (``+psycopg``) and any password or
    query are dropped, the host is lowercased, and libpq's defaults are filled in (port
    5432, ``localhost`` for no host, the user's name for no database).

    Raises ValueError when the URL is not a PostgreSQL URL or names no user.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower().split("+", 1)[0]
    scheme = _SCHEME_ALIASES.get(scheme, scheme)
    shown = _without_password(url)
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(
            f"Only PostgreSQL store URLs have a password in the keyring, not '{shown}'"
        )
    if not parts.username:
        raise ValueError(
            f"The store URL '{shown}' names no user; write it as postgresql://USER@HOST/DATABASE"
        )
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValueError(f"The store URL '{shown}' has an invalid port") from None
    host = (parts.hostname or "localhost").lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    user = unquote(parts.username)
    database = unquote(parts.path.lstrip("/")) or user
    return f"{scheme}://{_quoted(user)}@{host}:{port}/{_quoted(database)}"


def _quoted(part: str) -> str:
    # One canonical percent-encoding, whatever the caller's URL used.
    return quote(part, safe="")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user_info, _, host_info = parts.netloc.rpartition("@")
    user = user_info.split(":", 1)[0]
    return parts._replace(netloc=f"{user}:***@{host_info}").geturl()
