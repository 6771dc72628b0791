"""Build the package ZIP: deterministic bytes, so the same package always has the same hash."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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

# A fixed timestamp and mode for every member: the ZIP's bytes depend only on its content.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_MODE = 0o100644 << 16
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

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            entry = zipfile.ZipInfo(name, date_time=_EPOCH)
            entry.external_attr = _MODE
            entry.create_system = 3  # Unix, so the mode bits mean what they say
            stored = name in stored_types
            entry.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compresslevel=None if stored else 6)
    return BuiltPackage(buffer.getvalue(), compute_package_hash(hashes), hashes)


def write_package(built: BuiltPackage, path: Path) -> None:
    """Write atomically: the file appears whole at ``path`` or not at all."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise PackageError(str(path), "file", f"cannot write here ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(built.data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise PackageError(
            str(path), "file", f"cannot write the package ({exc.strerror})"
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
