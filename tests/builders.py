"""Small builders shared by the tests: a ticket in a store, a complete submission."""

from __future__ import annotations

from datetime import UTC, datetime

from console.domain.enums import Category, Channel, Impact, Role, TicketStatus, Trigger, Urgency
from console.domain.handoff import HandoffDraft, TriedStep
from console.services.escalate import Actor, AttachmentInput, DiagnosticsInput, Submission
from console.store.database import TicketStore
from console.store.models import Ticket

OPENED = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
AGENT = Actor("aiko", Role.AGENT)
SUPERVISOR = Actor("sofia", Role.SUPERVISOR)
PNG_HEADER = b"\x89PNG\r\n\x1a\n"


def add_ticket(store: TicketStore, ref: str = "HD-VPN0001", **overrides: object) -> str:
    values: dict[str, object] = {
        "ref": ref,
        "caller": "Maya Okafor",
        "contact": "maya.okafor@northwind.example",
        "client": "Northwind Traders",
        "site": "Lyon branch",
        "channel": Channel.PHONE.value,
        "summary": "VPN will not connect from home",
        "description": "",
        "category": Category.VPN.value,
        "status": TicketStatus.OPEN.value,
        "agent": "aiko",
        "created_at": OPENED,
        "updated_at": OPENED,
        "resolution": "",
    }
    values.update(overrides)
    with store.sessions.begin() as session:
        session.add(Ticket(**values))
    return ref


def complete_draft(**overrides: object) -> HandoffDraft:
    values: dict[str, object] = {
        "what_is_wrong": (
            "GlobalProtect times out at 'Connecting...' from the caller's home network"
        ),
        "what_was_tried": (
            TriedStep("Checked the VPN adapter is present", "present", "2026-11-20T09:20:00+00:00"),
            TriedStep(
                "Tested TCP 443 to vpn.example.com", "timed out", "2026-11-20T09:24:00+00:00"
            ),
        ),
        "error_verbatim": "The network connection is unreachable or the gateway is unresponsive.",
        "affected_scope": Impact.SINGLE_USER,
        "affected_count": 1,
        "urgency": Urgency.WORK_STOPPED,
        "triggers": (Trigger.INTEGRATION_FAILURE,),
        "queue": "network",
        "has_diagnostics": True,
        "facts": {"vpn_client": "GlobalProtect 6.2.1"},
    }
    values.update(overrides)
    return HandoffDraft(**values)  # type: ignore[arg-type]


def complete_submission(ref: str = "HD-VPN0001", screenshot_bytes: int = 2048) -> Submission:
    screenshot = PNG_HEADER + bytes(range(256)) * (screenshot_bytes // 256)
    return Submission(
        ref=ref,
        draft=complete_draft(),
        affected_details="Maya Okafor, Sales",
        attachments=(
            AttachmentInput("vpn error.png", "image/png", screenshot, "The error dialog"),
        ),
        diagnostics=DiagnosticsInput(
            captured_at=OPENED,
            source="this_device",
            privacy="standard",
            snapshot={"system": {"os_family": "windows"}, "meta": {"partial": False}},
            highlights={"os": "Windows 11 Pro 23H2"},
        ),
    )
