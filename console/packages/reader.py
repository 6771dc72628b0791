"""Read a package ZIP, verifying everything before trusting anything.

The checks run in the order an attacker's file would be dangerous: structure first (names,
types, counts, sizes, compression ratios), then content (hashes), both shared with the
diagnostics bundle in :mod:`console.packages.archive`, then meaning (schema version, schema).
The first failure raises :class:`PackageError` naming the member and the rule; nothing is ever
written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from console.packages.archive import (
    ArchiveSpec,
    Limits,
    MiB,
    json_object,
    read_archive_file,
    read_members,
    verify_manifest,
)
from console.packages.errors import PackageError
from console.packages.manifest import FORMAT, HANDOFF, MANIFEST, PACKAGE_JSON
from console.packages.model import SUPPORTED_SCHEMA_VERSIONS, PackageDocument

__all__ = [
    "DEFAULT_LIMITS",
    "PACKAGE_SPEC",
    "REQUIRED",
    "Limits",
    "MiB",
    "VerifiedPackage",
    "read_package",
    "verify_package_file",
]

REQUIRED = (MANIFEST, PACKAGE_JSON, HANDOFF)
DEFAULT_LIMITS = Limits()
PACKAGE_SPEC = ArchiveSpec(
    label="package",
    format_name=FORMAT,
    required=REQUIRED,
    error=PackageError,
    unexpected=(
        "is not a package member (only manifest.json, package.json, handoff.md and attachments/)"
    ),
    prefixes=("attachments/",),
)


@dataclass(frozen=True, slots=True)
class VerifiedPackage:
    document: PackageDocument
    package_hash: str
    members: Mapping[str, bytes]
    """Every member except the manifest, by name."""
    handoff_markdown: str
    data: bytes
    """The ZIP exactly as read, so an importer can store it byte for byte."""


def verify_package_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> VerifiedPackage:
    path = Path(path)
    data = read_archive_file(path, PACKAGE_SPEC, limits)
    try:
        return read_package(data, limits)
    except PackageError as exc:
        raise PackageError(f"{path.name}: {exc.member}", exc.rule, exc.detail) from None


def read_package(source: bytes | Path, limits: Limits = DEFAULT_LIMITS) -> VerifiedPackage:
    if isinstance(source, Path):
        return verify_package_file(source, limits)
    data = bytes(source)
    contents = read_members(data, PACKAGE_SPEC, limits)
    manifest = verify_manifest(contents, PACKAGE_SPEC)
    document = _check_document(contents[PACKAGE_JSON])
    _check_attachments(document, contents, manifest.member_hashes)
    try:
        handoff = contents[HANDOFF].decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(HANDOFF, "encoding", "is not UTF-8 text") from None
    members = {name: body for name, body in contents.items() if name != MANIFEST}
    return VerifiedPackage(document, manifest.archive_hash, members, handoff, data)


def _check_document(raw: bytes) -> PackageDocument:
    data = json_object(PACKAGE_JSON, raw, "schema", PackageError)
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise PackageError(PACKAGE_JSON, "schema-version", "has no integer schema_version")
    if version not in SUPPORTED_SCHEMA_VERSIONS:
        newest = max(SUPPORTED_SCHEMA_VERSIONS)
        if version > newest:
            message = (
                f"schema version {version} is newer than this app supports ({newest}); "
                "update Agent Console"
            )
        else:
            message = f"schema version {version} is unknown (this app reads {newest})"
        raise PackageError(PACKAGE_JSON, "schema-version", message)
    try:
        return PackageDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise PackageError(PACKAGE_JSON, "schema", f"{where}: {first['msg']}") from None


def _check_attachments(
    doc: PackageDocument, contents: Mapping[str, bytes], hashes: Mapping[str, str]
) -> None:
    declared = {a.path: (a.size, a.sha256) for a in doc.attachments}
    if doc.diagnostics is not None:
        if doc.diagnostics.path in declared:
            raise PackageError(doc.diagnostics.path, "attachment", "is declared twice")
        path = doc.diagnostics.path
        if path not in contents:
            raise PackageError(path, "attachment", "is declared by package.json but missing")
        declared[path] = (len(contents[path]), hashes[path])
    for path, (size, digest) in declared.items():
        if path not in contents:
            raise PackageError(path, "attachment", "is declared by package.json but missing")
        if len(contents[path]) != size or hashes[path] != digest:
            raise PackageError(path, "attachment", "size or SHA-256 differs from package.json")
    for name in contents:
        if name.startswith("attachments/") and name not in declared:
            raise PackageError(name, "attachment", "is not declared in package.json")
