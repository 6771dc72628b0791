"""Hypothesis throws garbage and mutated packages at the reader: it refuses with a named rule
or accepts only what is really intact, and never fails any other way."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.packages.errors import PackageError
from console.packages.manifest import sha256
from console.packages.model import PackageDocument
from console.packages.reader import read_package
from tests.packages.factories import sample_package
from tests.packages.test_reader_rules import Member, members_of, resealed, zip_of
from tests.support.zip_mutations import STRUCTURAL, mutate_structure

RULES = {
    "zip",
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
    "hash-mismatch",
    "package-hash",
    "schema-version",
    "schema",
    "attachment",
    "encoding",
}
VALID = sample_package()
GOOD = members_of(VALID.data)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

names = st.one_of(
    st.sampled_from(
        [
            "..",
            "../x",
            "/abs",
            "a\\b",
            "C:/x",
            "attachments/../m",
            "attachments/",
            "./x",
            "attachments/a.png",
            "package.json",
            "HANDOFF.MD",
            "attachments/x/../../y",
            "",
        ]
    ),
    st.text(min_size=1, max_size=30),
)


def check(data: bytes, resealed_by_attacker: bool = False) -> None:
    try:
        verified = read_package(data)
    except PackageError as error:
        assert error.rule in RULES, error.rule
        assert error.member and str(error).startswith(error.member)
        return
    if not resealed_by_attacker:
        # Nothing was re-hashed: only the package we started from may be accepted.
        assert verified.package_hash == VALID.package_hash
        assert verified.members == dict(GOOD[:-1])
        return
    # A consistent forgery is a different package; it must still be safe to extract and use.
    for name, body in verified.members.items():
        assert name in ("package.json", "handoff.md") or (
            name.startswith("attachments/") and ".." not in name.split("/")
        )
        assert sha256(body)
    assert PackageDocument.model_validate_json(verified.members["package.json"])


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_are_refused_with_a_rule(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.data())
def test_mutated_packages_are_refused_unless_intact(data: st.DataObject) -> None:
    members: list[Member] = list(GOOD)
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(
            st.sampled_from(["rename", "drop", "add", "flip", "duplicate", "manifest", "document"])
        )
        if kind in STRUCTURAL:
            mutate_structure(kind, data, members, names)
        elif kind == "manifest":
            members = [
                (
                    n,
                    json.dumps(
                        data.draw(st.dictionaries(st.text(max_size=8), st.integers()))
                    ).encode(),
                )
                if n == "manifest.json"
                else (n, d)
                for n, d in members
            ]
        elif kind == "document":
            key = data.draw(st.sampled_from(["schema_version", "handoff", "ticket", "gate", "x"]))
            value = data.draw(st.one_of(st.integers(), st.text(max_size=5), st.none()))
            members = [
                (n, json.dumps({**json.loads(d), key: value}).encode())
                if n == "package.json" and _json_object(d)
                else (n, d)
                for n, d in members
            ]
    # Half the time an attacker recomputes the manifest, to get past the hashes to the schema.
    sealed = data.draw(st.booleans()) and _sealable(members)
    if sealed:
        members = members_of(resealed(members))
    packed = zip_of(members) if _packable(members) else VALID.data[: len(VALID.data) // 2]
    if data.draw(st.integers(0, 4)) == 0:
        packed = packed[: data.draw(st.integers(0, len(packed)))]
    check(packed, resealed_by_attacker=sealed)


def _json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def _packable(members: list[Member]) -> bool:
    try:
        zip_of(members)
    except (ValueError, UnicodeEncodeError):
        return False
    return True


def _sealable(members: list[Member]) -> bool:
    return _packable(members) and all(name for name, _ in members)


def test_the_fuzz_starts_from_a_valid_package() -> None:
    check(VALID.data)
    with zipfile.ZipFile(BytesIO(VALID.data)) as archive:
        assert archive.testzip() is None
