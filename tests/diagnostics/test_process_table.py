"""The two process readers give the same answers: psutil's iteration, and /proc read directly.

A capture reads the process table through :class:`ProcReader` on Linux because psutil's
per-process machinery was most of its time (see ``console/diagnostics/process_table.py``), so
these tests hold it to psutil's own answers twice: on a /proc tree written here with the odd
cases (truncated and parenthesised names, rewritten titles, kernel threads, zombies, unknown
users, reused pids), which psutil is pointed at too, and on this machine's live processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from console.diagnostics.collect_processes import CpuSampler, collect_processes
from console.diagnostics.process_table import (
    ProcReader,
    PsutilReader,
    process_reader,
)
from tests.support.recorded_psutil import load_recording

BOOT = 1_763_000_000.0
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
UNKNOWN_UID = 54_321


def stat_line(
    pid: int, comm: bytes, state: bytes, utime: int, stime: int, start: int, rss: int
) -> bytes:
    # proc(5): pid (comm) state, then fields 4..52; utime 14, stime 15, starttime 22, rss 24.
    fields = [b"0"] * 49
    fields[0] = state
    fields[14 - 3], fields[15 - 3] = str(utime).encode(), str(stime).encode()
    fields[22 - 3], fields[24 - 3] = str(start).encode(), str(rss).encode()
    return b"%d (%s) " % (pid, comm) + b" ".join(fields) + b"\n"


def status_text(comm: bytes, uid: int) -> bytes:
    return (
        b"Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nNgid:\t0\nPid:\t1\n"
        b"PPid:\t0\nTracerPid:\t0\nUid:\t%d\t%d\t%d\t%d\nGid:\t0\t0\t0\t0\n"
        % (comm, uid, uid, uid, uid)
    )


# pid: (comm, state, uid, cmdline bytes as the kernel gives them)
PROCESSES: dict[int, tuple[bytes, bytes, int, bytes]] = {
    100: (b"bash", b"S", 0, b"bash\0-l\0"),
    # The kernel keeps 15 characters; the name is completed from argv[0].
    101: (b"gnome-keyring-d", b"S", 0, b"/usr/bin/gnome-keyring-daemon\0--foreground\0"),
    # 15 characters that argv[0] does not extend: the truncated name stays.
    102: (b"kworker/0:1-eve", b"I", 0, b""),
    # Spaces and parentheses inside the name.
    103: (b"my (odd)) proc", b"R", 0, b"./odd\0--flag\0"),
    # A process that rewrote its title with spaces and no terminating NUL.
    104: (b"postgres", b"S", 0, b"postgres: checkpointer   "),
    # NUL-terminated, but one argument holding spaces: split on the spaces, as psutil does.
    105: (b"chrome", b"S", 0, b"chrome --type=renderer --lang=en\0"),
    # An owner the password database does not know: the number stands in.
    106: (b"orphan", b"S", UNKNOWN_UID, b"orphan\0"),
    # Bytes that are not UTF-8 in the name and the arguments.
    107: (b"caf\xe9", b"S", 0, b"caf\xe9\0--r\xe9sum\xe9\0"),
    # Carriage returns: psutil reads the file as text, so they come back as newlines.
    109: (b"crlf", b"S", 0, b"a\rb\r\nc\0d\0"),
}
ZOMBIE = 108


@pytest.fixture
def fake_procfs(tmp_path: Path) -> Iterator[Path]:
    """A /proc with the processes above, psutil pointed at it for the test's length."""
    root = tmp_path / "proc"
    root.mkdir()
    (root / "stat").write_text(f"cpu  1 2 3 4 5 6 7 0 0 0\nbtime {int(BOOT)}\n")
    (root / "self").mkdir()  # not a pid: skipped by both readers
    for index, (pid, (comm, state, uid, cmdline)) in enumerate(
        [*PROCESSES.items(), (ZOMBIE, (b"defunct", b"Z", 0, b""))]
    ):
        directory = root / str(pid)
        directory.mkdir()
        line = stat_line(pid, comm, state, 30 + index, 7 * index, 500 + 13 * index, 100 * index)
        (directory / "stat").write_bytes(line)
        # statm's resident pages differ from stat's: the readers must take statm's, as psutil.
        (directory / "statm").write_text(f"{900 + index} {100 * index + 3} 5 1 0 20 0\n")
        (directory / "status").write_bytes(status_text(comm, uid))
        (directory / "cmdline").write_bytes(cmdline)
    # psutil keeps the processes process_iter has seen, each with the /proc it was read from:
    # none of the real ones may be reused here, and none of these may outlive the test.
    saved = psutil.PROCFS_PATH
    psutil.process_iter.cache_clear()
    psutil.PROCFS_PATH = str(root)
    try:
        yield root
    finally:
        psutil.PROCFS_PATH = saved
        psutil.process_iter.cache_clear()


def proc_reader(root: Path) -> ProcReader:
    return ProcReader(str(root), lambda: BOOT)


def test_on_linux_the_live_psutil_gets_the_proc_reader_and_a_recording_gets_psutils() -> None:
    recorded_ps, _ = load_recording(
        Path(__file__).parents[1] / "fixtures/hosts/windows11-laptop.json"
    )
    assert isinstance(process_reader(psutil), ProcReader)
    assert isinstance(process_reader(recorded_ps), PsutilReader)


def test_the_table_matches_psutils_on_a_proc_tree_with_the_odd_cases(fake_procfs: Path) -> None:
    ours = sorted(proc_reader(fake_procfs).table())
    theirs = sorted(PsutilReader(psutil).table())
    assert [row[0] for row in ours] == sorted([*PROCESSES, ZOMBIE])
    assert [row[0] for row in theirs] == [row[0] for row in ours]
    for mine, psutils in zip(ours, theirs, strict=True):
        pid, created, cpu, rss = mine
        assert created == psutils[1], pid
        assert cpu == pytest.approx(psutils[2], abs=1e-9), pid
        assert rss == psutils[3], pid
    assert ours[1] == (101, BOOT + 513 / TICKS, (31 + 7) / TICKS, 103 * PAGE)


def test_descriptions_match_psutils_on_a_proc_tree_with_the_odd_cases(fake_procfs: Path) -> None:
    ours, theirs = proc_reader(fake_procfs), PsutilReader(psutil)
    created = {pid: start for pid, start, _, _ in ours.table()}
    for pid in [*PROCESSES, ZOMBIE]:
        assert ours.describe(pid, created[pid]) == theirs.describe(pid, created[pid]), pid

    assert ours.describe(101, created[101])[0] == "gnome-keyring-daemon"  # type: ignore[index]
    assert ours.describe(102, created[102])[:3:2] == ("kworker/0:1-eve", [])  # type: ignore[index]
    assert ours.describe(103, created[103])[0] == "my (odd)) proc"  # type: ignore[index]
    assert ours.describe(104, created[104])[2] == ["postgres:", "checkpointer", "", ""]  # type: ignore[index]
    assert ours.describe(106, created[106])[1] == str(UNKNOWN_UID)  # type: ignore[index]
    assert ours.describe(109, created[109])[2] == ["a\nb\nc", "d"]  # type: ignore[index]
    assert ours.describe(ZOMBIE, created[ZOMBIE]) is None


def test_a_pid_taken_by_another_process_or_gone_is_not_described(fake_procfs: Path) -> None:
    ours, theirs = proc_reader(fake_procfs), PsutilReader(psutil)
    (started,) = [start for pid, start, _, _ in ours.table() if pid == 100]
    assert ours.describe(100, started + 1.0) is None  # the pid now belongs to another process
    assert theirs.describe(100, started + 1.0) is None
    for name in ("stat", "status", "cmdline"):
        (fake_procfs / "100" / name).unlink()
    assert ours.describe(100, started) is None
    assert theirs.describe(100, started) is None
    assert 100 not in [row[0] for row in ours.table()]


def test_files_this_user_may_not_read_give_none_where_psutil_is_denied(
    fake_procfs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/proc mounted with hidepid=1 lists other users' processes but refuses their files.
    (Root reads every file whatever its mode, so the refusal is made here.)"""
    import builtins

    import psutil._common

    denied = f"{fake_procfs}/103/"
    real_os_open, real_open = os.open, builtins.open

    def refusing_os_open(path: str, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(denied):
            raise PermissionError(13, "Permission denied", path)
        return real_os_open(path, *args, **kwargs)

    def refusing_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).startswith(denied):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_os_open)
    monkeypatch.setattr(psutil._common, "open", refusing_open, raising=False)
    ours, theirs = proc_reader(fake_procfs), PsutilReader(psutil)
    mine = {row[0]: row for row in ours.table()}
    psutils = {row[0]: row for row in theirs.table()}
    assert mine[103] == psutils[103] == (103, 0.0, None, None)
    assert ours.describe(103, 0.0) == theirs.describe(103, 0.0) == ("", None, None)


@pytest.fixture
def stopped_child(tmp_path: Path) -> Iterator[int]:
    """A process with a 25-character name that used some CPU and memory, then stopped itself,
    so its figures hold still while both readers look."""
    long_name = tmp_path / "agent-console-parity-child"
    long_name.symlink_to(sys.executable)
    script = (
        "import os, signal\n"
        "block = bytearray(40_000_000)\n"
        "sum(i * i for i in range(400_000))\n"
        "os.kill(os.getpid(), signal.SIGSTOP)\n"
    )
    child = subprocess.Popen([str(long_name), "-c", script, "--token=not-a-secret"])
    try:
        deadline = time.monotonic() + 10
        while psutil.Process(child.pid).status() != psutil.STATUS_STOPPED:
            assert time.monotonic() < deadline, "the child never stopped"
            time.sleep(0.01)  # polling: psutil cannot wait for a state
        yield child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


def test_on_this_machine_both_readers_see_the_same_processes(stopped_child: int) -> None:
    ours, theirs = process_reader(psutil), PsutilReader(psutil)
    assert isinstance(ours, ProcReader)
    mine = {row[0]: row for row in ours.table()}
    psutils = {row[0]: row for row in theirs.table()}
    common = mine.keys() & psutils.keys()
    assert stopped_child in common
    # Processes come and go between the two readings, but hardly any.
    assert len(common) >= 0.9 * max(len(mine), len(psutils))
    for pid in common:
        assert mine[pid][1] == psutils[pid][1], pid  # start times to the bit
    _, _, cpu, rss = mine[stopped_child]
    assert cpu == pytest.approx(psutils[stopped_child][2], abs=1e-9)
    assert cpu is not None and cpu > 0
    assert rss == psutils[stopped_child][3]
    assert rss is not None and rss > 40_000_000

    described = 0
    for pid in common:
        first, second = ours.describe(pid, mine[pid][1]), theirs.describe(pid, mine[pid][1])
        for _ in range(10):
            if first == second:
                break
            # A busy process may retitle itself between the two readings (a PostgreSQL backend
            # of a test run beside this one shows its current statement): read both again.
            first, second = ours.describe(pid, mine[pid][1]), theirs.describe(pid, mine[pid][1])
        if first is not None and second is not None:
            assert first == second, pid
            described += 1
    assert described >= 0.9 * len(common)
    name, user, argv = ours.describe(stopped_child, mine[stopped_child][1])  # type: ignore[misc]
    assert name == "agent-console-parity-child"  # past the kernel's 15 characters
    assert user == psutil.Process().username()
    assert argv is not None and argv[-1] == "--token=not-a-secret"


def test_either_reader_ranks_a_process_that_holds_memory(stopped_child: int) -> None:
    def top_memory(reader: ProcReader | PsutilReader) -> list[tuple[int, str]]:
        sampler = CpuSampler(psutil, processes=reader)
        section = collect_processes(sampler, lambda argv: argv, own_pid=os.getpid())
        return [(row["pid"], row["name"]) for row in section["top_memory"]]

    # Other processes' memory moves between the two readings, so only the child is compared.
    for ranked in (top_memory(process_reader(psutil)), top_memory(PsutilReader(psutil))):
        assert (stopped_child, "agent-console-parity-child") in ranked
