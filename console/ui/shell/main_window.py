"""The main window: queues on the left, the queue or an open ticket on the right.

Everything it shows comes through the ports (:mod:`console.ui.shell.ports`), which the
composition root (``console.app``) builds; the window itself opens no store and imports no
service, so it appears before the heavy parts of the app (SQLAlchemy, pydantic, psutil) are
even loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.ui.common.shortcuts import Shortcut
from console.ui.common.tasks import ThreadPoolTaskRunner
from console.ui.queue.view import QueueView
from console.ui.shell.help_overlay import HelpOverlay
from console.ui.shell.messages_bridge import MessagesBridge
from console.ui.shell.navigation import Navigation
from console.ui.shell.ports import OutboxStatus, Restorable, WindowPorts, Workspace
from console.ui.shell.recovery_banner import RecoveryBanner
from console.ui.shell.status_bar import DeskStatusBar

if TYPE_CHECKING:
    from console.domain.sla import SlaReading
    from console.ui.queue.ticket_model import PageSource

OUTBOX_POLL_MS = 15_000
SLA_REFRESH_MS = 30_000
AFTER_FIRST_PAGE_MS = 300


class MainWindow(QMainWindow):
    """The desk.

    Signals:
        first_page_loaded(): the window is shown and the first queue page is in the table
            (``--exit-after-startup`` waits for it).
    """

    first_page_loaded = Signal()

    def __init__(
        self, runner: ThreadPoolTaskRunner, ports: WindowPorts, settings: QSettings
    ) -> None:
        super().__init__()
        self.setWindowTitle("Agent Console")
        self.setObjectName("main_window")
        self._runner = runner
        self._ports = ports
        self._settings = settings
        self._workspaces: dict[str, Workspace] = {}
        self._outbox = OutboxStatus(0)
        self._first_page_seen = False
        self._shut_down = False
        """After :meth:`shutdown` (or the window's deletion) late task results are dropped."""

        self.navigation = Navigation(ports.views, shortcut_host=self)
        self.navigation.setAccessibleName("Queues")
        self.queue = QueueView(self._source_for_current_view, runner)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.navigation)
        self.splitter.addWidget(self.queue)
        self.splitter.setStretchFactor(1, 1)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tickets")
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.splitter, "Queues")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self._recoverable: list[Restorable] = []
        self.recovery_banner = RecoveryBanner()
        self.recovery_banner.restore_requested.connect(self.restore_drafts)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.recovery_banner)
        column.addWidget(self.tabs)
        self.setCentralWidget(central)
        self.status = DeskStatusBar()
        self.setStatusBar(self.status)
        self.status.set_store(ports.team_mode, ports.store_display)
        self.status.set_outbox(0)
        if ports.messages is not None:
            self._bridge = MessagesBridge(ports.messages, self)
            self._bridge.said.connect(lambda _level, text: self.status.say(text))
        runner.busy_changed.connect(self.status.set_busy)
        runner.activity.connect(self.status.set_activity)

        self._current_view = ports.views[0][0]
        self.navigation.view_selected.connect(self._show_view)
        self.queue.ticket_activated.connect(self.open_ticket)
        self.queue.page_loaded.connect(self._maybe_first_page)
        self._build_actions()

        self.tabs.currentChanged.connect(lambda _index: self.refresh_sla())
        self._sla_timer = QTimer(self, interval=SLA_REFRESH_MS)
        self._sla_timer.timeout.connect(self.refresh_sla)
        self._sla_timer.timeout.connect(self._mind_the_date)
        self._day = date.today()
        self._outbox_timer = QTimer(self, interval=OUTBOX_POLL_MS)
        self._outbox_timer.timeout.connect(lambda: self.deliver_outbox())
        self._restore_geometry()

    # -- start-up --------------------------------------------------------------------------

    def start(self) -> None:
        """Load the first page of the first queue, then the background chores."""
        self.queue.set_view_title(self.navigation.label_of(self._current_view))
        self.queue.refresh()
        self._outbox_timer.start()
        self._sla_timer.start()

    @property
    def idle(self) -> bool:
        """No background task is running (every result has been handed over or dropped)."""
        return not self._runner.busy

    def shutdown(self) -> None:
        """After the event loop: let running tasks (a draft save, a delivery) finish, and
        deliver their results, since a save that ran during the last one follows it."""
        for _ in range(10):
            self._runner.wait_for_done(30_000)
            QCoreApplication.processEvents()  # results: a save may queue its follow-up
            if not self._runner.busy and not any(w.pending for w in self._workspaces.values()):
                break
        self._shut_down = True
        if hasattr(self, "_bridge"):
            self._bridge.detach()
        self._sla_timer.stop()
        self._outbox_timer.stop()
        self._runner.wait_for_done(30_000)

    def _maybe_first_page(self) -> None:
        if not self._first_page_seen:
            self._first_page_seen = True
            self.first_page_loaded.emit()
            # The chores import the heavy parts on a worker; let the first page paint first.
            QTimer.singleShot(AFTER_FIRST_PAGE_MS, self._after_first_page)

    def _after_first_page(self) -> None:
        if self._shut_down:
            return
        self.deliver_outbox()
        self._runner.run_task(self._ports.recover, self._offer_recovery, self)
        self.refresh_counts()

    # -- queues ----------------------------------------------------------------------------

    def _source_for_current_view(self, search: str, sort: str, descending: bool) -> PageSource:
        return self._ports.page_source(self._current_view, search, sort, descending)

    def _show_view(self, key: str) -> None:
        self._current_view = key
        self.tabs.setCurrentIndex(0)
        self.queue.set_view_title(self.navigation.label_of(key))
        self.queue.refresh()

    # -- tickets ---------------------------------------------------------------------------

    def open_ticket(self, ref: str | None = None, journal_key: str | None = None) -> Workspace:
        """Show the ticket's workspace (a new ticket when ``ref`` is None, with the intake
        kept under ``journal_key`` when one is given)."""
        if ref is not None and ref in self._workspaces:
            workspace = self._workspaces[ref]
            self.tabs.setCurrentWidget(workspace.widget())
            return workspace
        workspace = self._ports.new_workspace(ref, journal_key)
        key = ref or f"new-{id(workspace)}"
        self._workspaces[key] = workspace
        index = self.tabs.addTab(workspace.widget(), workspace.title())
        self.tabs.setCurrentIndex(index)
        workspace.retitled.connect(lambda: self.retitle(workspace))
        workspace.submitted.connect(lambda _ref: self.deliver_outbox(now=True))
        workspace.submitted.connect(lambda _ref: self.refresh_counts())
        workspace.message.connect(self.status.say)
        return workspace

    def retitle(self, workspace: Workspace) -> None:
        """A new ticket got its ref: show it, and find the tab by it from now on."""
        index = self.tabs.indexOf(workspace.widget())
        if index >= 0:
            self.tabs.setTabText(index, workspace.title())
        self.refresh_sla()
        for key, open_one in list(self._workspaces.items()):
            if open_one is workspace and key != workspace.title():
                del self._workspaces[key]
                self._workspaces[workspace.title()] = workspace

    def current_workspace(self) -> Workspace | None:
        widget = self.tabs.currentWidget()
        return next((w for w in self._workspaces.values() if w.widget() is widget), None)

    def _close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        closed = None
        for key, workspace in list(self._workspaces.items()):
            if workspace.widget() is widget:
                workspace.closing()
                del self._workspaces[key]
                closed = workspace
        if index > 0 and widget is not None:
            self.tabs.removeTab(index)
            if closed is not None and closed.pending:
                # Deleted once its last save is in, not before: the save's follow-up needs it.
                widget.setParent(None)
                QTimer.singleShot(0, lambda: self._delete_when_saved(closed))
            else:
                widget.deleteLater()

    def _delete_when_saved(self, workspace: Workspace) -> None:
        if workspace.pending and not self._shut_down:
            QTimer.singleShot(100, lambda: self._delete_when_saved(workspace))
        else:
            workspace.widget().deleteLater()

    def _close_current(self) -> None:
        if self.tabs.currentIndex() > 0:
            self._close_tab(self.tabs.currentIndex())

    def refresh_counts(self) -> None:
        """The count badges of the queues, one background query each."""
        for key in self.navigation.view_keys():
            self._count_one(key)

    def _count_one(self, key: str) -> None:
        count = self._ports.count
        self._runner.run_task(lambda: count(key), lambda n, e: self._show_count(key, n, e), self)

    def _show_count(self, key: str, n: int | None, error: BaseException | None) -> None:
        if not self._shut_down:
            self.navigation.set_count(key, n if error is None else None)

    # -- the SLA clock of the ticket in front -------------------------------------------------

    def _mind_the_date(self) -> None:
        """After midnight, the list's times of yesterday get their date."""
        today = date.today()
        if today != self._day:
            self._day = today
            self.queue.redate()

    def refresh_sla(self) -> None:
        workspace = self.current_workspace()
        ref = workspace.ref if workspace is not None else None
        if ref is None:
            self.status.set_sla(None)
            return
        reading = self._ports.sla_reading
        self._runner.run_task(lambda: reading(ref), lambda r, e: self._show_sla(ref, r, e), self)

    def _show_sla(self, ref: str, reading: SlaReading | None, error: BaseException | None) -> None:
        workspace = self.current_workspace()
        if self._shut_down or workspace is None or workspace.ref != ref:
            return  # the agent moved on to another tab meanwhile
        self.status.set_sla(reading if error is None else None)

    # -- outbox ----------------------------------------------------------------------------

    def deliver_outbox(self, now: bool = False) -> None:
        """Send the outbox in the background (``now``: retry what waits for its back-off)."""
        deliver = self._ports.deliver
        self._runner.run_task(
            lambda: deliver(now), self._delivered, self, label="Sending the outbox"
        )

    def _delivered(self, status: OutboxStatus | None, error: BaseException | None) -> None:
        if self._shut_down:
            return
        if error is not None:
            self.status.set_connection(False, str(error))
            return
        assert status is not None
        self._outbox = status
        self.status.set_outbox(status.waiting, status.last_error)
        self.status.set_connection(status.connected, status.offline_reason)
        for ref in status.delivered:
            if ref in self._workspaces:
                self._workspaces[ref].set_delivery_state("Delivered to tier 2")
        for ref, reason in status.failing.items():
            if ref in self._workspaces:
                self._workspaces[ref].set_delivery_state(
                    f"Queued: not delivered yet ({reason}); retrying in the background"
                )

    # -- crash recovery --------------------------------------------------------------------

    def _offer_recovery(self, items: list[Restorable] | None, error: BaseException | None) -> None:
        if self._shut_down:
            return
        if error is not None:
            self.status.say(f"Could not check for unsaved drafts: {error}")
            return
        if items:
            self._recoverable = list(items)
            self.recovery_banner.offer([item.label for item in items], any(i.ref for i in items))

    def restore_drafts(self) -> None:
        """Open the tickets the crashed session was working on."""
        self.recovery_banner.hide()
        for item in self._recoverable:
            self.open_ticket(item.ref, item.journal_key)
        self._recoverable = []

    # -- actions and help ------------------------------------------------------------------

    def _build_actions(self) -> None:
        menu = self.menuBar()
        desk = menu.addMenu("&Desk")
        self._action(desk, "&New ticket", "Ctrl+N", lambda: self.open_ticket())
        self._action(desk, "&Find in queue", "Ctrl+F", self._focus_search)
        self._action(desk, "&Send outbox now", "F5", lambda: self.deliver_outbox(now=True))
        self._action(desk, "Close &ticket", "Ctrl+W", self._close_current)
        desk.addSeparator()
        self._action(desk, "Se&ttings…", "Ctrl+,", lambda: self._ports.open_settings(self))
        self._action(desk, "&Quit", "Ctrl+Q", self.close)
        ticket = menu.addMenu("&Ticket")
        self._action(ticket, "Copy handoff as &Markdown", "Ctrl+Shift+C", self._copy_markdown)
        self._action(ticket, "Save handoff as &PDF…", "Ctrl+P", self._save_pdf)
        self._action(ticket, "&Export package…", "Ctrl+E", self._export_package)
        help_menu = menu.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", "F1", self.show_help)

    def _action(self, menu: QMenu, text: str, keys: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _ticket_in_front(self) -> Workspace | None:
        workspace = self.current_workspace()
        if workspace is None:
            self.status.say("Open a ticket first.")
        return workspace

    def _copy_markdown(self) -> None:
        workspace = self._ticket_in_front()
        if workspace is not None:
            workspace.copy_markdown()

    def _save_pdf(self) -> None:
        workspace = self._ticket_in_front()
        if workspace is not None:
            path = self._ports.choose_save_path(
                self, "Save handoff as PDF", f"{workspace.title()}-handoff.pdf"
            )
            if path is not None:
                workspace.save_pdf(path)

    def _export_package(self) -> None:
        workspace = self._ticket_in_front()
        if workspace is not None:
            path = self._ports.choose_save_path(
                self, "Export escalation package", f"{workspace.title()}.zip"
            )
            if path is not None:
                workspace.export_package(path)

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.queue.focus_search()

    def window_shortcuts(self) -> list[Shortcut]:
        shortcuts: list[Shortcut] = []
        for action in self.actions():
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if keys:
                shortcuts.append((keys, action.text().replace("&", "").rstrip("…")))
        return shortcuts + [("Ctrl+1…Ctrl+6", "Show a queue"), ("Enter", "Open the ticket")]

    def show_help(self) -> HelpOverlay:
        groups: list[tuple[str, Sequence[Shortcut]]] = [("Window", self.window_shortcuts())]
        workspace = self.current_workspace()
        if workspace is not None:
            groups += workspace.shortcuts()
        overlay = HelpOverlay(groups, self)
        overlay.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        overlay.open()
        return overlay

    # -- geometry and closing ----------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        splitter = self._settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([220, 1060])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._shut_down:
            event.accept()
            return
        for workspace in self._workspaces.values():
            workspace.flush()
        if self._outbox.waiting:
            answer = QMessageBox.question(
                self,
                "Packages waiting to send",
                f"{self._outbox.waiting} escalation package(s) have not reached the team "
                "store yet. They stay safely in this computer's outbox and are sent the next "
                "time Agent Console runs (or with `agent-console sync`). Quit now?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/splitter", self.splitter.saveState())
        self._outbox_timer.stop()
        event.accept()
