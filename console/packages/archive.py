"""Safe ZIP archives: what the escalation package and the diagnostics bundle share.

Both are a ZIP of a few named members plus ``manifest.json`` (the SHA-256 of every member and
one archive hash). Reading verifies before trusting, in the order an attacker's file would be
dangerous: structure first (names, types, counts, sizes, compression ratios), then content
(hashes). What differs between the two kinds is an :class:`ArchiveSpec`: the members allowed,
the manifest's ``format``, the supported ``format_version`` values, the error class and a few
sentences. The first failure raises ``spec.error(member, rule, message)``; nothing is written.

Writing is deterministic (fixed timestamps and modes, so the same members always give the same
bytes) and atomic (temp file, fsync, rename).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.packages.errors import ArchiveError
from console.packages.manifest import MANIFEST, compute_archive_hash, sha256

MiB = 1024 * 1024
ErrorFactory = Callable[[str, str, str], ArchiveError]
"""``(member, rule, message) -> error``: the error class of the archive kind."""

_UNSAFE_CHAR = re.compile(r"[\x00-\x1f\x7f\\:*?\"<>|]")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# A fixed timestamp and mode for every member: the ZIP's bytes depend only on its content.
_EPOCH = (1980, 1, 1, 0, 0, 0)
_MODE = 0o100644 << 16
# What zipfile raises on a damaged archive besides BadZipFile.
_ZIP_FAILURES = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    EOFError,
    struct.error,
    ValueError,
    UnicodeDecodeError,
    NotImplementedError,
    RuntimeError,
)


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


@dataclass(frozen=True, slots=True)
class ArchiveSpec:
    """What one kind of archive allows; the readers of each kind hold one."""

    label: str
    """Names the whole archive in messages ("package"); also ``<label>_hash`` in the manifest
    and the rule ``<label>-hash``."""
    format_name: str
    """The manifest's ``format``."""
    required: tuple[str, ...]
    """Required members, in the order a missing one is reported."""
    error: ErrorFactory
    unexpected: str
    """The sentence for a member that is not allowed (rule ``unexpected-member``)."""
    optional: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    """Members under these folders are allowed too (``"attachments/"``)."""
    versions: frozenset[int] | None = None
    """The ``format_version`` values this app reads; ``None``: the manifest records none."""
    foreign: tuple[tuple[str, str], ...] = ()
    """``(member, sentence)``: a member that marks another kind of archive (rule
    ``wrong-kind``), checked before anything else so the caller hears what they gave."""
    missing_file: str = "no such file"
    irregular_file: str = "is not a regular file"
    unreadable_zip: str = "not a readable ZIP file ({reason})"

    @property
    def hash_key(self) -> str:
        return f"{self.label}_hash"


@dataclass(frozen=True, slots=True)
class VerifiedManifest:
    member_hashes: dict[str, str]
    """SHA-256 of every member but the manifest, each checked against the member's bytes."""
    archive_hash: str
    format_version: int | None


def read_archive_file(path: Path, spec: ArchiveSpec, limits: Limits) -> bytes:
    """The bytes of the file at ``path``: a regular file no bigger than ``limits.max_file``."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise spec.error(str(path), "file", spec.irregular_file)
        if size > limits.max_file:
            raise spec.error(str(path), "file-size", f"is {size} bytes, over {limits.max_file}")
        chunks: list[bytes] = []
        got = 0
        with path.open("rb") as handle:
            # The file may grow after stat(): never hold more than the limit allows.
            while chunk := handle.read(1 * MiB):
                got += len(chunk)
                if got > limits.max_file:
                    raise spec.error(str(path), "file-size", f"is over {limits.max_file} bytes")
                chunks.append(chunk)
    except FileNotFoundError:
        raise spec.error(str(path), "file", spec.missing_file) from None
    except OSError as exc:
        raise spec.error(str(path), "file", f"cannot read it ({exc.strerror})") from None
    return b"".join(chunks)


def read_members(data: bytes, spec: ArchiveSpec, limits: Limits) -> dict[str, bytes]:
    """Every member's bytes by name, once the archive's structure passed every check."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except _ZIP_FAILURES as exc:
        raise spec.error(spec.label, "zip", spec.unreadable_zip.format(reason=exc)) from None
    with archive:
        names = {info.filename for info in infos}
        for marker, sentence in spec.foreign:
            if marker in names:
                raise spec.error(spec.label, "wrong-kind", sentence)
        check_structure(infos, spec, limits)
        return {info.filename: _read_member(archive, info, spec, limits) for info in infos}


def check_structure(infos: list[zipfile.ZipInfo], spec: ArchiveSpec, limits: Limits) -> None:
    """Names, types, duplicates, allowed and required members, sizes and ratios."""
    error = spec.error
    if len(infos) > limits.max_members:
        raise error(
            spec.label, "member-count", f"has {len(infos)} members, over {limits.max_members}"
        )
    allowed = (*spec.required, *spec.optional)
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name = info.filename
        check_name(name, error)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if info.is_dir() or (kind and kind != stat.S_IFREG):
            raise error(name, "member-type", "is not a regular file (directory, link or device)")
        folded = name.casefold()
        if folded in seen:
            raise error(name, "duplicate-member", f"appears twice (also as {seen[folded]})")
        seen[folded] = name
        if name not in allowed and not name.startswith(spec.prefixes):
            raise error(name, "unexpected-member", spec.unexpected)
        if info.file_size > limits.max_member_size:
            raise error(
                name, "member-size", f"is {info.file_size} bytes, over {limits.max_member_size}"
            )
        total += info.file_size
        if total > limits.max_total_size:
            raise error(
                name, "total-size", f"brings the {spec.label} over {limits.max_total_size} bytes"
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise error(
                name,
                "compression-ratio",
                f"expands {info.file_size / max(info.compress_size, 1):.0f}:1, over "
                f"{limits.max_ratio:.0f}:1",
            )
    for required in spec.required:
        if required not in seen.values():
            raise error(required, "missing-member", "is missing")


def check_name(name: str, error: ErrorFactory) -> None:
    """A member name must be a plain relative path: no drive, no ``..``, no odd characters."""
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
        raise error(shown, "member-name", "member name is not a plain relative path")


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, spec: ArchiveSpec, limits: Limits
) -> bytes:
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
                    raise spec.error(
                        info.filename, "member-size", "holds more bytes than it declares"
                    )
                chunks.append(chunk)
    except ArchiveError:
        raise
    except _ZIP_FAILURES as exc:
        raise spec.error(info.filename, "zip", f"cannot be read ({exc})") from None
    return b"".join(chunks)


def verify_manifest(contents: Mapping[str, bytes], spec: ArchiveSpec) -> VerifiedManifest:
    """Check the manifest's shape and version, then every member's hash and the archive hash."""
    manifest = json_object(MANIFEST, contents[MANIFEST], "manifest", spec.error)
    fields = "format, format_version" if spec.versions is not None else "format"
    shape = spec.error(
        MANIFEST,
        "manifest",
        f"does not have the manifest's shape ({fields}, algorithm sha256, members, "
        f"{spec.hash_key})",
    )
    if manifest.get("format") != spec.format_name:
        raise shape
    # Before the hashes: a newer format may hash differently, and "update" is the useful advice.
    version = None
    if spec.versions is not None:
        version = _check_version(manifest, spec.versions, spec)
    members = manifest.get("members")
    if (
        manifest.get("algorithm") != "sha256"
        or not isinstance(members, dict)
        or not all(isinstance(v, str) and _HEX64.match(v) for v in members.values())
        or not isinstance(manifest.get(spec.hash_key), str)
    ):
        raise shape
    listed, present = set(members), set(contents) - {MANIFEST}
    if listed != present:
        odd = sorted(listed ^ present)[0]
        where = "is listed but missing" if odd in listed else "is not listed in the manifest"
        raise spec.error(odd, "manifest", where)
    for name in sorted(present):
        if sha256(contents[name]) != members[name]:
            raise spec.error(name, "hash-mismatch", "SHA-256 does not match the manifest")
    hashes: dict[str, str] = {str(k): str(v) for k, v in members.items()}
    archive_hash = compute_archive_hash(hashes)
    if archive_hash != manifest[spec.hash_key]:
        raise spec.error(
            MANIFEST, f"{spec.label}-hash", f"{spec.label} hash does not match its members"
        )
    return VerifiedManifest(hashes, archive_hash, version)


def _check_version(manifest: Mapping[str, Any], versions: frozenset[int], spec: ArchiveSpec) -> int:
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise spec.error(MANIFEST, "format-version", "has no integer format_version")
    if version in versions:
        return version
    newest = max(versions)
    if version > newest:
        message = (
            f"was made by a newer Agent Console (format {version}); "
            f"update Agent Console to read this {spec.label}"
        )
    else:
        message = f"has format {version}, which is unknown (this app reads format {newest})"
    raise spec.error(spec.label, "format-version", message)


def json_object(member: str, raw: bytes, rule: str, error: ErrorFactory) -> dict[str, Any]:
    """``raw`` parsed as a JSON object, or ``error(member, rule, ...)``."""
    try:
        data = json.loads(raw.decode("utf-8"))
    # ValueError besides JSONDecodeError: an integer too long to convert.
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise error(member, rule, f"is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise error(member, rule, "must be a JSON object")
    return data


def deterministic_zip(members: Iterable[tuple[str, bytes]], stored: Collection[str] = ()) -> bytes:
    """A ZIP of ``members`` in the given order whose bytes depend only on names and contents.

    Members named in ``stored`` are kept uncompressed (already compressed: deflating them
    again costs time and gains nothing); the rest are deflated.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            entry = zipfile.ZipInfo(name, date_time=_EPOCH)
            entry.external_attr = _MODE
            entry.create_system = 3  # Unix, so the mode bits mean what they say
            keep = name in stored
            entry.compress_type = zipfile.ZIP_STORED if keep else zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compresslevel=None if keep else 6)
    return buffer.getvalue()


def write_atomically(data: bytes, path: Path, error: ErrorFactory, label: str) -> None:
    """Write ``data`` so that it appears whole at ``path`` or not at all (no temp file left)."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise error(str(path), "file", f"cannot write here ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise error(str(path), "file", f"cannot write the {label} ({exc.strerror})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
