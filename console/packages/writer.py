"""Build the package ZIP: deterministic bytes, so the same package always has the same hash."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from console.packages.archive import deterministic_zip, write_atomically
from console.packages.errors import PackageError
from console.packages.handoff import render_handoff
from console.packages.manifest import (
    HANDOFF,
    MANIFEST,
    PACKAGE_JSON,
    compute_package_hash,
    manifest_bytes,
    sha256,
)
from console.packages.model import PackageDocument

# Already compressed: deflating them again costs time and gains nothing.
_STORED_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/zip")


@dataclass(frozen=True, slots=True)
class BuiltPackage:
    data: bytes
    package_hash: str
    member_hashes: Mapping[str, str]


def document_bytes(document: PackageDocument) -> bytes:
    return (document.model_dump_json(indent=2) + "\n").encode("utf-8")


def build_package(document: PackageDocument, attachments: Mapping[str, bytes]) -> BuiltPackage:
    """The package ZIP for ``document``; ``attachments`` maps member paths to their bytes.

    The attachment bytes must be exactly those the document declares (paths, sizes, hashes).
    """
    declared = {a.path: a for a in document.attachments}
    stored_types = {a.path for a in document.attachments if a.media_type in _STORED_TYPES}
    if document.diagnostics is not None:
        if document.diagnostics.path in declared:
            raise PackageError(document.diagnostics.path, "attachment", "declared twice")
        expected = set(declared) | {document.diagnostics.path}
    else:
        expected = set(declared)
    if set(attachments) != expected:
        odd = sorted(set(attachments) ^ expected)[0]
        raise PackageError(odd, "attachment", "attachment bytes and package.json disagree")
    hashes: dict[str, str] = {}
    for path, data in attachments.items():
        digest = sha256(data)
        info = declared.get(path)
        if info is not None and (info.size != len(data) or info.sha256 != digest):
            raise PackageError(path, "attachment", "size or SHA-256 differs from package.json")
        hashes[path] = digest

    members: list[tuple[str, bytes]] = [
        (PACKAGE_JSON, document_bytes(document)),
        (HANDOFF, render_handoff(document).encode("utf-8")),
    ]
    members += sorted(attachments.items())
    for name, data in members[:2]:
        hashes[name] = sha256(data)
    members.append((MANIFEST, manifest_bytes(hashes)))

    zipped = deterministic_zip(members, stored=stored_types)
    return BuiltPackage(zipped, compute_package_hash(hashes), hashes)


def write_package(built: BuiltPackage, path: Path) -> None:
    """Write atomically: the file appears whole at ``path`` or not at all."""
    write_atomically(built.data, path, PackageError, "package")
