"""Start-up: the window and its first queue page come before the heavy parts of the app.

On this kind of machine SQLAlchemy alone takes about half a second to import, pydantic and
psutil more; the first page is read by the stdlib sqlite3 reader instead, and the rest is
imported on a worker thread afterwards. These tests run the real start in a fresh process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]

PROBE = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from console.app import build_desk_window
from console.settings import Settings

app = QApplication([])
store, directory = sys.argv[1], sys.argv[2]
qsettings = QSettings(directory + "/geometry.ini", QSettings.Format.IniFormat)
settings = Settings({"agent.name": "alice"})
desk, window, sessions = build_desk_window(
    store, {}, settings, qsettings, data_dir=Path(directory)
)
HEAVY = ("sqlalchemy", "pydantic", "psutil", "yaml", "alembic")

def first_page():
    heavy = sorted(m for m in HEAVY if m in sys.modules)
    print(json.dumps({"rows": window.queue.model.rowCount(), "heavy": heavy}), flush=True)
    app.exit(0)

window.first_page_loaded.connect(first_page)
window.navigation.select_view("all")
window.show()
window.start()
app.exec()
window.shutdown()
desk.close()
sessions.end()
"""


def run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> str:
    directory = tmp_path_factory.mktemp("startup")
    url = f"sqlite:///{directory / 'console.db'}"
    seeded = run("-m", "console", "--store", url, "demo", "seed", "--tickets", "500")
    assert seeded.returncode == 0, seeded.stderr
    return url


def test_the_first_page_is_shown_before_sqlalchemy_pydantic_or_psutil_are_imported(
    seeded: str, tmp_path: Path
) -> None:
    probe = run("-c", PROBE, seeded, str(tmp_path))
    assert probe.returncode == 0, probe.stderr
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    assert report == {"rows": 200, "heavy": []}


def test_exit_after_startup_prints_the_startup_time_and_exits_0(
    seeded: str, tmp_path: Path
) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    started = run("-m", "console", "--store", seeded, "--exit-after-startup", env=env)
    assert started.returncode == 0, started.stderr
    [line] = [line for line in started.stdout.splitlines() if line.startswith("startup_ms=")]
    assert 0 < int(line.removeprefix("startup_ms=")) < 60_000


@pytest.mark.parametrize(
    ("argv", "window"),
    [
        ([], True),
        (["--exit-after-startup"], True),
        (["--store", "sqlite:///x.db"], True),
        (["--store=sqlite:///x.db", "--exit-after-startup"], True),
        (["--help"], False),
        (["--version"], False),
        (["tickets", "list"], False),
        (["--store", "sqlite:///x.db", "collect"], False),
    ],
)
def test_no_command_means_the_window(argv: list[str], window: bool) -> None:
    from console.__main__ import wants_window

    assert wants_window(argv) is window


@pytest.fixture
def own_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The config, data and QSettings folders of an in-process start, under ``tmp_path``; the
    application's names are put back afterwards (run() sets them for QSettings)."""
    from PySide6.QtWidgets import QApplication

    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    app = QApplication.instance()
    assert app is not None
    names = app.applicationName(), app.organizationName()
    yield tmp_path
    app.setApplicationName(names[0])
    app.setOrganizationName(names[1])


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_run_in_process_shows_the_first_page_then_exits_0(
    qtbot: object, seeded: str, own_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from console.app import run as run_app

    assert run_app(["--store", seeded, "--exit-after-startup"], environ={}) == 0
    [line] = [n for n in capsys.readouterr().out.splitlines() if n.startswith("startup_ms=")]
    assert int(line.removeprefix("startup_ms=")) > 0


def test_a_broken_config_file_is_one_sentence_and_exit_2(
    qtbot: object, own_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from console.app import run as run_app

    config = own_dirs / "xdg_config_home" / "agent-console" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[agent]\nrole = 'wizard'\n", encoding="utf-8")
    assert run_app(["--exit-after-startup"], environ={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("agent-console: ") and "role" in err
    assert "Traceback" not in err
