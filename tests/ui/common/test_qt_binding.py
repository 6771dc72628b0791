"""The Qt binding itself: PySide6-Essentials 6.12.0 dropped a reference to None on every call
of a void method and to True on every emit, and the interpreter aborted once either reached
zero (pyproject.toml keeps it out). This fails fast if a release like it comes back."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    ticked = Signal(bool)


def test_void_calls_and_emits_keep_the_reference_counts_of_none_and_true(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    emitter = _Emitter()
    none_before = sys.getrefcount(None)
    true_before = sys.getrefcount(True)
    for _ in range(1000):
        widget.setEnabled(True)
        emitter.ticked.emit(True)
    # Other code may take or drop a few references meanwhile; a leak here is one per call.
    assert abs(sys.getrefcount(None) - none_before) < 100
    assert abs(sys.getrefcount(True) - true_before) < 100
