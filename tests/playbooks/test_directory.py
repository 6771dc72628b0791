"""Validating and loading a folder of playbooks: every file, ids unique across all of them,
and nothing loaded unless everything is valid."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from console.playbooks.problems import PlaybookError
from console.playbooks.validator import (
    load_playbook,
    load_playbooks,
    playbook_files,
    validate_paths,
)
from tests.playbooks.samples import BASE, CATALOG, edited


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_playbook_id_used_twice_is_an_error_in_the_second_file(tmp_path: Path) -> None:
    first = write(tmp_path / "a-printer.yaml", BASE)
    second = write(
        tmp_path / "b-printer-again.yml", edited("title: Printer jammed", "title: Again")
    )
    write(tmp_path / "c-other.yaml", edited("id: printer-jam", "id: printer-offline"))
    reports = validate_paths([tmp_path], catalog=CATALOG)
    assert [Path(r.path).name for r in reports] == [
        "a-printer.yaml",
        "b-printer-again.yml",
        "c-other.yaml",
    ]
    assert [r.ok for r in reports] == [True, False, True]
    assert [str(p) for p in reports[1].problems] == [
        f"{second}:1:5: error: duplicate playbook id 'printer-jam': {first}:1:5 uses it already"
    ]


def test_ids_are_unique_across_every_path_given(tmp_path: Path) -> None:
    one = write(tmp_path / "bundled" / "printer.yaml", BASE)
    two = write(tmp_path / "ours" / "printer.yaml", BASE)
    reports = validate_paths([tmp_path / "bundled", two], catalog=CATALOG)
    assert [p.message for p in reports[1].problems] == [
        f"duplicate playbook id 'printer-jam': {one}:1:5 uses it already"
    ]


def test_files_are_found_recursively_in_order_and_hidden_ones_skipped(tmp_path: Path) -> None:
    for name in ("b.yaml", "a/z.yml", "a/y.yaml", ".git/x.yaml", "a/.swap.yaml", "README.md"):
        write(tmp_path / name, BASE)
    found = [path.relative_to(tmp_path).as_posix() for path in playbook_files(tmp_path)]
    assert found == ["a/y.yaml", "a/z.yml", "b.yaml"]


def test_an_empty_directory_and_a_missing_file_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    reports = validate_paths([tmp_path / "empty", tmp_path / "nope.yaml"], catalog=CATALOG)
    assert [str(p) for r in reports for p in r.problems] == [
        f"{tmp_path / 'empty'}: error: no playbook files (*.yaml, *.yml) in it",
        f"{tmp_path / 'nope.yaml'}: error: cannot read: No such file or directory",
    ]


def test_load_playbooks_is_all_or_nothing(tmp_path: Path) -> None:
    write(tmp_path / "good.yaml", BASE)
    assert [p.id for p in load_playbooks([tmp_path], catalog=CATALOG)] == ["printer-jam"]
    bad = write(
        tmp_path / "bad.yaml", edited("id: printer-jam", "id: other").replace("complexity", "nope")
    )
    with pytest.raises(PlaybookError) as caught:
        load_playbooks([tmp_path], catalog=CATALOG)
    assert str(caught.value).startswith(f"{bad}:27:25: error: unknown trigger 'nope'")
    assert all(p.path == str(bad) for p in caught.value.problems)


def test_load_playbook_allows_warnings_and_pins_the_file_bytes(tmp_path: Path) -> None:
    text = edited("[printer_name]", "[printer_name, error_text]")
    path = write(tmp_path / "p.yaml", text)
    playbook = load_playbook(path, catalog=CATALOG)
    assert playbook.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert playbook.source.path == str(path)
