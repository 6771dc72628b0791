"""The PySide6 user interface: windows, widgets, item models, the task runner."""
