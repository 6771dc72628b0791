"""Intake: open a ticket from the caller's details, correct them while it is open, or close
it at tier 1 with a one-line resolution (first contact resolution).

Every refusal is one sentence that names the field or the ticket's state, for the form to
show beside the field; nothing is written when a call is refused.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from console.domain.enums import Category, Channel, TicketStatus
from console.domain.intake import PlaybookInfo, new_ref
from console.domain.ticket import WORKING_STATUSES, TicketRecord
from console.playbooks.model import Playbook
from console.services.clock import Clock, utc_now
from console.store.database import TicketStore
from console.store.models import Ticket
from console.store.repositories import AuditRepository, TicketRepository

MAX_RESOLUTION = 500
"""A resolution is a one-line summary; the knowledge base article is written elsewhere."""

_LABELS = {
    "caller": "Caller",
    "contact": "Contact",
    "client": "Client",
    "site": "Site",
    "channel": "Channel",
    "summary": "Summary",
    "description": "Details",
    "category": "Category",
    "playbook_id": "Playbook",
    "resolution": "Resolution",
}
# The ticket columns' lengths (console/store/models.py).
_MAX_LENGTH = {"caller": 200, "contact": 200, "client": 200, "site": 200, "summary": 500}
_REQUIRED_HINT = {
    "caller": "say who is calling",
    "summary": "say in a few words what is wrong",
    "resolution": "say in one line how it was fixed",
}


class IntakeError(Exception):
    """The intake was refused and nothing was written; ``str()`` says why in one sentence."""


class InvalidField(IntakeError):
    """A field's value breaks a rule; ``field`` names it (as in :class:`IntakeForm`)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class TicketNotWorkable(IntakeError):
    """The ticket does not exist, or is past the point where tier 1 may change it."""


@dataclass(frozen=True, slots=True)
class IntakeForm:
    """What the agent types at the start of a call."""

    caller: str
    summary: str
    channel: Channel = Channel.PHONE
    contact: str = ""
    client: str = ""
    site: str = ""
    description: str = ""
    category: Category = Category.OTHER
    playbook_id: str = ""
    """The playbook the agent chose (kept in the draft and the audit event, not the ticket)."""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> IntakeForm:
        """Build from the intake panel's state (strings; unknown keys ignored).

        Raises :class:`InvalidField` for a channel or category that is not one of ours.
        """
        text = {f.name: str(values.get(f.name) or "") for f in fields(cls)}
        return cls(
            caller=text["caller"],
            summary=text["summary"],
            channel=_choice(Channel, "channel", text["channel"] or Channel.PHONE.value),
            contact=text["contact"],
            client=text["client"],
            site=text["site"],
            description=text["description"],
            category=_choice(Category, "category", text["category"] or Category.OTHER.value),
            playbook_id=text["playbook_id"],
        )

    @classmethod
    def of_ticket(cls, ticket: TicketRecord) -> IntakeForm:
        """The intake fields of a stored ticket; ``playbook_id`` is blank: the draft keeps
        it."""
        return cls(
            caller=ticket.caller,
            summary=ticket.summary,
            channel=Channel(ticket.channel),
            contact=ticket.contact,
            client=ticket.client,
            site=ticket.site,
            description=ticket.description,
            category=Category(ticket.category),
        )

    def ticket_columns(self) -> dict[str, str]:
        """The ticket's columns this form sets, as stored (opening and correcting alike)."""
        return {
            "caller": self.caller,
            "contact": self.contact,
            "client": self.client,
            "site": self.site,
            "channel": Channel(self.channel).value,
            "summary": self.summary,
            "description": self.description,
            "category": Category(self.category).value,
        }

    def to_mapping(self) -> dict[str, str]:
        """JSON-able form of the fields (for a draft); :meth:`from_mapping` reads it back."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}

    def validated(self) -> IntakeForm:
        """The form with surrounding blanks trimmed; raises :class:`InvalidField` for the
        first field that breaks a rule (in form order)."""
        trimmed = replace(
            self,
            caller=_one_line(self.caller),
            summary=_one_line(self.summary),
            contact=self.contact.strip(),
            client=self.client.strip(),
            site=self.site.strip(),
            description=self.description.strip(),
            playbook_id=self.playbook_id.strip(),
        )
        for name in ("caller", "contact", "client", "site", "summary"):
            value = getattr(trimmed, name)
            if name in _REQUIRED_HINT and not value:
                raise InvalidField(name, f"{_LABELS[name]} is required: {_REQUIRED_HINT[name]}.")
            if len(value) > _MAX_LENGTH[name]:
                raise InvalidField(
                    name,
                    f"{_LABELS[name]} is too long ({len(value)} characters; at most "
                    f"{_MAX_LENGTH[name]}).",
                )
        # Enum fields may hold plain strings when the form was built by hand.
        _choice(Channel, "channel", trimmed.channel)
        _choice(Category, "category", trimmed.category)
        return trimmed


class IntakeService:
    def __init__(
        self, store: TicketStore, clock: Clock = utc_now, rng: random.Random | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        # Refs are read aloud and typed by callers: unguessable is not the point, but a
        # SystemRandom needs no seeding and differs between consoles opened at once.
        self._rng = rng or random.SystemRandom()

    def open_ticket(self, form: IntakeForm, actor: str) -> str:
        """Create an open ticket owned by ``actor``; returns its new ref."""
        form = form.validated()
        if not actor.strip():
            raise IntakeError("Opening a ticket needs the agent's username.")
        now = self._clock()
        with self._store.sessions.begin() as session:
            tickets = TicketRepository(session)
            ref = new_ref(self._rng)
            while tickets.row_by_ref(ref) is not None:  # one in 34 billion
                ref = new_ref(self._rng)
            tickets.add(
                Ticket(
                    ref=ref,
                    **form.ticket_columns(),
                    status=TicketStatus.OPEN.value,
                    agent=actor,
                    created_at=now,
                    updated_at=now,
                    resolution="",
                )
            )
            details: dict[str, Any] = {
                "category": Category(form.category).value,
                "channel": Channel(form.channel).value,
            }
            if form.playbook_id:
                details["playbook_id"] = form.playbook_id
            AuditRepository(session).append(
                at=now, actor=actor, action="ticket.opened", subject=ref, details=details
            )
        return ref

    def update_intake(self, ref: str, form: IntakeForm) -> None:
        """Correct the intake fields of a ticket still being worked on (open or returned)."""
        form = form.validated()
        with self._store.sessions.begin() as session:
            tickets = TicketRepository(session)
            ticket = self._workable(tickets, ref, "its intake can no longer change")
            tickets.update(ticket.id, **form.ticket_columns(), updated_at=self._clock())

    def resolve(self, ref: str, resolution: str, actor: str) -> None:
        """Close the ticket at tier 1 with a one-line resolution summary."""
        summary = _one_line(resolution)
        if not summary:
            hint = _REQUIRED_HINT["resolution"]
            raise InvalidField("resolution", f"Resolution is required: {hint}.")
        if len(summary) > MAX_RESOLUTION:
            raise InvalidField(
                "resolution",
                f"Resolution is too long for one line ({len(summary)} characters; at most "
                f"{MAX_RESOLUTION}).",
            )
        now = self._clock()
        with self._store.sessions.begin() as session:
            tickets = TicketRepository(session)
            ticket = self._workable(tickets, ref, "it cannot be resolved at tier 1 now")
            tickets.update(
                ticket.id,
                status=TicketStatus.RESOLVED.value,
                resolution=summary,
                resolved_at=now,
                updated_at=now,
            )
            AuditRepository(session).append(
                at=now,
                actor=actor,
                action="ticket.resolved",
                subject=ticket.ref,
                details={"resolution": summary, "from_status": ticket.status},
            )

    def form(self, ref: str) -> IntakeForm:
        """The ticket's intake fields as stored (``playbook_id`` is blank: see the draft)."""
        with self._store.sessions() as session:
            ticket = TicketRepository(session).record_by_ref(ref)
        if ticket is None:
            raise TicketNotWorkable(f"There is no ticket {ref} in {self._store.display_url}.")
        return IntakeForm.of_ticket(ticket)

    def _workable(self, tickets: TicketRepository, ref: str, consequence: str) -> Any:
        ticket = tickets.row_by_ref(ref)
        if ticket is None:
            raise TicketNotWorkable(f"There is no ticket {ref} in {self._store.display_url}.")
        if ticket.status not in WORKING_STATUSES:
            state = _STATE_WORDS.get(ticket.status, f"is {ticket.status}")
            raise TicketNotWorkable(f"Ticket {ref} {state}; {consequence}.")
        return ticket


_STATE_WORDS = {
    TicketStatus.PENDING_REVIEW.value: "is waiting for supervisor review",
    TicketStatus.ESCALATED.value: "is already escalated to tier 2",
    TicketStatus.RESOLVED.value: "is already resolved",
    TicketStatus.CLOSED.value: "is closed",
}


def playbook_infos(playbooks: Iterable[Playbook]) -> list[PlaybookInfo]:
    """What :func:`console.domain.intake.suggest_playbooks` needs of loaded playbooks."""
    return [PlaybookInfo(p.id, p.title, p.category, p.keywords) for p in playbooks]


_Choice = TypeVar("_Choice", Channel, Category)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _choice(kind: type[_Choice], field: str, value: str) -> _Choice:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidField(
            field, f"{_LABELS[field]} must be one of {allowed}, not '{value}'."
        ) from None
