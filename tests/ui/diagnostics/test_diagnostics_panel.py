"""The diagnostics panel: capture, import (dialog and drop), preview, compare, busy state.

A real SQLite ticket store and recorded machines (``tests/fixtures/hosts``): the captures
do not depend on this machine, and what the panel shows is what the store holds.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QThreadPool, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from console.diagnostics.bundle import BundleError, read_bundle, write_bundle
from console.diagnostics.collect_processes import CpuSampler
from console.diagnostics.redaction import Privacy
from console.diagnostics.snapshot import capture_snapshot
from console.services.capture import CaptureService
from console.store.database import TicketStore, open_store, parse_store_url
from console.ui.common.tasks import ImmediateTaskRunner, TaskRunner, ThreadPoolTaskRunner
from console.ui.diagnostics.panel import DIFF_TAB, DiagnosticsPanel
from console.ui.diagnostics.snapshot_tree import VALUE
from tests.builders import OPENED, add_ticket

HOSTS = Path(__file__).parents[2] / "fixtures" / "hosts"
REF = "HD-1"
PLANTED = "Pl4nted-Secret-42"
NOW = 1763900000.0  # 2025-11-23 12:13 UTC

# Showing a window on the offscreen platform (for the shortcut and the busy bar) warns.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TicketStore]:
    s = open_store(parse_store_url(str(tmp_path / "console.db")))
    add_ticket(s, REF)
    yield s
    s.dispose()


@pytest.fixture
def service(store: TicketStore) -> CaptureService:
    return CaptureService(store, clock=lambda: OPENED)


def recording(tmp_path: Path, name: str, edit: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of a recorded machine with one thing changed."""
    data = json.loads((HOSTS / "linux-debian12.json").read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def plant_secret(data: dict[str, Any]) -> None:
    for process in data["psutil"]["processes"]:
        if process.get("name") == "thunderbird":  # the top process by memory
            process["cmdline"] = [*process["cmdline"], "--password", PLANTED]


def change_dns(data: dict[str, Any]) -> None:
    plant_secret(data)
    files = data["host"]["files"]
    files["/etc/resolv.conf"] = files["/etc/resolv.conf"].replace("10.20.0.54", "1.1.1.1")


def replay(*recordings: Path) -> Callable[[Privacy], Mapping[str, Any]]:
    """A capture function answering from recorded machines, one per call (the last repeats),
    each a minute after the one before."""
    calls = iter(range(1000))

    def capture(level: Privacy) -> Mapping[str, Any]:
        from tests.support.recorded_psutil import load_recording

        call = next(calls)
        ps, host = load_recording(recordings[min(call, len(recordings) - 1)])
        ticks = iter([0.0, *[1.0] * 100])
        sampler = CpuSampler(ps, clock=lambda: next(ticks))
        return capture_snapshot(
            level, ps=ps, host=host, sampler=sampler, wall_clock=lambda: NOW + 60 * call
        ).data

    return capture


def make_panel(
    qtbot: QtBot,
    service: CaptureService,
    capture: Callable[[Privacy], Mapping[str, Any]],
    runner: TaskRunner | None = None,
    choose_file: Callable[[QWidget], Path | None] = lambda _: None,
) -> DiagnosticsPanel:
    panel = DiagnosticsPanel(
        REF,
        service,
        capture,
        Privacy.STANDARD,
        "aiko",
        runner or ImmediateTaskRunner(),
        choose_file=choose_file,
    )
    qtbot.addWidget(panel)
    return panel


def value_at(panel: DiagnosticsPanel, path: str) -> str:
    model = panel.preview.model
    index = model.find(path)
    assert index.isValid(), path
    return str(model.data(index.siblingAtColumn(VALUE)))


def a_bundle(tmp_path: Path, name: str = "diag.zip") -> Path:
    """A bundle as ``agent-console collect -o`` writes it, from the recorded Windows laptop."""
    from tests.support.recorded_psutil import load_recording

    ps, host = load_recording(HOSTS / "windows11-laptop.json")
    ticks = iter([0.0, *[1.0] * 100])
    sampler = CpuSampler(ps, clock=lambda: next(ticks))
    snapshot = capture_snapshot(ps=ps, host=host, sampler=sampler, wall_clock=lambda: NOW).data
    path = tmp_path / name
    write_bundle(snapshot, path)
    return path


def test_capturing_adds_a_row_and_previews_exactly_the_redacted_snapshot(
    qtbot: QtBot, service: CaptureService, tmp_path: Path
) -> None:
    host = recording(tmp_path, "planted", plant_secret)
    panel = make_panel(qtbot, service, replay(host))
    counts: list[int] = []
    edits: list[None] = []
    panel.captures_changed.connect(counts.append)
    panel.changed.connect(lambda: edits.append(None))
    panel.refresh()
    assert counts == [0]
    assert panel.captures.count() == 0

    qtbot.mouseClick(panel.capture_button, Qt.MouseButton.LeftButton)

    stored = service.captures(REF)
    assert len(stored) == 1 and stored[0].source == "this_device"
    assert counts == [0, 1] and len(edits) == 1
    assert panel.captures.count() == 1
    assert panel.captures.currentItem().text().startswith(f"#{stored[0].snapshot_id} · ")
    assert "Debian GNU/Linux 12 (bookworm)" in panel.summary.toPlainText()
    # The planted secret is gone from what is shown, and from what is stored.
    assert value_at(panel, "processes.top_memory.0.name") == "thunderbird"
    assert value_at(panel, "processes.top_memory.0.cmdline.2") == "[REDACTED:password]"
    model = panel.preview.model
    redacted = model.find("processes.top_memory.0.cmdline.2").siblingAtColumn(VALUE)
    plain = model.find("processes.top_memory.0.cmdline.0").siblingAtColumn(VALUE)
    assert model.data(redacted, Qt.ItemDataRole.FontRole).bold()  # emphasis, not colour
    assert model.data(plain, Qt.ItemDataRole.FontRole) is None
    shown = list(panel.preview.model.leaf_texts())
    assert PLANTED not in "\n".join(shown)
    assert "S3cr3t-Pa55" not in "\n".join(shown)  # the psql URL recorded on that machine
    loaded = service.load(REF, stored[0].snapshot_id)
    assert panel.preview.model.snapshot() == loaded.content
    assert PLANTED not in json.dumps(loaded.content)
    # The header: privacy, partial and why, and what was removed (kinds and counts).
    assert panel.preview.header.text().startswith("Privacy: standard · captured ")
    assert panel.preview.completeness.text() == (
        "Partial: could not read sensors (fans: OSError: recorded OSError)"
    )
    removed = loaded.removed["password"]
    assert removed >= 4  # hunter22 in the log, the psql URL, the planted one, …
    assert panel.preview.removed.text() == f"Removed: {removed} password"


def test_the_shortcuts_capture_and_import(
    qtbot: QtBot, service: CaptureService, tmp_path: Path
) -> None:
    bundle = a_bundle(tmp_path)
    panel = make_panel(
        qtbot,
        service,
        replay(recording(tmp_path, "planted", plant_secret)),
        choose_file=lambda _: bundle,
    )
    panel.show()
    with qtbot.waitActive(panel):
        panel.activateWindow()
    panel.capture_button.setFocus()
    panel.refresh()
    for _ in range(2):
        qtbot.keyClick(
            panel.capture_button,
            Qt.Key.Key_D,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert len(service.captures(REF)) == 2
    assert panel.captures.count() == 2
    qtbot.keyClick(panel.captures, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    # Listed by when each was captured: the caller's bundle says it was made first.
    assert sorted(c.source for c in service.captures(REF)) == [
        "imported_bundle",
        "this_device",
        "this_device",
    ]
    assert panel.captures.count() == 3
    assert [keys for keys, _ in panel.shortcuts()] == ["Ctrl+Shift+D", "Ctrl+O"]


def test_a_bundle_is_imported_through_the_file_dialog(
    qtbot: QtBot, service: CaptureService, tmp_path: Path
) -> None:
    bundle = a_bundle(tmp_path)
    asked: list[QWidget] = []

    def choose(parent: QWidget) -> Path:
        asked.append(parent)
        return bundle

    panel = make_panel(qtbot, service, replay(), choose_file=choose)
    counts: list[int] = []
    panel.captures_changed.connect(counts.append)
    qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)

    assert asked == [panel]
    [info] = service.captures(REF)
    assert info.source == "imported_bundle"
    assert counts == [1]
    assert "imported bundle" in panel.captures.currentItem().text()
    assert value_at(panel, "system.os_name") == "Windows 11 Pro"
    assert "Windows 11 Pro" in panel.summary.toPlainText()
    assert "Winter2025!" not in "\n".join(panel.preview.model.leaf_texts())
    assert panel.error.isHidden()


def drag_events(*paths: Path) -> tuple[QDragEnterEvent, QDropEvent, QMimeData]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    return enter, drop, mime  # the events do not own the mime data: keep it alive


def test_a_bundle_dropped_on_the_panel_is_imported(
    qtbot: QtBot, service: CaptureService, tmp_path: Path
) -> None:
    panel = make_panel(qtbot, service, replay())
    assert panel.acceptDrops()
    not_a_bundle = tmp_path / "notes.txt"
    not_a_bundle.write_text("hello", encoding="utf-8")
    enter, _, _mime = drag_events(not_a_bundle)
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()
    bundle = a_bundle(tmp_path, "Caller Diag.ZIP")
    enter, _, _mime = drag_events(bundle, a_bundle(tmp_path, "other.zip"))
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()  # one bundle at a time

    enter, drop, _mime = drag_events(bundle)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(panel, drop)
    assert drop.isAccepted()
    [info] = service.captures(REF)
    assert info.source == "imported_bundle"
    assert value_at(panel, "system.os_name") == "Windows 11 Pro"


def rewritten(path: Path, name: str, edit: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of a ZIP in place, leaving the others (and the manifest) alone."""
    with zipfile.ZipFile(path) as original:
        members = [(item.filename, original.read(item)) for item in original.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as copy:
        for member, data in members:
            copy.writestr(member, edit(data) if member == name else data)
    path.write_bytes(buffer.getvalue())


def tampered(path: Path) -> None:
    rewritten(path, "snapshot.json", lambda data: data.replace(b"Windows 11", b"Windows 10"))


def newer(path: Path) -> None:
    def version_2(data: bytes) -> bytes:
        return json.dumps({**json.loads(data), "format_version": 2}).encode()

    rewritten(path, "manifest.json", version_2)


@pytest.mark.parametrize(
    ("spoil", "rule"), [(tampered, "hash-mismatch"), (newer, "format-version")]
)
def test_a_bad_bundle_shows_its_reason_and_stores_nothing(
    qtbot: QtBot,
    service: CaptureService,
    tmp_path: Path,
    spoil: Callable[[Path], None],
    rule: str,
) -> None:
    bundle = a_bundle(tmp_path)
    spoil(bundle)
    with pytest.raises(BundleError) as refused:
        read_bundle(bundle)
    assert refused.value.rule == rule
    panel = make_panel(qtbot, service, replay(), choose_file=lambda _: bundle)
    edits: list[None] = []
    panel.changed.connect(lambda: edits.append(None))

    qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)

    assert not panel.error.isHidden()
    assert panel.error.text() == str(refused.value)
    assert "Traceback" not in panel.error.text()
    assert service.captures(REF) == []
    assert panel.captures.count() == 0
    assert edits == []
    assert panel.import_button.isEnabled() and panel.busy_bar.isHidden()


def test_the_diff_shows_the_fact_that_changed_and_the_pick_is_a_draft(
    qtbot: QtBot, service: CaptureService, tmp_path: Path
) -> None:
    before_fix = recording(tmp_path, "before", plant_secret)
    after_fix = recording(tmp_path, "after", change_dns)
    panel = make_panel(qtbot, service, replay(before_fix, after_fix))
    panel.refresh()
    assert panel.diff_view.model.row_texts() == []
    qtbot.mouseClick(panel.capture_button, Qt.MouseButton.LeftButton)
    assert "Capture twice" in panel.diff_view.message.text()
    qtbot.mouseClick(panel.capture_button, Qt.MouseButton.LeftButton)

    first, second = (c.snapshot_id for c in service.captures(REF))
    assert panel.diff_view.selected() == (first, second)
    assert panel.diff_view.model.row_texts() == [
        ("network.dns_servers", '["10.20.0.53", "10.20.0.54"]', '["10.20.0.53", "1.1.1.1"]')
    ]
    assert panel.diff_view.message.text() == "1 fact changed."
    assert panel.draft_state() == {}  # the default pair is not the agent's choice

    # The agent swaps the pair from the keyboard: newest first, so Down picks the older one.
    edits: list[None] = []
    panel.changed.connect(lambda: edits.append(None))
    panel.tabs.setCurrentIndex(DIFF_TAB)
    qtbot.keyClick(panel.diff_view.after, Qt.Key.Key_Down)
    assert panel.diff_view.selected() == (first, first)
    assert panel.diff_view.model.row_texts() == []
    assert panel.diff_view.message.text() == "Pick two different captures to compare."
    qtbot.keyClick(panel.diff_view.before, Qt.Key.Key_Up)
    assert panel.diff_view.selected() == (second, first)
    assert panel.diff_view.model.row_texts() == [
        ("network.dns_servers", '["10.20.0.53", "1.1.1.1"]', '["10.20.0.53", "10.20.0.54"]')
    ]
    assert len(edits) == 2
    state = panel.draft_state()
    assert state == {"diff_before": second, "diff_after": first}

    # A new panel for the same ticket (after a restart) gets the pick back, silently.
    again = make_panel(qtbot, service, replay())
    restored_edits: list[None] = []
    again.changed.connect(lambda: restored_edits.append(None))
    again.restore_state({})  # an older draft without the keys
    again.restore_state(json.loads(json.dumps(state)))
    again.refresh()
    assert again.diff_view.selected() == (second, first)
    assert again.diff_view.model.row_texts() == panel.diff_view.model.row_texts()
    assert restored_edits == []


def test_a_running_capture_shows_progress_and_cannot_be_started_twice(
    qtbot: QtBot, service: CaptureService, tmp_path: Path
) -> None:
    pool = QThreadPool()
    pool.setMaxThreadCount(2)
    runner = ThreadPoolTaskRunner(pool)
    release = threading.Event()
    started: list[datetime] = []
    inner = replay(recording(tmp_path, "planted", plant_secret))

    def slow_capture(level: Privacy) -> Mapping[str, Any]:
        started.append(datetime.now())
        assert release.wait(10), "the test never released the capture"
        return inner(level)

    panel = make_panel(qtbot, service, slow_capture, runner=runner)
    panel.show()
    qtbot.waitExposed(panel)
    try:
        qtbot.mouseClick(panel.capture_button, Qt.MouseButton.LeftButton)
        assert panel.busy
        assert panel.busy_bar.isVisible()
        assert (panel.busy_bar.minimum(), panel.busy_bar.maximum()) == (0, 0)
        assert panel.busy_label.text() == "Capturing this device…"
        assert not panel.capture_button.isEnabled()
        assert not panel.import_button.isEnabled()
        panel.capture_device()  # the shortcut's path: ignored while one runs
        enter, _, _mime = drag_events(a_bundle(tmp_path))
        QApplication.sendEvent(panel, enter)
        assert not enter.isAccepted()  # no drop while a capture runs
        qtbot.waitUntil(lambda: len(started) == 1)
        assert panel.captures.count() == 0
    finally:
        release.set()
    qtbot.waitUntil(lambda: panel.capture_button.isEnabled(), timeout=10_000)
    qtbot.waitUntil(lambda: panel.preview.shown_id is not None, timeout=10_000)
    assert runner.wait_for_done(10_000)
    assert len(started) == 1
    assert len(service.captures(REF)) == 1
    assert panel.captures.count() == 1
    assert panel.busy_bar.isHidden() and panel.busy_label.text() == ""
    assert PLANTED not in "\n".join(panel.preview.model.leaf_texts())


def test_a_measure_started_with_the_panel_does_the_captures(
    qtbot: QtBot, service: CaptureService, tmp_path: Path
) -> None:
    host = recording(tmp_path, "planted", plant_secret)
    measured: list[Privacy] = []
    one_shot: list[Privacy] = []

    def measure() -> Callable[[Privacy], Mapping[str, Any]]:
        def capture(level: Privacy) -> Mapping[str, Any]:
            measured.append(level)
            return replay(host)(level)

        return capture

    def fallback(level: Privacy) -> Mapping[str, Any]:
        one_shot.append(level)
        return replay(host)(level)

    runner = ImmediateTaskRunner()
    panel = DiagnosticsPanel(
        REF, service, fallback, Privacy.STRICT, "aiko", runner, measure=measure
    )
    qtbot.addWidget(panel)
    assert runner.labels == [""]  # started at once, quietly: no progress line for it
    panel.capture_device()
    assert (measured, one_shot) == ([Privacy.STRICT], [])
    assert len(service.captures(REF)) == 1


def test_a_measure_that_fails_leaves_the_one_shot_capture(
    qtbot: QtBot, service: CaptureService, tmp_path: Path
) -> None:
    host = recording(tmp_path, "planted", plant_secret)

    def measure() -> Callable[[Privacy], Mapping[str, Any]]:
        raise PermissionError("psutil was refused")

    panel = DiagnosticsPanel(
        REF, service, replay(host), Privacy.STANDARD, "aiko", ImmediateTaskRunner(), measure=measure
    )
    qtbot.addWidget(panel)
    panel.capture_device()
    assert len(service.captures(REF)) == 1
