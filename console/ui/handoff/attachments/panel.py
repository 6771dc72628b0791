"""The handoff's attachments: screenshots, pasted images and files, each redacted first.

Every image (a screen or region capture, a pasted image, an attached PNG/JPEG/BMP) is shown
in the redaction dialog before it is stored, and is stored as PNG: what the agent blacked
out is gone from the pixels, and re-encoding also drops metadata such as a photo's location.
The attachments themselves live in an :class:`AttachmentStore` (the ticket's draft, in the
database); this panel only keeps its own UI state in the draft.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QClipboard,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from console.ui.common.tasks import TaskRunner
from console.ui.handoff.attachments.files import (
    MAX_ATTACHMENT_BYTES,
    THUMBNAIL_SIDE,
    AttachmentRefused,
    Incoming,
    StoreJob,
    StoreOutcome,
    human_size,
    kind_of,
    read_file,
)
from console.ui.handoff.attachments.redact_image import redact_with_dialog
from console.ui.handoff.attachments.screen_capture import ScreenCapturer

Redactor = Callable[[QImage], QImage | None]
"""Shows an image for redaction; the image to store, or None when the agent cancelled."""
ChooseFiles = Callable[[], Sequence[str]]


class AttachmentLike(Protocol):
    """One stored attachment as the list shows it (the content stays in the store)."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def media_type(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def description(self) -> str: ...


class AttachmentStore(Protocol):
    """Where one ticket's attachments are kept; every call may touch the database."""

    def add(self, name: str, media_type: str, content: bytes, description: str) -> int:
        """Store one attachment; its id."""
        ...

    def list(self) -> Sequence[AttachmentLike]:
        """The ticket's attachments, oldest first."""
        ...

    def remove(self, attachment_id: int) -> None: ...


class AttachmentsPanel(QWidget):
    """The attachment list with capture, paste, attach and remove.

    Call :meth:`refresh` once the signals are connected, to load the stored attachments.

    Signals:
        changed(): the agent added or removed an attachment, or edited the panel's fields.
        attachments_changed(int, bool): after every (re)load of the list: how many
            attachments there are, and whether at least one is an image.
    """

    changed = Signal()
    attachments_changed = Signal(int, bool)

    def __init__(
        self,
        store: AttachmentStore,
        runner: TaskRunner,
        capturer: ScreenCapturer,
        *,
        redact: Redactor | None = None,
        choose_files: ChooseFiles | None = None,
        clipboard: QClipboard | None = None,
        read_content: Callable[[int], bytes] | None = None,
        max_bytes: int = MAX_ATTACHMENT_BYTES,
        now: Callable[[], datetime] = datetime.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self._capturer = capturer
        self._redact = redact or (lambda image: redact_with_dialog(image, self))
        self._choose_files = choose_files or self._ask_for_files
        self._clipboard = clipboard or QGuiApplication.clipboard()
        self._read_content = read_content
        self._max_bytes = max_bytes
        self._now = now
        self._running = 0
        self._attachments: list[AttachmentLike] = []
        self._thumbnails: dict[int, QIcon] = {}
        self.setAcceptDrops(True)

        self.capture_screen_button = self._button("Capture screen", "capture_screen")
        self.capture_screen_button.clicked.connect(self.capture_screen)
        self.capture_region_button = self._button("Capture region", "capture_region")
        self.capture_region_button.clicked.connect(self.capture_region)
        self.paste_button = self._button("Paste image", "paste")
        self.paste_button.clicked.connect(self.paste)
        self.attach_button = self._button("Attach file…", "attach")
        self.attach_button.clicked.connect(self.attach_files)
        self.remove_button = self._button("Remove", "remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.hide_window = QCheckBox("Hide this window while capturing")
        self.hide_window.setObjectName("attachments_hide_window")
        self.hide_window.setAccessibleName("Hide this window while capturing")
        self.hide_window.setChecked(True)
        self.hide_window.clicked.connect(self._edited)
        self.description = QLineEdit()
        self.description.setObjectName("attachments_description")
        self.description.setAccessibleName("Description of the next attachment")
        self.description.setPlaceholderText(
            "What the next attachment shows, e.g. the error dialog after clicking Send"
        )
        self.description.textEdited.connect(self._edited)
        self.attachment_list = QListWidget()
        self.attachment_list.setObjectName("attachments_list")
        self.attachment_list.setAccessibleName("Attachments")
        self.attachment_list.setIconSize(QSize(THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        self.attachment_list.currentItemChanged.connect(self._update_buttons)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: storing has no known length
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(90)
        self.busy.hide()
        self.message = QLabel("")
        self.message.setObjectName("attachments_message")
        self.message.setAccessibleName("Attachment messages")
        self.message.setWordWrap(True)

        buttons = QHBoxLayout()
        for button in (
            self.capture_screen_button,
            self.capture_region_button,
            self.paste_button,
            self.attach_button,
            self.remove_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        status = QHBoxLayout()
        status.addWidget(self.busy)
        status.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.hide_window)
        layout.addWidget(self.description)
        layout.addWidget(self.attachment_list, 1)
        layout.addLayout(status)

        panel = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self._shortcut("Ctrl+Shift+S", self, self.capture_screen, panel)
        self._shortcut("Ctrl+Shift+R", self, self.capture_region, panel)
        self._shortcut("Ctrl+Shift+A", self, self.attach_files, panel)
        # Only on the list: in the description field Ctrl+V and Delete edit the text.
        list_only = Qt.ShortcutContext.WidgetShortcut
        self._shortcut(QKeySequence.StandardKey.Paste, self.attachment_list, self.paste, list_only)
        self._shortcut(
            QKeySequence.StandardKey.Delete, self.attachment_list, self.remove_selected, list_only
        )
        self._update_buttons()

    # -- the panel contract ------------------------------------------------------------

    def draft_state(self) -> dict[str, Any]:
        return {
            "description": self.description.text(),
            "hide_window": self.hide_window.isChecked(),
        }

    def restore_state(self, state: Mapping[str, Any]) -> None:
        # setText and setChecked do not fire textEdited/clicked: restoring emits nothing.
        self.description.setText(str(state.get("description", "")))
        self.hide_window.setChecked(bool(state.get("hide_window", True)))

    def shortcuts(self) -> list[tuple[str, str]]:
        return [
            ("Ctrl+Shift+S", "Capture the screen (redact, then attach)"),
            ("Ctrl+Shift+R", "Capture a region of the screen"),
            ("Ctrl+Shift+A", "Attach a file"),
            ("Ctrl+V", "Paste an image from the clipboard (in the attachment list)"),
            ("Delete", "Remove the selected attachment (in the attachment list)"),
        ]

    # -- what the window reads -----------------------------------------------------------

    def attachments(self) -> list[AttachmentLike]:
        return list(self._attachments)

    def has_image(self) -> bool:
        return any(a.media_type.startswith("image/") for a in self._attachments)

    # -- actions -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the stored attachments (in the background)."""
        self._run(self._job(), self._loaded, "Loading attachments…")

    def capture_screen(self) -> None:
        self._capture(self._capturer.capture_screen, "screenshot")

    def capture_region(self) -> None:
        self._capture(self._capturer.capture_region, "region")

    def paste(self) -> None:
        """Attach the clipboard's image, or the files copied in a file manager."""
        if self._running:
            return
        mime = self._clipboard.mimeData()
        image = self._clipboard.image()
        if not image.isNull():
            self._take([Incoming(self._stamped("pasted"), image=image)])
        elif mime is not None and _local_files(mime.urls()):
            self.attach_paths(_local_files(mime.urls()))
        else:
            self._say("The clipboard holds no image or file to paste.")

    def attach_files(self) -> None:
        if self._running:
            return
        paths = list(self._choose_files())
        if paths:
            self.attach_paths(paths)

    def attach_paths(self, paths: Sequence[str]) -> None:
        """Read the files in the background, redact the images, store them all."""
        limit = self._max_bytes

        def read_all() -> tuple[list[Incoming], list[str]]:
            read: list[Incoming] = []
            refused: list[str] = []
            for path in paths:
                try:
                    read.append(read_file(Path(path), limit))
                except AttachmentRefused as exc:
                    refused.append(str(exc))
            return read, refused

        self._run(read_all, self._files_read, "Reading files…")

    def remove_selected(self) -> None:
        item = self.attachment_list.currentItem()
        if item is None or self._running:
            return
        attachment_id = int(item.data(Qt.ItemDataRole.UserRole))
        store, job = self._store, self._job()

        def remove() -> StoreOutcome:
            store.remove(attachment_id)
            outcome = job()
            outcome.edited = True
            return outcome

        self._run(remove, self._stored, f"Removing {item.data(Qt.ItemDataRole.UserRole + 1)}…")

    # -- drag and drop ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if _local_files(mime.urls()) or mime.hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        paths = _local_files(mime.urls())
        if paths:
            event.acceptProposedAction()
            self.attach_paths(paths)
        elif isinstance(image := mime.imageData(), QImage) and not image.isNull():
            event.acceptProposedAction()
            self._take([Incoming(self._stamped("dropped"), image=image)])

    # -- internals ---------------------------------------------------------------------

    def _capture(self, start: Callable[..., bool], prefix: str) -> None:
        if self._running:
            return
        self._say("")

        def captured(image: QImage | None, problem: str) -> None:
            self._update_buttons()
            if image is not None:
                self._take([Incoming(self._stamped(prefix), image=image)])
            else:
                self._say(problem)  # "" when the agent cancelled: nothing to say

        if start(captured, self, hide_window=self.hide_window.isChecked()):
            self._update_buttons()
        else:
            self._say("A capture is already running.")

    def _files_read(
        self, result: tuple[list[Incoming], list[str]] | None, error: BaseException | None
    ) -> None:
        if error is not None or result is None:
            self._say(str(error))
            return
        read, refused = result
        self._take(read, refused)

    def _take(self, incoming: Sequence[Incoming], refused: Sequence[str] = ()) -> None:
        """Redact each image (the agent may cancel one), then store everything at once."""
        ready: list[Incoming] = []
        discarded: list[str] = []
        for item in incoming:
            if item.image is None:
                ready.append(item)
                continue
            redacted = self._redact(item.image)
            if redacted is None:
                discarded.append(f"{item.name} was not attached.")
            else:
                ready.append(Incoming(item.name, item.media_type, image=redacted))
        if not ready:
            self._say(" ".join([*refused, *discarded]))
            return
        description = self.description.text().strip()
        job = self._job()
        notes = [*refused, *discarded]
        self._run(lambda: job(ready, description, notes), self._stored, "Storing attachments…")

    def _loaded(self, outcome: StoreOutcome | None, error: BaseException | None) -> None:
        if error is not None or outcome is None:
            self._say(str(error))
            return
        self._show(outcome)

    def _stored(self, outcome: StoreOutcome | None, error: BaseException | None) -> None:
        if error is not None or outcome is None:
            self._say(str(error))
            self.refresh()  # part of a batch may be stored: show what really is
            return
        if outcome.added:
            self.description.clear()  # it described what was just attached
        self._show(outcome)
        done = [f"Attached {', '.join(outcome.added)}."] if outcome.added else []
        self._say(" ".join([*done, *outcome.refused]))
        if outcome.edited:
            self.changed.emit()

    def _show(self, outcome: StoreOutcome) -> None:
        for attachment_id, thumbnail in outcome.thumbnails.items():
            self._thumbnails[attachment_id] = QIcon(QPixmap.fromImage(thumbnail))
        self._attachments = outcome.attachments
        current = self.attachment_list.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self.attachment_list.clear()
        file_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for a in self._attachments:
            details = f"{kind_of(a.media_type)}, {human_size(a.size)}"
            text = f"{a.name}\n{details}" + (f": {a.description}" if a.description else "")
            item = QListWidgetItem(self._thumbnails.get(a.id, file_icon), text)
            item.setData(Qt.ItemDataRole.UserRole, a.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, a.name)
            item.setToolTip(a.description or a.name)
            self.attachment_list.addItem(item)
            if a.id == keep:
                self.attachment_list.setCurrentItem(item)
        self._update_buttons()
        self.attachments_changed.emit(len(self._attachments), self.has_image())

    def _run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any, BaseException | None], None],
        label: str,
    ) -> None:
        self._running += 1
        self._update_buttons()

        def done(result: Any, error: BaseException | None) -> None:
            self._running -= 1
            self._update_buttons()
            on_done(result, error)

        self._runner.run_task(fn, done, self, label=label)

    def _job(self) -> StoreJob:
        return StoreJob(
            self._store, self._max_bytes, self._read_content, frozenset(self._thumbnails)
        )

    def _update_buttons(self, *_: object) -> None:
        idle = not self._running and not self._capturer.busy
        self.busy.setVisible(bool(self._running))
        for button in (
            self.capture_screen_button,
            self.capture_region_button,
            self.paste_button,
            self.attach_button,
        ):
            button.setEnabled(idle)
        self.remove_button.setEnabled(idle and self.attachment_list.currentItem() is not None)

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _edited(self) -> None:
        self.changed.emit()

    def _stamped(self, prefix: str) -> str:
        return f"{prefix}-{self._now():%Y%m%d-%H%M%S}.png"

    def _ask_for_files(self) -> list[str]:
        paths, _ = QFileDialog.getOpenFileNames(self, "Attach files")
        return paths

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(f"attachments_{name}")
        button.setAccessibleName(text.rstrip("…"))
        return button

    def _shortcut(
        self,
        keys: str | QKeySequence.StandardKey,
        parent: QWidget,
        slot: Callable[[], None],
        context: Qt.ShortcutContext,
    ) -> None:
        shortcut = QShortcut(QKeySequence(keys), parent, slot)
        shortcut.setContext(context)


def _local_files(urls: Sequence[QUrl]) -> list[str]:
    return [url.toLocalFile() for url in urls if url.isLocalFile()]
