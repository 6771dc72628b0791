"""Real windows on a throwaway X server: running a child under ``xvfb-run`` (the test's
side) and driving and photographing its window (the child's side).

pytest-qt's QApplication in the test process draws offscreen; a real xcb window needs its own
process, so these tests start a child under ``xvfb-run`` and read what it wrote.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from tests.support.missing import skip_or_fail_in_ci

W = TypeVar("W", bound=QWidget)
D = TypeVar("D", bound=QDialog)

SCREEN = (1366, 768)
"""The X screen's width and height: a common small laptop screen, the tightest agents use."""


@dataclass(frozen=True)
class Finished:
    returncode: int
    output: str
    """stdout and stderr together, in order."""


def require_xvfb_run() -> str:
    """The path of ``xvfb-run``; without it, skip (fail in CI, which must prove the real
    window works: ``./dev test`` installs it when run as root)."""
    found = shutil.which("xvfb-run")
    if not found:
        skip_or_fail_in_ci(
            "xvfb-run is not installed (Debian: xvfb xauth; ./dev test installs them as root)",
            "CI needs a real X server for the screenshot tests",
        )
    return found


def run_on_xvfb(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float
) -> Finished:
    """Run ``command`` on a fresh X server of :data:`SCREEN`; the whole process group (the
    server included) is killed when it outlives ``timeout`` seconds."""
    width, height = SCREEN
    process = subprocess.Popen(
        [
            require_xvfb_run(),
            "-a",  # the first free display number: tests may run side by side
            "-s",
            f"-screen 0 {width}x{height}x24 -nolisten tcp",
            *command,
        ],
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so a timeout can end Xvfb too
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"gave up after {timeout:g} s: {' '.join(command)}\n{output}", pytrace=False)
    return Finished(process.returncode, output)


# -- inside the child: driving and photographing the real window -------------------------------


class DriveFailed(Exception):
    """The window never reached the state a step waited for; the message says which."""


class ScreenDriver:
    """Waits, keys and screenshots for a script driving a real window on the X server.

    Every wait runs the event loop (painting, background tasks' results) and gives up with
    :class:`DriveFailed` after its time limit instead of hanging.
    """

    def __init__(self, app: QApplication, out: Path) -> None:
        self.app = app
        self.out = out

    def shot(self, name: str, settle_ms: int = 400) -> Path:
        """Let the window paint, then save the X server's whole screen as ``out/name``."""
        # A fixed pause on purpose: no event says the X server shows what Qt painted.
        self.pause(settle_ms)
        path = self.out / name
        if not self.app.primaryScreen().grabWindow(0).save(str(path), "PNG"):
            raise DriveFailed(f"could not save {path}")
        print(f"saved {path}", flush=True)
        return path

    def wait_until(self, condition: Callable[[], object], what: str, seconds: float = 10) -> None:
        """Process events until ``condition`` holds; :class:`DriveFailed` after ``seconds``."""
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise DriveFailed(f"gave up after {seconds:g} s waiting for {what}")
            self.pause(20)

    def pause(self, ms: int) -> None:
        QTest.qWait(ms)  # runs the event loop meanwhile, unlike a sleep

    def showing(self, kind: type[W], what: str, name: str = "") -> W:
        """The visible top-level widget of ``kind`` (and object ``name``), once it shows."""

        def find() -> W | None:
            for widget in QApplication.topLevelWidgets():
                if not (isinstance(widget, kind) and widget.isVisible()):
                    continue
                if not name or widget.objectName() == name:
                    return widget
            return None

        self.wait_until(lambda: find() is not None, what)
        found = find()
        assert found is not None
        return found

    def while_modal(
        self, kind: type[D], open_modal: Callable[[], object], handle: Callable[[D], None]
    ) -> None:
        """Call ``open_modal`` (which blocks in a dialog's exec()) and ``handle`` the dialog
        from inside that modal loop; a failure in there closes the dialog and is raised here."""
        outcome: list[BaseException | None] = []

        def inside() -> None:
            try:
                handle(self.showing(kind, f"the {kind.__name__}"))
                outcome.append(None)
            except BaseException as exc:  # carried out of the modal loop, raised below
                outcome.append(exc)
                for widget in QApplication.topLevelWidgets():
                    if isinstance(widget, kind) and widget.isVisible():
                        widget.reject()

        QTimer.singleShot(0, inside)
        open_modal()
        self.wait_until(lambda: bool(outcome), f"the {kind.__name__} to close", 20)
        if outcome[0] is not None:
            raise outcome[0]

    def activate(self, window: QWidget) -> None:
        """Give ``window`` the focus: without a window manager nothing gives it back after a
        dialog closes, and shortcuts only reach the active window."""
        window.activateWindow()
        self.wait_until(lambda: QApplication.activeWindow() is window, "the window's focus")

    def press(self, key: Qt.Key, modifier: Any = Qt.KeyboardModifier.NoModifier) -> None:
        """A key on whatever has the focus, as the agent's keyboard would send it."""
        QTest.keyClick(self.focused(), key, modifier)

    def type_text(self, text: str) -> None:
        QTest.keyClicks(self.focused(), text)

    def focused(self) -> QWidget:
        target = QApplication.focusWidget()
        if target is None:
            raise DriveFailed("nothing has the keyboard focus")
        return target
