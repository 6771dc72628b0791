"""The services of one console session (the agent's desk), opened on first use.

The window appears before any store is opened: the first service anyone asks for opens the
stores (on a worker thread, through the GUI's task runner), and the rest follow from them.
Opening happens once even when two workers ask at the same moment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from console.domain.enums import Role

if TYPE_CHECKING:
    from console.connect import Stores
    from console.domain.priority import PriorityMatrix
    from console.domain.sla import SlaPolicy
    from console.domain.ticket import TicketRecord
    from console.playbooks.model import Playbook
    from console.services.capture import CaptureService
    from console.services.delivery import DeliveryService
    from console.services.drafts import DraftService
    from console.services.escalate import EscalationService
    from console.services.intake import IntakeService
    from console.services.queues import TicketQueries
    from console.services.recovery import RecoveryService
    from console.store.database import TicketStore


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Agent:
    username: str
    role: Role


class Desk:
    """Lazily opened services. Every property may be read from any worker thread; the first
    read opens the stores (and may raise the store's one-sentence error)."""

    def __init__(
        self,
        agent: Agent,
        open_stores: Callable[[], Stores],
        playbook_folders: Sequence[Path] = (),
        *,
        open_offline: Callable[[], Stores] | None = None,
        reconnect: Callable[[], TicketStore] | None = None,
    ) -> None:
        """In team mode, ``open_offline`` opens the workstation store alone when the team
        store is unreachable (work goes on; submissions wait in the outbox), and
        ``reconnect`` opens the team store again when delivery next tries."""
        self.agent = agent
        self._open_stores = open_stores
        self._open_offline = open_offline
        self._reconnect = reconnect
        self._playbook_folders = tuple(playbook_folders)
        self._lock = threading.RLock()
        self._stores: Stores | None = None
        self.offline_reason = ""
        """Why the team store could not be reached at the last try, in one sentence."""
        self._services: dict[str, Any] = {}
        from console.services.messages import Messages

        self.messages = Messages()
        """What the desk tells the agent (the window subscribes its Qt bridge)."""
        self.on_close: list[Callable[[], None]] = []
        """Called by :meth:`close` (readers the app opened beside the desk)."""

    # -- stores ------------------------------------------------------------------------------

    @property
    def stores(self) -> Stores:
        from console.store.errors import StoreUnavailable

        with self._lock:
            if self._stores is None:
                try:
                    self._stores = self._open_stores()
                except StoreUnavailable as exc:
                    if self._open_offline is None:
                        raise
                    self._stores = self._open_offline()
                    self.offline_reason = str(exc)
                    self.messages.warning(
                        f"Working offline: {exc} Escalations wait in the outbox until it is back."
                    )
            return self._stores

    @property
    def opened(self) -> bool:
        return self._stores is not None

    @property
    def online(self) -> bool:
        """False while the team store could not be reached (local mode is always online)."""
        return self._stores is not None and not self._stores.unreachable

    def close(self) -> None:
        for close in self.on_close:
            close()
        with self._lock:
            if self._stores is not None:
                self._stores.close()
                self._stores = None

    # -- services (each built once, under the lock) -----------------------------------------

    def _cached(self, key: str, build: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._services:
                self._services[key] = build()
            return cast(T, self._services[key])

    @property
    def queries(self) -> TicketQueries:
        """Queues of the ticket store (the team's in team mode)."""
        from console.services.queues import TicketQueries

        return self._cached("queries", lambda: TicketQueries(self.stores.tickets))

    @property
    def workstation_queries(self) -> TicketQueries:
        """Queues of this workstation's own store (drafts and tickets not yet delivered)."""
        from console.services.queues import TicketQueries

        return self._cached("workstation_queries", lambda: TicketQueries(self.stores.workstation))

    @property
    def intake(self) -> IntakeService:
        from console.services.intake import IntakeService

        return self._cached("intake", lambda: IntakeService(self.stores.workstation))

    @property
    def drafts(self) -> DraftService:
        from console.services.drafts import DraftService

        return self._cached("drafts", lambda: DraftService(self.stores.workstation))

    @property
    def capture(self) -> CaptureService:
        from console.services.capture import CaptureService

        return self._cached("capture", lambda: CaptureService(self.stores.workstation))

    @property
    def recovery(self) -> RecoveryService:
        from console.services.recovery import RecoveryService

        return self._cached("recovery", lambda: RecoveryService(self.stores.workstation))

    @property
    def matrix(self) -> PriorityMatrix:
        from console.resources import load_priority_matrix

        return self._cached("matrix", load_priority_matrix)

    @property
    def sla(self) -> SlaPolicy:
        from console.resources import load_sla_policy

        return self._cached("sla", load_sla_policy)

    @property
    def escalation(self) -> EscalationService:
        from console.services.escalate import EscalationService

        return self._cached(
            "escalation",
            lambda: EscalationService(self.stores.workstation, self.matrix, self.destination_name),
        )

    @property
    def destination_name(self) -> str:
        stores = self.stores
        if stores.unreachable:
            return stores.unreachable
        return stores.tickets.display_url if stores.team_mode else "local"

    def delivery(self) -> DeliveryService:
        """A delivery run against the team store as it is now (reachable or not)."""
        from console.services.delivery import OFFLINE, DeliveryService, destination_of
        from console.store.errors import StoreUnavailable

        stores = self.stores
        reason = OFFLINE
        if stores.unreachable and self._reconnect is not None:
            try:
                team = self._reconnect()
            except StoreUnavailable as exc:
                reason = self.offline_reason = str(exc)
            else:
                with self._lock:
                    stores.tickets, stores.unreachable = team, ""
                    self.offline_reason = ""
                    self._services.pop("queries", None)  # they read the workstation until now
                self.messages.info(f"Connected to the team store {team.display_url} again.")
        return DeliveryService(stores.workstation, destination_of(stores, reason))

    @property
    def playbooks(self) -> tuple[Playbook, ...]:
        """The bundled playbooks and those of the configured folders, validated."""
        from console.playbooks.validator import load_playbooks
        from console.resources import resources_dir

        folders = [resources_dir() / "playbooks", *self._playbook_folders]
        return self._cached("playbooks", lambda: tuple(load_playbooks(folders)))

    def ticket(self, ref: str) -> TicketRecord:
        """The ticket as this workstation's store holds it; LookupError when it has none."""
        from console.store.repositories import TicketRepository

        with self.stores.workstation.sessions() as session:
            ticket = TicketRepository(session).record_by_ref(ref)
        if ticket is None:
            raise LookupError(f"There is no ticket {ref} in this workstation's store.")
        return ticket

    def export_package(self, ref: str, target: Path) -> str:
        """Write the ticket's frozen package from this workstation's store to ``target``,
        byte for byte once verified, and return its package hash. Raises
        :class:`~console.services.exchange.ExchangeError` when the ticket has none."""
        from console.services.exchange import PackageExchange

        return PackageExchange(self.stores.workstation).export(ref, target).package_hash

    def playbook(self, playbook_id: str) -> Playbook | None:
        return next((p for p in self.playbooks if p.id == playbook_id), None)
