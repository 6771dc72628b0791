"""How a capture reads the processes: every process's cheap figures, then a few in detail.

A capture reads the table of every process twice (when its CPU sampler starts, and again to
rank the top processes), then names, owners and command lines for the few that rank. Through
psutil a process in the table costs about 65 µs here and a description about 240 µs, nearly all
of it psutil's per-process Python machinery; on Linux the table's figures take two small reads
(``/proc/<pid>/stat`` and ``statm``, about 15 µs) and a description three. So there are two
readers with one interface: :class:`ProcReader` for the live psutil on Linux and
:class:`PsutilReader` everywhere else (Windows, macOS, and the recorded machines tests replay).
``tests/diagnostics/test_process_table.py`` holds the two to the same answers on this machine.

A table row is a plain tuple ``(pid, create_time, cpu_seconds, rss_bytes)`` in psutil's units
(seconds since the epoch, user plus system CPU seconds, bytes); a figure psutil was denied is
None. A process that exits while the table is read is left out.

A reader is used by one thread at a time (a capture's, or the one capture running for a ticket).
"""

from __future__ import annotations

import os
import sys
import time

from console.diagnostics import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol

    from console.diagnostics.collect_system import Psutil

    Row = tuple[int, float, float | None, int | None]
    Details = tuple[str, str | None, list[str] | None]
    """A process's name, its owner's user name and its command line; None where denied."""

    class ProcessReader(Protocol):
        def table(self) -> list[Row]:
            """Every process this user can see."""

        def describe(self, pid: int, create_time: float) -> Details | None:
            """The process ``pid`` that started at ``create_time``; None if it has exited
            (or its pid now belongs to another process)."""

        def age(self, create_time: float) -> float:
            """Seconds since a process of the table started."""


def process_reader(ps: Psutil) -> ProcessReader:
    """The fastest reader that gives ``ps``'s own answers."""
    if sys.platform.startswith("linux") and _is_live_psutil(ps):
        return ProcReader(str(getattr(ps, "PROCFS_PATH", "/proc")), ps.boot_time)
    return PsutilReader(ps)


class PsutilReader:
    _ATTRS = ["pid", "create_time", "cpu_times", "memory_info"]

    def __init__(self, ps: Psutil) -> None:
        self._ps = ps

    def table(self) -> list[Row]:
        rows: list[Row] = []
        for proc in self._ps.process_iter(attrs=self._ATTRS, ad_value=None):
            info = proc.info
            times, memory = info["cpu_times"], info["memory_info"]
            rows.append(
                (
                    info["pid"],
                    info["create_time"] or 0.0,
                    None if times is None else times.user + times.system,
                    None if memory is None else memory.rss,
                )
            )
        return rows

    def describe(self, pid: int, create_time: float) -> Details | None:
        ps = self._ps
        try:
            proc = ps.Process(pid)
            with proc.oneshot():
                started = self._or_none(proc.create_time)
                if create_time and started is not None and started != create_time:
                    return None  # the pid was reused
                name = self._or_none(proc.name)
                user = self._or_none(proc.username)
                argv = self._or_none(proc.cmdline)
        except (ps.NoSuchProcess, ps.ZombieProcess):
            return None
        return (name or "", user, None if argv is None else list(argv))

    def age(self, create_time: float) -> float:
        return time.time() - create_time

    def _or_none(self, read: Any) -> Any:
        try:
            return read()
        except self._ps.AccessDenied:
            return None


# Field positions in /proc/<pid>/stat after the ")" that closes the command name: proc(5)
# numbers them from 1 with pid and comm first, so its field N is index N - 3 here.
_UTIME, _STIME, _STARTTIME = 14 - 3, 15 - 3, 22 - 3
# The kernel keeps 15 characters of a command's name; psutil then takes the full one from argv.
_COMM_LIMIT = 15


class _Gone(Exception):
    """The process exited while it was being read."""


class ProcReader:
    """Linux's /proc read directly, giving psutil's answers (its ``_pslinux`` and
    ``Process.name``/``username``) without its per-process machinery. A file this user may
    not read (``/proc`` mounted with ``hidepid=1``) gives None where psutil's AccessDenied
    would."""

    def __init__(self, procfs: str, boot_time: Callable[[], float]) -> None:
        """``boot_time``: psutil's, read once: start times are counted from it, and as psutil
        keeps a process's start time once read, a clock step during a long window must not
        make every process look new."""
        self._procfs = procfs
        self._boot_time = boot_time
        self._boot: float | None = None
        self._ticks = float(os.sysconf("SC_CLK_TCK"))
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._encoding = sys.getfilesystemencoding()
        self._errors = sys.getfilesystemencodeerrors()
        self._users: dict[int, str] = {}

    def table(self) -> list[Row]:
        # Resident memory comes from statm, as psutil's does: stat's figure is the kernel's
        # per-CPU estimate, off by some pages.
        rows: list[Row] = []
        for entry in os.listdir(self._procfs):
            if not entry.isdigit():
                continue
            try:
                stat = self._stat(entry)
                memory = _read(f"{self._procfs}/{entry}/statm")
            except _Gone:
                continue
            if stat is None:
                rows.append((int(entry), 0.0, None, None if memory is None else self._rss(memory)))
                continue
            fields = stat[1]
            rows.append(
                (
                    int(entry),
                    self._started(fields),
                    (int(fields[_UTIME]) + int(fields[_STIME])) / self._ticks,
                    None if memory is None else self._rss(memory),
                )
            )
        return rows

    def describe(self, pid: int, create_time: float) -> Details | None:
        try:
            stat = self._stat(pid)
            if stat is not None:
                comm, fields = stat
                if fields[0] == b"Z":
                    return None  # a zombie: psutil cannot describe one either
                if create_time and self._started(fields) != create_time:
                    return None  # the pid now belongs to another process
            argv = self._cmdline(pid)
            user = self._user(pid)
        except _Gone:
            return None
        if stat is None:
            return ("", user, argv)
        name = comm.decode(self._encoding, self._errors)
        if len(name) >= _COMM_LIMIT and argv:
            extended = os.path.basename(argv[0])
            if extended.startswith(name):
                name = extended
        return (name, user, argv)

    def age(self, create_time: float) -> float:
        # Against the clock the kernel counts start times on, not the wall clock: the boot
        # time psutil adds is whole seconds.
        return time.clock_gettime(time.CLOCK_BOOTTIME) - (create_time - self._boot_seconds())

    def _boot_seconds(self) -> float:
        if self._boot is None:
            self._boot = float(self._boot_time())
        return self._boot

    def _started(self, fields: list[bytes]) -> float:
        return self._boot_seconds() + int(fields[_STARTTIME]) / self._ticks

    def _rss(self, statm: bytes) -> int:
        return int(statm.split(None, 2)[1]) * self._page

    def _stat(self, pid: int | str) -> tuple[bytes, list[bytes]] | None:
        """The command name and the figures after it; None if this user may not read them."""
        data = _read(f"{self._procfs}/{pid}/stat")
        if data is None:
            return None
        # The name may hold spaces and parentheses: the figures start after the last ")".
        end = data.rfind(b")")
        fields = data[end + 2 :].split()
        if end < 0 or len(fields) <= _STARTTIME:
            raise _Gone  # emptied as the process went
        return data[data.find(b"(") + 1 : end], fields

    def _cmdline(self, pid: int) -> list[str] | None:
        raw = _read(f"{self._procfs}/{pid}/cmdline", whole=True)
        if raw is None:
            return None
        # As psutil, which reads it as text: universal newlines, NUL-separated arguments
        # unless the process rewrote its title with spaces.
        data = raw.decode(self._encoding, self._errors).replace("\r\n", "\n").replace("\r", "\n")
        if not data:
            return []  # a kernel thread
        sep = "\x00" if data.endswith("\x00") else " "
        if data.endswith(sep):
            data = data[:-1]
        argv = data.split(sep)
        if sep == "\x00" and len(argv) == 1 and " " in data:
            argv = data.split(" ")
        return argv

    def _user(self, pid: int) -> str | None:
        status = _read(f"{self._procfs}/{pid}/status")  # Uid is in its first lines
        start = -1 if status is None else status.find(b"\nUid:")
        if status is None or start < 0:
            return None
        uid = int(status[start + 5 :].split(None, 1)[0])  # the real uid, as psutil reports
        if uid not in self._users:
            import pwd

            try:
                self._users[uid] = pwd.getpwuid(uid).pw_name
            except KeyError:
                self._users[uid] = str(uid)
        return self._users[uid]


def _read(path: str, *, whole: bool = False) -> bytes | None:
    """The file's first 4 KiB (all of it if ``whole``); None if this user may not read it.
    Raises :class:`_Gone` once the process has exited."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except PermissionError:
        return None
    except OSError as exc:
        raise _Gone from exc
    try:
        data = os.read(fd, 4096)
        if whole and len(data) == 4096:
            chunks = [data]
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
            data = b"".join(chunks)
    except PermissionError:
        return None
    except OSError as exc:
        raise _Gone from exc
    finally:
        os.close(fd)
    return data


def _is_live_psutil(ps: Psutil) -> bool:
    """Whether ``ps`` is the psutil module itself rather than a recorded machine's stand-in."""
    module = sys.modules.get("psutil")
    return module is not None and ps is module
