"""``agent-console playbook check|simulate|graph``: output, exit codes, and bad input located,
never a traceback. Runs the commands in-process through the same registration and handler
table the top-level parser uses (``add_playbook_commands``, ``PLAYBOOK_HANDLERS``)."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.cli.common import CliEnvironment, CommandError
from console.cli.playbook import PLAYBOOK_HANDLERS, add_playbook_commands
from console.store.credentials import InMemoryCredentials
from tests.playbooks.samples import BASE, EXAMPLE, edited
from tests.playbooks.test_graph import parse_digraph


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Cli = Callable[..., Result]


@pytest.fixture
def cli() -> Cli:
    def invoke(*argv: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        env = CliEnvironment(
            credentials=InMemoryCredentials, environ={}, stdin=io.StringIO(), stdout=out, stderr=err
        )
        parser = argparse.ArgumentParser(prog="agent-console")
        add_playbook_commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
        try:
            args = parser.parse_args(list(argv))
            code = PLAYBOOK_HANDLERS[(args.command, args.action)](args, env)
        except CommandError as exc:  # as console.cli.run reports it
            print(f"agent-console: {exc}", file=err)
            code = exc.code
        except SystemExit as exc:  # argparse: bad arguments
            code = int(exc.code or 0)
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_check_a_valid_playbook(cli: Cli, tmp_path: Path) -> None:
    result = cli("playbook", "check", str(write(tmp_path / "p.yaml", BASE)))
    assert (result.code, result.out, result.err) == (0, "1 playbook valid\n", "")


def test_check_prints_warnings_and_still_passes(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", edited("[printer_name]", "[printer_name, error_text]"))
    result = cli("playbook", "check", str(path))
    assert result.code == 0
    assert result.out.splitlines() == [
        f"{path}:26:3: warning: escalation 'network' can be reached without setting error_text "
        "(for example which -> ping -> network); the handoff gate will ask for it",
        "1 playbook valid (1 warning)",
    ]


def test_check_the_example(cli: Cli) -> None:
    result = cli("playbook", "check", str(EXAMPLE))
    assert result.code == 2 and result.err == ""
    lines = result.out.splitlines()
    assert lines[0] == (
        f"{EXAMPLE}:33:3: error: node 'os_branch' is unreachable: no path from start 'scope' "
        "leads to it"
    )
    assert [line.split(": ")[0:2] for line in lines[1:3]] == [
        [f"{EXAMPLE}:43:3", "warning"],
        [f"{EXAMPLE}:50:3", "warning"],
    ]
    assert lines[3:] == ["1 file of 1 invalid: 1 error, 2 warnings"]


def test_check_directories_and_files_reporting_every_problem(cli: Cli, tmp_path: Path) -> None:
    library = tmp_path / "library"
    first = write(library / "a.yaml", BASE)
    again = write(library / "b.yaml", BASE)
    broken = write(library / "c.yaml", "id: [unclosed\n")
    other = write(tmp_path / "extra.yaml", edited("id: printer-jam", "id: extra"))
    result = cli("playbook", "check", str(library), str(other), str(tmp_path / "missing.yaml"))
    assert result.code == 2
    assert result.out.splitlines() == [
        f"{again}:1:5: error: duplicate playbook id 'printer-jam': {first}:1:5 uses it already",
        f"{broken}:2:1: error: YAML syntax: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence at 1:5)",
        f"{tmp_path / 'missing.yaml'}: error: cannot read: No such file or directory",
        "3 files of 5 invalid: 3 errors, 0 warnings",
    ]


def test_simulate_json(cli: Cli) -> None:
    result = cli("playbook", "simulate", "--json", str(EXAMPLE))
    assert result.code == 0
    data = json.loads(result.out)
    assert data["playbook"] == "vpn-cannot-connect"
    assert len(data["paths"]) == 19 and data["truncated"] is None
    assert data["paths"][-1]["nodes"] == ["scope", "outage"]
    # Its problems are on stderr: simulating is for looking, `check` is the gate.
    assert f"{EXAMPLE}:33:3: error: node 'os_branch' is unreachable" in result.err
    assert result.err.endswith(
        f"agent-console: {EXAMPLE} is not valid (1 error above); showing it anyway\n"
    )


def test_simulate_text(cli: Cli, tmp_path: Path) -> None:
    result = cli("playbook", "simulate", str(write(tmp_path / "p.yaml", BASE)))
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("printer-jam (version 1): 3 paths\n\npath 1: resolve at fixed:")
    assert "  ping (check tcp_connect): fail\n" in result.out


def test_simulate_stops_where_asked_and_says_so(cli: Cli, tmp_path: Path) -> None:
    result = cli("playbook", "simulate", "--json", "--max-paths", "2", str(EXAMPLE))
    assert result.code == 0
    data = json.loads(result.out)
    assert len(data["paths"]) == 2 and data["truncated"] == "stopped at 2 paths; there may be more"
    assert result.err.endswith("agent-console: warning: stopped at 2 paths; there may be more\n")
    assert cli("playbook", "simulate", "--max-paths", "0", str(EXAMPLE)).code == 2


def test_graph(cli: Cli) -> None:
    result = cli("playbook", "graph", str(EXAMPLE))
    assert result.code == 0
    name, nodes, _ = parse_digraph(result.out)
    assert name == "vpn-cannot-connect" and "os_branch" in nodes


@pytest.mark.parametrize("command", ["simulate", "graph"])
def test_unreadable_playbooks_are_refused_with_every_problem_located(
    cli: Cli, tmp_path: Path, command: str
) -> None:
    path = write(tmp_path / "p.yaml", edited("    next: ping\n", "    nxt: ping\n"))
    result = cli("playbook", command, str(path))
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        f"{path}:8:3: error: node 'which': missing 'next' (the id of the node to go to)",
        f"{path}:10:5: error: node 'which': unknown key 'nxt' (did you mean 'next'?); "
        "it takes input, next",
        f"agent-console: {path}: cannot be read as a playbook (2 errors above)",
    ]


def test_a_missing_file(cli: Cli, tmp_path: Path) -> None:
    result = cli("playbook", "graph", str(tmp_path / "nope.yaml"))
    assert result.code == 2
    assert "cannot read: No such file or directory" in result.err
    assert "Traceback" not in result.err


def test_bad_arguments(cli: Cli) -> None:
    assert cli("playbook", "check").code == 2
    assert cli("playbook").code == 2
