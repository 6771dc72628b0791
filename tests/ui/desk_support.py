"""The real desk window over a throwaway store, for the window-level tests in tests/ui.

Only the automated checks (which would reach the network) and the device (a recorded
machine) are stand-ins; the store, the services, the threads and the widgets are real.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from console.app import build_desk_window
from console.diagnostics.collect_processes import CpuSampler
from console.diagnostics.redaction import Privacy
from console.diagnostics.snapshot import Snapshot, capture_snapshot
from console.services.work_sessions import WorkSessions
from console.settings import Settings
from console.ui.shell.main_window import MainWindow

HOSTS = Path(__file__).parents[1] / "fixtures" / "hosts"


@dataclasses.dataclass
class Result:
    status: str
    summary: str
    evidence: Mapping[str, Any]
    duration_ms: float = 3.0


def fake_checks(name: str, arguments: Mapping[str, Any]) -> Result:
    status = {"default_gateway_present": "pass", "dns_resolves": "pass"}.get(name, "fail")
    return Result(status, f"{name}: {status}", {"host": arguments.get("host", "")})


def recorded_laptop(level: Privacy) -> Snapshot:
    from tests.support.recorded_psutil import load_recording

    ps, host = load_recording(HOSTS / "windows11-laptop.json")
    ticks = iter([0.0, *[1.0] * 100])
    return capture_snapshot(level, ps=ps, host=host, sampler=CpuSampler(ps, lambda: next(ticks)))


@dataclasses.dataclass
class DeskWindow:
    desk: Any
    window: MainWindow
    sessions: WorkSessions
    exports: Path

    def close(self) -> None:
        self.window.shutdown()
        self.desk.close()
        self.sessions.end()


def open_desk_window(
    qtbot: QtBot,
    directory: Path,
    store_url: str | None = None,
    *,
    this_device: bool = False,
    **settings: str,
) -> DeskWindow:
    """Build, show and start the window; returns once its first queue page is loaded.
    Captures replay a recorded laptop unless ``this_device``."""
    qsettings = QSettings(str(directory / "geometry.ini"), QSettings.Format.IniFormat)
    exports = directory / "exports"
    exports.mkdir(exist_ok=True)
    desk, window, sessions = build_desk_window(
        store_url or f"sqlite:///{directory / 'console.db'}",
        {"HOME": os.environ.get("HOME", "")},
        Settings({"agent.name": "alice", **settings}),
        qsettings,
        run_check=fake_checks,
        capture_device=None if this_device else lambda level: recorded_laptop(level).data,
        data_dir=directory,
        choose_save_path=lambda parent, caption, suggested: exports / suggested,
    )
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_page_loaded, timeout=30_000):
        window.show()
        window.start()
    return DeskWindow(desk, window, sessions, exports)


@pytest.fixture
def desk_window(qtbot: QtBot, tmp_path: Path) -> Iterator[DeskWindow]:
    opened = open_desk_window(qtbot, tmp_path)
    yield opened
    opened.close()
