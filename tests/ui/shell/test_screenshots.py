"""Screenshots of every screen of a call, from a real window on a real X server (Xvfb).

The tour (``tests/ui/shell/screenshot_tour.py``) runs in its own process: this one's QApplication
draws offscreen. The folder is printed (``screenshots: /path``) so a person can look at it.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support.xvfb import SCREEN, require_xvfb_run, run_on_xvfb
from tests.ui.shell.screenshot_tour import SCREENS

ROOT = Path(__file__).parents[3]
TOUR_TIMEOUT_S = 240
MIN_COLOURS = 32
"""A blank or half-drawn screen has a handful of colours; a drawn window has hundreds."""
MIN_CHANGED_ROWS = 5
"""Every two screens differ in at least this many pixel rows (a new step, not the same one)."""


def colours(image: QImage) -> int:
    pixels = image.convertToFormat(QImage.Format.Format_RGB32)
    return len(set(memoryview(bytes(pixels.constBits())).cast("I")))


def rows(image: QImage) -> list[bytes]:
    pixels = image.convertToFormat(QImage.Format.Format_RGB32)
    data, stride = bytes(pixels.constBits()), pixels.bytesPerLine()
    return [data[y * stride : (y + 1) * stride] for y in range(pixels.height())]


def changed_rows(a: list[bytes], b: list[bytes]) -> int:
    return sum(1 for x, y in zip(a, b, strict=True) if x != y)


@pytest.mark.slow
def test_every_screen_of_a_call_is_drawn_on_a_real_x_server(
    tmp_path_factory: pytest.TempPathFactory,
    record_property: Callable[[str, object], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    require_xvfb_run()
    folder = tmp_path_factory.mktemp("screenshots")
    record_property("screenshots", str(folder))
    with capsys.disabled():  # shown in ./dev test's output, passing or not
        print(f"\nscreenshots: {folder}", flush=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"

    tour = run_on_xvfb(
        [sys.executable, "-m", "tests.ui.shell.screenshot_tour", str(folder)],
        cwd=ROOT,
        env=env,
        timeout=TOUR_TIMEOUT_S,
    )

    assert tour.returncode == 0, f"the tour stopped (exit {tour.returncode}):\n{tour.output}"
    assert f"screenshots: {folder.resolve()}" in tour.output
    missing = [name for name in SCREENS if not (folder / name).is_file()]
    assert not missing, f"not saved: {missing}\n{tour.output}"
    seen: dict[str, list[bytes]] = {}
    digests: dict[str, str] = {}
    for name in SCREENS:
        image = QImage(str(folder / name))
        assert not image.isNull(), f"{name} is not a readable PNG"
        assert (image.width(), image.height()) == SCREEN, f"{name} is not the whole screen"
        assert colours(image) > MIN_COLOURS, f"{name} looks blank ({colours(image)} colours)"
        digests[name] = hashlib.sha256(bytes(image.constBits())).hexdigest()
        seen[name] = rows(image)
    assert len(set(digests.values())) == len(SCREENS), "two screenshots are identical"
    for n, first in enumerate(SCREENS):
        for second in SCREENS[n + 1 :]:
            changed = changed_rows(seen[first], seen[second])
            assert changed >= MIN_CHANGED_ROWS, f"{first} and {second} show the same screen"
