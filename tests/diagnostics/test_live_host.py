"""The live host: commands, files and platform facts, each None rather than an exception."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.diagnostics import host
from console.diagnostics.host import LiveHost

SHELL_PATH = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def test_a_command_runs_in_the_c_locale_with_the_hosts_environment_only() -> None:
    live = LiveHost({**SHELL_PATH, "GREETING": "hej"})
    assert live.run(["sh", "-c", 'echo "$LC_ALL $GREETING ${HOME:-no home}"']) == "C hej no home\n"
    assert live.environ == {**SHELL_PATH, "GREETING": "hej"}


@pytest.mark.parametrize(
    ("argv", "timeout"),
    [
        (["/nonexistent/agent-console-tool"], 2.0),  # missing
        (["sh", "-c", "echo partial; exit 3"], 2.0),  # failed: its output is not trusted
        ([sys.executable, "-c", "import time; time.sleep(30)"], 0.3),  # too slow
    ],
    ids=["missing", "failed", "too-slow"],
)
def test_a_command_that_cannot_answer_gives_none(argv: list[str], timeout: float) -> None:
    started = time.monotonic()
    assert LiveHost(SHELL_PATH).run(argv, timeout=timeout) is None
    assert time.monotonic() - started < 10


def test_files_are_read_up_to_the_limit_and_a_missing_one_gives_none(tmp_path: Path) -> None:
    log = tmp_path / "runaway.log"
    log.write_bytes(b"line\n" * 1000 + b"\xff")
    live = LiveHost({})
    assert live.read_text(str(log), limit=12) == "line\nline\nli"
    whole = live.read_text(str(log))
    assert whole is not None and whole.endswith("line\n\ufffd")  # undecodable bytes replaced
    assert live.read_text(str(tmp_path / "missing.log")) is None
    assert live.read_text(str(tmp_path)) is None  # a folder


@pytest.fixture
def far_time_zone() -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.usefixtures("far_time_zone")
def test_the_time_zone_and_offset_are_the_machines() -> None:
    facts = LiveHost({}).platform
    assert facts["utc_offset_minutes"] == "840"  # UTC+14, whatever zone the tests run in
    assert facts["timezone"] == "+14"
    assert facts["system"] == platform.system()


def pretend(monkeypatch: pytest.MonkeyPatch, system: str) -> LiveHost:
    uname = {"system": system, "node": "desk-7", "release": "", "version": "", "machine": ""}
    monkeypatch.setattr(host, "_uname", lambda: uname)
    return LiveHost({})


def test_on_windows_the_edition_and_version_are_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "processor", lambda: "Intel64 Family 6 Model 140")
    monkeypatch.setattr(platform, "win32_edition", lambda: "Professional")
    monkeypatch.setattr(platform, "win32_ver", lambda: ("10", "10.0.22631", "SP0", "Free"))
    facts = pretend(monkeypatch, "Windows").platform
    assert {key: facts[key] for key in facts if key.startswith(("win32", "processor"))} == {
        "processor": "Intel64 Family 6 Model 140",
        "win32_edition": "Professional",
        "win32_release": "10",
        "win32_version": "10.0.22631",
    }
    assert "mac_release" not in facts


def test_on_macos_the_release_is_a_fact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "mac_ver", lambda: ("14.5", ("", "", ""), "arm64"))
    live = pretend(monkeypatch, "Darwin")
    assert live.platform["mac_release"] == "14.5"
    assert not any(key.startswith("win32") for key in live.platform)
    # Only Linux's kernel is asked for socket tables; elsewhere the collector reads others.
    assert live.socket_states("tcp") is None


def test_without_os_uname_the_platform_module_answers_and_unknown_is_blank(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(os, "uname")
    answer = ("Windows", "DESK-7", "10", "10.0.22631", "unknown", "unknown")
    monkeypatch.setattr(platform, "uname", lambda: answer)
    uncached = host._uname.__wrapped__  # type: ignore[attr-defined]
    assert uncached() == {
        "system": "Windows",
        "node": "DESK-7",
        "release": "10",
        "version": "10.0.22631",
        "machine": "",
    }
