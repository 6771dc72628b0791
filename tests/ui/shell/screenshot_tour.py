"""A tour of the desk in a real window, one PNG of the whole screen per screen.

    xvfb-run -a -s "-screen 0 1366x768x24" python -m tests.ui.shell.screenshot_tour OUTDIR

Seeds a throwaway local store with demo tickets, opens the real window on the X server
(``QT_QPA_PLATFORM=xcb``) over the whole screen, and takes a VPN call from the queue to a
delivered package, saving what the X server shows at each screen (``QScreen.grabWindow(0)``).
Only the automated checks (which would reach the network) and the device (a recorded Windows
laptop) are stand-ins. Exits 1, naming the step, when a screen cannot be reached.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from console.app import APP_NAME, build_desk_window
from console.diagnostics.checks import CheckResult
from console.domain.checks import CheckStatus
from console.settings import Settings
from console.ui.diagnostics.panel import DIFF_TAB, PREVIEW_TAB
from console.ui.handoff.attachments.redact_image import RedactDialog
from console.ui.settings.dialog import SettingsDialog
from console.ui.ticket.workspace import TicketWorkspace
from tests.support.xvfb import DriveFailed, ScreenDriver
from tests.ui.desk_support import recorded_laptop

SCREENS = (
    "01-queue.png",
    "02-search.png",
    "03-intake-vague.png",
    "04-intake-playbook.png",
    "05-troubleshoot.png",
    "06-check-result.png",
    "07-diagnostics-preview.png",
    "08-diagnostics-diff.png",
    "09-handoff-gaps.png",
    "10-handoff-complete.png",
    "11-redaction.png",
    "12-submitted.png",
    "13-help.png",
    "14-settings.png",
)
SEEDED_TICKETS = 400
AGENT = "emma"  # one of console.services.demo_catalog.AGENTS: "My open tickets" has rows
CALL_SUMMARY = "VPN fails with error 809 on laptop LT-0457 since 9:00"
ERROR_809 = "Error 809: the network connection could not be established"
TEAM_URL = "postgresql://emma@db.northwind.example:5432/helpdesk"
PRIVATE_LINES = QRect(40, 212, 520, 56)
"""Where the caller's screenshot shows the user name and session id (image pixels)."""


# -- the outside world: recorded, not reached -------------------------------------------------


def scripted_check(name: str, arguments: Mapping[str, Any]) -> CheckResult:
    """The caller's network as the real checks would find it (their summaries and evidence):
    a default route and DNS, but the VPN gateway does not answer on its port."""
    host, port = arguments.get("host", ""), arguments.get("port")
    results: dict[str, tuple[CheckStatus, str, dict[str, Any]]] = {
        "default_gateway_present": (
            CheckStatus.PASS,
            "The default gateway is 192.168.1.1 on Wi-Fi.",
            {"gateway": {"address": "192.168.1.1", "interface": "Wi-Fi", "family": "ipv4"}},
        ),
        "dns_resolves": (
            CheckStatus.PASS,
            f"{host} resolves to 203.0.113.10.",
            {"addresses": ["203.0.113.10"], "resolve_ms": 21.4},
        ),
        "tcp_connect": (
            CheckStatus.FAIL,
            f"Could not connect to {host}:{port}: timed out.",
            {
                "target": f"{host}:{port}",
                "error": "timed out",
                "attempts": [{"address": "203.0.113.10", "error": "timed out"}],
            },
        ),
    }
    status, summary, evidence = results.get(
        name, (CheckStatus.SKIPPED, f"{name} is not part of this call.", {})
    )
    duration = 3004.0 if status is CheckStatus.FAIL else 24.0
    return CheckResult(name, status, summary, evidence, duration, dict(arguments))


def recorded_device() -> Callable[[Any], Mapping[str, Any]]:
    """The recorded Windows laptop; from the second capture on it is "after the fix": the
    reinstalled GlobalProtect adapter is up and the company's DNS servers are in use."""
    taken = [0]

    def capture(level: Any) -> Mapping[str, Any]:
        data: dict[str, Any] = dict(recorded_laptop(level).data)
        taken[0] += 1
        if taken[0] > 1:
            network = dict(data["network"])
            network["dns_servers"] = ["10.200.0.10", "10.200.0.11"]
            network["vpn_adapters"] = [{**a, "up": True} for a in network["vpn_adapters"]]
            data["network"] = network
        return data

    return capture


def seed_store(path: Path) -> None:
    from console.services.demo import DemoSeeder
    from console.store.database import open_store, parse_store_url

    store = open_store(parse_store_url(str(path)))
    try:
        DemoSeeder(store).seed(SEEDED_TICKETS)
    finally:
        store.dispose()


def error_dialog_image() -> QImage:
    """What the caller sent: the VPN client's error window, user name and session showing."""
    image = QImage(720, 360, QImage.Format.Format_RGB32)
    image.fill(QColor("#f3f3f3"))
    painter = QPainter(image)

    def text(
        rect: QRect, line: str, size: int, bold: bool = False, colour: str = "#202020"
    ) -> None:
        painter.setPen(QColor(colour))
        painter.setFont(
            QFont("DejaVu Sans", size, QFont.Weight.Bold if bold else QFont.Weight.Normal)
        )
        centred = Qt.AlignmentFlag.AlignCenter if len(line) < 3 else Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, centred, line)

    painter.fillRect(QRect(0, 0, 720, 44), QColor("#1f4e79"))
    text(QRect(16, 0, 700, 44), "GlobalProtect", 13, bold=True, colour="white")
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#c62828"))
    painter.drawEllipse(40, 74, 56, 56)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    text(QRect(40, 74, 56, 56), "!", 26, bold=True, colour="white")
    text(QRect(120, 70, 580, 30), ERROR_809, 12, bold=True)
    text(QRect(120, 110, 560, 24), "Portal: vpn.example.com    Gateway: Lyon-GW (443)", 10)
    text(QRect(120, 138, 560, 24), "The remote server is not responding.", 10)
    text(QRect(48, 216, 560, 24), "User: NORTHWIND\\dana.whitfield", 10)
    text(QRect(48, 244, 560, 24), "Session: 7f3c9a1e-55d2-4b8e-a0c4-9d1e2f6b7a31", 10)
    painter.setPen(QColor("#888888"))
    painter.drawRect(QRect(600, 300, 96, 36))
    text(QRect(600, 300, 96, 36), "OK", 10)
    painter.end()
    return image


# -- the tour ----------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.ui.shell.screenshot_tour OUTDIR", file=sys.stderr)
        return 2
    if not os.environ.get("DISPLAY"):
        print("screenshot tour: no X display; run it under xvfb-run", file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshot-tour-") as work:
        # The settings dialog and the keyring must not touch the real user's files.
        os.environ["XDG_CONFIG_HOME"] = str(Path(work, "config"))
        os.environ["XDG_DATA_HOME"] = str(Path(work, "data"))
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        os.environ["QT_QPA_PLATFORM"] = "xcb"  # the X server's pixels, not offscreen ones
        try:
            Tour(out, Path(work)).run()
        except DriveFailed as exc:
            print(f"screenshot tour FAILED at {exc}", file=sys.stderr)
            return 1
    print(f"screenshots: {out}")
    return 0


class Tour:
    """One call through the window, a screenshot at each screen."""

    def __init__(self, out: Path, work: Path) -> None:
        self.out = out
        self.work = work
        self.step = "starting"

    def run(self) -> None:
        app = QApplication.instance() or QApplication([sys.argv[0]])
        assert isinstance(app, QApplication)
        if app.platformName() != "xcb":
            raise DriveFailed(f"start: Qt runs on '{app.platformName()}', not on the X server")
        app.setApplicationName(APP_NAME)
        self.drive = ScreenDriver(app, self.out)
        store = self.work / "console.db"
        seed_store(store)
        self.desk, self.window, self.sessions = build_desk_window(
            f"sqlite:///{store}",
            {"HOME": str(self.work)},
            Settings({"agent.name": AGENT}),
            QSettings(str(self.work / "geometry.ini"), QSettings.Format.IniFormat),
            run_check=scripted_check,
            capture_device=recorded_device(),
            data_dir=self.work,
            choose_save_path=lambda parent, caption, suggested: self.work / suggested,
        )
        try:
            self.queue_screens()
            self.intake_screens()
            self.troubleshoot_screens()
            self.diagnostics_screens()
            self.handoff_screens()
            self.window_screens()
        except DriveFailed as exc:
            raise DriveFailed(f"{self.step}: {exc}") from None
        finally:
            # Not close(): with a package still waiting it would ask, and nobody answers.
            self.window.hide()
            self.window.shutdown()
            self.desk.close()
            self.sessions.end()

    # -- screens -------------------------------------------------------------------------------

    def queue_screens(self) -> None:
        window, queue = self.window, self.window.queue
        self.step = "opening the window on its first queue"
        loaded: list[bool] = []
        window.first_page_loaded.connect(lambda: loaded.append(True))
        window.setGeometry(window.screen().geometry())  # the whole screen, as an agent has it
        window.show()
        window.start()
        self.wait_until(lambda: bool(loaded), "the first queue page", 30)
        self.drive.activate(self.window)
        self.wait_until(lambda: queue.model.rowCount() > 0, f"rows in My open tickets ({AGENT})")

        self.step = "the queue: All tickets"
        window.navigation.select_view("all")
        self.wait_for_rows("All tickets", at_least=50)
        self.shot("01-queue.png")

        self.step = "searching the queue"
        everything = queue.model.rowCount()
        QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        self.drive.type_text("VPN")
        self.wait_until(lambda: queue.applied_search == "VPN", "the search to apply")
        self.wait_for_rows("the search results")
        if queue.model.rowCount() >= everything:
            raise DriveFailed("searching for VPN did not narrow the queue")
        self.shot("02-search.png")
        self.drive.press(Qt.Key.Key_Escape)
        self.wait_until(lambda: queue.applied_search == "", "the search to clear")

    def intake_screens(self) -> None:
        self.step = "a new ticket's intake"
        QTest.keyClick(self.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        workspace = self.window.current_workspace()
        if not isinstance(workspace, TicketWorkspace):
            raise DriveFailed("Ctrl+N opened no ticket tab")
        self.workspace = workspace
        self.wait_until(lambda: workspace.intake is not None, "the intake form", 20)
        intake = workspace.intake
        assert intake is not None
        for key, text in (
            ("caller", "Dana Whitfield"),
            ("contact", "dana.whitfield@northwind.example"),
            ("client", "Northwind Traders"),
            ("site", "Lyon branch"),
            ("summary", "VPN issue"),
        ):
            intake.edits[key].setFocus()
            self.drive.type_text(text)
        self.wait_until(intake.vague.isVisible, "the vague-summary prompt")
        self.shot("03-intake-vague.png")

        self.step = "a specific summary and its playbook"
        intake.edits["summary"].clear()
        self.drive.type_text(CALL_SUMMARY)
        self.wait_until(lambda: not intake.vague.isVisible(), "the prompt to go")
        self.wait_until(
            lambda: intake.playbook_id() == "vpn-cannot-connect", "the VPN playbook suggestion"
        )
        self.shot("04-intake-playbook.png")

    def troubleshoot_screens(self) -> None:
        workspace = self.workspace
        self.step = "opening the ticket (Ctrl+Return)"
        self.drive.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        self.wait_until(lambda: workspace.troubleshoot is not None, "the ticket to open", 20)
        panel = workspace.troubleshoot
        assert panel is not None

        def in_playbook() -> bool:
            focus = QApplication.focusWidget()
            return focus is not None and panel.isAncestorOf(focus)

        self.wait_until(in_playbook, "the playbook to have the focus")

        self.step = "the playbook, by keyboard"
        self.drive.press(Qt.Key.Key_1)  # only this caller
        self.drive.press(Qt.Key.Key_1)  # work has stopped
        self.drive.type_text("GlobalProtect 6.2.1")
        self.drive.press(Qt.Key.Key_Return)
        self.drive.press(Qt.Key.Key_2)  # SSL/TLS
        self.wait_until(lambda: panel.runner.current.id == "gateway", "the first check")
        self.shot("05-troubleshoot.png")

        self.step = "running the checks"

        def recorded_after(count: int) -> Callable[[], bool]:
            return lambda: len(panel.runner.entries) > count

        for _ in range(3):  # the route and DNS pass; the gateway's port does not answer
            steps = len(panel.runner.entries)
            self.drive.press(Qt.Key.Key_Return)  # run the check, on a worker thread
            self.wait_until(recorded_after(steps), "a check's result")
            if panel.runner.entries[-1].node == "reach":
                break
            self.drive.press(Qt.Key.Key_Return)  # continue
        self.shot("06-check-result.png")

        self.step = "the end of the playbook"
        self.drive.press(Qt.Key.Key_Return)
        self.wait_until(lambda: panel.runner.current.id == "other_network", "other_network")
        self.drive.press(Qt.Key.Key_2)  # fails on the hotspot too
        self.drive.type_text(ERROR_809)
        self.drive.press(Qt.Key.Key_Return)
        self.drive.press(Qt.Key.Key_Return)  # finish: escalate
        self.wait_until(lambda: workspace.steps.currentIndex() == 3, "the handoff step")

    def diagnostics_screens(self) -> None:
        workspace, form = self.workspace, self.workspace.handoff
        diagnostics = workspace.diagnostics
        assert form is not None and diagnostics is not None
        self.step = "the handoff with gaps"
        self.wait_until(lambda: form.meter.gaps.count() > 0, "the gaps of the handoff")
        self.shot("09-handoff-gaps.png")

        self.step = "capturing the device (Ctrl+Shift+D)"
        workspace.show_step(2)
        key = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        self.drive.press(Qt.Key.Key_D, key)
        self.wait_until(lambda: diagnostics.capture_count == 1, "the first capture", 30)
        self.wait_until(lambda: not diagnostics.busy, "the capture to finish")
        diagnostics.tabs.setCurrentIndex(PREVIEW_TAB)
        diagnostics.preview.tree.expandToDepth(0)
        self.shot("07-diagnostics-preview.png")

        self.step = "comparing two captures"
        QTest.mouseClick(diagnostics.capture_button, Qt.MouseButton.LeftButton)
        self.wait_until(lambda: diagnostics.capture_count == 2, "the second capture", 30)
        self.wait_until(lambda: not diagnostics.busy, "the capture to finish")
        diagnostics.tabs.setCurrentIndex(DIFF_TAB)
        diff = diagnostics.diff_view
        self.wait_until(lambda: diff.model.rowCount() > 0, "the facts that changed", 20)
        self.shot("08-diagnostics-diff.png")

    def handoff_screens(self) -> None:
        workspace = self.workspace
        form, attachments = workspace.handoff, workspace.attachments
        assert form is not None and attachments is not None
        self.step = "the complete handoff"
        workspace.show_step(3)
        self.wait_until(form.submit_button.isEnabled, "Submit to be enabled")
        self.shot("10-handoff-complete.png")

        self.step = "redacting a pasted screenshot"
        QApplication.clipboard().setImage(error_dialog_image())

        def black_out(dialog: RedactDialog) -> None:
            dialog.canvas.add_rectangle(PRIVATE_LINES)
            self.shot("11-redaction.png")
            dialog.accept()

        paste = attachments.paste_button
        self.drive.while_modal(
            RedactDialog, lambda: QTest.mouseClick(paste, Qt.MouseButton.LeftButton), black_out
        )
        self.wait_until(lambda: len(attachments.attachments()) == 1, "the attachment", 20)

        self.step = "submitting"
        self.wait_until(form.submit_button.isEnabled, "Submit to be enabled")
        QTest.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
        self.wait_until(lambda: form.state.text().startswith("Delivered to tier 2"), "delivery", 30)
        self.shot("12-submitted.png")

    def window_screens(self) -> None:
        self.step = "the F1 help overlay"
        self.drive.activate(
            self.window
        )  # without a window manager nothing gives the focus back after a dialog
        QTest.keyClick(self.window, Qt.Key.Key_F1)
        overlay = self.drive.showing(QDialog, "the help overlay", name="help_overlay")
        self.shot("13-help.png")
        overlay.reject()

        self.step = "the settings dialog in team mode (Ctrl+,)"
        self.drive.activate(self.window)
        QTest.keyClick(self.window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
        dialog = self.drive.showing(SettingsDialog, "the settings dialog")
        dialog.store.team.click()
        dialog.store.url.setFocus()
        self.drive.type_text(TEAM_URL)
        self.wait_until(dialog.store.password.isEnabled, "the team store fields")
        self.shot("14-settings.png")
        dialog.reject()

    # -- helpers -------------------------------------------------------------------------------

    def shot(self, name: str) -> None:
        assert name in SCREENS, name
        self.drive.shot(name)

    def wait_until(self, condition: Callable[[], object], what: str, seconds: float = 10) -> None:
        self.drive.wait_until(condition, what, seconds)

    def wait_for_rows(self, what: str, at_least: int = 1) -> None:
        model = self.window.queue.model
        self.wait_until(
            lambda: not model.loading and model.rowCount() >= at_least, f"rows in {what}", 20
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
