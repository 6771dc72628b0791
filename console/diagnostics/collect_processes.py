"""CPU utilisation sampled over a window, and the ``processes`` section.

psutil's first ``cpu_percent(interval=None)`` is meaningless (it has nothing to compare with),
and sleeping for a second makes the capture slow. Instead a :class:`CpuSampler` reads the CPU
times when it is created and again when the snapshot is assembled: utilisation is measured
over that window. The CLI creates it at the start of the capture; the app creates one as a
ticket opens (``console.app._measure_device``), so the window is as long as the call.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from console.diagnostics import TYPE_CHECKING
from console.diagnostics.collect_system import iso
from console.diagnostics.process_table import process_reader

if TYPE_CHECKING:
    from typing import Any

    from console.diagnostics.collect_system import Psutil
    from console.diagnostics.process_table import ProcessReader, Row

TOP_N = 10
MIN_LIFE_SECONDS = 1.0
"""The least life over which a process that started during the window is given a CPU %: the
kernel counts CPU time in ticks of 10 ms or so, too coarse for anything shorter."""
START_TIME_SLACK_SECONDS = 1.0
"""How far a start time may be off: Linux gives the boot time in whole seconds."""
# Windows lists its idle time as a process that is "busy" whenever the machine is not.
NOT_WORKLOAD = frozenset({"System Idle Process"})


def _busy(times: Any) -> float:
    idle = getattr(times, "idle", 0.0) + getattr(times, "iowait", 0.0)
    return float(sum(times)) - idle


class CpuSampler:
    """Remembers CPU times now, so :meth:`finish` can say how busy the window was."""

    def __init__(
        self,
        ps: Psutil,
        clock: Callable[[], float] = time.monotonic,
        own_pid: int | None = None,
        processes: ProcessReader | None = None,
    ) -> None:
        """``own_pid``: a process whose CPU use is left out of the machine's utilisation (the
        collector itself, when the window is only the capture's own few milliseconds).
        ``processes``: how the processes are read (see :mod:`process_table`); the ranking pass
        reads them again through :attr:`processes`, so both ends of the window agree."""
        self._ps = ps
        self._clock = clock
        self.processes = processes or process_reader(ps)
        self._started = clock()
        self._own = None if own_pid is None else ps.Process(own_pid)
        self._own_before = self._own_seconds()
        self._total = ps.cpu_times()
        self._per_process: dict[int, tuple[float, float]] = {
            pid: (created, cpu)
            for pid, created, cpu, _ in self.processes.table()
            if cpu is not None
        }

    def _own_seconds(self) -> float:
        if self._own is None:
            return 0.0
        times = self._own.cpu_times()
        return float(times.user + times.system)

    @property
    def window_seconds(self) -> float:
        return max(self._clock() - self._started, 0.0)

    def utilisation(self) -> dict[str, Any]:
        """The ``cpu`` section's utilisation figures over the window so far."""
        window = self.window_seconds
        now = self._ps.cpu_times()
        own = self._own_seconds() - self._own_before
        busy = max(_busy(now) - _busy(self._total) - own, 0.0)
        total = float(sum(now)) - float(sum(self._total))
        percent = round(100.0 * busy / total, 1) if total > 0 else None
        return {"percent": percent, "sample_ms": round(window * 1000)}

    def process_percent(
        self, pid: int, create_time: float, cpu_seconds: float | None
    ) -> float | None:
        """A process's CPU % over the window (100 % = one core). One that started during the
        window (a long one: the app's lasts from the ticket's opening) is measured over its
        own life instead, once that is long enough to mean something. None when its CPU time
        was denied, or for a new process too young to tell."""
        if cpu_seconds is None:
            return None
        window = self.window_seconds
        before = self._per_process.get(pid)
        if before is not None and before[0] == create_time:
            used = cpu_seconds - before[1]
        elif create_time > 0:
            life = self.processes.age(create_time)
            # Older than the window (give or take the start time's rounding): its CPU time
            # was not read when the window opened, so its use inside it cannot be told.
            if not MIN_LIFE_SECONDS <= life <= window + START_TIME_SLACK_SECONDS:
                return None
            window, used = min(life, window), cpu_seconds
        else:
            return None
        if window <= 0:
            return None
        return round(100.0 * max(used, 0.0) / window, 1)


RedactArgv = Callable[[list[str]], list[str]]


def collect_processes(
    sampler: CpuSampler, redact_argv: RedactArgv, own_pid: int | None = None
) -> dict[str, Any]:
    """Top processes by CPU and by memory; command lines pass through ``redact_argv`` first.

    Two passes: the cheap figures (CPU times, memory) for every process, then name, owner and
    command line only for the few that rank, since reading those for 300 processes would be
    most of the capture's time. ``own_pid`` (the collector itself) is left out of the ranking.
    """
    processes = sampler.processes
    table: list[Row] = [row for row in processes.table() if row[0] != own_pid]
    denied = sum(1 for _, _, cpu, rss in table if cpu is None or rss is None)
    percent = {pid: sampler.process_percent(pid, created, cpu) for pid, created, cpu, _ in table}

    def by_cpu(row: Row) -> tuple[float, float]:
        return (percent[row[0]] or 0.0, row[2] or 0.0)

    def by_memory(row: Row) -> int:
        return row[3] or 0

    described: dict[int, dict[str, Any] | None] = {}

    def top(key: Any) -> list[dict[str, Any]]:
        chosen: list[dict[str, Any]] = []
        for pid, created, cpu, rss in sorted(table, key=key, reverse=True):
            if pid not in described:
                described[pid] = _describe(processes, pid, created, redact_argv)
            details = described[pid]
            if details is None or details["name"] in NOT_WORKLOAD:
                continue  # exited since the first pass, or Windows' idle time
            chosen.append(
                {
                    **details,
                    "pid": pid,
                    "cpu_percent": percent[pid],
                    "cpu_seconds": round(cpu or 0.0, 2),
                    "rss_bytes": rss,
                    "started": iso(created) if created else None,
                }
            )
            if len(chosen) == TOP_N:
                break
        return chosen

    return {
        "count": len(table),
        "not_readable": denied,
        "sample_ms": round(sampler.window_seconds * 1000),
        "top_cpu": top(by_cpu),
        "top_memory": top(by_memory),
    }


def _describe(
    processes: ProcessReader, pid: int, created: float, redact_argv: RedactArgv
) -> dict[str, Any] | None:
    """Name, owner and redacted command line of one process; None if it has exited. Once per
    process, however many lists it ranks in: redaction counts what it removes."""
    details = processes.describe(pid, created)
    if details is None:
        return None
    name, user, argv = details
    return {"name": name, "user": user, "cmdline": None if argv is None else redact_argv(argv)}
