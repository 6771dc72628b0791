"""A console that opens a ticket, types into its handoff, waits for the autosave, says READY
and then waits to be killed (tests/ui/shell/test_desk_recovery.py).

    python -m tests.ui.shell.crash_victim STORE_URL DATA_DIR [unopened]

With ``unopened`` it types the intake of a new ticket and never opens it: READY comes once
the intake journal holds what was typed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from console.app import build_desk_window
from console.settings import Settings
from console.ui.ticket.workspace import TicketWorkspace

TYPED = "Outlook shows 0x800CCC0E when sending since the password change this morning"


def main(store_url: str, data_dir: Path, unopened: bool = False) -> int:
    app = QApplication(sys.argv[:1])
    qsettings = QSettings(str(data_dir / "geometry.ini"), QSettings.Format.IniFormat)
    desk, window, _ = build_desk_window(
        store_url, {}, Settings({"agent.name": "alice"}), qsettings, data_dir=data_dir
    )
    window.show()
    window.start()
    deadline = QTimer(singleShot=True, interval=60_000)
    deadline.timeout.connect(lambda: app.exit(3))
    deadline.start()

    def new_ticket() -> None:
        workspace = window.open_ticket(None)
        assert isinstance(workspace, TicketWorkspace)

        def fill_intake() -> None:
            if workspace.intake is None:
                QTimer.singleShot(50, fill_intake)
                return
            workspace.intake.edits["caller"].setText("Sam Okafor")
            workspace.intake.edits["summary"].setText(TYPED)
            if unopened:
                workspace.intake.changed.emit()  # setText is not an edit: say it was one
                QTimer.singleShot(50, journal_written)
                return
            workspace.intake.open_button.click()
            QTimer.singleShot(50, type_handoff)

        def journal_written() -> None:
            journal = data_dir / "unopened-intake" / f"{workspace.journal_key}.json"
            if journal.exists() and TYPED in journal.read_text(encoding="utf-8"):
                print(f"READY {workspace.journal_key}", flush=True)
            else:
                QTimer.singleShot(50, journal_written)

        def type_handoff() -> None:
            if workspace.handoff is None:
                QTimer.singleShot(50, type_handoff)
                return
            workspace.draft_saved.connect(ready)
            workspace.handoff.fields.what_is_wrong.setPlainText(TYPED)

        def ready(revision: int) -> None:
            state = workspace.draft_state()
            if state.get("handoff", {}).get("what_is_wrong") == TYPED and revision > 0:
                print(f"READY {workspace.ref}", flush=True)

        fill_intake()

    window.first_page_loaded.connect(new_ticket)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3:] == ["unopened"]))
