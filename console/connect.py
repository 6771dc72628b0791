"""Open the stores a console works with: the ticket store and this workstation's own store.

In local mode they are one SQLite file. In team mode the ticket store is the team's
PostgreSQL (password from the OS keyring, never from a file) and the workstation keeps its own
SQLite store for drafts and the outbox, so submitting works while the server is down. The CLI
uses this now; the GUI's composition root will too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from console.config import choose_store, workstation_path
from console.store.credentials import (
    SERVICE_NAME,
    Credentials,
    CredentialStoreError,
    credential_account,
)
from console.store.database import TicketStore, open_store, parse_store_url


@dataclass
class Stores:
    tickets: TicketStore
    workstation: TicketStore
    unreachable: str = ""
    """The team store's URL when it could not be opened (only delivery goes on without it)."""

    @property
    def team_mode(self) -> bool:
        return self.tickets is not self.workstation or bool(self.unreachable)

    def close(self) -> None:
        self.tickets.dispose()
        if self.workstation is not self.tickets:
            self.workstation.dispose()


def open_stores(
    store_arg: str | None,
    environ: Mapping[str, str],
    credentials: Callable[[], Credentials],
    *,
    upgrade: bool | None = None,
) -> Stores:
    """Open the chosen ticket store (and the workstation store in team mode)."""
    tickets = open_chosen_store(store_arg, environ, credentials, upgrade=upgrade)
    if tickets.kind == "sqlite":
        return Stores(tickets, tickets)
    try:
        workstation = open_workstation()
    except BaseException:
        tickets.dispose()
        raise
    return Stores(tickets, workstation)


def open_chosen_store(
    store_arg: str | None,
    environ: Mapping[str, str],
    credentials: Callable[[], Credentials],
    *,
    upgrade: bool | None = None,
) -> TicketStore:
    """The chosen ticket store alone (to reconnect to a team store that was down)."""
    url = parse_store_url(choose_store(store_arg, environ).url)

    def password(display_url: str) -> str | None:
        try:
            return credentials().get(SERVICE_NAME, credential_account(display_url))
        except CredentialStoreError:
            return None  # the server will say a password is needed; its message says what to do

    return open_store(url, password=password, upgrade=upgrade)


def open_workstation_only(store_arg: str | None, environ: Mapping[str, str]) -> Stores:
    """The workstation store alone, labelled with the team store that could not be reached."""
    team_url = parse_store_url(choose_store(store_arg, environ).url)
    workstation = open_workstation()
    return Stores(workstation, workstation, team_url.render_as_string(hide_password=True))


def open_workstation() -> TicketStore:
    return open_store(parse_store_url(str(workstation_path())), upgrade=True)
