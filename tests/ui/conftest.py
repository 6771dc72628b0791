"""Fixtures of the window-level tests (the widget tests build their own parts)."""

from tests.ui.desk_support import desk_window

__all__ = ["desk_window"]
