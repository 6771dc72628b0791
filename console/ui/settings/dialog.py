"""The settings dialog: a form built from the setting declarations, plus the team store login.

Every :class:`~console.settings.Setting` gets one editor (:mod:`.editors`) chosen by its type (a
drop-down for choices, a line for text, a check box, a number, a folder list); the ticket store
gets the mode buttons (local or team PostgreSQL), the URL, a password and "Test connection".
Nothing is saved until Save passes every check: the password goes to the injected keyring
(never a file) and the settings to config.toml atomically, so a refused Save loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from console.services.store_settings import (
    Credentials,
    ServerUnreachable,
    TeamUrlInvalid,
    apply_settings,
    check_team_url,
)
from console.settings import SECTION_TITLES, SETTINGS, Settings
from console.ui.common.tasks import TaskRunner
from console.ui.common.widgets import named
from console.ui.settings.editors import (
    Editor,
    FolderChooser,
    StoreEditor,
    choose_folder_with_dialog,
    editor_for,
)

ConnectionTest = Callable[[str, str], str]
"""``(url, password) -> one line`` on success; raises with one sentence otherwise."""


class SettingsDialog(QDialog):
    """Edit the settings; Save checks them, saves the password in the keyring, then the file.

    Connection tests and saving run through the injected task runner (they reach the server,
    the keyring and the disk). A refused Save says why in the dialog and changes nothing.

    Signals:
        saved(Settings): the settings now in the file (emitted after a successful Save).
    """

    saved = Signal(object)

    def __init__(
        self,
        settings: Settings,
        path: Path,
        *,
        runner: TaskRunner,
        credentials: Credentials,
        test_connection: ConnectionTest,
        choose_folder: FolderChooser = choose_folder_with_dialog,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(640)  # a team store URL and the keyring hint fit without scrolling
        self._settings = settings
        self._path = path
        self._runner = runner
        self._credentials = credentials
        self._test_connection = test_connection
        self._busy = False
        self.editors: dict[str, Editor] = {}
        layout = QVBoxLayout(self)
        forms: dict[str, QFormLayout] = {}
        for declared in SETTINGS:
            if declared.section not in forms:
                group = QGroupBox(SECTION_TITLES.get(declared.section, declared.section))
                forms[declared.section] = QFormLayout(group)
                layout.addWidget(group)
            editor = editor_for(declared, choose_folder)
            editor.set_value(settings[declared.key])
            forms[declared.section].addRow(f"{declared.label}:", editor)
            self.editors[declared.key] = editor
        store = self.editors["store.url"]
        assert isinstance(store, StoreEditor)  # the "store" widget hint of its declaration
        self.store: StoreEditor = store
        self.store.test_requested.connect(self._test)
        self.busy = named(QProgressBar(), "settings_busy", "Working")
        self.busy.setRange(0, 0)  # no steps to count: a busy indicator
        self.busy.hide()
        self.message = named(QLabel(wordWrap=True), "settings_message", "Settings messages")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("save_settings")
        self.save_button.setAccessibleName("Save settings")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Close without saving")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        for widget in (self.busy, self.message, self.buttons):
            layout.addWidget(widget)

    @property
    def settings(self) -> Settings:
        """The settings as last loaded or saved (not what is typed but unsaved)."""
        return self._settings

    def reject(self) -> None:
        """Close without saving, unless a test or save is still running (it reports here)."""
        if not self._busy:
            super().reject()

    @Slot()
    def _test(self) -> None:
        try:
            url = check_team_url(self.store.typed_url())
        except TeamUrlInvalid as exc:
            self.store.show_result(str(exc))
            return
        password, test = self.store.typed_password(), self._test_connection
        self.store.show_result("Testing the connection…")
        self._set_busy(True)
        self._runner.run_task(
            lambda: test(url, password),
            self._tested,
            self,
            label="Testing the team store connection…",
        )

    def _tested(self, line: str | None, error: BaseException | None) -> None:
        self._set_busy(False)
        self.store.show_result(_sentence(error) if error else str(line))

    @Slot()
    def _save(self) -> None:
        team = self.store.team_mode
        try:
            changed = self._settings.replaced(
                {key: editor.value() for key, editor in self.editors.items()}
            )
            url = check_team_url(changed.store_url) if team else ""
        except (ValueError, TeamUrlInvalid) as exc:
            self.message.setText(f"Not saved: {exc}")
            return
        password = self.store.typed_password()
        test, path, credentials = self._test_connection, self._path, self._credentials

        def work() -> str:
            note = ""
            if password:  # a wrong one is refused here, before anything is written
                try:
                    test(url, password)
                except ServerUnreachable as exc:
                    note = f"Saved, but the password could not be checked now: {exc}"
            apply_settings(changed, path, credentials, password)
            return note

        self.message.setText("Saving…")
        self._set_busy(True)
        self._runner.run_task(
            work,
            lambda note, error: self._saved(changed, note, error),
            self,
            label="Saving settings…",
        )

    def _saved(self, changed: Settings, note: str | None, error: BaseException | None) -> None:
        self._set_busy(False)
        if error is not None:
            self.message.setText(f"Not saved: {_sentence(error)}")
            return
        self._settings = changed
        self.store.forget_password()
        self.saved.emit(changed)
        if note:  # stay open so the agent reads it
            self.message.setText(note)
            self.cancel_button.setText("Close")
        else:
            self.message.clear()
            self.accept()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for button in (self.save_button, self.cancel_button):
            button.setEnabled(not busy)
        self.store.set_busy(busy)


def _sentence(error: BaseException) -> str:
    return str(error) or type(error).__name__
