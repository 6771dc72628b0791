"""Attaching diagnostics to a ticket: verified, redacted again on the way in, audited, and
ready to travel in the escalation package."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from console.diagnostics.bundle import BundleError, write_bundle
from console.diagnostics.redaction import Privacy
from console.packages.reader import read_package
from console.resources import load_priority_matrix
from console.services.capture import CaptureError, CaptureService
from console.services.escalate import EscalationService
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.models import AuditEvent, DiagnosticsSnapshot
from tests.builders import AGENT, OPENED, add_ticket, complete_submission


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TicketStore]:
    s = open_store(parse_store_url(str(tmp_path / "console.db")))
    yield s
    s.dispose()


def snapshot(**meta: Any) -> dict[str, Any]:
    """A small snapshot as an older console might have sent it: one secret slipped through."""
    return {
        "system": {"os_family": "windows", "os_name": "Windows 11 Pro", "hostname": "LT-1"},
        "cpu": {"logical_cores": 8, "percent": 12.0},
        "memory": {"total_bytes": 16, "available_bytes": 2, "percent_used": 87.5},
        "disks": {"partitions": []},
        "network": {
            "interfaces": [{"name": "Wi-Fi", "up": True, "mac": "3C-52-82-1A-2B-3C"}],
            "proxy": {"https": "http://maya:Winter2025!@proxy.example.com:8080"},
        },
        "processes": {"count": 1, "top_cpu": [], "top_memory": []},
        "meta": {
            "captured_at": "2026-11-20T09:18:00+00:00",
            "privacy": "standard",
            "partial": False,
            "problems": [],
            **meta,
        },
    }


def rows(store: TicketStore) -> tuple[int, int]:
    with store.sessions() as s:
        snaps = s.scalar(select(func.count()).select_from(DiagnosticsSnapshot)) or 0
        events = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return snaps, events


def test_a_bundle_is_verified_redacted_again_and_audited(
    store: TicketStore, tmp_path: Path
) -> None:
    add_ticket(store, "HD-1")
    bundle = tmp_path / "diag.zip"
    write_bundle(snapshot(), bundle)
    service = CaptureService(store, clock=lambda: OPENED)

    attached = service.attach_bundle("HD-1", bundle, "aiko")
    assert attached.source == "imported_bundle"
    assert attached.redacted_now >= 1  # the proxy password the old console let through
    with store.sessions() as s:
        row = s.scalars(select(DiagnosticsSnapshot)).one()
        assert "Winter2025!" not in json.dumps(row.content)
        assert "proxy.example.com:8080" in json.dumps(row.content)
        assert row.captured_at.isoformat() == "2026-11-20T09:18:00+00:00"
        assert row.redaction_report["on_attach"]["total"] == attached.redacted_now
        event = s.scalars(select(AuditEvent)).one()
        assert (event.action, event.subject) == ("diagnostics.attached", "HD-1")


def test_the_stricter_level_wins(store: TicketStore) -> None:
    add_ticket(store, "HD-1")
    service = CaptureService(store, clock=lambda: OPENED)
    asked_strict = service.attach("HD-1", snapshot(privacy="strict"), "this_device", "aiko")
    assert asked_strict.privacy is Privacy.STRICT
    latest = service.latest("HD-1")
    assert latest is not None
    assert "3C-52-82-1A-2B-3C" not in json.dumps(dict(latest.snapshot))
    assert latest.privacy == "strict"
    assert latest.highlights["os"].startswith("Windows 11 Pro")


def test_refusals_write_nothing(store: TicketStore, tmp_path: Path) -> None:
    add_ticket(store, "HD-1")
    service = CaptureService(store)
    with pytest.raises(CaptureError, match="No ticket HD-404"):
        service.attach("HD-404", snapshot(), "this_device", "aiko")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(BundleError):
        service.attach_bundle("HD-1", broken, "aiko")
    assert rows(store) == (0, 0)


def test_the_latest_snapshot_travels_in_the_package(store: TicketStore) -> None:
    add_ticket(store, "HD-1")
    capture = CaptureService(store, clock=lambda: OPENED)
    capture.attach("HD-1", snapshot(), "this_device", "aiko")
    diagnostics = capture.latest("HD-1")
    assert diagnostics is not None
    escalate = EscalationService(store, load_priority_matrix(), "local", clock=lambda: OPENED)
    escalate.submit(replace(complete_submission("HD-1"), diagnostics=diagnostics), AGENT)
    with store.sessions() as s:
        from console.store.models import Package

        data = s.scalars(select(Package.content)).one()
    package = read_package(data)
    assert package.document.diagnostics is not None
    member = json.loads(package.members[package.document.diagnostics.path])
    assert member["system"]["os_name"] == "Windows 11 Pro"
    assert "Winter2025!" not in json.dumps(member)


def test_the_bundles_own_meta_is_redacted_on_the_way_in(store: TicketStore) -> None:
    add_ticket(store, "HD-1")
    leaky = snapshot(
        partial=True,
        problems=[{"section": "disks", "error": "/home/alice/vault: token=abc123 denied"}],
    )
    CaptureService(store).attach("HD-1", leaky, "imported_bundle", "aiko", Privacy.STRICT)
    with store.sessions() as s:
        stored = json.dumps(s.scalars(select(DiagnosticsSnapshot.content)).one())
    assert "abc123" not in stored
    assert "/home/alice" not in stored


def test_a_strict_capture_attached_strictly_finds_nothing_new(store: TicketStore) -> None:
    from console.diagnostics.snapshot import capture_snapshot

    add_ticket(store, "HD-1")
    captured = capture_snapshot(Privacy.STRICT).data
    attached = CaptureService(store).attach("HD-1", captured, "this_device", "aiko")
    assert attached.redacted_now == 0  # redaction agrees with itself, report included
    with store.sessions() as s:
        row = s.scalars(select(DiagnosticsSnapshot)).one()
        assert row.content["meta"]["redaction"] == captured["meta"]["redaction"]


def test_a_bundles_redaction_report_is_reduced_to_kinds_and_counts(store: TicketStore) -> None:
    add_ticket(store, "HD-1")
    report = {"privacy": "strict", "counts": {"mac": 2, "password=hunter2": 1, "jwt": "x"}}
    CaptureService(store).attach("HD-1", snapshot(redaction=report), "imported_bundle", "aiko")
    with store.sessions() as s:
        row = s.scalars(select(DiagnosticsSnapshot)).one()
        expected = {"privacy": "strict", "counts": {"mac": 2}, "total": 2}
        assert row.content["meta"]["redaction"] == expected
        assert row.redaction_report["at_capture"] == expected
    assert "hunter2" not in json.dumps(row.content)


def test_captures_are_listed_oldest_first_without_their_contents(store: TicketStore) -> None:
    add_ticket(store, "HD-1")
    add_ticket(store, "HD-2")
    service = CaptureService(store, clock=lambda: OPENED)
    later = service.attach("HD-1", snapshot(), "this_device", "aiko")
    earlier = service.attach(
        "HD-1",
        snapshot(captured_at="2026-11-20T08:00:00+00:00", partial=True, privacy="strict"),
        "imported_bundle",
        "aiko",
    )
    service.attach("HD-2", snapshot(), "this_device", "aiko")

    listed = service.captures("HD-1")
    assert [c.snapshot_id for c in listed] == [earlier.snapshot_id, later.snapshot_id]
    first = listed[0]
    assert (first.source, first.privacy, first.partial) == ("imported_bundle", Privacy.STRICT, True)
    assert first.captured_at.isoformat() == "2026-11-20T08:00:00+00:00"
    assert listed[1].source == "this_device" and listed[1].privacy is Privacy.STANDARD
    assert service.captures("HD-2") != [] and service.captures("HD-2")[0] not in listed
    with pytest.raises(CaptureError, match="No ticket HD-404"):
        service.captures("HD-404")


def test_a_loaded_capture_is_exactly_what_was_stored(store: TicketStore) -> None:
    add_ticket(store, "HD-1")
    service = CaptureService(store, clock=lambda: OPENED)
    at_capture = {"privacy": "standard", "counts": {"password": 2, "token": 1}}
    attached = service.attach("HD-1", snapshot(redaction=at_capture), "this_device", "aiko")

    loaded = service.load("HD-1", attached.snapshot_id)
    with store.sessions() as s:
        assert loaded.content == s.scalars(select(DiagnosticsSnapshot.content)).one()
    assert "Winter2025!" not in json.dumps(loaded.content)
    assert loaded.info == service.captures("HD-1")[0]
    # The proxy password the older console let through was found on the way in: one more.
    assert attached.redacted_now >= 1
    assert loaded.removed == {"password": 2 + attached.redacted_now, "token": 1}


def test_a_capture_of_another_ticket_is_not_loaded(store: TicketStore) -> None:
    add_ticket(store, "HD-1")
    add_ticket(store, "HD-2")
    service = CaptureService(store, clock=lambda: OPENED)
    theirs = service.attach("HD-2", snapshot(), "this_device", "aiko")
    with pytest.raises(CaptureError, match=f"HD-1 has no diagnostics #{theirs.snapshot_id}"):
        service.load("HD-1", theirs.snapshot_id)
    with pytest.raises(CaptureError, match="HD-1 has no diagnostics #999"):
        service.load("HD-1", 999)
