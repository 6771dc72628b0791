"""The floor the GUI's start-up is compared with: a bare PySide6 window with a QTableView.

    python -m tests.benchmarks.gui_floor

Prints ``startup_ms=<ms>`` measured the way ``agent-console --exit-after-startup`` measures
its own (from the process's start, see console.startup_clock, until the window
is shown and one page of 200 rows is in the table), then exits 0.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

from console.startup_clock import ms_since_process_start


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    model = QStandardItemModel(0, 8)
    table = QTableView()
    table.setModel(model)
    window.setCentralWidget(table)
    window.resize(1200, 800)
    window.show()

    def first_page() -> None:
        for n in range(200):
            model.appendRow([QStandardItem(f"HD-{n:07d}") for _ in range(8)])
        app.processEvents()
        print(f"startup_ms={round(ms_since_process_start())}", flush=True)
        app.exit(0)

    QTimer.singleShot(0, first_page)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
