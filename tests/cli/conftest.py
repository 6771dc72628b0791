"""Run the CLI in-process with an in-memory keyring and private user directories."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.cli import CliEnvironment, run
from console.store.credentials import InMemoryCredentials


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


CliRunner = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Private XDG directories so the default store and config live in the test's tmp dir."""
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.delenv("AGENT_CONSOLE_STORE", raising=False)
    return tmp_path


@pytest.fixture
def keyring() -> InMemoryCredentials:
    return InMemoryCredentials()


@pytest.fixture
def cli(home: Path, keyring: InMemoryCredentials) -> CliRunner:
    import os

    def invoke(*argv: str, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        env = CliEnvironment(
            credentials=lambda: keyring,
            environ=dict(os.environ),
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
        )
        try:
            code = run(list(argv), env)
        except SystemExit as exc:  # argparse: --help, --version, bad arguments
            code = int(exc.code or 0)
        return Result(code, out.getvalue(), err.getvalue())

    return invoke
