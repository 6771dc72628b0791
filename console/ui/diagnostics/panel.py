"""Step 3 of a call, diagnostics: capture this device or import the caller's bundle, see
exactly what will leave this machine, and compare two captures (before and after a fix).

Everything that touches psutil, a file or the store runs through the task runner; the panel
only shows results. Redaction has already run when a capture reaches the preview: what the
tree shows is the stored snapshot, byte for byte what the escalation package will carry.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.diagnostics.diff import diff
from console.diagnostics.summary import render_summary
from console.ui.common.widgets import named
from console.ui.diagnostics.diff import CaptureDiffView
from console.ui.diagnostics.files import ChooseFile, ask_for_bundle, bundle_path
from console.ui.diagnostics.preview import SnapshotPreview, describe_capture

if TYPE_CHECKING:
    from console.diagnostics.redaction import Privacy
    from console.services.capture import (
        AttachedSnapshot,
        CaptureInfo,
        CaptureService,
        StoredSnapshot,
    )
    from console.ui.common.tasks import TaskRunner

CAPTURE_KEYS = "Ctrl+Shift+D"
IMPORT_KEYS = "Ctrl+O"
SUMMARY_TAB, PREVIEW_TAB, DIFF_TAB = 0, 1, 2

CaptureDevice = Callable[["Privacy"], Mapping[str, Any]]
"""Captures this device at a privacy level and returns the redacted snapshot (in the app,
``lambda level: capture_snapshot(level).data``)."""
MeasureDevice = Callable[[], CaptureDevice]
"""Starts measuring this device's CPU use now and returns a capture that reports it over the
time since (runs on a worker thread)."""


@dataclass(frozen=True, slots=True)
class _Attached:
    stored: StoredSnapshot
    captures: list[CaptureInfo]


class DiagnosticsPanel(QWidget):
    """Diagnostics of one ticket: capture, import, preview, compare.

    Call :meth:`refresh` once the signals are connected, to list the ticket's captures.

    Signals:
        changed(): a capture was attached, or the agent picked captures to compare (both
            change the draft); not emitted by :meth:`restore_state` or :meth:`refresh`.
        captures_changed(int): how many captures the ticket has, after every listing.
        newest_shown(object): the redacted content of the ticket's newest capture, each time
            it is shown (as it is attached, or when the ticket's captures are first listed).
    """

    changed = Signal()
    captures_changed = Signal(int)
    newest_shown = Signal(object)

    def __init__(
        self,
        ref: str,
        service: CaptureService,
        capture: CaptureDevice,
        privacy: Privacy | Callable[[], Privacy],
        actor: str,
        runner: TaskRunner,
        choose_file: ChooseFile = ask_for_bundle,
        parent: QWidget | None = None,
        *,
        measure: MeasureDevice | None = None,
    ) -> None:
        """``ref``: the ticket. ``capture``: captures this device (runs on a worker thread).
        ``privacy``: the level, or a callable read at each capture or import (the setting
        may change while the ticket is open). ``actor``: who attaches, for the audit trail.
        ``choose_file``: the file dialog (tests pass their own). ``measure``: where given,
        started in the background as the panel is built (when the ticket opens), so the
        captures report CPU use over the call instead of over their own few milliseconds;
        ``capture`` stands in until it is ready."""
        super().__init__(parent)
        self._ref = ref
        self._service = service
        self._capture = capture
        self._privacy: Callable[[], Privacy] = privacy if callable(privacy) else lambda: privacy
        self._actor = actor
        self._runner = runner
        self._choose_file = choose_file
        self._busy = False
        self._captures: list[CaptureInfo] = []
        self._pending_diff: tuple[int, int] | None = None
        # Only the newest request of each kind may change the panel: an older answer that
        # arrives late (the agent clicked on) is dropped.
        self._tokens = itertools.count(1)
        self._latest: dict[str, int] = {}
        self.setAcceptDrops(True)
        self._build()
        if measure is not None:
            runner.run_task(measure, self._measuring, self)

    # -- the panel contract ------------------------------------------------------------

    def draft_state(self) -> dict[str, Any]:
        """The captures picked for the diff (the captures themselves live in the store)."""
        if not self.diff_view.chosen:
            return {}
        before, after = self.diff_view.selected()
        return {"diff_before": before, "diff_after": after}

    def restore_state(self, state: Mapping[str, Any]) -> None:
        before, after = state.get("diff_before"), state.get("diff_after")
        if not (isinstance(before, int) and isinstance(after, int)):
            return
        if not (self._captures and self.diff_view.select(before, after)):
            self._pending_diff = (before, after)  # applied when the captures are listed

    def shortcuts(self) -> list[tuple[str, str]]:
        return [
            (CAPTURE_KEYS, "Capture this device's diagnostics onto the ticket"),
            (IMPORT_KEYS, "Import a diagnostics bundle the caller sent"),
        ]

    # -- what the window calls ---------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A capture or an import is running."""
        return self._busy

    @property
    def capture_count(self) -> int:
        return len(self._captures)

    def refresh(self) -> None:
        """List the ticket's captures again (in the background) and show the newest."""
        service, ref = self._service, self._ref
        token = self._token("list")
        self._runner.run_task(
            lambda: service.captures(ref),
            lambda result, error: self._listed(token, result, error),
            self,
            label="Loading diagnostics…",
        )

    def capture_device(self) -> None:
        """Capture this device and attach the snapshot to the ticket, in the background."""
        if self._busy:
            return
        service, ref, actor, level = self._service, self._ref, self._actor, self._privacy()
        capture = self._capture
        self._start(
            lambda: service.attach(ref, capture(level), "this_device", actor, level),
            "Capturing this device…",
        )

    def import_bundle(self, path: Path) -> None:
        """Verify a bundle and attach its snapshot, in the background; a bad bundle stores
        nothing and its one-sentence reason shows in the panel."""
        if self._busy:
            return
        service, ref, actor, level = self._service, self._ref, self._actor, self._privacy()
        self._start(
            lambda: service.attach_bundle(ref, path, actor, level),
            f"Verifying and attaching {path.name}…",
        )

    def choose_and_import(self) -> None:
        """Ask for a bundle file (Ctrl+O) and import it."""
        if self._busy:
            return
        path = self._choose_file(self)
        if path is not None:
            self.import_bundle(path)

    def _measuring(self, capture: CaptureDevice | None, error: BaseException | None) -> None:
        if capture is not None:
            self._capture = capture
        # On an error the one-shot capture stays: it measures over its own run instead.

    # -- drag and drop -----------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if not self._busy and bundle_path(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        path = bundle_path(event.mimeData())
        if self._busy or path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_bundle(path)

    # -- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.capture_button = named(
            QPushButton("Capture this device"), "diagnostics_capture", "Capture this device"
        )
        self.capture_button.setToolTip(f"Capture this device's diagnostics ({CAPTURE_KEYS})")
        self.capture_button.clicked.connect(self.capture_device)
        self.import_button = named(
            QPushButton("Import bundle…"), "diagnostics_import", "Import bundle"
        )
        self.import_button.setToolTip(
            f"Import a bundle made with agent-console collect -o ({IMPORT_KEYS}), or drop it here"
        )
        self.import_button.clicked.connect(self.choose_and_import)
        self.busy_bar = named(QProgressBar(), "diagnostics_busy", "Working")
        self.busy_bar.setRange(0, 0)  # no known length: a busy indicator
        self.busy_bar.setMaximumWidth(160)
        self.busy_bar.hide()
        self.busy_label = named(QLabel(""), "diagnostics_busy_label", "What is running")
        self.error = named(QLabel(""), "diagnostics_error", "Diagnostics problem")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.captures = named(QListWidget(), "diagnostics_captures", "Captures of this ticket")
        self.captures.currentItemChanged.connect(self._capture_picked)
        self.summary = named(QPlainTextEdit(), "diagnostics_summary", "Diagnostics summary")
        self.summary.setReadOnly(True)
        self.summary.setAcceptDrops(False)  # a dropped bundle is the panel's, not text
        self.summary.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.summary.setPlaceholderText("Capture this device or import a bundle (drop it here).")
        self.preview = SnapshotPreview()
        service, ref = self._service, self._ref
        self.diff_view = CaptureDiffView(
            self._runner,
            lambda before, after: diff(
                service.load(ref, before).content, service.load(ref, after).content
            ),
        )
        self.diff_view.selection_changed.connect(self.changed)
        self.tabs = named(QTabWidget(), "diagnostics_tabs", "Diagnostics views")
        self.tabs.addTab(self.summary, "Summary")
        self.tabs.addTab(self.preview, "What leaves this machine")
        self.tabs.addTab(self.diff_view, "Compare captures")

        actions = QHBoxLayout()
        actions.addWidget(self.capture_button)
        actions.addWidget(self.import_button)
        actions.addWidget(self.busy_bar)
        actions.addWidget(self.busy_label, 1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Captures of this ticket"))
        left_layout.addWidget(self.captures)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.error)
        layout.addWidget(splitter, 1)
        for keys, slot in (
            (CAPTURE_KEYS, self.capture_device),
            (IMPORT_KEYS, self.choose_and_import),
        ):
            shortcut = QShortcut(QKeySequence(keys), self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QWidget.setTabOrder(self.capture_button, self.import_button)
        QWidget.setTabOrder(self.import_button, self.captures)
        QWidget.setTabOrder(self.captures, self.tabs)

    # -- attaching ---------------------------------------------------------------------

    def _start(self, attach: Callable[[], AttachedSnapshot], label: str) -> None:
        """Attach in the background, then read back what was stored and the new list."""
        service, ref = self._service, self._ref

        def work() -> _Attached:
            snapshot_id = attach().snapshot_id
            return _Attached(service.load(ref, snapshot_id), service.captures(ref))

        self._set_busy(label)
        self.error.hide()
        self._runner.run_task(work, self._attached, self, label=label)

    def _attached(self, result: _Attached | None, error: BaseException | None) -> None:
        self._set_busy("")
        if error is not None or result is None:
            self._show_error(error)
            return
        self._set_captures(result.captures, show=result.stored.info.snapshot_id)
        self._show(result.stored)
        self.tabs.setCurrentIndex(SUMMARY_TAB)
        self.changed.emit()

    def _set_busy(self, label: str) -> None:
        self._busy = bool(label)
        self.busy_bar.setVisible(self._busy)
        self.busy_label.setText(label)
        self.capture_button.setEnabled(not self._busy)
        self.import_button.setEnabled(not self._busy)

    def _show_error(self, error: BaseException | None) -> None:
        text = str(error).strip() if error is not None else ""
        self.error.setText(text or f"Something went wrong ({type(error).__name__}).")
        self.error.show()

    # -- listing and showing -----------------------------------------------------------

    def _listed(
        self, token: int, captures: list[CaptureInfo] | None, error: BaseException | None
    ) -> None:
        if token != self._latest.get("list"):
            return
        if error is not None or captures is None:
            self._show_error(error)
            return
        newest = captures[-1].snapshot_id if captures else None
        shown = self.preview.shown_id
        keep = shown if any(c.snapshot_id == shown for c in captures) else newest
        self._set_captures(captures, show=keep)
        if keep is not None and keep != shown:
            self._load(keep)

    def _set_captures(self, captures: Sequence[CaptureInfo], show: int | None) -> None:
        self._captures = list(captures)
        self.captures.blockSignals(True)
        self.captures.clear()
        for info in reversed(captures):  # newest on top
            item = QListWidgetItem(describe_capture(info))
            item.setData(Qt.ItemDataRole.UserRole, info.snapshot_id)
            self.captures.addItem(item)
            if info.snapshot_id == show:
                self.captures.setCurrentItem(item)
        self.captures.blockSignals(False)
        self.diff_view.set_captures(captures, prefer=self._pending_diff)
        self._pending_diff = None
        self.captures_changed.emit(len(captures))

    def _capture_picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self._load(int(item.data(Qt.ItemDataRole.UserRole)))

    def _load(self, snapshot_id: int) -> None:
        service, ref = self._service, self._ref
        token = self._token("preview")
        self._runner.run_task(
            lambda: service.load(ref, snapshot_id),
            lambda result, error: self._loaded(token, result, error),
            self,
            label="Loading capture…",
        )

    def _loaded(
        self, token: int, stored: StoredSnapshot | None, error: BaseException | None
    ) -> None:
        if token != self._latest.get("preview"):
            return
        if error is not None or stored is None:
            self._show_error(error)
            return
        self._show(stored)

    def _show(self, stored: StoredSnapshot) -> None:
        self._token("preview")  # a load still under way is now out of date
        self.preview.show_snapshot(stored)
        self.summary.setPlainText(render_summary(stored.content))
        if self._captures and stored.info.snapshot_id == self._captures[-1].snapshot_id:
            self.newest_shown.emit(stored.content)

    def _token(self, kind: str) -> int:
        token = next(self._tokens)
        self._latest[kind] = token
        return token
