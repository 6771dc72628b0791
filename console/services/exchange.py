"""Package files in and out of a ticket store.

Export writes the frozen bytes exactly as stored (after verifying them), so the package hash a
tier 2 engineer sees is the one the agent submitted. Import verifies first and writes nothing
unless everything checks out; importing the same package twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console.domain.enums import TicketStatus
from console.packages.reader import VerifiedPackage, read_package, verify_package_file
from console.packages.writer import BuiltPackage, write_package
from console.services.clock import Clock, utc_now
from console.store.database import TicketStore
from console.store.destinations import Shipment, package_hash_of, store_shipments
from console.store.repositories import AuditRepository, PackageRepository


class ExchangeError(Exception):
    """A package cannot be exported or imported as asked; one sentence for the user."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    ref: str
    package_id: str
    package_hash: str
    created: bool
    """False when the store already held this exact package."""


class PackageExchange:
    def __init__(self, store: TicketStore, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def export(self, ref: str, target: Path) -> VerifiedPackage:
        """Write the ticket's latest package to ``target`` (atomically) and return it."""
        with self._store.sessions() as session:
            package = PackageRepository(session).latest_for_ticket(ref)
            if package is None:
                raise ExchangeError(
                    f"Ticket {ref} has no escalation package in {self._store.display_url}"
                )
            data = package.content
            stored_hash = package.package_hash
        verified = read_package(data)
        if verified.package_hash != stored_hash:
            raise ExchangeError(
                f"The stored package of {ref} does not match its recorded hash; not exporting it"
            )
        write_package(BuiltPackage(verified.data, verified.package_hash, {}), target)
        return verified

    def import_file(self, source: Path, actor: str) -> ImportResult:
        verified = verify_package_file(source)
        doc = verified.document
        package_id = str(doc.package_id)
        now = self._clock()
        with self._store.sessions.begin() as session:
            existing = package_hash_of(session, package_id)
            if existing is not None:
                if existing != verified.package_hash:
                    raise ExchangeError(
                        f"{source}: package {package_id} is already in the store with different "
                        "content; refusing to replace a frozen package"
                    )
                return ImportResult(doc.ticket.ref, package_id, existing, created=False)
            t = doc.ticket
            shipment = Shipment(
                package_id=package_id,
                package_hash=verified.package_hash,
                schema_version=doc.schema_version,
                priority=doc.handoff.priority.value,
                queue=doc.handoff.queue,
                submitted_by=doc.submitted_by,
                created_at=doc.created_at,
                content=verified.data,
                ticket=t.to_record(
                    doc.handoff, status=TicketStatus.ESCALATED.value, updated_at=doc.created_at
                ),
            )
            store_shipments(session, [shipment])
            AuditRepository(session).append(
                at=now,
                actor=actor,
                action="package.imported",
                subject=t.ref,
                details={
                    "package_id": package_id,
                    "hash": verified.package_hash,
                    "file": source.name,
                },
            )
        return ImportResult(t.ref, package_id, verified.package_hash, created=True)
