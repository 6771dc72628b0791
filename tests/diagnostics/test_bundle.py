"""The diagnostics bundle: round trip, determinism, atomic writes, and every reading rule.

Hand-crafted bad bundles name each rule; hypothesis then throws garbage and mutated bundles
at the reader, which must refuse with a BundleError or accept only what is really intact.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.diagnostics.bundle import (
    BUNDLE_FORMAT,
    BUNDLE_LIMITS,
    BundleError,
    read_bundle,
    write_bundle,
)
from console.packages.archive import Limits
from console.packages.errors import ArchiveError
from console.packages.manifest import compute_archive_hash, manifest_bytes, sha256
from tests.packages.factories import sample_package
from tests.packages.test_reader_rules import Member, members_of, zip_of
from tests.support.zip_mutations import STRUCTURAL, mutate_structure


def sample_snapshot() -> dict[str, Any]:
    return {
        "system": {"os_family": "linux", "hostname": "WS-0042", "boot_time": 1763629200.0},
        "cpu": {"count": 8, "percent": 12.5},
        "memory": {"total": 16 * 2**30, "percent": 41.0},
        "disks": {"partitions": [{"mountpoint": "/", "percent": 77.1}]},
        "network": {"interfaces": {"eth0": {"up": True}}, "dns": ["10.0.0.53"]},
        "power": None,
        "processes": {"top_cpu": [{"name": "Zoë's editor", "pid": 4242}]},
        "meta": {"format_version": 1, "partial": False, "problems": []},
    }


def bundle_bytes(snapshot: dict[str, Any], summary: str = "") -> bytes:
    """The bytes of the bundle ``agent-console collect -o`` writes for ``snapshot``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "diag.zip"
        write_bundle(snapshot, path, summary)
        return path.read_bytes()


SUMMARY = "WS-0042 (linux): CPU 12%, memory 41%, disk / 77% full.\n"
GOOD_DATA = bundle_bytes(sample_snapshot(), SUMMARY)
GOOD = members_of(GOOD_DATA)


def resealed(members: list[Member], version: object = 1) -> bytes:
    """A bundle whose manifest is recomputed: gets past the hashes to the deeper rules."""
    body = [(n, d) for n, d in members if n != "manifest.json"]
    hashes = {n: sha256(d) for n, d in body}
    manifest = json.loads(manifest_bytes(hashes, format_name=BUNDLE_FORMAT, hash_key="bundle_hash"))
    manifest["format_version"] = version
    return zip_of([*body, ("manifest.json", json.dumps(manifest).encode())])


def with_snapshot(edit: Callable[[dict[str, Any]], object]) -> bytes:
    snapshot = sample_snapshot()
    edit(snapshot)
    return resealed(
        [(n, json.dumps(snapshot).encode() if n == "snapshot.json" else d) for n, d in GOOD]
    )


def replaced(name: str, body: bytes, members: list[Member] = GOOD) -> list[Member]:
    return [(n, body if n == name else d) for n, d in members]


def refused(source: bytes | Path, limits: Limits | None = None) -> BundleError:
    with pytest.raises(BundleError) as error:
        read_bundle(source, limits=limits or BUNDLE_LIMITS)
    assert isinstance(error.value, ArchiveError)  # the CLI maps every ArchiveError to exit 2
    assert str(error.value).startswith(error.value.member)
    assert str(error.value).endswith(f"(rule: {error.value.rule})")
    return error.value


# Round trip, determinism, atomic writes


def test_round_trip_keeps_the_snapshot_summary_and_hash(tmp_path: Path) -> None:
    target = tmp_path / "diag.zip"
    bundle_hash = write_bundle(sample_snapshot(), target, summary=SUMMARY)
    assert target.read_bytes() == GOOD_DATA
    for source in (target, GOOD_DATA):
        verified = read_bundle(source)
        assert verified.snapshot == sample_snapshot()
        assert (verified.bundle_hash, verified.format_version) == (bundle_hash, 1)
        assert verified.summary == SUMMARY


def test_manifest_records_format_version_members_and_the_bundle_hash() -> None:
    with zipfile.ZipFile(BytesIO(GOOD_DATA)) as archive:
        assert archive.namelist() == ["snapshot.json", "summary.txt", "manifest.json"]
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "agent-console-diagnostics"
    assert (manifest["format_version"], manifest["algorithm"]) == (1, "sha256")
    assert set(manifest["members"]) == {"snapshot.json", "summary.txt"}
    assert manifest["bundle_hash"] == compute_archive_hash(manifest["members"])
    assert manifest["bundle_hash"] == read_bundle(GOOD_DATA).bundle_hash


def test_the_bundle_is_deterministic() -> None:
    reordered = dict(reversed(list(sample_snapshot().items())))
    assert bundle_bytes(reordered, SUMMARY) == GOOD_DATA == bundle_bytes(sample_snapshot(), SUMMARY)
    plain = bundle_bytes(sample_snapshot())
    assert members_of(plain)[0][0] == "snapshot.json" and len(members_of(plain)) == 2
    assert read_bundle(plain).summary == ""


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(BundleError, match=r"cannot write the bundle \(No space left") as error:
        write_bundle(sample_snapshot(), tmp_path / "diag.zip")
    assert error.value.rule == "file"
    assert list(tmp_path.iterdir()) == []  # neither the bundle nor a temp file
    with pytest.raises(BundleError, match=r"cannot write here") as error:
        write_bundle(sample_snapshot(), tmp_path / "missing" / "diag.zip")
    assert error.value.rule == "file"


def test_writing_refuses_what_no_console_would_read(tmp_path: Path) -> None:
    broken = sample_snapshot()
    del broken["network"]
    with pytest.raises(BundleError, match="has no 'network' section") as error:
        write_bundle(broken, tmp_path / "diag.zip")
    assert error.value.rule == "snapshot-section"
    with pytest.raises(BundleError) as error:
        write_bundle({**sample_snapshot(), "cpu": {"sampler": object()}}, tmp_path / "diag.zip")
    assert (error.value.member, error.value.rule) == ("snapshot.json", "snapshot")
    assert list(tmp_path.iterdir()) == []


# Not a bundle at all


def test_not_a_zip_missing_file_or_directory(tmp_path: Path) -> None:
    error = refused(b"hello, this is not a zip")
    assert error.rule == "zip" and "is not a diagnostics bundle" in str(error)
    error = refused(tmp_path / "nope.zip")
    assert error.rule == "file" and "nope.zip: is not a diagnostics bundle" in str(error)
    error = refused(tmp_path)
    assert error.rule == "file" and "not a regular file" in str(error)
    text = tmp_path / "notes.zip"
    text.write_text("just text")
    assert str(refused(text)).startswith("notes.zip: is not a diagnostics bundle")
    assert refused(text, Limits(max_file=4)).rule == "file-size"


def test_an_escalation_package_is_named_as_such(tmp_path: Path) -> None:
    error = refused(sample_package().data)
    assert error.rule == "wrong-kind"
    assert "is an escalation package, not a diagnostics bundle" in str(error)
    target = tmp_path / "HD-7K3QF2M.zip"
    target.write_bytes(sample_package().data)
    assert str(refused(target)).startswith("HD-7K3QF2M.zip: is an escalation package")


# Structure


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/passwd", "C:/x", "a\\b", "a//b", "./summary.txt", "x\x01", "d/"]
)
def test_member_names_must_be_plain_relative_paths(name: str) -> None:
    assert refused(zip_of([*GOOD, (name, b"x")])).rule == "member-name"


def test_links_duplicates_unexpected_and_missing_members() -> None:
    link = refused(zip_of(GOOD, mode=0o120777))
    assert (link.member, link.rule) == ("snapshot.json", "member-type")
    assert refused(zip_of([*GOOD, GOOD[0]])).rule == "duplicate-member"
    assert refused(zip_of([*GOOD, ("Summary.TXT", b"x")])).rule == "duplicate-member"
    extra = refused(zip_of([*GOOD, ("notes.txt", b"hi")]))
    assert (extra.member, extra.rule) == ("notes.txt", "unexpected-member")
    missing = refused(zip_of([m for m in GOOD if m[0] != "snapshot.json"]))
    assert (missing.member, missing.rule) == ("snapshot.json", "missing-member")


def test_member_count_and_sizes_are_bounded() -> None:
    assert refused(GOOD_DATA, Limits(max_members=2)).rule == "member-count"
    error = refused(GOOD_DATA, Limits(max_member_size=200))
    assert (error.member, error.rule) == ("snapshot.json", "member-size")
    assert refused(GOOD_DATA, Limits(max_total_size=800)).rule == "total-size"
    bomb = zip_of(replaced("summary.txt", bytes(8 * 1024 * 1024)))
    error = refused(bomb)
    assert (error.member, error.rule) == ("summary.txt", "compression-ratio")
    with pytest.raises(BundleError) as default_limits:
        read_bundle(zip_of(replaced("summary.txt", bytes(17 * 1024 * 1024))))
    assert default_limits.value.rule == "member-size"  # bundles are held to smaller limits


def test_a_member_that_lies_about_its_size_is_stopped() -> None:
    data = bytearray(zip_of(replaced("summary.txt", b"A" * 5000)))
    header = data.rfind(b"summary.txt") - 46  # central directory entry; size at offset 24
    assert data[header : header + 4] == b"PK\x01\x02"
    data[header + 24 : header + 28] = (100).to_bytes(4, "little")
    error = refused(bytes(data))
    assert (error.member, error.rule) == ("summary.txt", "zip")


# Content: hashes and version


def test_tampered_members_are_named(tmp_path: Path) -> None:
    snapshot = dict(GOOD)["snapshot.json"].replace(b"WS-0042", b"WS-0666")
    error = refused(zip_of(replaced("snapshot.json", snapshot)))
    assert (error.member, error.rule) == ("snapshot.json", "hash-mismatch")
    error = refused(zip_of(replaced("summary.txt", b"all fine\n")))
    assert (error.member, error.rule) == ("summary.txt", "hash-mismatch")
    target = tmp_path / "diag.zip"
    target.write_bytes(zip_of(replaced("summary.txt", b"all fine\n")))
    with pytest.raises(BundleError, match=r"^diag\.zip: summary\.txt: .*\(rule: hash-mismatch\)$"):
        read_bundle(target)


def test_manifest_shape_listing_and_bundle_hash() -> None:
    assert refused(zip_of(replaced("manifest.json", b"{not json"))).rule == "manifest"
    manifest = json.loads(dict(GOOD)["manifest.json"])
    for key, value in [("algorithm", "md5"), ("format", "agent-console-package"), ("members", [])]:
        error = refused(
            zip_of(replaced("manifest.json", json.dumps({**manifest, key: value}).encode()))
        )
        assert error.rule == "manifest"
    unlisted = {**manifest, "members": {"snapshot.json": manifest["members"]["snapshot.json"]}}
    error = refused(zip_of(replaced("manifest.json", json.dumps(unlisted).encode())))
    assert (error.member, error.rule) == ("summary.txt", "manifest")
    forged = json.dumps({**manifest, "bundle_hash": "0" * 64}).encode()
    assert refused(zip_of(replaced("manifest.json", forged))).rule == "bundle-hash"


def test_a_newer_format_asks_for_an_update(tmp_path: Path) -> None:
    error = refused(resealed(GOOD, version=2))
    assert (error.member, error.rule) == ("bundle", "format-version")
    assert "was made by a newer Agent Console (format 2); update Agent Console" in str(error)
    target = tmp_path / "diag.zip"
    target.write_bytes(resealed(GOOD, version=2))
    assert str(refused(target)).startswith("diag.zip: was made by a newer Agent Console")


@pytest.mark.parametrize("version", [0, -1, None, "1", True, 1.0])
def test_unknown_or_missing_format_versions_are_refused(version: object) -> None:
    error = refused(resealed(GOOD, version=version))
    assert error.rule == "format-version"
    assert ("unknown" if isinstance(version, int) and version < 1 else "format_version") in str(
        error
    )


# Meaning: the snapshot


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"1" * 5000])
def test_snapshot_must_be_a_json_object(raw: bytes) -> None:
    error = refused(resealed(replaced("snapshot.json", raw)))
    assert (error.member, error.rule) == ("snapshot.json", "snapshot")


@pytest.mark.parametrize(
    "section", ["system", "cpu", "memory", "disks", "network", "processes", "meta"]
)
def test_every_required_section_is_an_object(section: str) -> None:
    assert refused(with_snapshot(lambda s: s.pop(section))).rule == "snapshot-section"
    error = refused(with_snapshot(lambda s: s.update({section: [1]})))
    assert (error.member, error.rule) == ("snapshot.json", "snapshot-section")
    assert section in str(error)


def test_a_failed_collector_leaves_null_only_in_a_partial_snapshot() -> None:
    assert refused(with_snapshot(lambda s: s.update(cpu=None))).rule == "snapshot-section"

    def failed_cpu(snapshot: dict[str, Any]) -> None:
        snapshot.update(cpu=None)
        snapshot["meta"].update(partial=True, problems=[{"section": "cpu", "error": "denied"}])

    assert read_bundle(with_snapshot(failed_cpu)).snapshot["cpu"] is None
    # Inner content is free-form: unknown sections and fields are kept as they are.
    odd = read_bundle(with_snapshot(lambda s: s.update(gpu={"x": [1]}, cpu={"new": None})))
    assert odd.snapshot["gpu"] == {"x": [1]}


def test_summary_must_be_utf8() -> None:
    error = refused(resealed(replaced("summary.txt", b"caf\xe9")))
    assert (error.member, error.rule) == ("summary.txt", "encoding")


# Fuzzing: never anything but a BundleError

RULES = {
    "zip",
    "wrong-kind",
    "member-count",
    "member-name",
    "member-type",
    "duplicate-member",
    "member-size",
    "total-size",
    "compression-ratio",
    "missing-member",
    "unexpected-member",
    "manifest",
    "format-version",
    "hash-mismatch",
    "bundle-hash",
    "snapshot",
    "snapshot-section",
    "encoding",
}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
names = st.one_of(
    st.sampled_from(
        ["..", "../x", "/abs", "a\\b", "C:/x", "./x", "snapshot.json", "SUMMARY.TXT", "", "d/"]
        + ["summary.txt", "manifest.json", "package.json", "handoff.md", "x/../y"]
    ),
    st.text(min_size=1, max_size=30),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def check(data: bytes, resealed_by_attacker: bool = False) -> None:
    try:
        verified = read_bundle(data)
    except BundleError as error:
        assert error.rule in RULES, error.rule
        assert error.member and str(error).startswith(error.member)
        return
    if not resealed_by_attacker:
        # Nothing was re-hashed: only the bundle we started from may be accepted.
        assert verified.bundle_hash == read_bundle(GOOD_DATA).bundle_hash
        assert verified.snapshot == sample_snapshot()
        return
    # A consistent forgery is a different bundle; it must still have the shape we rely on.
    for section in ("system", "cpu", "memory", "disks", "network", "processes", "meta"):
        assert isinstance(verified.snapshot[section], dict | None)
    assert verified.format_version == 1


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_are_refused_with_a_rule(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.data())
def test_mutated_bundles_are_refused_unless_intact(data: st.DataObject) -> None:
    members: list[Member] = list(GOOD)
    version: object = 1
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(
            st.sampled_from(["rename", "drop", "add", "flip", "duplicate", "snapshot", "version"])
        )
        if kind in STRUCTURAL:
            mutate_structure(kind, data, members, names)
        elif kind == "snapshot":
            key = data.draw(st.sampled_from(["system", "cpu", "meta", "processes", "extra"]))
            value = data.draw(json_values)
            members = [
                (n, json.dumps({**sample_snapshot(), key: value}).encode())
                if n == "snapshot.json"
                else (n, d)
                for n, d in members
            ]
        elif kind == "version":
            version = data.draw(st.one_of(st.integers(-2, 3), st.none(), st.text(max_size=2)))
    # Half the time an attacker recomputes the manifest, to get past the hashes.
    sealed = data.draw(st.booleans()) and _packable(members) and all(n for n, _ in members)
    if sealed:
        members = members_of(resealed(members, version))
    packed = zip_of(members) if _packable(members) else GOOD_DATA[: len(GOOD_DATA) // 2]
    if data.draw(st.integers(0, 4)) == 0:
        packed = packed[: data.draw(st.integers(0, len(packed)))]
    check(packed, resealed_by_attacker=sealed)


def _packable(members: list[Member]) -> bool:
    try:
        zip_of(members)
    except (ValueError, UnicodeEncodeError):
        return False
    return True
