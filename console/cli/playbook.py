"""Playbook authoring commands: ``playbook check``, ``playbook simulate`` and ``playbook graph``.

A contract like the rest of the CLI. ``check`` prints every problem as
``path:line:column: severity: message`` on stdout (the format editors and CI annotate from)
and exits 0 when every file is valid (warnings allowed), 2 when any is not. ``simulate`` and
``graph`` are for looking at a playbook while writing it: they work on any playbook whose
structure can be read (one with, say, an unreachable node is still worth a picture), print
its problems on stderr, and exit 2 only when there is nothing to show. None of them imports
Qt or SQLAlchemy.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.cli.common import BAD_INPUT, OK, CliEnvironment, CommandError, positive_int

if TYPE_CHECKING:
    from console.playbooks.model import Playbook
    from console.playbooks.problems import Problem


def add_playbook_commands(commands: Any) -> None:
    """Register the commands on the top-level subparsers (``commands``)."""
    playbook = commands.add_parser(
        "playbook", help="troubleshooting playbooks: validate, simulate, draw"
    ).add_subparsers(dest="action", required=True)
    check = playbook.add_parser(
        "check", help="validate playbook files and directories, reporting every problem"
    )
    check.add_argument("paths", nargs="+", type=Path, metavar="FILE|DIR")
    simulate = playbook.add_parser("simulate", help="list every path from start to a leaf")
    simulate.add_argument("file", type=Path)
    simulate.add_argument("--json", action="store_true", help='{"playbook": id, "paths": [...]}')
    simulate.add_argument(
        "--max-paths",
        type=positive_int,
        metavar="N",
        help="stop after N paths (default 50000; the output says when it stopped early)",
    )
    graph = playbook.add_parser("graph", help="print the playbook as Graphviz DOT")
    graph.add_argument("file", type=Path)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _check(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.playbooks.validator import validate_paths

    reports = validate_paths(args.paths)
    for report in reports:
        for problem in report.problems:
            print(problem, file=env.stdout)
    errors = sum(len(report.errors) for report in reports)
    warnings = sum(len(report.warnings) for report in reports)
    checked = len(reports)
    invalid = sum(not report.ok for report in reports)
    if errors:
        print(
            f"{_plural(invalid, 'file')} of {checked} invalid: {_plural(errors, 'error')}, "
            f"{_plural(warnings, 'warning')}",
            file=env.stdout,
        )
        return BAD_INPUT
    print(
        f"{_plural(checked, 'playbook')} valid"
        + (f" ({_plural(warnings, 'warning')})" if warnings else ""),
        file=env.stdout,
    )
    return OK


def _readable(path: Path, env: CliEnvironment) -> Playbook:
    """The playbook in ``path`` if its structure can be read; its problems go to stderr."""
    from console.playbooks.validator import validate_file

    report = validate_file(path)
    _print_problems(report.problems, env)
    if report.playbook is None:
        raise CommandError(
            f"{path}: cannot be read as a playbook ({_plural(len(report.errors), 'error')} above)",
            BAD_INPUT,
        )
    if report.errors:
        print(
            f"agent-console: {path} is not valid ({_plural(len(report.errors), 'error')} above); "
            "showing it anyway",
            file=env.stderr,
        )
    return report.playbook


def _print_problems(problems: Sequence[Problem], env: CliEnvironment) -> None:
    for problem in problems:
        print(problem, file=env.stderr)


def _simulate(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.playbooks.simulator import render_text, simulate

    playbook = _readable(args.file, env)
    limits = {} if args.max_paths is None else {"max_paths": args.max_paths}
    simulation = simulate(playbook, **limits)
    if args.json:
        json.dump(simulation.to_dict(), env.stdout, indent=1, ensure_ascii=False)
        env.stdout.write("\n")
    else:
        env.stdout.write(render_text(simulation))
    if simulation.truncated:
        print(f"agent-console: warning: {simulation.truncated}", file=env.stderr)
    return OK


def _graph(args: argparse.Namespace, env: CliEnvironment) -> int:
    from console.playbooks.graph import render_dot

    env.stdout.write(render_dot(_readable(args.file, env)))
    return OK


Handler = Callable[[argparse.Namespace, CliEnvironment], int]
PLAYBOOK_HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("playbook", "check"): _check,
    ("playbook", "simulate"): _simulate,
    ("playbook", "graph"): _graph,
}
