"""``collect``, ``check`` and ``diagnostics show|diff``: the contract, on this machine."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import CliRunner

TOP_LEVEL = {"system", "cpu", "memory", "disks", "network", "processes", "meta"}


@pytest.fixture
def listening_port() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_collect_prints_a_summary_and_json(cli: CliRunner) -> None:
    summary = cli("collect")
    assert summary.code == 0, summary.err
    assert summary.out.startswith("Diagnostics captured")
    assert "memory:" in summary.out and "privacy:  standard" in summary.out

    full = cli("collect", "--json")
    assert full.code == 0, full.err
    data = json.loads(full.out)
    assert set(data) >= TOP_LEVEL
    assert data["meta"]["privacy"] == "standard"


def test_privacy_from_the_flag_or_the_config_file(cli: CliRunner, home: Path) -> None:
    assert json.loads(cli("collect", "--json", "--privacy", "strict").out)["meta"]["privacy"] == (
        "strict"
    )
    config = home / "xdg_config_home" / "agent-console" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[diagnostics]\nprivacy = "strict"\n')
    assert json.loads(cli("collect", "--json").out)["meta"]["privacy"] == "strict"
    config.write_text('[diagnostics]\nprivacy = "paranoid"\n')
    bad = cli("collect")
    assert bad.code == 2
    assert str(config) in bad.err and "privacy must be one of standard, strict" in bad.err
    assert len(bad.err.strip().splitlines()) == 1


def test_bundle_round_trip_show_and_diff(cli: CliRunner, tmp_path: Path) -> None:
    first, second = tmp_path / "before.zip", tmp_path / "after.zip"
    made = cli("collect", "-o", str(first))
    assert made.code == 0, made.err
    assert f"Wrote {first}" in made.out
    assert cli("collect", "--json", "-o", str(second)).code == 0

    shown = cli("diagnostics", "show", str(first))
    assert shown.code == 0, shown.err
    assert "valid diagnostics bundle" in shown.out and "Diagnostics captured" in shown.out
    as_json = json.loads(cli("diagnostics", "show", "--json", str(first)).out)
    assert set(as_json) >= TOP_LEVEL

    compared = cli("diagnostics", "diff", str(first), str(second))
    assert compared.code == 0, compared.err


def test_bad_bundles_exit_2_with_one_sentence(cli: CliRunner, tmp_path: Path) -> None:
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    bundle = tmp_path / "bundle.zip"
    assert cli("collect", "-o", str(bundle)).code == 0
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "snapshot.json":
                data = data.replace(b'"privacy"', b'"privacY"', 1)
            dst.writestr(info, data)
    refused = {not_zip: "zip", tampered: "hash-mismatch", tmp_path / "missing.zip": "file"}
    for path, rule in refused.items():
        result = cli("diagnostics", "show", str(path))
        assert result.code == 2, (path, result)
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err
        assert f"{path.name}: " in result.err and result.err.strip().endswith(f"(rule: {rule})")


def test_check_exit_codes(cli: CliRunner, listening_port: int) -> None:
    passed = cli("check", "tcp_connect", "host=127.0.0.1", f"port={listening_port}")
    assert passed.code == 0, passed.out + passed.err
    assert passed.out.startswith("PASS")

    failed = cli("check", "tcp_connect", "host=127.0.0.1", f"port={closed_port()}")
    assert failed.code == 1
    assert failed.out.startswith("FAIL")

    as_json = json.loads(
        cli("check", "--json", "tcp_connect", "host=127.0.0.1", f"port={listening_port}").out
    )
    assert as_json["status"] == "pass" and as_json["name"] == "tcp_connect"

    listing = cli("check")
    assert listing.code == 0 and "tcp_connect" in listing.out and "dns_resolves" in listing.out


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("check", "tcp_conect", "host=x", "port=1"), "tcp_conect"),
        (("check", "tcp_connect", "host=127.0.0.1", "port=abc"), "port"),
        (("check", "tcp_connect", "host=127.0.0.1"), "port"),
        (("check", "tcp_connect", "host=127.0.0.1", "port=80", "colour=red"), "colour"),
        (("check", "tcp_connect", "127.0.0.1"), "127.0.0.1"),
        (("collect", "--privacy", "loose"), "loose"),
    ],
)
def test_bad_check_arguments_exit_2_naming_the_argument(
    cli: CliRunner, argv: tuple[str, ...], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cli(*argv)
    err = result.err + capsys.readouterr().err  # argparse itself writes to sys.stderr
    assert result.code == 2
    assert named in err
    assert "Traceback" not in err


def test_collect_imports_neither_qt_nor_sqlalchemy() -> None:
    probe = (
        "import sys, io, contextlib\n"
        "from console.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['collect', '--json'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'PySide6', 'sqlalchemy', 'alembic', 'psycopg'})\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "0 []", done.stderr


def test_collect_leaves_out_the_modules_that_only_slow_it_down() -> None:
    # Measured marginal import costs on the collect path: dataclasses ~15 ms (inspect, ast,
    # dis, tokenize), platformdirs ~15 ms (pathlib, tempfile, shutil, random, bz2, lzma),
    # platform ~2.5 ms, typing ~4.5 ms, pathlib ~4 ms, argparse's shutil ~3.4 ms; `collect`
    # is timed against hwinfo (issue 3).
    # Only what collect itself imports counts: a plain `pip install -e .` loads setuptools'
    # import hook at interpreter start, and the hook imports pathlib before console is found.
    probe = (
        "import sys, io, contextlib\n"
        "loaded = set(sys.modules)\n"
        "from console.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['collect', '--json'])\n"
        "slow = sorted((set(sys.modules) - loaded) & "
        "{'dataclasses', 'inspect', 'platformdirs', 'platform', 'tempfile',"
        " 'typing', 'pathlib', 'shutil', 'getpass'})\n"
        "print(code, slow)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "0 []", done.stderr


def test_the_capture_runs_without_typing() -> None:
    # typing costs `collect` ~5 ms to import; see console/diagnostics/__init__.py.
    probe = (
        "import sys, json\n"
        "sys.modules['typing'] = None  # importing it now fails\n"
        "from console.config import default_privacy\n"
        "from console.diagnostics.redaction import Privacy\n"
        "from console.diagnostics.snapshot import capture_snapshot\n"
        "from console.diagnostics.summary import render_summary\n"
        "data = capture_snapshot(Privacy(default_privacy())).data\n"
        "print(sorted(json.loads(json.dumps(data))), bool(render_summary(data)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("True"), done.stdout
    assert all(f"'{key}'" in done.stdout for key in TOP_LEVEL)


def test_help_is_laid_out_as_argparse_lays_it_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from console.cli.common import ArgumentParser, HelpFormatter

    def build(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        collect = parser.add_subparsers(dest="command").add_parser("collect", help="capture")
        collect.add_argument("--privacy", choices=["standard", "strict"], help="level " * 30)
        return collect

    ours = build(ArgumentParser(prog="agent-console"))
    theirs = build(argparse.ArgumentParser(prog="agent-console"))
    assert ours.formatter_class is HelpFormatter  # subparsers share it
    helps = {}
    for columns in ("50", "123", "", "not a number"):
        monkeypatch.setenv("COLUMNS", columns)
        helps[columns] = ours.format_help()
        assert helps[columns] == theirs.format_help()
    assert helps["50"] != helps["123"]  # the width is followed


def test_the_parser_for_one_command_is_the_same_as_in_the_whole_one(
    cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    from console.cli import build_parser

    whole = build_parser().parse_args(["--store", "x.db", "collect", "--privacy", "strict"])
    alone = build_parser(only="collect").parse_args(
        ["--store", "x.db", "collect", "--privacy", "strict"]
    )
    assert vars(whole) == vars(alone)
    assert cli("--store", "x.db", "bogus").code == 2  # an unknown word still gets the full list
    assert "choose from 'db', 'demo'" in capsys.readouterr().err


def test_the_installed_command_flushes_everything_and_stops_quietly_on_a_closed_pipe() -> None:
    from pathlib import Path as _Path

    command = str(_Path(sys.executable).with_name("agent-console"))
    whole = subprocess.run(
        [command, "collect", "--json"], capture_output=True, text=True, timeout=60, check=False
    )
    assert whole.returncode == 0, whole.stderr
    assert set(json.loads(whole.stdout)) >= TOP_LEVEL  # complete although teardown is skipped

    writer = subprocess.run(
        ["bash", "-c", f"'{command}' collect --json | head -c 10 >/dev/null"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert writer.stderr == b""  # no traceback, no "Exception ignored"
