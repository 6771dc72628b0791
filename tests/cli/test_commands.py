"""The CLI contract: commands, JSON keys, exit codes, one-sentence errors."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from console import __version__
from tests.cli.conftest import CliRunner, Result


def one_sentence(result: Result) -> str:
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def seeded(cli: CliRunner, store: str, n: int = 120) -> list[dict[str, object]]:
    assert cli("--store", store, "demo", "seed", "--tickets", str(n)).code == 0
    listed = cli("--store", store, "tickets", "list", "--json")
    assert listed.code == 0, listed.err
    rows: list[dict[str, object]] = json.loads(listed.out)
    return rows


def test_version_and_help_from_the_installed_command() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "console", "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == f"agent-console {__version__}"
    # With no command it is the window (tests/ui/shell/test_startup.py); --help is the CLI's usage.
    usage = subprocess.run(
        [sys.executable, "-m", "console", "--help"], capture_output=True, text=True, timeout=60
    )
    assert usage.returncode == 0
    assert "usage: agent-console" in usage.stdout


def test_default_store_is_sqlite_in_the_user_data_dir(cli: CliRunner, home: Path) -> None:
    result = cli("db", "upgrade")
    assert result.code == 0, result.err
    assert (home / "xdg_data_home" / "agent-console" / "console.db").exists()
    assert "schema at revision 0002" in result.out


def test_store_from_environment_then_config_file(
    cli: CliRunner, home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = home / "xdg_config_home" / "agent-console" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "from-config.db"}"\n')
    assert cli("db", "upgrade").code == 0
    assert (tmp_path / "from-config.db").exists()

    monkeypatch.setenv("AGENT_CONSOLE_STORE", str(tmp_path / "from-env.db"))
    assert cli("db", "upgrade").code == 0
    assert (tmp_path / "from-env.db").exists()


def test_broken_config_file_is_named(cli: CliRunner, home: Path) -> None:
    config = home / "xdg_config_home" / "agent-console" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[store\nurl = 1\n")
    result = cli("tickets", "list")
    assert result.code == 2
    assert one_sentence(result).startswith(f"agent-console: {config}: not valid TOML")


def test_seed_and_list(cli: CliRunner, tmp_path: Path) -> None:
    rows = seeded(cli, str(tmp_path / "a.db"), 400)
    assert len(rows) == 400
    assert {"ref", "status", "category", "priority", "has_package"} <= set(rows[0])
    statuses = {r["status"] for r in rows}
    assert {"resolved", "escalated", "pending_review", "open"} <= statuses
    assert len({r["category"] for r in rows}) >= 8
    assert all(r["has_package"] == (r["status"] == "escalated") for r in rows)
    assert all(r["priority"] for r in rows if r["status"] == "escalated")
    assert len({r["ref"] for r in rows}) == 400

    escalated = cli(
        "--store", str(tmp_path / "a.db"), "tickets", "list", "--status", "escalated", "--json"
    )
    only = json.loads(escalated.out)
    assert only and all(r["status"] == "escalated" for r in only)
    assert (
        cli(
            "--store", str(tmp_path / "a.db"), "tickets", "list", "--limit", "7", "--json"
        ).out.count('"ref"')
        == 7
    )
    text = cli("--store", str(tmp_path / "a.db"), "tickets", "list", "--limit", "3")
    assert text.out.splitlines()[0].split()[:3] == ["REF", "STATUS", "CATEGORY"]
    assert len(text.out.splitlines()) == 4


def test_empty_store_lists_an_empty_array(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("--store", str(tmp_path / "empty.db"), "tickets", "list", "--json")
    assert result.code == 0
    assert json.loads(result.out) == []


def test_export_verify_show_and_import_twice(cli: CliRunner, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    ref = next(r["ref"] for r in seeded(cli, a) if r["has_package"])
    out = tmp_path / "pkg.zip"
    exported = cli("--store", a, "package", "export", str(ref), "-o", str(out))
    assert exported.code == 0, exported.err
    package_hash = exported.out.split("package hash ")[1].rstrip(")\n")

    verified = cli("package", "verify", str(out))
    assert verified.code == 0
    assert package_hash in verified.out and str(ref) in verified.out

    shown = cli("package", "show", str(out))
    assert shown.code == 0
    assert str(ref) in shown.out and "verbatim" in shown.out.lower()

    first = cli("--store", b, "package", "import", str(out))
    assert first.code == 0 and first.out.startswith("Imported")
    again = cli("--store", b, "package", "import", str(out))
    assert again.code == 0 and "nothing changed" in again.out
    listed = json.loads(cli("--store", b, "tickets", "list", "--json").out)
    assert [(r["ref"], r["status"], r["has_package"]) for r in listed] == [(ref, "escalated", True)]

    out_b = tmp_path / "pkg-b.zip"
    assert cli("--store", b, "package", "export", str(ref), "-o", str(out_b)).code == 0
    assert out_b.read_bytes() == out.read_bytes()


@pytest.mark.postgres
def test_round_trip_into_a_postgres_store_keeps_the_package_hash(
    cli: CliRunner, tmp_path: Path, pg_url: str
) -> None:
    a = str(tmp_path / "a.db")
    ref = next(r["ref"] for r in seeded(cli, a) if r["has_package"])
    out, back = tmp_path / "pkg.zip", tmp_path / "back.zip"
    exported = cli("--store", a, "package", "export", str(ref), "-o", str(out))
    assert cli("package", "verify", str(out)).code == 0
    assert cli("--store", pg_url, "db", "upgrade").code == 0
    imported = cli("--store", pg_url, "package", "import", str(out))
    assert imported.code == 0, imported.err
    reexported = cli("--store", pg_url, "package", "export", str(ref), "-o", str(back))
    assert reexported.code == 0, reexported.err
    assert exported.out.split("package hash ")[1] == reexported.out.split("package hash ")[1]
    assert back.read_bytes() == out.read_bytes()


def test_bad_input_exits_2_with_one_sentence(cli: CliRunner, tmp_path: Path) -> None:
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("this is not a package")
    result = cli("package", "verify", str(not_zip))
    assert result.code == 2
    sentence = one_sentence(result)
    assert "notes.zip: " in sentence and sentence.endswith("(rule: zip)")  # the file, the rule

    missing = cli("package", "show", str(tmp_path / "nope.zip"))
    assert missing.code == 2
    assert "nope.zip" in one_sentence(missing)

    store = str(tmp_path / "a.db")
    unknown = cli("--store", store, "package", "export", "HD-NOSUCH", "-o", str(tmp_path / "x.zip"))
    assert unknown.code == 2
    assert "HD-NOSUCH" in one_sentence(unknown)
    assert not (tmp_path / "x.zip").exists()

    assert cli("--store", store, "demo", "seed", "--tickets", "zero").code == 2
    assert cli("--store", store, "tickets", "list", "--status", "lost").code == 2

    secret = cli("--store", "postgresql://agent:hunter2@db.example.com/hd", "tickets", "list")
    assert secret.code == 2
    assert "hunter2" not in secret.err and "store login" in one_sentence(secret)


def test_tampered_package_is_rejected_and_not_imported(cli: CliRunner, tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    ref = next(r["ref"] for r in seeded(cli, a) if r["has_package"])
    good = tmp_path / "good.zip"
    assert cli("--store", a, "package", "export", str(ref), "-o", str(good)).code == 0
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "handoff.md":
                data = data.replace(b"P", b"Q", 1)
            dst.writestr(info, data)
    result = cli("--store", b, "package", "import", str(bad))
    assert result.code == 2
    assert "handoff.md" in one_sentence(result)
    assert json.loads(cli("--store", b, "tickets", "list", "--json").out) == []


def test_unreachable_team_store_is_a_runtime_failure(cli: CliRunner) -> None:
    result = cli("--store", "postgresql://agent@127.0.0.1:1/helpdesk", "tickets", "list")
    assert result.code == 1
    assert one_sentence(result).startswith(
        "agent-console: Cannot reach the ticket store postgresql+psycopg://agent@127.0.0.1:1/helpdesk"
    )
