"""Read a package ZIP, verifying everything before trusting anything.

The checks run in the order an attacker's file would be dangerous: structure first (names,
types, counts, sizes, compression ratios), then content (hashes), then meaning (schema
version, schema). The first failure raises :class:`PackageError` naming the member and the
rule; nothing is ever written.
"""

from __future__ import annotations

import json
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from console.packages.errors import PackageError
from console.packages.manifest import (
    FORMAT,
    HANDOFF,
    MANIFEST,
    PACKAGE_JSON,
    compute_package_hash,
    sha256,
)
from console.packages.model import SUPPORTED_SCHEMA_VERSIONS, PackageDocument

MiB = 1024 * 1024
REQUIRED = (MANIFEST, PACKAGE_JSON, HANDOFF)
_UNSAFE_CHAR = re.compile(r"[\x00-\x1f\x7f\\:*?\"<>|]")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Limits:
    max_file: int = 320 * MiB
    max_members: int = 2000
    max_member_size: int = 64 * MiB
    max_total_size: int = 256 * MiB
    max_ratio: float = 200.0
    ratio_floor: int = 1 * MiB
    """Members smaller than this uncompressed are not held to the ratio (tiny JSON compresses
    far better than 200:1 and is harmless)."""


DEFAULT_LIMITS = Limits()


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
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise PackageError(str(path), "file", "is not a regular file")
        if size > limits.max_file:
            raise PackageError(str(path), "file-size", f"is {size} bytes, over {limits.max_file}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise PackageError(str(path), "file", "no such file") from None
    except OSError as exc:
        raise PackageError(str(path), "file", f"cannot read it ({exc.strerror})") from None
    try:
        return read_package(data, limits)
    except PackageError as exc:
        raise PackageError(f"{path.name}: {exc.member}", exc.rule, exc.detail) from None


def read_package(source: bytes | Path, limits: Limits = DEFAULT_LIMITS) -> VerifiedPackage:
    if isinstance(source, Path):
        return verify_package_file(source, limits)
    data = bytes(source)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        struct.error,
        ValueError,
        UnicodeDecodeError,
        NotImplementedError,
    ) as exc:
        raise PackageError("package", "zip", f"not a readable ZIP file ({exc})") from None
    with archive:
        _check_structure(infos, limits)
        contents = {info.filename: _read_member(archive, info, limits) for info in infos}
    member_hashes = _check_manifest(contents)
    document = _check_document(contents[PACKAGE_JSON])
    _check_attachments(document, contents, member_hashes)
    try:
        handoff = contents[HANDOFF].decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(HANDOFF, "encoding", "is not UTF-8 text") from None
    members = {name: body for name, body in contents.items() if name != MANIFEST}
    return VerifiedPackage(document, compute_package_hash(member_hashes), members, handoff, data)


def _check_structure(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_members:
        raise PackageError(
            "package", "member-count", f"has {len(infos)} members, over {limits.max_members}"
        )
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name = info.filename
        _check_name(name)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if info.is_dir() or (kind and kind != stat.S_IFREG):
            raise PackageError(
                name, "member-type", "is not a regular file (directory, link or device)"
            )
        folded = name.casefold()
        if folded in seen:
            raise PackageError(name, "duplicate-member", f"appears twice (also as {seen[folded]})")
        seen[folded] = name
        if name not in REQUIRED and not name.startswith("attachments/"):
            raise PackageError(
                name,
                "unexpected-member",
                "is not a package member (only "
                "manifest.json, package.json, handoff.md and attachments/)",
            )
        if info.file_size > limits.max_member_size:
            raise PackageError(
                name, "member-size", f"is {info.file_size} bytes, over {limits.max_member_size}"
            )
        total += info.file_size
        if total > limits.max_total_size:
            raise PackageError(
                name, "total-size", f"brings the package over {limits.max_total_size} bytes"
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise PackageError(
                name,
                "compression-ratio",
                f"expands {info.file_size / max(info.compress_size, 1):.0f}:1, over "
                f"{limits.max_ratio:.0f}:1",
            )
    for required in REQUIRED:
        if required not in seen.values():
            raise PackageError(required, "missing-member", "is missing")


def _check_name(name: str) -> None:
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or _UNSAFE_CHAR.search(name)
        or any(part in ("", ".", "..") for part in parts)
        or len(name) > 255
    ):
        # Quote names that would not show up readably in a sentence (empty, control chars).
        shown = repr(name) if not name.strip() or _UNSAFE_CHAR.search(name) else name
        raise PackageError(shown, "member-name", "member name is not a plain relative path")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Read in chunks and stop at the declared size: a zip bomb lies about its sizes."""
    cap = min(info.file_size, limits.max_member_size)
    chunks: list[bytes] = []
    got = 0
    try:
        with archive.open(info) as member:
            while True:
                chunk = member.read(min(1 * MiB, cap - got + 1))
                if not chunk:
                    break
                got += len(chunk)
                if got > cap:
                    raise PackageError(
                        info.filename, "member-size", "holds more bytes than it declares"
                    )
                chunks.append(chunk)
    except PackageError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        struct.error,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise PackageError(info.filename, "zip", f"cannot be read ({exc})") from None
    return b"".join(chunks)


def _check_manifest(contents: Mapping[str, bytes]) -> dict[str, str]:
    manifest = _json(MANIFEST, contents[MANIFEST], "manifest")
    members = manifest.get("members")
    if (
        manifest.get("format") != FORMAT
        or manifest.get("algorithm") != "sha256"
        or not isinstance(members, dict)
        or not all(isinstance(v, str) and _HEX64.match(v) for v in members.values())
        or not isinstance(manifest.get("package_hash"), str)
    ):
        raise PackageError(
            MANIFEST,
            "manifest",
            "does not have the manifest's shape (format, algorithm sha256, members, package_hash)",
        )
    listed, present = set(members), set(contents) - {MANIFEST}
    if listed != present:
        odd = sorted(listed ^ present)[0]
        where = "is listed but missing" if odd in listed else "is not listed in the manifest"
        raise PackageError(odd, "manifest", where)
    for name in sorted(present):
        if sha256(contents[name]) != members[name]:
            raise PackageError(name, "hash-mismatch", "SHA-256 does not match the manifest")
    hashes: dict[str, str] = {str(k): str(v) for k, v in members.items()}
    if compute_package_hash(hashes) != manifest["package_hash"]:
        raise PackageError(MANIFEST, "package-hash", "package hash does not match its members")
    return hashes


def _check_document(raw: bytes) -> PackageDocument:
    data = _json(PACKAGE_JSON, raw, "schema")
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


def _json(member: str, raw: bytes, rule: str) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise PackageError(member, rule, f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise PackageError(member, rule, "must be a JSON object")
    return data
