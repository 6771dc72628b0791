"""``manifest.json``: the SHA-256 of every member and one archive hash over them.

The escalation package and the diagnostics bundle share the layout; they differ in the
``format`` string, the name of the hash (``package_hash``, ``bundle_hash``) and whether a
``format_version`` is recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

MANIFEST = "manifest.json"
PACKAGE_JSON = "package.json"
HANDOFF = "handoff.md"
FORMAT = "agent-console-package"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compute_archive_hash(member_hashes: Mapping[str, str]) -> str:
    """SHA-256 over ``name<TAB>sha256<LF>`` of every member but the manifest, sorted by name."""
    lines = "".join(f"{name}\t{member_hashes[name]}\n" for name in sorted(member_hashes))
    return sha256(lines.encode("utf-8"))


def compute_package_hash(member_hashes: Mapping[str, str]) -> str:
    """The package hash: :func:`compute_archive_hash` of the package's members."""
    return compute_archive_hash(member_hashes)


def manifest_bytes(
    member_hashes: Mapping[str, str],
    *,
    format_name: str = FORMAT,
    hash_key: str = "package_hash",
    format_version: int | None = None,
) -> bytes:
    """The manifest for ``member_hashes`` (every member but the manifest)."""
    document: dict[str, Any] = {
        "format": format_name,
        "algorithm": "sha256",
        "members": dict(sorted(member_hashes.items())),
        hash_key: compute_archive_hash(member_hashes),
    }
    if format_version is not None:
        document["format_version"] = format_version
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
