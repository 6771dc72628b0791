"""The settings dialog: a form from the declarations, the team store login, and a Save that
either saves everything (password to the keyring only) or changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QThreadPool
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from console.services.store_settings import LoginRefused, ServerUnreachable
from console.services.store_settings import test_connection as real_test_connection
from console.settings import SETTINGS, Setting, Settings, SettingValue, load_settings, save_settings
from console.store.credentials import (
    SERVICE_NAME,
    CredentialStoreError,
    InMemoryCredentials,
    credential_account,
)
from console.ui.common.tasks import ImmediateTaskRunner, TaskRunner, ThreadPoolTaskRunner
from console.ui.settings.dialog import SettingsDialog
from console.ui.settings.editors import FolderListEditor, StoreEditor, editor_for

# The offscreen platform says this whenever a dialog is shown; the dialog is shown so that
# focus, shortcuts and visibility behave as they do for the agent.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TEAM_URL = "postgresql://agent@db.example.com/helpdesk"
ACCOUNT = credential_account(TEAM_URL)
CONNECTED = "Connected to db.example.com:5432/helpdesk as agent: schema revision 0001, up to date"
REFUSED = "Password authentication failed for user agent at db.example.com:5432/helpdesk"


class FakeServer:
    """Stands in for test_connection: records what it was asked, answers or raises."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, str]] = []

    def __call__(self, url: str, password: str) -> str:
        self.calls.append((url, password))
        if self.error is not None:
            raise self.error
        return CONNECTED


class HeldTaskRunner:
    """Keeps each task until the test finishes it: to look at the dialog while work runs."""

    def __init__(self) -> None:
        self.held: list[tuple[Callable[[], Any], Callable[[Any, BaseException | None], None]]] = []

    def run_task(self, fn: Any, on_done: Any, owner: Any, *, label: str = "") -> None:
        self.held.append((fn, on_done))

    def finish(self) -> None:
        fn, on_done = self.held.pop(0)
        try:
            result = fn()
        except Exception as exc:
            on_done(None, exc)
            return
        on_done(result, None)


class KeyringThatFails(InMemoryCredentials):
    def set(self, service: str, account: str, secret: str) -> None:
        raise CredentialStoreError("The OS keyring is locked: unlock it, then try again")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "config.toml"


@pytest.fixture
def keyring() -> InMemoryCredentials:
    return InMemoryCredentials()


DialogMaker = Callable[..., SettingsDialog]


@pytest.fixture
def make_dialog(qtbot: QtBot, path: Path, keyring: InMemoryCredentials) -> DialogMaker:
    def make(
        settings: Settings | None = None,
        *,
        server: Callable[[str, str], str] | None = None,
        runner: TaskRunner | None = None,
        credentials: InMemoryCredentials | None = None,
        folders: list[str] | None = None,
    ) -> SettingsDialog:
        answers = iter(folders or [])
        dialog = SettingsDialog(
            settings or Settings({"agent.name": "Ada"}),
            path,
            runner=runner or ImmediateTaskRunner(),
            credentials=credentials or keyring,
            test_connection=server or FakeServer(),
            choose_folder=lambda _parent: next(answers, None),
        )
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def store_of(dialog: SettingsDialog) -> StoreEditor:
    editor = dialog.findChild(StoreEditor, "setting_store_url")
    assert editor is not None
    return editor


def choose(qtbot: QtBot, radio: QRadioButton) -> None:
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))


def go_team(qtbot: QtBot, dialog: SettingsDialog, url: str, password: str = "") -> StoreEditor:
    store = store_of(dialog)
    choose(qtbot, store.team)
    store.url.clear()
    qtbot.keyClicks(store.url, url)
    qtbot.keyClicks(store.password, password)
    return store


def save(qtbot: QtBot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


# --- the form -------------------------------------------------------------------------------


def test_every_declared_setting_has_one_editor_showing_its_value(
    make_dialog: DialogMaker,
) -> None:
    settings = Settings(
        {
            "agent.name": "Ada",
            "agent.role": "supervisor",
            "diagnostics.privacy": "strict",
            "playbooks.folders": ["/srv/playbooks"],
        }
    )
    dialog = make_dialog(settings)

    for declared in SETTINGS:
        editor = dialog.findChild(QWidget, "setting_" + declared.key.replace(".", "_"))
        assert editor is dialog.editors[declared.key], declared.key
        assert editor.value() == settings[declared.key], declared.key
        assert editor.accessibleName() == declared.label
    assert isinstance(dialog.editors["agent.role"], QComboBox)
    assert isinstance(dialog.editors["diagnostics.privacy"], QComboBox)
    assert isinstance(dialog.editors["agent.name"], QLineEdit)
    assert isinstance(dialog.editors["playbooks.folders"], FolderListEditor)
    assert dialog.editors["agent.role"].currentText() == "Supervisor"


@pytest.mark.parametrize(
    ("declared", "widget_type", "value"),
    [
        (Setting("x.flag", bool, False, "Flag"), QCheckBox, True),
        (Setting("x.count", int, 3, "Count"), QSpinBox, 42),
        (Setting("x.text", str, "", "Text"), QLineEdit, "hello"),
        (Setting("x.pick", str, "a", "Pick", choices=("a", "b")), QComboBox, "b"),
        (Setting("x.list", tuple, (), "List"), FolderListEditor, ("/a", "/b")),
    ],
)
def test_each_type_of_setting_gets_its_kind_of_editor(
    qtbot: QtBot, declared: Setting, widget_type: type, value: SettingValue
) -> None:
    editor = editor_for(declared, lambda _parent: None)
    qtbot.addWidget(editor)
    editor.set_value(declared.default_value())

    assert isinstance(editor, widget_type)
    assert editor.value() == declared.default_value()
    editor.set_value(value)
    assert editor.value() == value


def test_url_password_and_test_are_usable_only_in_team_mode(
    qtbot: QtBot, make_dialog: DialogMaker
) -> None:
    dialog = make_dialog()
    store = store_of(dialog)
    assert store.local.isChecked()
    assert not (store.url.isEnabled() or store.password.isEnabled() or store.test.isEnabled())

    choose(qtbot, store.team)
    assert store.url.isEnabled() and store.password.isEnabled() and store.test.isEnabled()
    assert store.password.echoMode() == QLineEdit.EchoMode.Password

    choose(qtbot, store.local)
    assert not store.url.isEnabled()


def test_a_saved_team_url_opens_in_team_mode(make_dialog: DialogMaker) -> None:
    dialog = make_dialog(Settings({"store.url": TEAM_URL}))
    store = store_of(dialog)
    assert store.team.isChecked() and store.url.text() == TEAM_URL
    assert store.password.text() == ""  # never read back from the keyring


# --- Test connection ------------------------------------------------------------------------


def test_test_connection_sends_what_was_typed_and_shows_the_answer(
    qtbot: QtBot, make_dialog: DialogMaker
) -> None:
    server, runner = FakeServer(), ImmediateTaskRunner()
    dialog = make_dialog(server=server, runner=runner)
    store = go_team(qtbot, dialog, TEAM_URL, "s3cret")

    qtbot.mouseClick(store.test, Qt.MouseButton.LeftButton)

    assert server.calls == [(TEAM_URL, "s3cret")]
    assert store.result.text() == CONNECTED
    assert runner.labels == ["Testing the team store connection…"]


def test_a_refused_login_is_shown_in_the_dialog(qtbot: QtBot, make_dialog: DialogMaker) -> None:
    dialog = make_dialog(server=FakeServer(LoginRefused(REFUSED)))
    store = go_team(qtbot, dialog, TEAM_URL, "wrong")

    qtbot.mouseClick(store.test, Qt.MouseButton.LeftButton)

    assert store.result.text() == REFUSED
    assert dialog.isVisible()


def test_a_url_that_is_not_postgresql_is_refused_before_any_connection(
    qtbot: QtBot, make_dialog: DialogMaker
) -> None:
    server = FakeServer()
    dialog = make_dialog(server=server)
    store = go_team(qtbot, dialog, "mysql://agent@db.example.com/helpdesk")

    qtbot.mouseClick(store.test, Qt.MouseButton.LeftButton)

    assert "is not a PostgreSQL URL" in store.result.text()
    assert server.calls == []


def test_while_a_test_runs_nothing_can_be_pressed_twice_and_escape_waits(
    qtbot: QtBot, make_dialog: DialogMaker
) -> None:
    runner = HeldTaskRunner()
    dialog = make_dialog(runner=runner)
    store = go_team(qtbot, dialog, TEAM_URL, "s3cret")

    qtbot.mouseClick(store.test, Qt.MouseButton.LeftButton)
    assert store.result.text() == "Testing the connection…"
    assert dialog.busy.isVisible()
    assert not (store.test.isEnabled() or dialog.save_button.isEnabled())
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()

    runner.finish()
    assert store.result.text() == CONNECTED
    assert not dialog.busy.isVisible()
    assert store.test.isEnabled() and dialog.save_button.isEnabled()


@pytest.mark.postgres
def test_the_real_connection_test_runs_in_the_background_against_a_real_server(
    qtbot: QtBot, make_dialog: DialogMaker, pg_url: str
) -> None:
    pool = QThreadPool()
    runner = ThreadPoolTaskRunner(pool)
    dialog = make_dialog(server=real_test_connection, runner=runner)
    store = go_team(qtbot, dialog, pg_url)
    try:
        qtbot.mouseClick(store.test, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: store.result.text().startswith("Connected to "), timeout=15_000)
    finally:
        assert runner.wait_for_done(15_000)
    assert "as console" in store.result.text()
    assert store.test.isEnabled()


# --- Save -----------------------------------------------------------------------------------


def test_save_puts_the_password_in_the_keyring_and_everything_else_in_the_file(
    qtbot: QtBot, make_dialog: DialogMaker, path: Path, keyring: InMemoryCredentials
) -> None:
    server = FakeServer()
    dialog = make_dialog(server=server)
    store = go_team(qtbot, dialog, TEAM_URL, "s3cret-Pa55")
    name = dialog.editors["agent.name"]
    assert isinstance(name, QLineEdit)
    name.clear()
    qtbot.keyClicks(name, "Ada Lovelace")
    role = dialog.editors["agent.role"]
    role.setFocus()
    qtbot.keyClick(role, Qt.Key.Key_Down)

    with qtbot.waitSignal(dialog.saved) as signal:
        save(qtbot, dialog)

    saved = signal.args[0]
    assert isinstance(saved, Settings)
    assert (saved.store_url, saved.agent_name, saved.agent_role.value) == (
        TEAM_URL,
        "Ada Lovelace",
        "technician",
    )
    assert load_settings(path) == saved == dialog.settings
    assert "s3cret-Pa55" not in path.read_text()
    assert keyring.get(SERVICE_NAME, ACCOUNT) == "s3cret-Pa55"
    assert server.calls == [(TEAM_URL, "s3cret-Pa55")]  # checked before saving
    assert store.password.text() == ""
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_wrong_password_on_save_leaves_the_file_and_the_keyring_as_they_were(
    qtbot: QtBot, make_dialog: DialogMaker, path: Path, keyring: InMemoryCredentials
) -> None:
    before = Settings({"store.url": TEAM_URL, "agent.name": "Ada"})
    save_settings(before, path)
    keyring.set(SERVICE_NAME, ACCOUNT, "the-old-one")
    old_file = path.read_bytes()
    dialog = make_dialog(before, server=FakeServer(LoginRefused(REFUSED)))
    go_team(qtbot, dialog, TEAM_URL, "wrong-password")
    dialog.editors["agent.name"].setText("Somebody else")  # type: ignore[union-attr]

    with qtbot.assertNotEmitted(dialog.saved):
        save(qtbot, dialog)

    assert dialog.message.text() == f"Not saved: {REFUSED}"
    assert path.read_bytes() == old_file
    assert keyring.get(SERVICE_NAME, ACCOUNT) == "the-old-one"
    assert dialog.isVisible() and dialog.settings == before


def test_a_keyring_that_cannot_save_leaves_the_file_alone(
    qtbot: QtBot, make_dialog: DialogMaker, path: Path
) -> None:
    dialog = make_dialog(credentials=KeyringThatFails())
    go_team(qtbot, dialog, TEAM_URL, "s3cret")

    save(qtbot, dialog)

    assert dialog.message.text() == (
        "Not saved: The OS keyring is locked: unlock it, then try again"
    )
    assert not path.exists()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://agent:hunter2@db.example.com/helpdesk", "must not contain a password"),
        ("sqlite:///tmp/tickets.db", "is not a PostgreSQL URL"),
        ("postgresql://db.example.com/helpdesk", "names no user"),
    ],
)
def test_a_bad_team_url_is_refused_with_a_sentence_and_nothing_saved(
    qtbot: QtBot,
    make_dialog: DialogMaker,
    path: Path,
    keyring: InMemoryCredentials,
    url: str,
    says: str,
) -> None:
    server = FakeServer()
    dialog = make_dialog(server=server)
    go_team(qtbot, dialog, url, "s3cret")

    save(qtbot, dialog)

    assert dialog.message.text().startswith("Not saved: ")
    assert says in dialog.message.text() and "hunter2" not in dialog.message.text()
    assert not path.exists() and server.calls == []
    assert keyring.get(SERVICE_NAME, ACCOUNT) is None


def test_an_empty_agent_name_is_refused_in_the_dialog(
    qtbot: QtBot, make_dialog: DialogMaker, path: Path
) -> None:
    dialog = make_dialog()
    dialog.editors["agent.name"].clear()  # type: ignore[union-attr]

    save(qtbot, dialog)

    assert dialog.message.text() == "Not saved: Agent name must not be empty"
    assert not path.exists()


def test_an_unreachable_server_still_saves_and_says_the_password_was_not_checked(
    qtbot: QtBot, make_dialog: DialogMaker, path: Path, keyring: InMemoryCredentials
) -> None:
    down = ServerUnreachable("Could not connect to the server at db.example.com:5432/helpdesk")
    dialog = make_dialog(server=FakeServer(down))
    go_team(qtbot, dialog, TEAM_URL, "s3cret")

    with qtbot.waitSignal(dialog.saved):
        save(qtbot, dialog)

    assert dialog.message.text() == f"Saved, but the password could not be checked now: {down}"
    assert dialog.isVisible() and dialog.cancel_button.text() == "Close"
    assert keyring.get(SERVICE_NAME, ACCOUNT) == "s3cret"
    assert load_settings(path).store_url == TEAM_URL


def test_back_to_local_drops_the_url_and_keeps_the_keyring(
    qtbot: QtBot, make_dialog: DialogMaker, path: Path, keyring: InMemoryCredentials
) -> None:
    keyring.set(SERVICE_NAME, ACCOUNT, "kept")
    server = FakeServer()
    dialog = make_dialog(Settings({"store.url": TEAM_URL, "agent.name": "Ada"}), server=server)
    choose(qtbot, store_of(dialog).local)

    with qtbot.waitSignal(dialog.saved):
        save(qtbot, dialog)

    assert load_settings(path).store_url == ""
    assert "url" not in path.read_text()
    assert keyring.get(SERVICE_NAME, ACCOUNT) == "kept"
    assert server.calls == []


def test_playbook_folders_are_added_through_the_chooser_and_removed_with_delete(
    qtbot: QtBot, make_dialog: DialogMaker, path: Path
) -> None:
    dialog = make_dialog(folders=["/srv/playbooks", "/srv/playbooks", "/home/ada/mine"])
    folders = dialog.editors["playbooks.folders"]
    assert isinstance(folders, FolderListEditor)

    for _ in range(3):
        qtbot.mouseClick(folders.add, Qt.MouseButton.LeftButton)
    assert folders.listed() == ("/srv/playbooks", "/home/ada/mine")  # no duplicate

    folders.folders.setCurrentRow(0)
    folders.folders.setFocus()
    qtbot.keyClick(folders.folders, Qt.Key.Key_Delete)
    assert folders.listed() == ("/home/ada/mine",)

    save(qtbot, dialog)
    assert load_settings(path).playbook_folders == (Path("/home/ada/mine"),)


@pytest.fixture(autouse=True)
def _no_real_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The dialog is given its keyring; make sure nothing reaches for the real one."""
    import keyring as real_keyring

    def refuse(*_args: object) -> None:
        raise AssertionError("the real OS keyring was used")

    monkeypatch.setattr(real_keyring, "set_password", refuse)
    yield
