"""Every rule the reader enforces, each with a hand-crafted bad package."""

from __future__ import annotations

import json
import warnings
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest

from console.packages.errors import PackageError
from console.packages.manifest import manifest_bytes, sha256
from console.packages.reader import Limits, read_package, verify_package_file
from tests.packages.factories import sample_package

Member = tuple[str, bytes]


def members_of(data: bytes) -> list[Member]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def zip_of(
    members: list[Member], mode: int = 0o100644, compress: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates we craft on purpose
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = mode << 16
                info.create_system = 3
                info.compress_type = compress
                archive.writestr(info, data)
    return buffer.getvalue()


def resealed(members: list[Member]) -> bytes:
    """A package whose manifest is recomputed: gets past the hash checks to the deeper rules."""
    body = [(n, d) for n, d in members if n != "manifest.json"]
    manifest = manifest_bytes({n: sha256(d) for n, d in body})
    return zip_of([*body, ("manifest.json", manifest)])


def edited_json(name: str, edit: Callable[[dict[str, object]], None]) -> bytes:
    members = []
    for member, data in members_of(sample_package().data):
        if member == name:
            document = json.loads(data)
            edit(document)
            data = json.dumps(document).encode()
        members.append((member, data))
    return resealed(members)


def refused(data: bytes, limits: Limits | None = None) -> PackageError:
    with pytest.raises(PackageError) as error:
        read_package(data, limits or Limits())
    assert error.value.member in str(error.value)
    assert f"(rule: {error.value.rule})" in str(error.value)
    return error.value


GOOD = members_of(sample_package().data)


def test_not_a_zip() -> None:
    assert refused(b"hello, this is not a zip").rule == "zip"


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "/etc/passwd",
        "C:/Windows/x",
        "attachments\\..\\x",
        "a//b",
        "./package.json",
        "attachments/../../x",
        "attachments/a\x01b",
        "attachments/",
    ],
)
def test_member_names_must_be_plain_relative_paths(name: str) -> None:
    error = refused(zip_of([*GOOD, (name, b"x")]))
    assert error.rule == "member-name"


def test_symlinks_are_refused() -> None:
    link = zip_of([*GOOD, ("attachments/link", b"/etc/shadow")], mode=0o120777)
    assert (refused(link).member, refused(link).rule) == ("package.json", "member-type")


def test_duplicate_members_are_refused_even_by_case() -> None:
    assert refused(zip_of([*GOOD, GOOD[1]])).rule == "duplicate-member"
    assert refused(zip_of([*GOOD, ("HANDOFF.md", b"x")])).rule == "duplicate-member"


def test_member_count_and_sizes_are_bounded() -> None:
    assert refused(sample_package().data, Limits(max_members=3)).rule == "member-count"
    error = refused(sample_package().data, Limits(max_member_size=1000))
    assert (error.member, error.rule) == ("package.json", "member-size")
    assert refused(sample_package().data, Limits(max_total_size=3000)).rule == "total-size"


def test_zip_bombs_are_refused_by_ratio() -> None:
    bomb = zip_of([*GOOD, ("attachments/zeros.bin", bytes(20 * 1024 * 1024))])
    error = refused(bomb)
    assert (error.member, error.rule) == ("attachments/zeros.bin", "compression-ratio")


def test_a_member_that_lies_about_its_size_is_stopped() -> None:
    data = bytearray(zip_of([*GOOD, ("attachments/liar.txt", b"A" * 5000)]))
    # Shrink the declared size in the central directory entry (46-byte header before the name,
    # uncompressed size at offset 24): the reader must not trust it.
    header = data.rfind(b"attachments/liar.txt") - 46
    assert data[header : header + 4] == b"PK\x01\x02"
    data[header + 24 : header + 28] = (100).to_bytes(4, "little")
    error = refused(bytes(data))
    # zipfile yields no more than the declared size, so the lie surfaces as a bad CRC.
    assert (error.member, error.rule) == ("attachments/liar.txt", "zip")
    assert "CRC" in str(error)


def test_required_and_unexpected_members() -> None:
    without = [m for m in GOOD if m[0] != "handoff.md"]
    assert (refused(zip_of(without)).member, refused(zip_of(without)).rule) == (
        "handoff.md",
        "missing-member",
    )
    assert refused(zip_of([*GOOD, ("notes.txt", b"hi")])).rule == "unexpected-member"


def test_manifest_must_list_exactly_the_members() -> None:
    extra = zip_of([*GOOD[:-1], ("attachments/extra.txt", b"x"), GOOD[-1]])
    error = refused(extra)
    assert (error.member, error.rule) == ("attachments/extra.txt", "manifest")
    broken = [(n, b"{not json" if n == "manifest.json" else d) for n, d in GOOD]
    assert refused(zip_of(broken)).rule == "manifest"


def test_tampered_member_is_named() -> None:
    tampered = [(n, d.replace(b"Maya", b"Mara") if n == "handoff.md" else d) for n, d in GOOD]
    error = refused(zip_of(tampered))
    assert (error.member, error.rule) == ("handoff.md", "hash-mismatch")


def test_package_hash_must_match() -> None:
    def forge(members: list[Member]) -> list[Member]:
        out = []
        for name, data in members:
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["package_hash"] = "0" * 64
                data = json.dumps(manifest).encode()
            out.append((name, data))
        return out

    assert refused(zip_of(forge(GOOD))).rule == "package-hash"


def test_newer_schema_version_is_refused_with_advice() -> None:
    error = refused(edited_json("package.json", lambda d: d.update(schema_version=7)))
    assert error.rule == "schema-version"
    assert "schema version 7 is newer than this app supports (1); update Agent Console" in str(
        error
    )


def test_schema_errors_name_the_field() -> None:
    def zero_affected(document: dict[str, object]) -> None:
        handoff = document["handoff"]
        assert isinstance(handoff, dict)
        handoff["affected"]["count"] = 0

    error = refused(edited_json("package.json", zero_affected))
    assert error.rule == "schema"
    assert "handoff.affected.count" in str(error)


def test_attachments_must_be_declared() -> None:
    undeclared = resealed([*GOOD, ("attachments/surprise.exe", b"MZ")])
    error = refused(undeclared)
    assert (error.member, error.rule) == ("attachments/surprise.exe", "attachment")


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match=r"nope\.zip: no such file \(rule: file\)"):
        verify_package_file(tmp_path / "nope.zip")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(
        zip_of([(n, d.replace(b"P3", b"P1") if n == "handoff.md" else d) for n, d in GOOD])
    )
    with pytest.raises(PackageError, match=r"^bad\.zip: handoff\.md: .*\(rule: hash-mismatch\)$"):
        verify_package_file(bad)
