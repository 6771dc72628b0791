"""A realistic, complete package to start from (a VPN escalation with two attachments)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

from console.domain.enums import Category, Channel, Impact, Priority, Trigger, Urgency
from console.packages.model import (
    Affected,
    AttachmentInfo,
    DiagnosticsSummary,
    GateInfo,
    Handoff,
    PackageDocument,
    PlaybookPin,
    TicketInfo,
    TriedStepInfo,
)
from console.packages.writer import BuiltPackage, build_package

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
DIAGNOSTICS = json.dumps({"system": {"os_family": "windows"}, "meta": {"partial": False}}).encode()
ERROR = "GlobalProtect: The network connection is unreachable or the gateway is unresponsive."


def sample_document(error: str = ERROR) -> PackageDocument:
    at = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    return PackageDocument(
        schema_version=1,
        package_id=uuid.UUID("6f1c1f0e-8a43-4d7e-9a55-2f7b7f3c1d01"),
        created_at=datetime(2026, 11, 20, 9, 40, tzinfo=UTC),
        submitted_by="aiko",
        ticket=TicketInfo(
            ref="HD-7K3QF2M",
            caller="Maya Okafor",
            contact="maya.okafor@northwind.example",
            client="Northwind Traders",
            site="Lyon branch",
            channel=Channel.PHONE,
            summary="VPN will not connect from home",
            category=Category.VPN,
            agent="aiko",
            opened_at=at,
        ),
        handoff=Handoff(
            what_is_wrong="GlobalProtect times out at 'Connecting...' from the caller's home",
            what_was_tried=[
                TriedStepInfo(
                    action="Checked the VPN adapter is present", outcome="present", at=at
                ),
                TriedStepInfo(action="Tested TCP 443 to vpn.example.com", outcome="timed out"),
            ],
            error_verbatim=error,
            affected=Affected(scope=Impact.SINGLE_USER, count=1, details="Maya Okafor, Sales"),
            urgency=Urgency.WORK_STOPPED,
            impact=Impact.SINGLE_USER,
            priority=Priority.P3,
            priority_reason="P3: impact one user, urgency work stopped",
            triggers=[Trigger.INTEGRATION_FAILURE],
            queue="network",
            facts={"vpn_client": "GlobalProtect 6.2.1", "vpn_protocol": "ssl"},
        ),
        playbook=PlaybookPin(id="vpn-cannot-connect", version=3, sha256="ab" * 32),
        diagnostics=DiagnosticsSummary(
            captured_at=at,
            source="this_device",
            privacy="standard",
            highlights={"os": "Windows 11 Pro 23H2"},
            path="attachments/diagnostics.json",
        ),
        attachments=[
            AttachmentInfo(
                path="attachments/error.png",
                media_type="image/png",
                size=len(PNG),
                sha256=hashlib.sha256(PNG).hexdigest(),
                description="The error dialog",
            )
        ],
        gate=GateInfo(score=100),
    )


def sample_attachments() -> dict[str, bytes]:
    return {"attachments/error.png": PNG, "attachments/diagnostics.json": DIAGNOSTICS}


def sample_package() -> BuiltPackage:
    return build_package(sample_document(), sample_attachments())
