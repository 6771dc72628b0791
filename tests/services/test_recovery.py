"""Crash recovery: the work-session marker, and the drafts a killed console left behind."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from console.domain.enums import TicketStatus
from console.services.clock import utc_now
from console.services.drafts import DraftService
from console.services.recovery import MARKER_NAME, RecoveryService, WorkSession
from console.store.database import TicketStore
from tests.builders import add_ticket
from tests.services.conftest import StepClock

ROOT = Path(__file__).parents[2]

CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from console.services.clock import utc_now
    from console.services.drafts import DraftService
    from console.services.recovery import WorkSession
    from console.store.database import open_store, parse_store_url

    data_dir, db, ref = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    store = open_store(parse_store_url(db))
    WorkSession.begin(data_dir, os.getpid(), utc_now())
    drafts = DraftService(store)
    revision = drafts.save(ref, {"handoff": {"what_is_wrong": "typed before the crash"}}, None)
    revision = drafts.save(ref, {"handoff": {"what_is_wrong": "typed just before"}}, revision)
    print("saved", revision, flush=True)
    time.sleep(120)  # the test kills us long before
    """
)


def _wait_for_line(process: subprocess.Popen[str], seconds: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], seconds)
    if not ready:
        process.kill()
        process.wait()
        pytest.fail("the child console never saved its draft")
    return process.stdout.readline().strip()


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_drafts_of_a_killed_console_are_found_at_the_next_start(
    tmp_path: Path, sqlite_store: TicketStore
) -> None:
    add_ticket(sqlite_store, "HD-CRASH01")
    add_ticket(sqlite_store, "HD-OTHER01")
    before = utc_now() - timedelta(hours=1)
    DraftService(sqlite_store, lambda: before).save("HD-OTHER01", {"old": True}, None)
    data_dir = tmp_path / "data"
    database = str(sqlite_store.url.database)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), database, "HD-CRASH01"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert _wait_for_line(child, 60) == "saved 2"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(30)
        assert child.stdout is not None
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    crashed = WorkSession.crashed_before(data_dir)
    assert crashed is not None
    assert crashed.pid == child.pid
    found = RecoveryService(sqlite_store).unsaved_since(crashed.started_at, "aiko")
    assert [(d.ref, d.revision) for d in found] == [("HD-CRASH01", 2)]
    assert found[0].content == {"handoff": {"what_is_wrong": "typed just before"}}

    # The next console starts its own session: the crash is not reported twice.
    session = WorkSession.begin(data_dir, os.getpid(), utc_now())
    assert WorkSession.crashed_before(data_dir) is None  # that is us, still running
    session.end()
    assert WorkSession.crashed_before(data_dir) is None
    assert not (data_dir / MARKER_NAME).exists()


def test_a_clean_session_leaves_nothing(tmp_path: Path, clock: StepClock) -> None:
    session = WorkSession.begin(tmp_path / "new" / "dir", os.getpid(), clock())
    assert session.started_at == clock.now
    assert WorkSession.crashed_before(tmp_path / "new" / "dir") is None
    session.end()
    session.end()  # twice is harmless
    assert list((tmp_path / "new" / "dir").iterdir()) == []


def test_a_dead_process_or_a_reused_pid_means_a_crash(tmp_path: Path, clock: StepClock) -> None:
    WorkSession.begin(tmp_path, os.getpid(), clock())
    marker = tmp_path / MARKER_NAME
    data = json.loads(marker.read_text())

    # Our pid, but a different start time: the id was reused after the crash (or a reboot).
    marker.write_text(json.dumps({**data, "process_started": data["process_started"] - 3600}))
    crashed = WorkSession.crashed_before(tmp_path)
    assert crashed is not None and crashed.started_at == clock.now

    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    gone = int(finished.stdout)
    marker.write_text(json.dumps({**data, "pid": gone}))
    crashed = WorkSession.crashed_before(tmp_path)
    assert crashed is not None and crashed.pid == gone


def test_an_unreadable_marker_counts_as_a_crash_from_when_it_was_written(
    tmp_path: Path,
) -> None:
    marker = tmp_path / MARKER_NAME
    marker.write_text('{"pid": 12')  # cut short (a marker is never written like this)
    os.utime(marker, (1_800_000_000, 1_800_000_000))
    crashed = WorkSession.crashed_before(tmp_path)
    assert crashed is not None
    assert crashed.started_at.timestamp() == 1_800_000_000


def test_ending_leaves_a_newer_consoles_marker_alone(tmp_path: Path, clock: StepClock) -> None:
    first = WorkSession.begin(tmp_path, os.getpid(), clock())
    second = WorkSession.begin(tmp_path, os.getpid(), clock.advance(60))
    first.end()
    assert (tmp_path / MARKER_NAME).exists()
    second.end()
    assert not (tmp_path / MARKER_NAME).exists()


def test_only_the_agents_still_open_work_since_the_session_counts(
    any_store: TicketStore, clock: StepClock
) -> None:
    drafts = DraftService(any_store, clock)
    started = clock.now
    for ref, agent in (
        ("HD-OLD0001", "aiko"),
        ("HD-MINE001", "aiko"),
        ("HD-BACK001", "aiko"),
        ("HD-SENT001", "aiko"),
        ("HD-BEN0001", "ben"),
    ):
        add_ticket(any_store, ref, agent=agent)
    clock.advance(-60)
    drafts.save("HD-OLD0001", {"n": 0}, None)  # saved before the session began
    clock.advance(120)
    for ref in ("HD-MINE001", "HD-BACK001", "HD-SENT001", "HD-BEN0001"):
        drafts.save(ref, {"n": 1}, None)
    clock.advance(5)
    drafts.save("HD-BACK001", {"n": 2}, 1)
    with any_store.sessions.begin() as session:
        session.execute(
            text("UPDATE tickets SET status = :s WHERE ref = :r"),
            [
                {"s": TicketStatus.RETURNED.value, "r": "HD-BACK001"},
                {"s": TicketStatus.ESCALATED.value, "r": "HD-SENT001"},
            ],
        )

    found = RecoveryService(any_store).unsaved_since(started, "aiko")
    assert [(d.ref, d.revision) for d in found] == [("HD-BACK001", 2), ("HD-MINE001", 1)]


def test_work_sessions_end_removes_the_marker_the_worker_began(tmp_path: Path) -> None:
    from console.services.work_sessions import WorkSessions

    sessions = WorkSessions()
    assert not sessions.begun
    sessions.begin(tmp_path, os.getpid(), utc_now())
    assert sessions.begun
    assert (tmp_path / MARKER_NAME).is_file()
    sessions.end()
    assert not (tmp_path / MARKER_NAME).exists()


def test_a_session_begun_after_a_clean_exit_writes_no_marker(tmp_path: Path) -> None:
    """The crash check may still be running when the agent quits: its late begin() must not
    leave a marker that the next start would take for a crash."""
    from console.services.work_sessions import WorkSessions

    sessions = WorkSessions()
    sessions.end()
    sessions.begin(tmp_path, os.getpid(), utc_now())
    assert not sessions.begun
    assert not (tmp_path / MARKER_NAME).exists()
