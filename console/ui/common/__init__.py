"""What every screen may use: the task runner, autosaving, and small text and widget helpers."""
