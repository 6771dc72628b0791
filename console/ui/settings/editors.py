"""The editors the settings dialog is built from: one per kind of setting (a drop-down for
choices, a line for text, a check box, a number, a folder list), and the ticket store's mode
buttons, URL, password and "Test connection"."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.services.store_settings import EXAMPLE_URL, TEAM_SCHEMES
from console.settings import Setting, SettingValue
from console.ui.common.widgets import named

FolderChooser = Callable[[QWidget], "str | None"]
"""Asks the agent for a folder; None when they cancel."""


def choose_folder_with_dialog(parent: QWidget) -> str | None:
    """The platform's folder chooser."""
    folder = QFileDialog.getExistingDirectory(parent, "Choose a playbook folder")
    return folder or None


def is_team_url(url: str) -> bool:
    """Whether ``url`` names a team (PostgreSQL) store rather than a local one."""
    scheme = urlsplit(url.strip()).scheme.lower().split("+", 1)[0]
    return "://" in url and scheme in TEAM_SCHEMES


class StoreEditor(QWidget):
    """Local or team store: mode buttons, URL and password (team mode only), Test connection.

    The password never leaves this widget except to the dialog's Save and Test.

    Signals:
        test_requested(): the agent pressed Test connection.
    """

    test_requested = Signal()

    def __init__(self, declared: Setting, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._local_url = ""
        self.local = named(
            QRadioButton("&Local: tickets stay on this computer"), "store_local", "Local store"
        )
        self.team = named(
            QRadioButton("&Team PostgreSQL server"), "store_team", "Team PostgreSQL store"
        )
        self.url = named(QLineEdit(placeholderText=EXAMPLE_URL), "store_url", "Team store URL")
        self.url.setToolTip(declared.help)
        self.password = named(QLineEdit(), "store_password", "Team store password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Leave empty to keep the password in the OS keyring")
        self.test = named(QPushButton("Test co&nnection"), "test_connection", "Test connection")
        self.test.clicked.connect(self.test_requested)
        self.result = named(QLabel(wordWrap=True), "connection_result", "Connection test result")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mode = QButtonGroup(self)
        for button in (self.local, self.team):
            mode.addButton(button)
            button.toggled.connect(self._follow_mode)
        form = QFormLayout()
        form.addRow("URL:", self.url)
        form.addRow("Password:", self.password)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.local, self.team):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.test, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.result)
        self.local.setChecked(True)

    def value(self) -> SettingValue:
        """The team URL in team mode; in local mode "" (or the local URL the file named)."""
        return self.url.text().strip() if self.team.isChecked() else self._local_url

    def set_value(self, value: SettingValue) -> None:
        url = str(value)
        team = is_team_url(url)
        self._local_url = "" if team else url
        self.url.setText(url if team else "")
        (self.team if team else self.local).setChecked(True)
        self._follow_mode()

    @property
    def team_mode(self) -> bool:
        return self.team.isChecked()

    def typed_url(self) -> str:
        """The team URL as typed, whichever mode is chosen."""
        return self.url.text()

    def typed_password(self) -> str:
        """The password typed for the team store ("" in local mode: nothing to save)."""
        return self.password.text() if self.team_mode else ""

    def forget_password(self) -> None:
        """Saved to the keyring: the field does not keep it."""
        self.password.clear()

    def show_result(self, text: str) -> None:
        """How the last connection test went, in one sentence."""
        self.result.setText(text)

    def set_busy(self, busy: bool) -> None:
        """A test or a save is running: no second test meanwhile."""
        self.test.setEnabled(not busy and self.team_mode)

    @Slot()
    def _follow_mode(self) -> None:
        team = self.team.isChecked()
        for widget in (self.url, self.password, self.test):
            widget.setEnabled(team)
        if not team:
            self.result.clear()


class FolderListEditor(QWidget):
    """A list of folders with Add (through the injected chooser) and Remove (or Delete)."""

    def __init__(self, declared: Setting, choose: FolderChooser, parent: QWidget | None = None):
        super().__init__(parent)
        self._choose = choose
        self.folders = named(QListWidget(), "playbook_folder_list", declared.label)
        self.folders.setToolTip(declared.help)
        self.add = named(QPushButton("&Add folder…"), "add_folder", "Add a playbook folder")
        self.remove = named(
            QPushButton("&Remove"), "remove_folder", "Remove the selected playbook folder"
        )
        self.add.clicked.connect(self._add)
        self.remove.clicked.connect(self._remove)
        self.folders.installEventFilter(self)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.folders)
        layout.addLayout(buttons)

    def value(self) -> SettingValue:
        return self.listed()

    def listed(self) -> tuple[str, ...]:
        return tuple(self.folders.item(row).text() for row in range(self.folders.count()))

    def set_value(self, value: SettingValue) -> None:
        self.folders.clear()
        self.folders.addItems(list(value) if isinstance(value, tuple) else [])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete (or Backspace) in the list removes the selected folder."""
        if (
            watched is self.folders
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self._remove()
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _add(self) -> None:
        folder = self._choose(self)
        if folder and folder not in self.listed():
            self.folders.addItem(folder)
            self.folders.setCurrentRow(self.folders.count() - 1)

    @Slot()
    def _remove(self) -> None:
        row = self.folders.currentRow()
        if row >= 0:
            self.folders.takeItem(row)


class _Line(QLineEdit):
    def value(self) -> SettingValue:
        return self.text()

    def set_value(self, value: SettingValue) -> None:
        self.setText(str(value))


class _Choice(QComboBox):
    def __init__(self, choices: tuple[str, ...]) -> None:
        super().__init__()
        for choice in choices:
            self.addItem(choice.capitalize(), choice)

    def value(self) -> SettingValue:
        return str(self.currentData())

    def set_value(self, value: SettingValue) -> None:
        self.setCurrentIndex(max(self.findData(value), 0))


class _Switch(QCheckBox):
    def value(self) -> SettingValue:
        return self.isChecked()

    def set_value(self, value: SettingValue) -> None:
        self.setChecked(bool(value))


class _Number(QSpinBox):
    def __init__(self) -> None:
        super().__init__()
        self.setRange(-(2**31), 2**31 - 1)

    def value(self) -> SettingValue:  # type: ignore[override]  # the form's one accessor name
        return super().value()

    def set_value(self, value: SettingValue) -> None:
        self.setValue(value if isinstance(value, int) else 0)


Editor = StoreEditor | FolderListEditor | _Line | _Choice | _Switch | _Number


def editor_for(declared: Setting, choose_folder: FolderChooser) -> Editor:
    """The one editor a declaration asks for, by its widget hint, choices and type."""
    editor: Editor
    if declared.widget == "store":
        editor = StoreEditor(declared)
    elif declared.widget == "folders" or declared.type is tuple:
        editor = FolderListEditor(declared, choose_folder)
    elif declared.choices:
        editor = _Choice(declared.choices)
    elif declared.type is bool:
        editor = _Switch(declared.label)
    elif declared.type is int:
        editor = _Number()
    else:
        editor = _Line()
    editor.setObjectName("setting_" + declared.key.replace(".", "_"))
    editor.setAccessibleName(declared.label)
    editor.setAccessibleDescription(declared.help)
    editor.setToolTip(declared.help)
    return editor
