"""``manifest.json``: the SHA-256 of every member and one package hash over them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

MANIFEST = "manifest.json"
PACKAGE_JSON = "package.json"
HANDOFF = "handoff.md"
FORMAT = "agent-console-package"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compute_package_hash(member_hashes: Mapping[str, str]) -> str:
    """SHA-256 over ``name<TAB>sha256<LF>`` of every member but the manifest, sorted by name."""
    lines = "".join(f"{name}\t{member_hashes[name]}\n" for name in sorted(member_hashes))
    return sha256(lines.encode("utf-8"))


def manifest_bytes(member_hashes: Mapping[str, str]) -> bytes:
    document = {
        "format": FORMAT,
        "algorithm": "sha256",
        "members": dict(sorted(member_hashes.items())),
        "package_hash": compute_package_hash(member_hashes),
    }
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
