"""The main window and what frames it: navigation, status bar, help overlay, message bridge."""
