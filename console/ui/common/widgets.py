"""Small helpers for building widgets the same way on every screen."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str, accessible_name: str) -> W:
    """``widget`` with the object name tests and style sheets find it by, and the name a
    screen reader says."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name)
    return widget
