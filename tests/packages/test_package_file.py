"""Building and reading the package ZIP: round trip, determinism, atomic writes, handoff.md."""

from __future__ import annotations

import json
import os
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from console.packages.errors import PackageError
from console.packages.manifest import compute_package_hash
from console.packages.reader import read_package, verify_package_file
from console.packages.schema import schema_path, schema_text
from console.packages.writer import build_package, write_package
from tests.packages.factories import PNG, sample_attachments, sample_document, sample_package


def test_round_trip_keeps_document_members_and_hash() -> None:
    built = sample_package()
    verified = read_package(built.data)
    assert verified.document == sample_document()
    assert verified.package_hash == built.package_hash
    assert verified.members["attachments/error.png"] == PNG
    assert set(verified.members) == {
        "package.json",
        "handoff.md",
        "attachments/error.png",
        "attachments/diagnostics.json",
    }
    assert verified.data == built.data


def test_build_is_deterministic() -> None:
    assert sample_package().data == sample_package().data


def test_manifest_lists_every_member_and_the_package_hash() -> None:
    built = sample_package()
    with zipfile.ZipFile(BytesIO(built.data)) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert names[0] == "package.json" and names[-1] == "manifest.json"
    assert set(manifest["members"]) == set(names) - {"manifest.json"}
    assert manifest["package_hash"] == compute_package_hash(manifest["members"])
    assert manifest["package_hash"] == built.package_hash


def test_screenshots_are_stored_not_recompressed() -> None:
    with zipfile.ZipFile(BytesIO(sample_package().data)) as archive:
        assert archive.getinfo("attachments/error.png").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("package.json").compress_type == zipfile.ZIP_DEFLATED


def test_attachment_bytes_must_match_the_document() -> None:
    attachments = sample_attachments()
    attachments["attachments/error.png"] = PNG + b"!"
    with pytest.raises(PackageError) as refused:
        build_package(sample_document(), attachments)
    assert (refused.value.member, refused.value.rule) == ("attachments/error.png", "attachment")
    del attachments["attachments/error.png"]
    with pytest.raises(PackageError, match="disagree"):
        build_package(sample_document(), attachments)


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pkg.zip"
    write_package(sample_package(), target)
    assert verify_package_file(target).package_hash == sample_package().package_hash

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    other = tmp_path / "other.zip"
    with pytest.raises(PackageError, match="No space left"):
        write_package(sample_package(), other)
    assert not other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg.zip"]  # no temp file left


def test_handoff_puts_the_five_things_first() -> None:
    text = read_package(sample_package().data).handoff_markdown
    order = [
        "## What is wrong",
        "## What was already tried",
        "## The error, verbatim",
        "## Who is affected",
        "## How urgent",
        "## Priority and routing",
        "## Diagnostics",
    ]
    positions = [text.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert text.startswith("# HD-7K3QF2M: VPN will not connect from home")
    assert "1. Checked the VPN adapter is present — present (2026-11-20 09:15 UTC)" in text
    assert "One person: 1 person (Maya Okafor, Sales)" in text
    assert "Work stopped" in text
    assert "vpn-cannot-connect v3" in text
    assert "`attachments/error.png` (image/png" in text


def test_the_error_is_kept_verbatim_even_with_backticks() -> None:
    error = "Error 0x80004005\n```\nsomething `quoted` ```` here\n  indented line"
    doc = sample_document(error=error)
    text = read_package(build_package(doc, sample_attachments()).data).handoff_markdown
    fence = "`" * 5
    assert f"{fence}text\n{error}\n{fence}\n" in text


def test_committed_json_schema_matches_the_models() -> None:
    committed = schema_path().read_text(encoding="utf-8")
    assert committed == schema_text(), (
        "resources/schema/package.schema.json is out of date: run "
        "`python -m console.packages.schema` and commit the result"
    )
    assert json.loads(committed)["properties"]["schema_version"]["const"] == 1
