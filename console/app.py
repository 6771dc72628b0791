"""The GUI's composition root: the only place that picks concrete parts (the OS keyring, the
store URL, the thread pool) and hands them to the window.

Start-up is ordered for speed: the window and its first queue page come first, and
everything heavy (SQLAlchemy, pydantic, psutil, the playbooks) is imported on a worker
thread afterwards or when first needed. ``--exit-after-startup`` prints how long that took.
Types used only in annotations are imported under TYPE_CHECKING: they cost nothing at start.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from console.startup_clock import ms_since_process_start

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QWidget

    from console.config import StoreChoice
    from console.connect import Stores
    from console.diagnostics.checks import CheckResult
    from console.diagnostics.redaction import Privacy
    from console.domain.sla import SlaReading
    from console.services.desk import Desk
    from console.services.intake_journal import IntakeJournal
    from console.services.queue_model import PageKey, TicketPage
    from console.services.work_sessions import WorkSessions
    from console.settings import Settings
    from console.store.database import TicketStore
    from console.ui.common.tasks import ThreadPoolTaskRunner
    from console.ui.diagnostics.panel import CaptureDevice, MeasureDevice
    from console.ui.handoff.attachments.screen_capture import ScreenCapturer
    from console.ui.shell.main_window import MainWindow
    from console.ui.shell.ports import OutboxStatus, Restorable, WindowPorts
    from console.ui.ticket.workspace import TicketWorkspace

T = TypeVar("T")
APP_NAME = "Agent Console"

RunCheck = Callable[[str, Mapping[str, Any]], "CheckResult"]
ChooseSavePath = Callable[["QWidget", str, str], "Path | None"]


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="agent-console", description="The agent's desk.")
    parser.add_argument("--store", metavar="URL", help="the ticket store (default: settings)")
    parser.add_argument(
        "--exit-after-startup",
        action="store_true",
        help="print startup_ms=<ms until the window shows its first queue page> and exit 0",
    )
    return parser.parse_args(list(argv))


def run(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> int:
    """Show the desk until the agent quits; returns the exit code."""
    args = parse_arguments(argv)
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox

    from console.config import ConfigError, config_file
    from console.settings import load_settings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("agent-console")
    try:
        settings = load_settings(config_file())
        desk, window, sessions = build_desk_window(args.store, environ, settings, QSettings())
    except ConfigError as exc:
        print(f"agent-console: {exc}", file=sys.stderr)
        if not args.exit_after_startup:
            QMessageBox.critical(None, APP_NAME, str(exc))
        return 2
    if args.exit_after_startup:

        def report() -> None:
            print(f"startup_ms={round(ms_since_process_start())}", flush=True)
            app.exit(0)

        window.first_page_loaded.connect(report)
    window.show()
    window.start()
    code = app.exec()
    window.shutdown()
    desk.close()
    sessions.end()  # a clean exit: nothing to offer to restore next time
    return code


class DeskWindow(NamedTuple):
    """What :func:`build_desk_window` puts together."""

    desk: Desk
    """The services, opened lazily."""
    window: MainWindow
    sessions: WorkSessions
    """This run's work session marker, begun once the window has checked for a crashed
    session."""


class CurrentSettings:
    """The settings as last saved. The settings dialog replaces them while the app runs;
    what is read per use (the privacy level) follows at once, the rest at the next start."""

    def __init__(self, settings: Settings) -> None:
        self.value = settings


def build_desk_window(
    store_arg: str | None,
    environ: Mapping[str, str],
    settings: Settings,
    qsettings: QSettings,
    *,
    run_check: RunCheck | None = None,
    capture_device: CaptureDevice | None = None,
    data_dir: Path | None = None,
    choose_save_path: ChooseSavePath | None = None,
) -> DeskWindow:
    """The desk, the main window over it, and this run's work session markers.

    ``run_check`` and ``capture_device`` replace this machine's checks and capture (tests);
    ``data_dir`` is where the session marker lives (default: the user data directory);
    ``choose_save_path`` replaces the save-file dialog (tests).
    """
    from console.config import choose_store
    from console.config import data_dir as default_data_dir
    from console.services.desk import Agent, Desk
    from console.services.intake_journal import IntakeJournal
    from console.services.work_sessions import WorkSessions
    from console.ui.common.tasks import ThreadPoolTaskRunner
    from console.ui.handoff.attachments.screen_capture import ScreenCapturer
    from console.ui.shell.main_window import MainWindow

    agent = Agent(settings.agent_name, settings.agent_role)
    current = CurrentSettings(settings)

    # --store, else AGENT_CONSOLE_STORE, else the config file, as for every command.
    choice = choose_store(store_arg, environ)
    team_mode = not _is_sqlite(choice.url)

    def open_stores() -> Stores:
        from console.connect import open_stores as connect
        from console.store.credentials import KeyringCredentials

        try:
            return connect(store_arg, environ, KeyringCredentials)
        finally:
            _settle_garbage_collector()

    def open_offline() -> Stores:
        from console.connect import open_workstation_only

        return open_workstation_only(store_arg, environ)

    def reconnect() -> TicketStore:
        from console.connect import open_chosen_store
        from console.store.credentials import KeyringCredentials

        return open_chosen_store(store_arg, environ, KeyringCredentials)

    desk = Desk(
        agent,
        open_stores,
        settings.playbook_folders,
        # A local store that cannot be opened is an error, not "offline" on another file.
        open_offline=open_offline if team_mode else None,
        reconnect=reconnect if team_mode else None,
    )
    runner = ThreadPoolTaskRunner()
    directory = data_dir or default_data_dir()
    journal = IntakeJournal(directory)
    sessions = WorkSessions()
    parts = _Parts(
        run_check or _run_check,
        capture_device or _capture_device,
        journal,
        # A capture stand-in (tests) is not to be replaced by this machine's measurements.
        measure_device=None if capture_device else _measure_device,
    )
    ports = _ports(desk, runner, current, choice, parts)
    ports.recover = lambda: _recover(desk, directory, journal, sessions)
    if choose_save_path is not None:
        ports.choose_save_path = choose_save_path
    window = MainWindow(runner, ports, qsettings)
    # One per window: it hides the window while it takes a screenshot.
    parts.capturer = ScreenCapturer(window, parent=window)
    return DeskWindow(desk, window, sessions)


def _settle_garbage_collector() -> None:
    """After the heavy imports (SQLAlchemy, the store models, keyring): their ~100,000
    long-lived objects leave the collector's generations, so a full collection stops taking
    80-90 ms of a worker's time while it holds the GIL the window needs (bench_gui)."""
    import gc

    gc.freeze()  # no collect() first: that would be the very pause this avoids


def _recover(
    desk: Desk, directory: Path, journal: IntakeJournal, sessions: WorkSessions
) -> list[Restorable]:
    """Worker thread: begin this run's work session and list what is left to restore: the
    drafts a crashed session was working on, and intake typed but never opened."""
    from console.services.clock import utc_now
    from console.services.recovery import WorkSession
    from console.ui.shell.ports import Restorable

    directory.mkdir(parents=True, exist_ok=True)
    crashed = WorkSession.crashed_before(directory)
    items = [Restorable(entry.describe(), journal_key=entry.key) for entry in journal.entries()]
    if crashed is not None:
        # Listed before this run's marker replaces the crashed one: if listing fails, the
        # crash is still there to offer at the next start.
        drafts = desk.recovery.unsaved_since(crashed.started_at, desk.agent.username)
        items = [Restorable(draft.ref, ref=draft.ref) for draft in drafts] + items
    sessions.begin(directory, os.getpid(), utc_now())
    return items


def _ports(
    desk: Desk,
    runner: ThreadPoolTaskRunner,
    current: CurrentSettings,
    choice: StoreChoice,
    parts: _Parts,
) -> WindowPorts:
    from console.ui.shell.ports import OutboxStatus, WindowPorts

    team_mode = not _is_sqlite(choice.url)
    views = [
        ("my_open", "My open tickets"),
        ("drafts", "Drafts"),
        ("returned", "Returned to me"),
        ("submitted", "Submitted"),
        ("all", "All tickets"),
    ]
    if current.value.agent_role == "supervisor":
        views.append(("review", "Review queue"))

    from console.config import workstation_path
    from console.services.queue_readers import QueueReaders

    readers = QueueReaders(desk, None if team_mode else _sqlite_path(choice.url), workstation_path)

    def count(view: str) -> int:
        from console.services.queue_model import QueueQuery, QueueView

        query = QueueQuery(QueueView[view.upper()], agent=desk.agent.username)
        return readers.read(view, lambda queries: queries.count(query))

    def page_source(
        view: str, search: str, sort: str, descending: bool
    ) -> Callable[[PageKey | None, int], TicketPage]:
        from console.services.queue_model import QueueQuery, QueueView, SortColumn

        query = QueueQuery(
            QueueView[view.upper()],
            agent=desk.agent.username,
            search=search,
            sort=SortColumn(sort),
            descending=descending,
        )

        def page(after: PageKey | None, limit: int) -> TicketPage:
            return readers.read(view, lambda queries: queries.page(query, after, limit))

        return page

    def deliver(now: bool) -> OutboxStatus:
        report = desk.delivery().deliver(include_not_due=now)
        failing = {w.ref: w.last_error for w in report.waiting if w.last_error}
        return OutboxStatus(
            len(report.waiting),
            next(iter(failing.values()), ""),
            tuple(d.ref for d in report.delivered),
            failing,
            connected=desk.online,
            offline_reason=desk.offline_reason,
        )

    def new_workspace(ref: str | None, journal_key: str | None) -> TicketWorkspace:
        return _workspace(desk, runner, current, ref, journal_key, parts)

    def open_settings(parent: QWidget) -> None:
        _open_settings(parent, runner, current, desk)

    def sla_reading(ref: str) -> SlaReading:
        from console.services.clock import utc_now

        ticket = desk.ticket(ref)
        return desk.sla.read(ticket.created_at, ticket.priority, utc_now(), ticket.resolved_at)

    return WindowPorts(
        open_settings=open_settings,
        sla_reading=sla_reading,
        count=count,
        messages=desk.messages,
        views=views,
        page_source=page_source,
        team_mode=team_mode,
        store_display=_display(choice.url),
        new_workspace=new_workspace,
        deliver=deliver,
    )


def _is_sqlite(url: str) -> bool:
    return url.split(":", 1)[0].split("+", 1)[0] == "sqlite"


def _sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL (None for an in-memory store)."""
    _, sep, rest = url.partition(":///")
    path = rest.split("?", 1)[0]
    return Path(path) if sep and path and path != ":memory:" else None


@dataclass
class _Parts:
    run_check: RunCheck
    capture_device: CaptureDevice
    journal: IntakeJournal
    capturer: ScreenCapturer | None = None
    """The window's screen capturer (set once the window exists)."""
    measure_device: MeasureDevice | None = None


def _run_check(name: str, arguments: Mapping[str, Any]) -> CheckResult:
    from console.diagnostics.checks import run_check

    return run_check(name, dict(arguments))


def _capture_device(privacy: Privacy) -> Mapping[str, Any]:
    from console.diagnostics.snapshot import capture_snapshot

    return capture_snapshot(privacy).data


def _measure_device() -> CaptureDevice:
    """Start measuring CPU use for one ticket: its captures report it from now on."""
    import psutil

    from console.diagnostics.collect_processes import CpuSampler
    from console.diagnostics.snapshot import capture_snapshot

    sampler = CpuSampler(psutil)
    return lambda privacy: capture_snapshot(privacy, sampler=sampler).data


def _open_settings(
    parent: QWidget, runner: ThreadPoolTaskRunner, current: CurrentSettings, desk: Desk
) -> None:
    from console.config import config_file
    from console.services.store_settings import test_connection
    from console.settings import changed_keys
    from console.store.credentials import KeyringCredentials
    from console.ui.settings.dialog import SettingsDialog

    dialog = SettingsDialog(
        current.value,
        config_file(),
        runner=runner,
        credentials=KeyringCredentials(),
        test_connection=test_connection,
        parent=parent,
    )

    def saved(new: Settings) -> None:
        changed = changed_keys(current.value, new)
        current.value = new
        later = [key for key in changed if key != "diagnostics.privacy"]
        if later:
            # The stores, the agent and the playbooks are opened once per run.
            desk.messages.info(
                f"Settings saved. {', '.join(later)} take effect when Agent Console starts again."
            )
        elif changed:
            desk.messages.info("Settings saved.")

    dialog.saved.connect(saved)
    dialog.open()


def _workspace(
    desk: Desk,
    runner: ThreadPoolTaskRunner,
    current: CurrentSettings,
    ref: str | None,
    journal_key: str | None,
    parts: _Parts,
) -> TicketWorkspace:
    from console.ui.ticket.workspace import DeskTools, TicketWorkspace

    def privacy() -> Privacy:
        from console.diagnostics.redaction import Privacy

        return Privacy(current.value.privacy)

    assert parts.capturer is not None, "the window is built before any ticket opens"
    tools = DeskTools(
        desk,
        runner,
        parts.capturer,
        parts.run_check,
        parts.capture_device,
        privacy,
        parts.journal,
        measure_device=parts.measure_device,
    )
    return TicketWorkspace(tools, ref, journal_key)


def _display(url: str) -> str:
    if url.startswith("sqlite"):
        return str(Path(url.split(":///", 1)[-1]))
    return url.split("@", 1)[-1]


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
