"""Team mode with the team's PostgreSQL down: the desk opens on the workstation store, a
submitted package waits in the outbox (and the status bar says so), and it is delivered
when the server is back. A real PostgreSQL server, stopped and started by the test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from console.store.database import open_store, parse_store_url
from console.store.models import Package
from tests.builders import AGENT, add_ticket, complete_submission
from tests.ui.desk_support import open_desk_window

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def test_a_package_submitted_offline_is_delivered_when_the_server_returns(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_cluster_factory: Callable[[], Any],
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the workstation store
    cluster = postgres_cluster_factory()
    url = cluster.create_database("team")
    open_store(parse_store_url(url), upgrade=True).dispose()
    cluster.stop()

    opened = open_desk_window(qtbot, tmp_path, store_url=url)
    window, desk = opened.window, opened.desk
    try:
        assert window.status.store.text().startswith("Team store:")
        qtbot.waitUntil(lambda: window.status.connection.text() == "Offline", timeout=20_000)
        assert not desk.online
        assert "Cannot reach" in window.status.connection.toolTip()

        # The agent goes on working: the escalation is frozen into the outbox.
        ref = add_ticket(desk.stores.workstation, "HD-OFFLINE1")
        receipt = desk.escalation.submit(complete_submission(ref), AGENT)
        window.deliver_outbox(now=True)
        qtbot.waitUntil(lambda: window.status.outbox.text() == "1 waiting to send", timeout=20_000)
        assert "Cannot reach" in window.status.outbox.toolTip()

        cluster.start()
        window.deliver_outbox(now=True)  # F5, or the 15 s timer once the back-off is over
        qtbot.waitUntil(lambda: window.status.outbox.text() == "Outbox empty", timeout=30_000)
        assert window.status.connection.text() == "Connected"
        assert desk.online
        qtbot.waitUntil(
            lambda: window.status.message.text().startswith("Connected to the team store"),
            timeout=10_000,
        )
    finally:
        opened.close()

    team = open_store(parse_store_url(url))
    try:
        with team.sessions() as session:
            package = session.get(Package, receipt.package_id)
            assert package is not None
            assert package.ticket_ref == "HD-OFFLINE1"
            assert package.package_hash == receipt.package_hash
    finally:
        team.dispose()
