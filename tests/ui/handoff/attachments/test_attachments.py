"""The attachments panel: capture, paste, attach, drop and remove; every image redacted first."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import (
    QMimeData,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QImageWriter,
    QPalette,
    QScreen,
)
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from console.services.drafts import AttachmentRecord, DraftService
from console.store.database import TicketStore, open_store, parse_store_url
from console.ui.common.tasks import ImmediateTaskRunner, TaskRunner, ThreadPoolTaskRunner
from console.ui.handoff.attachments.files import png_bytes
from console.ui.handoff.attachments.panel import AttachmentsPanel, AttachmentStore, Redactor
from console.ui.handoff.attachments.redact_image import RedactDialog, burn_rectangles
from console.ui.handoff.attachments.screen_capture import (
    GRAB_FAILED,
    RegionSelector,
    ScreenCapturer,
    grab_whole_screen,
)
from tests.builders import add_ticket
from tests.ui.handoff.attachments.test_redact_image import BLACK, assert_only_blacked, gradient

# The offscreen platform warns about window-manager requests it cannot honour.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

NOW = datetime(2026, 11, 23, 14, 5, 9)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Stored:
    id: int
    name: str
    media_type: str
    size: int
    description: str
    content: bytes


@dataclass
class MemoryStore:
    """An in-memory AttachmentStore that notes which thread each add ran on."""

    items: dict[int, Stored] = field(default_factory=dict)
    fail_with: Exception | None = None
    gate: threading.Event | None = None
    threads: list[str] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, name: str, media_type: str, content: bytes, description: str) -> int:
        self.threads.append(threading.current_thread().name)
        if self.gate is not None:
            self.gate.wait(5)
        if self.fail_with is not None:
            raise self.fail_with
        new_id = next(self._ids)
        self.items[new_id] = Stored(new_id, name, media_type, len(content), description, content)
        return new_id

    def list(self) -> list[Stored]:
        return list(self.items.values())

    def remove(self, attachment_id: int) -> None:
        del self.items[attachment_id]

    def only(self) -> Stored:
        assert len(self.items) == 1, self.items
        return next(iter(self.items.values()))


class ScriptedRedaction:
    """Stands in for the dialog: records each image, blacks out ``area`` or cancels."""

    def __init__(self, area: QRect | None = None, cancel: bool = False) -> None:
        self.area = area
        self.cancel = cancel
        self.seen: list[QImage] = []

    def __call__(self, image: QImage) -> QImage | None:
        self.seen.append(image)
        if self.cancel:
            return None
        return burn_rectangles(image, [self.area] if self.area else [])


@dataclass
class Desk:
    panel: AttachmentsPanel
    store: MemoryStore
    capturer: ScreenCapturer
    window: QWidget
    counts: list[tuple[int, bool]]
    edits: list[int]


def make_desk(
    qtbot: QtBot,
    store: MemoryStore | None = None,
    *,
    grab: Callable[[QScreen], QImage] | None = None,
    redact: Redactor | None = None,
    choose: Callable[[], list[str]] | None = None,
    runner: TaskRunner | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    read_content: Callable[[int], bytes] | None = None,
) -> Desk:
    """The panel inside a stand-in console window (the one hidden while capturing)."""
    store = store if store is not None else MemoryStore()
    window = QWidget()
    qtbot.addWidget(window)
    capturer = ScreenCapturer(
        window, grab or (lambda screen: gradient(64, 48)), hide_delay_ms=20, parent=window
    )
    panel = AttachmentsPanel(
        store,
        runner or ImmediateTaskRunner(),
        capturer,
        redact=redact or ScriptedRedaction(),
        choose_files=choose or (lambda: []),
        now=lambda: NOW,
        max_bytes=max_bytes,
        read_content=read_content,
    )
    QVBoxLayout(window).addWidget(panel)
    window.resize(700, 500)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    counts: list[tuple[int, bool]] = []
    edits: list[int] = []
    panel.attachments_changed.connect(lambda n, image: counts.append((n, image)))
    panel.changed.connect(lambda: edits.append(1))
    panel.refresh()
    return Desk(panel, store, capturer, window, counts, edits)


def decoded(stored: Stored) -> QImage:
    assert stored.media_type == "image/png"
    assert stored.content.startswith(PNG_MAGIC)
    image = QImage.fromData(stored.content)
    assert not image.isNull()
    return image


def same_pixels(a: QImage, b: QImage) -> bool:
    rgb = QImage.Format.Format_RGB32
    return a.convertToFormat(rgb) == b.convertToFormat(rgb)


def drag_and_drop(target: QWidget, mime: QMimeData) -> None:
    """Enter, then drop: Qt delivers a drop only to the widget that accepted the enter."""
    copy, left, none = (
        Qt.DropAction.CopyAction,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(QPoint(20, 20), copy, mime, left, none)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(target, QDropEvent(QPointF(20, 20), copy, mime, left, none))


def focus_list(qtbot: QtBot, panel: AttachmentsPanel) -> None:
    panel.attachment_list.setFocus()
    qtbot.waitUntil(panel.attachment_list.hasFocus)


# -- screen captures ------------------------------------------------------------------------


def test_a_screenshot_is_redacted_then_stored_as_png(qtbot: QtBot) -> None:
    screenshot = gradient(64, 48)
    area = QRect(10, 5, 20, 15)
    redaction = ScriptedRedaction(area)
    desk = make_desk(qtbot, grab=lambda screen: screenshot, redact=redaction)
    assert desk.counts == [(0, False)]

    qtbot.mouseClick(desk.panel.capture_screen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(desk.store.items) == 1)

    stored = desk.store.only()
    assert stored.name == "screenshot-20261123-140509.png"
    assert len(redaction.seen) == 1 and same_pixels(redaction.seen[0], screenshot)
    assert_only_blacked(screenshot, decoded(stored), [area])
    assert desk.counts[-1] == (1, True)
    assert desk.panel.attachment_list.count() == 1
    assert "screenshot-20261123-140509.png" in desk.panel.attachment_list.item(0).text()
    assert desk.panel.message.text() == "Attached screenshot-20261123-140509.png."
    assert desk.edits == [1]


def test_a_ticket_closed_while_its_screenshot_is_taken_gets_no_result(qtbot: QtBot) -> None:
    """The capturer lives with the window, the panel with its ticket: closing the ticket
    while the window is hidden for the grab must not hand the picture to a deleted panel."""
    grabbed: list[int] = []

    def grab(screen: QScreen) -> QImage:
        grabbed.append(1)
        return gradient(32, 24)

    desk = make_desk(qtbot, grab=grab)
    panel = desk.panel
    qtbot.mouseClick(panel.capture_screen_button, Qt.MouseButton.LeftButton)
    assert desk.capturer.busy
    panel.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(panel))
    qtbot.waitUntil(lambda: not desk.capturer.busy)  # grabbed, window back, result dropped
    assert grabbed == [1]
    assert desk.window.isVisible()
    assert desk.store.items == {}


def test_the_console_window_is_hidden_while_the_screen_is_grabbed(qtbot: QtBot) -> None:
    visible_at_grab: list[bool] = []

    def grab(screen: QScreen) -> QImage:
        visible_at_grab.append(desk.window.isVisible())
        return gradient(32, 24)

    desk = make_desk(qtbot, grab=grab)
    focus_list(qtbot, desk.panel)
    qtbot.keyClick(
        desk.panel.attachment_list,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert not desk.window.isVisible()  # hidden at once; the grab waits for the delay
    qtbot.waitUntil(lambda: len(desk.store.items) == 1)
    assert visible_at_grab == [False]
    assert desk.window.isVisible()
    assert not desk.capturer.busy


def test_the_real_grab_leaves_the_hidden_window_out_of_the_picture(qtbot: QtBot) -> None:
    """The real QScreen.grabWindow path (offscreen here; also runs under Xvfb)."""
    window = QWidget()
    qtbot.addWidget(window)
    palette = window.palette()
    marker = QColor(200, 30, 60)
    palette.setColor(QPalette.ColorRole.Window, marker)
    window.setPalette(palette)
    window.setAutoFillBackground(True)
    window.setGeometry(0, 0, 300, 200)
    window.show()
    qtbot.waitExposed(window)
    capturer = ScreenCapturer(window, grab_whole_screen, hide_delay_ms=300, parent=window)
    results: list[tuple[QImage | None, str]] = []

    def take(hide: bool) -> QImage:
        results.clear()
        assert capturer.capture_screen(
            lambda i, p: results.append((i, p)), capturer, hide_window=hide
        )
        qtbot.waitUntil(lambda: bool(results), timeout=5000)
        image, problem = results[0]
        assert image is not None, problem
        return image

    screen = window.screen()
    assert screen is not None
    ratio = screen.devicePixelRatio()
    inside = (window.geometry().center() - screen.geometry().topLeft()) * ratio
    # The window paints after it is exposed: wait until the real grab sees it.
    qtbot.waitUntil(lambda: grab_whole_screen(screen).pixelColor(inside) == marker)

    shown = take(hide=False)
    assert shown.size() == screen.geometry().size() * ratio
    assert shown.pixelColor(inside) == marker
    hidden = take(hide=True)
    assert hidden.pixelColor(inside) != marker
    assert window.isVisible()


def test_a_region_dragged_on_the_overlay_is_what_gets_stored(qtbot: QtBot) -> None:
    # A size, not the QScreen: PySide6 invalidates a QScreen wrapper when a widget that
    # returned it from screen() is deleted, even though the screen lives on.
    screen_size = QGuiApplication.primaryScreen().geometry().size()
    screenshot = gradient(200, 150).scaled(screen_size)  # one pixel per point
    desk = make_desk(qtbot, grab=lambda s: screenshot)

    qtbot.mouseClick(desk.panel.capture_region_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: desk.capturer.selector is not None and desk.capturer.selector.isVisible()
    )
    selector = desk.capturer.selector
    assert selector is not None
    assert selector.size() == screen_size
    assert not desk.window.isVisible()  # still hidden while the agent picks the region
    qtbot.mousePress(selector, Qt.MouseButton.LeftButton, pos=QPoint(300, 200))
    qtbot.mouseMove(selector, QPoint(150, 120))
    qtbot.mouseRelease(selector, Qt.MouseButton.LeftButton, pos=QPoint(100, 80))  # backwards
    qtbot.waitUntil(lambda: len(desk.store.items) == 1)

    stored = desk.store.only()
    assert stored.name == "region-20261123-140509.png"
    assert same_pixels(decoded(stored), screenshot.copy(QRect(100, 80, 200, 120)))
    assert desk.window.isVisible()


def test_escape_on_the_region_overlay_cancels_and_stores_nothing(qtbot: QtBot) -> None:
    desk = make_desk(qtbot)
    focus_list(qtbot, desk.panel)
    qtbot.keyClick(
        desk.panel.attachment_list,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: desk.capturer.selector is not None)
    selector = desk.capturer.selector
    assert selector is not None
    with qtbot.waitSignal(selector.cancelled):
        qtbot.keyClick(selector, Qt.Key.Key_Escape)

    assert desk.store.items == {}
    assert desk.window.isVisible()
    assert not desk.capturer.busy
    assert desk.panel.capture_region_button.isEnabled()
    assert desk.panel.message.text() == ""


def test_the_region_overlay_maps_points_to_device_pixels_on_hidpi() -> None:
    selector = RegionSelector(gradient(800, 600))
    selector.resize(400, 300)  # a 2x screen: the screenshot has twice the points
    assert selector.image_rect(QRectF(10, 20, 100, 50)) == QRect(20, 40, 200, 100)
    assert selector.image_rect(QRectF(350, 250, 100, 100)) == QRect(700, 500, 100, 100)
    selector.deleteLater()


def test_a_failed_grab_says_so_in_one_sentence(qtbot: QtBot) -> None:
    desk = make_desk(qtbot, grab=lambda screen: QImage())
    qtbot.mouseClick(desk.panel.capture_screen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.panel.message.text() != "")
    assert desk.panel.message.text() == GRAB_FAILED
    assert desk.store.items == {}
    assert desk.window.isVisible()


def test_the_real_dialog_blacks_out_what_the_agent_drags_over(qtbot: QtBot) -> None:
    screenshot = gradient(160, 120)
    store = MemoryStore()
    window = QWidget()
    qtbot.addWidget(window)
    capturer = ScreenCapturer(None, lambda screen: screenshot, parent=window)
    panel = AttachmentsPanel(store, ImmediateTaskRunner(), capturer, parent=window)
    QVBoxLayout(window).addWidget(panel)
    window.show()
    qtbot.waitExposed(window)
    driven: list[str] = []

    def drive() -> None:
        dialog = panel.findChild(RedactDialog)
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(10, drive)
            return
        try:
            canvas = dialog.canvas
            start, end = canvas.widget_point(QPoint(40, 30)), canvas.widget_point(QPoint(99, 69))
            qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
            qtbot.mouseMove(canvas, end)
            qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
            driven.append(dialog.count.text())
            qtbot.keyClick(canvas, Qt.Key.Key_Return)
        finally:
            if dialog.isVisible():  # never leave the test stuck in exec()
                dialog.reject()

    QTimer.singleShot(0, drive)
    qtbot.mouseClick(panel.capture_screen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(store.items) == 1)

    assert driven == ["1 area blacked out"]
    result = decoded(store.only())
    assert_only_blacked(screenshot, result, [QRect(QPoint(40, 30), QPoint(99, 69))])
    assert result.pixelColor(40, 30) == BLACK


def test_cancelling_the_redaction_stores_nothing(qtbot: QtBot) -> None:
    desk = make_desk(qtbot, redact=ScriptedRedaction(cancel=True))
    qtbot.mouseClick(desk.panel.capture_screen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.panel.message.text() != "")
    assert desk.panel.message.text() == "screenshot-20261123-140509.png was not attached."
    assert desk.store.items == {}
    assert desk.edits == []


# -- paste, files, drops ----------------------------------------------------------------------


@pytest.fixture
def clipboard() -> Iterator[None]:
    yield
    QApplication.clipboard().clear()


@pytest.mark.usefixtures("clipboard")
def test_ctrl_v_on_the_list_pastes_the_clipboard_image_after_redaction(qtbot: QtBot) -> None:
    image = gradient(40, 30)
    QGuiApplication.clipboard().setImage(image)
    redaction = ScriptedRedaction(QRect(0, 0, 5, 5))
    desk = make_desk(qtbot, redact=redaction)
    focus_list(qtbot, desk.panel)

    qtbot.keyClick(desk.panel.attachment_list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    stored = desk.store.only()
    assert stored.name == "pasted-20261123-140509.png"
    assert len(redaction.seen) == 1 and same_pixels(redaction.seen[0], image)
    assert_only_blacked(image, decoded(stored), [QRect(0, 0, 5, 5)])
    assert desk.counts[-1] == (1, True)


@pytest.mark.usefixtures("clipboard")
def test_pasting_with_nothing_on_the_clipboard_says_so(qtbot: QtBot) -> None:
    QGuiApplication.clipboard().clear()
    desk = make_desk(qtbot)
    qtbot.mouseClick(desk.panel.paste_button, Qt.MouseButton.LeftButton)
    assert desk.panel.message.text() == "The clipboard holds no image or file to paste."
    assert desk.store.items == {}


def test_attached_files_keep_their_bytes_and_images_are_redacted_to_png(
    qtbot: QtBot, tmp_path: Path
) -> None:
    notes = tmp_path / "outlook.log"
    notes.write_text("0x800CCC0E cannot connect to server\n")
    photo = tmp_path / "photo.jpg"
    assert QImageWriter(str(photo), b"jpg").write(gradient(48, 32))
    redaction = ScriptedRedaction()
    desk = make_desk(qtbot, redact=redaction, choose=lambda: [str(notes), str(photo)])
    qtbot.keyClicks(desk.panel.description, "the error dialog after clicking Send")
    assert desk.edits  # typing a description is an edit of the draft
    edits_before = len(desk.edits)

    qtbot.mouseClick(desk.panel.attach_button, Qt.MouseButton.LeftButton)

    by_name = {s.name: s for s in desk.store.items.values()}
    assert set(by_name) == {"outlook.log", "photo.png"}
    assert by_name["outlook.log"].content == notes.read_bytes()
    assert by_name["outlook.log"].media_type == "text/plain"
    assert by_name["outlook.log"].description == "the error dialog after clicking Send"
    assert decoded(by_name["photo.png"]).size() == gradient(48, 32).size()
    assert len(redaction.seen) == 1  # only the image went through redaction
    assert desk.panel.description.text() == ""  # it described what was just attached
    assert len(desk.edits) == edits_before + 1
    assert desk.counts[-1] == (2, True)


def test_a_file_over_the_limit_is_refused_with_one_sentence(qtbot: QtBot, tmp_path: Path) -> None:
    big = tmp_path / "big.log"
    big.write_bytes(b"x" * 101)
    chosen: list[int] = []

    def choose() -> list[str]:
        chosen.append(1)
        return [str(big)]

    desk = make_desk(qtbot, choose=choose, max_bytes=100)
    focus_list(qtbot, desk.panel)
    qtbot.keyClick(
        desk.panel.attachment_list,
        Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert chosen == [1]
    assert (
        desk.panel.message.text() == "big.log is 101 bytes; attachments are limited to 100 bytes."
    )
    assert desk.store.items == {}
    assert desk.counts == [(0, False)]


def test_a_file_dropped_on_the_panel_is_attached(qtbot: QtBot, tmp_path: Path) -> None:
    dropped = tmp_path / "ipconfig.txt"
    dropped.write_text("IPv4 Address. . . : 10.0.0.12\n")
    desk = make_desk(qtbot)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    drag_and_drop(desk.panel, mime)

    stored = desk.store.only()
    assert (stored.name, stored.content) == ("ipconfig.txt", dropped.read_bytes())
    assert desk.counts[-1] == (1, False)


def test_an_image_dropped_from_another_app_is_redacted_and_attached(qtbot: QtBot) -> None:
    image = gradient(30, 20)
    redaction = ScriptedRedaction(QRect(0, 0, 3, 3))
    desk = make_desk(qtbot, redact=redaction)
    mime = QMimeData()
    mime.setImageData(image)
    drag_and_drop(desk.panel, mime)

    stored = desk.store.only()
    assert stored.name == "dropped-20261123-140509.png"
    assert_only_blacked(image, decoded(stored), [QRect(0, 0, 3, 3)])


def test_a_drag_without_files_is_not_accepted(qtbot: QtBot) -> None:
    desk = make_desk(qtbot)
    mime = QMimeData()
    mime.setText("just text")
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(desk.panel, enter)
    assert not enter.isAccepted()


# -- remove, failures, threads, draft ---------------------------------------------------------


def test_delete_on_the_list_removes_the_selected_attachment(qtbot: QtBot) -> None:
    store = MemoryStore()
    store.add("screenshot.png", "image/png", png_bytes(gradient(8, 8)), "the error")
    store.add("notes.txt", "text/plain", b"tried a restart", "")
    desk = make_desk(qtbot, store)
    assert desk.counts == [(2, True)]
    desk.panel.attachment_list.setCurrentRow(0)
    focus_list(qtbot, desk.panel)

    qtbot.keyClick(desk.panel.attachment_list, Qt.Key.Key_Delete)

    assert [s.name for s in store.items.values()] == ["notes.txt"]
    assert desk.panel.attachment_list.count() == 1
    assert desk.counts[-1] == (1, False)
    assert desk.edits == [1]
    assert not desk.panel.remove_button.isEnabled()  # nothing selected any more


def test_images_stored_earlier_get_thumbnails_from_their_content(qtbot: QtBot) -> None:
    store = MemoryStore()
    store.add("earlier.png", "image/png", png_bytes(gradient(80, 40)), "")
    store.add("notes.txt", "text/plain", b"tried a restart", "")
    read: list[int] = []

    def read_content(attachment_id: int) -> bytes:
        read.append(attachment_id)
        return store.items[attachment_id].content

    desk = make_desk(qtbot, store, read_content=read_content)

    assert read == [1]  # only the image, and only once
    thumbnail = desk.panel.attachment_list.item(0).icon().pixmap(QSize(64, 64))
    assert thumbnail.size() == QSize(64, 32)  # the image's shape, not a square file icon
    desk.panel.refresh()
    assert read == [1]


def test_a_store_failure_is_one_sentence_and_the_panel_stays_usable(qtbot: QtBot) -> None:
    store = MemoryStore(fail_with=RuntimeError("database is locked"))
    desk = make_desk(qtbot, store)
    qtbot.mouseClick(desk.panel.capture_screen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: desk.panel.message.text() != "")
    assert desk.panel.message.text() == "database is locked"
    assert desk.panel.capture_screen_button.isEnabled()
    assert not desk.panel.busy.isVisible()
    assert desk.edits == []


def test_storing_runs_off_the_gui_thread_and_shows_progress(qtbot: QtBot) -> None:
    runner = ThreadPoolTaskRunner(QThreadPool())
    store = MemoryStore(gate=threading.Event())
    desk = make_desk(qtbot, store, runner=runner)
    qtbot.waitUntil(lambda: desk.counts == [(0, False)])
    try:
        qtbot.mouseClick(desk.panel.capture_screen_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(store.threads))
        assert desk.panel.busy.isVisible()
        assert not desk.panel.attach_button.isEnabled()  # not twice while storing
    finally:
        assert store.gate is not None
        store.gate.set()
    qtbot.waitUntil(lambda: len(store.items) == 1)
    qtbot.waitUntil(lambda: not desk.panel.busy.isVisible())
    assert store.threads != [threading.current_thread().name]
    assert desk.panel.attach_button.isEnabled()
    assert runner.wait_for_done()


def test_a_store_finishing_after_the_ticket_closed_touches_no_deleted_widget(
    qtbot: QtBot,
) -> None:
    """The race the desk edge tests hit about once in three runs: the agent closes the
    ticket while a screenshot is being stored. The store keeps the screenshot; its result
    reaches a panel that is gone, and must be dropped rather than update deleted widgets
    (which raises RuntimeError on the GUI thread)."""
    runner = ThreadPoolTaskRunner(QThreadPool())
    store = MemoryStore(gate=threading.Event())
    desk = make_desk(qtbot, store, runner=runner)
    qtbot.waitUntil(lambda: desk.counts == [(0, False)])
    qtbot.mouseClick(desk.panel.capture_screen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(store.threads))
    panel = desk.panel
    panel.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(panel))
    assert store.gate is not None
    store.gate.set()
    assert runner.wait_for_done()
    qtbot.waitUntil(lambda: runner.busy == 0)  # the result has been handed over (or dropped)
    assert len(store.items) == 1
    assert desk.counts == [(0, False)]


def test_draft_state_round_trips_without_emitting_changed(qtbot: QtBot) -> None:
    desk = make_desk(qtbot)
    qtbot.keyClicks(desk.panel.description, "Outlook error")
    qtbot.keyClick(desk.panel.hide_window, Qt.Key.Key_Space)
    state = desk.panel.draft_state()
    assert state == {"description": "Outlook error", "hide_window": False}

    other = make_desk(qtbot)
    other.panel.restore_state(state)
    assert other.panel.draft_state() == state
    other.panel.restore_state({})  # a draft from before these keys existed
    assert other.panel.draft_state() == {"description": "", "hide_window": True}
    assert other.edits == []
    keys = [keys for keys, _ in other.panel.shortcuts()]
    assert keys == ["Ctrl+Shift+S", "Ctrl+Shift+R", "Ctrl+Shift+A", "Ctrl+V", "Delete"]


# -- the real draft store ------------------------------------------------------------------


@dataclass(frozen=True)
class TicketAttachments:
    """The adapter the main window uses: one ticket's attachments in the DraftService."""

    drafts: DraftService
    ref: str

    def add(self, name: str, media_type: str, content: bytes, description: str) -> int:
        return self.drafts.add_attachment(self.ref, name, media_type, content, description)

    def list(self) -> list[AttachmentRecord]:
        return self.drafts.attachments(self.ref)

    def remove(self, attachment_id: int) -> None:
        self.drafts.remove_attachment(attachment_id)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[TicketStore]:
    store = open_store(parse_store_url(str(tmp_path / "console.db")))
    yield store
    store.dispose()


def test_screenshots_land_in_the_draft_service_from_a_worker_thread(
    qtbot: QtBot, sqlite_store: TicketStore, tmp_path: Path
) -> None:
    ref = add_ticket(sqlite_store)
    drafts = DraftService(sqlite_store)
    attachments: AttachmentStore = TicketAttachments(drafts, ref)
    runner = ThreadPoolTaskRunner(QThreadPool())
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    screenshot = gradient(64, 48)
    area = QRect(8, 8, 16, 8)
    window = QWidget()
    qtbot.addWidget(window)
    panel = AttachmentsPanel(
        attachments,
        runner,
        ScreenCapturer(None, lambda screen: screenshot, parent=window),
        redact=ScriptedRedaction(area),
        choose_files=lambda: [str(empty)],
        parent=window,
    )
    QVBoxLayout(window).addWidget(panel)
    window.show()
    counts: list[tuple[int, bool]] = []
    panel.attachments_changed.connect(lambda n, image: counts.append((n, image)))
    try:
        panel.refresh()
        qtbot.waitUntil(lambda: counts == [(0, False)])
        qtbot.keyClicks(panel.description, "the error dialog after clicking Send")
        qtbot.mouseClick(panel.capture_screen_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: counts[-1] == (1, True))

        [stored] = drafts.attachment_inputs(ref)
        assert stored.name.startswith("screenshot-") and stored.name.endswith(".png")
        assert stored.media_type == "image/png"
        assert stored.description == "the error dialog after clicking Send"
        assert_only_blacked(screenshot, QImage.fromData(stored.content), [area])

        # The service's own refusal reaches the agent as its one sentence.
        qtbot.mouseClick(panel.attach_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.message.text() == "The attachment empty.txt is empty.")

        panel.attachment_list.setCurrentRow(0)
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: counts[-1] == (0, False))
        assert drafts.attachments(ref) == []
    finally:
        assert runner.wait_for_done()
