"""Keyboard shortcuts as the F1 overlay lists them."""

Shortcut = tuple[str, str]
"""(keys, what they do), e.g. ("Ctrl+N", "New ticket")."""
