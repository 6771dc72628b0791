"""The installed ``agent-console`` entry point, in-process: window or command, and how it exits.

The subprocess tests (test_commands.py, tests/ui/shell/test_startup.py) prove the real thing
end to end; these pin the choices ``console.__main__`` makes on the way.
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import pytest

import console.__main__ as entry_point
from console.__main__ import QUICK_EXIT_COMMANDS, entry, main, wants_window
from console.resources import resources_dir


@pytest.mark.parametrize(
    ("argv", "window"),
    [
        ([], True),
        (["--store", "postgresql://db.example.com/helpdesk"], True),
        (["--store=/tmp/console.db", "--exit-after-startup"], True),
        (["--exit-after-startup", "--store", "collect"], True),  # a URL, however it reads
        (["--version"], False),
        (["--help"], False),
        (["--store", "/tmp/console.db", "tickets", "list"], False),
        (["collect"], False),
    ],
)
def test_only_the_windows_own_options_mean_the_window(argv: list[str], window: bool) -> None:
    assert wants_window(argv) is window


def test_no_command_starts_the_window_with_its_options(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Sequence[str]] = []
    app = types.ModuleType("console.app")  # the real one needs Qt; this records the call
    app.run = lambda argv: started.append(argv) or 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "console.app", app)
    assert main(["--store", "x.db", "--exit-after-startup"]) == 7
    assert started == [["--store", "x.db", "--exit-after-startup"]]


def test_a_command_runs_in_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["playbook", "check", str(resources_dir() / "playbooks")]) == 0
    assert "error" not in capsys.readouterr().out.lower()


class Exited(Exception):
    def __init__(self, how: str, code: int | str | None) -> None:
        super().__init__(how, code)
        self.how, self.code = how, code


def exit_as(how: str) -> object:
    def leave(code: int | str | None = None) -> None:
        raise Exited(how, code)

    return leave


@pytest.fixture
def exits(monkeypatch: pytest.MonkeyPatch) -> None:
    """sys.exit and os._exit raise instead of ending the test process."""
    monkeypatch.setattr(entry_point.sys, "exit", exit_as("sys.exit"))
    monkeypatch.setattr(entry_point.os, "_exit", exit_as("os._exit"))


@pytest.mark.usefixtures("exits")
def test_a_command_exits_through_the_interpreter_with_its_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [not, a, playbook\n", encoding="utf-8")
    monkeypatch.setattr(
        entry_point.sys, "argv", ["agent-console", "playbook", "check", str(broken)]
    )
    with pytest.raises(Exited) as exited:
        entry()
    assert (exited.value.how, exited.value.code) == ("sys.exit", 2)


@pytest.mark.usefixtures("exits")
def test_collect_skips_the_interpreters_teardown(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "collect" in QUICK_EXIT_COMMANDS
    monkeypatch.setattr(entry_point.sys, "argv", ["agent-console", "collect", "--json"])
    with pytest.raises(Exited) as exited:
        entry()
    assert (exited.value.how, exited.value.code) == ("os._exit", 0)
    # The whole snapshot was written before the exit that skips the teardown.
    assert "meta" in json.loads(capsys.readouterr().out)
