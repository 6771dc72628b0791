"""The diagnostics bundle: the ZIP ``agent-console collect -o`` writes and the console imports.

A caller sends it to the help desk, so the console reads it as carefully as an escalation
package, with the same safe-ZIP checks (:mod:`console.packages.archive`): structure first,
then every member's SHA-256 and the bundle hash, then the format version, then the snapshot's
top-level shape. Members: ``snapshot.json`` (the redacted snapshot; redaction is the caller's
job, it has already run in ``capture_snapshot()``), ``summary.txt`` (optional, human readable)
and ``manifest.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.packages.archive import (
    ArchiveSpec,
    Limits,
    MiB,
    deterministic_zip,
    json_object,
    read_archive_file,
    read_members,
    verify_manifest,
    write_atomically,
)
from console.packages.errors import ArchiveError
from console.packages.manifest import (
    HANDOFF,
    MANIFEST,
    PACKAGE_JSON,
    compute_archive_hash,
    manifest_bytes,
    sha256,
)

BUNDLE_FORMAT = "agent-console-diagnostics"
BUNDLE_VERSION = 1
SUPPORTED_BUNDLE_VERSIONS = frozenset({BUNDLE_VERSION})
SNAPSHOT_JSON = "snapshot.json"
SUMMARY_TXT = "summary.txt"
REQUIRED_SECTIONS = ("meta", "system", "cpu", "memory", "disks", "network", "processes")
# A snapshot is a few MB at most; the package's limits would let far more through.
BUNDLE_LIMITS = Limits(
    max_file=24 * MiB,
    max_members=8,
    max_member_size=16 * MiB,
    max_total_size=24 * MiB,
)


class BundleError(ArchiveError):
    """A diagnostics bundle broke a rule. ``str()`` is one sentence naming the file or member
    and the rule."""


_NOT_A_BUNDLE = "is an escalation package, not a diagnostics bundle; import it as a package"
BUNDLE_SPEC = ArchiveSpec(
    label="bundle",
    format_name=BUNDLE_FORMAT,
    required=(MANIFEST, SNAPSHOT_JSON),
    optional=(SUMMARY_TXT,),
    error=BundleError,
    unexpected=(
        "is not a diagnostics bundle member (only manifest.json, snapshot.json and summary.txt)"
    ),
    versions=SUPPORTED_BUNDLE_VERSIONS,
    foreign=((PACKAGE_JSON, _NOT_A_BUNDLE), (HANDOFF, _NOT_A_BUNDLE)),
    missing_file="is not a diagnostics bundle (there is no such file)",
    irregular_file="is not a diagnostics bundle (it is not a regular file)",
    unreadable_zip="is not a diagnostics bundle (it is not a readable ZIP file: {reason})",
)


@dataclass(frozen=True, slots=True)
class VerifiedBundle:
    snapshot: dict[str, Any]
    """The parsed ``snapshot.json``."""
    bundle_hash: str
    format_version: int
    summary: str = ""
    """``summary.txt`` as the caller saw it; empty when the bundle has none."""


def write_bundle(snapshot: Mapping[str, Any], path: Path, summary: str = "") -> str:
    """Write the bundle atomically (whole at ``path`` or not at all); returns its hash. The
    same snapshot and summary always give the same bytes."""
    data, bundle_hash = _build(snapshot, summary)
    write_atomically(data, Path(path), BundleError, "bundle")
    return bundle_hash


def read_bundle(source: Path | bytes, *, limits: Limits = BUNDLE_LIMITS) -> VerifiedBundle:
    """Verify a bundle (a file or its bytes) and return its snapshot, or raise BundleError."""
    if not isinstance(source, Path):
        return _read(bytes(source), limits)
    data = read_archive_file(source, BUNDLE_SPEC, limits)
    try:
        return _read(data, limits)
    except BundleError as exc:
        # Name the file: "diag.zip: snapshot.json: ...", or "diag.zip: ..." for the whole ZIP.
        member = source.name
        if exc.member != BUNDLE_SPEC.label:
            member = f"{member}: {exc.member}"
        raise BundleError(member, exc.rule, exc.detail) from None


def check_snapshot(snapshot: Mapping[str, Any]) -> None:
    """The top-level shape the console relies on; the sections' insides are free-form.

    A section is an object, or null when its collector failed (the snapshot is then marked
    partial in ``meta``, which says why).
    """
    meta = snapshot.get("meta")
    if not isinstance(meta, dict):
        raise BundleError(SNAPSHOT_JSON, "snapshot-section", "has no 'meta' object")
    for section in REQUIRED_SECTIONS:
        if section not in snapshot:
            raise BundleError(SNAPSHOT_JSON, "snapshot-section", f"has no {section!r} section")
        value = snapshot[section]
        if not isinstance(value, dict) and not (value is None and meta.get("partial") is True):
            raise BundleError(
                SNAPSHOT_JSON,
                "snapshot-section",
                f"section {section!r} is not an object (null only in a partial snapshot)",
            )


def _build(snapshot: Mapping[str, Any], summary: str) -> tuple[bytes, str]:
    check_snapshot(snapshot)
    try:
        # ASCII escapes keep the file valid UTF-8 even when a process name carries surrogates.
        text = json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=True)
    except (TypeError, ValueError, RecursionError) as exc:
        raise BundleError(SNAPSHOT_JSON, "snapshot", f"cannot be written as JSON ({exc})") from None
    body = (text + "\n").encode("ascii")
    if len(body) > BUNDLE_LIMITS.max_member_size:
        # Refuse now rather than write a bundle no console would read.
        raise BundleError(
            SNAPSHOT_JSON,
            "member-size",
            f"is {len(body)} bytes, over {BUNDLE_LIMITS.max_member_size}",
        )
    members = [(SNAPSHOT_JSON, body)]
    if summary:
        members.append((SUMMARY_TXT, summary.encode("utf-8", errors="replace")))
    hashes = {name: sha256(data) for name, data in members}
    manifest = manifest_bytes(
        hashes,
        format_name=BUNDLE_FORMAT,
        hash_key=BUNDLE_SPEC.hash_key,
        format_version=BUNDLE_VERSION,
    )
    members.append((MANIFEST, manifest))
    return deterministic_zip(members), compute_archive_hash(hashes)


def _read(data: bytes, limits: Limits) -> VerifiedBundle:
    contents = read_members(data, BUNDLE_SPEC, limits)
    manifest = verify_manifest(contents, BUNDLE_SPEC)
    assert manifest.format_version is not None  # BUNDLE_SPEC declares versions
    snapshot = json_object(SNAPSHOT_JSON, contents[SNAPSHOT_JSON], "snapshot", BundleError)
    check_snapshot(snapshot)
    summary = ""
    if SUMMARY_TXT in contents:
        try:
            summary = contents[SUMMARY_TXT].decode("utf-8")
        except UnicodeDecodeError:
            raise BundleError(SUMMARY_TXT, "encoding", "is not UTF-8 text") from None
    return VerifiedBundle(snapshot, manifest.archive_hash, manifest.format_version, summary)
