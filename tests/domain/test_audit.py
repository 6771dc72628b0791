from dataclasses import replace

from console.domain.audit import GENESIS_HASH, AuditRecord, event_hash, verify_chain


def chain(n: int) -> list[AuditRecord]:
    records, prev = [], GENESIS_HASH
    for i in range(n):
        details = {"i": i}
        h = event_hash(prev, f"2026-11-22T10:0{i}:00+00:00", "aiko", "x", f"HD-{i}", details)
        records.append(
            AuditRecord(f"2026-11-22T10:0{i}:00+00:00", "aiko", "x", f"HD-{i}", details, prev, h)
        )
        prev = h
    return records


def test_intact_chain_verifies() -> None:
    assert verify_chain(chain(5)) is None


def test_edited_event_breaks_the_chain_at_that_event() -> None:
    records = chain(5)
    records[2] = replace(records[2], actor="mallory")
    assert verify_chain(records) == 2


def test_removed_event_is_found() -> None:
    records = chain(5)
    del records[1]
    assert verify_chain(records) == 1
