"""What the main window needs from the rest of the app, built by the composition root
(``console.app``): the queues' pages, the ticket workspaces, the outbox, crash recovery. The
window imports no service; everything it shows comes through :class:`WindowPorts`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QFileDialog, QWidget

from console.ui.common.shortcuts import Shortcut

if TYPE_CHECKING:
    from console.domain.sla import SlaReading
    from console.services.messages import Messages
    from console.ui.queue.ticket_model import PageSource


class Workspace(Protocol):
    """One open ticket (see console.ui.ticket.workspace.TicketWorkspace), with its signals
    ``retitled()``, ``submitted(str ref)`` and ``message(str sentence)``."""

    @property
    def retitled(self) -> SignalInstance: ...
    @property
    def submitted(self) -> SignalInstance: ...
    @property
    def message(self) -> SignalInstance: ...

    ref: str | None

    def widget(self) -> QWidget: ...
    def title(self) -> str: ...
    def flush(self) -> None:
        """Save the draft now (before the tab closes or the app quits)."""
        ...

    def closing(self) -> None: ...
    @property
    def pending(self) -> bool: ...

    def shortcuts(self) -> list[tuple[str, Sequence[Shortcut]]]: ...
    def set_delivery_state(self, text: str) -> None: ...
    def copy_markdown(self) -> None: ...
    def save_pdf(self, path: Path) -> None: ...
    def export_package(self, path: Path) -> None: ...


@dataclass
class OutboxStatus:
    waiting: int
    last_error: str = ""
    delivered: tuple[str, ...] = ()
    """Refs delivered by this run."""
    failing: Mapping[str, str] = field(default_factory=dict)
    """Refs still waiting, with the reason of their last failed attempt."""
    connected: bool = True
    offline_reason: str = ""


@dataclass(frozen=True)
class Restorable:
    """A draft of an opened ticket (``ref``) or an unopened intake (``journal_key``)."""

    label: str
    ref: str | None = None
    journal_key: str | None = None


@dataclass
class WindowPorts:
    """What the window needs from the rest of the app; built by ``console.app``."""

    views: Sequence[tuple[str, str]]
    """(key, label) of the queues this agent sees, in order."""
    page_source: Callable[[str, str, str, bool], PageSource]
    """(view key, search, sort column, descending) -> a page source for the queue view."""
    team_mode: bool
    store_display: str
    new_workspace: Callable[[str | None, str | None], Workspace]
    """(ref, journal key) -> a ticket's workspace: an existing ticket, or a new one (ref None),
    optionally restoring the unopened intake kept under the key; runs on the GUI thread."""
    deliver: Callable[[bool], OutboxStatus]
    """Send the outbox (True: everything waiting, as the agent asked; False: what is due by
    its back-off); runs on a worker thread."""
    open_settings: Callable[[QWidget], None] = lambda parent: None
    choose_save_path: Callable[[QWidget, str, str], Path | None] = field(
        default=lambda parent, caption, suggested: _ask_save_path(parent, caption, suggested)
    )
    """(parent, caption, suggested file name) -> the path the agent chose, or None."""
    recover: Callable[[], list[Restorable]] = field(default=lambda: [])
    """What a crashed session left to restore; runs on a worker thread."""
    messages: Messages | None = None
    """The services' message channel (console.services.messages.Messages), if any."""
    count: Callable[[str], int | None] = field(default=lambda view: None)
    """How many tickets a queue holds (None: not cheap to say); runs on a worker thread."""
    sla_reading: Callable[[str], SlaReading | None] = field(default=lambda ref: None)
    """The SLA clock of a ticket (a console.domain.sla.SlaReading); runs on a worker thread."""


def _ask_save_path(parent: QWidget, caption: str, suggested: str) -> Path | None:
    chosen, _ = QFileDialog.getSaveFileName(parent, caption, str(Path.home() / suggested))
    return Path(chosen) if chosen else None
