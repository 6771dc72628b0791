"""CPU utilisation sampled over a window, and the ``processes`` section.

psutil's first ``cpu_percent(interval=None)`` is meaningless (it has nothing to compare with),
and sleeping for a second makes the capture slow. Instead a :class:`CpuSampler` reads the CPU
times when it is created and again when the snapshot is assembled: utilisation is measured
over that window. The CLI creates it at the start of the capture; the app can create it when
a ticket is opened, so the window is as long as the call.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from console.diagnostics import TYPE_CHECKING
from console.diagnostics.collect_system import iso

if TYPE_CHECKING:
    from typing import Any

    from console.diagnostics.collect_system import Psutil

TOP_N = 10
# Windows lists its idle time as a process that is "busy" whenever the machine is not.
NOT_WORKLOAD = frozenset({"System Idle Process"})
_CHEAP_ATTRS = ["pid", "memory_info", "create_time", "cpu_times"]


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
    ) -> None:
        """``own_pid``: a process whose CPU use is left out of the machine's utilisation (the
        collector itself, busy measuring for the few milliseconds the window lasts)."""
        self._ps = ps
        self._clock = clock
        self._started = clock()
        self._own = None if own_pid is None else ps.Process(own_pid)
        self._own_before = self._own_seconds()
        self._total = ps.cpu_times()
        self._per_process: dict[int, tuple[float, float]] = {}
        for proc in ps.process_iter(attrs=["pid", "create_time", "cpu_times"], ad_value=None):
            info = proc.info
            if info["cpu_times"] is not None:
                self._per_process[info["pid"]] = (
                    info["create_time"] or 0.0,
                    info["cpu_times"].user + info["cpu_times"].system,
                )

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

    def process_percent(self, pid: int, create_time: float, cpu_seconds: float) -> float | None:
        """A process's CPU % over the window (100 % = one core), or None if it is new."""
        before = self._per_process.get(pid)
        window = self.window_seconds
        if before is None or before[0] != create_time or window <= 0:
            return None
        return round(100.0 * max(cpu_seconds - before[1], 0.0) / window, 1)


RedactArgv = Callable[[list[str]], list[str]]


def collect_processes(
    ps: Psutil, sampler: CpuSampler, redact_argv: RedactArgv, own_pid: int | None = None
) -> dict[str, Any]:
    """Top processes by CPU and by memory; command lines pass through ``redact_argv`` first.

    Two passes: the cheap figures (CPU times, memory) for every process, then name, owner and
    command line only for the few that rank, since reading those for 300 processes would be
    most of the capture's time. ``own_pid`` (the collector itself) is left out of the ranking.
    """
    rows: list[dict[str, Any]] = []
    denied = 0
    for proc in ps.process_iter(attrs=_CHEAP_ATTRS, ad_value=None):
        info = proc.info
        if info["pid"] == own_pid:
            continue
        memory, times = info["memory_info"], info["cpu_times"]
        if memory is None or times is None:
            denied += 1
        cpu_seconds = 0.0 if times is None else times.user + times.system
        rows.append(
            {
                "pid": info["pid"],
                "cpu_percent": sampler.process_percent(
                    info["pid"], info["create_time"] or 0.0, cpu_seconds
                ),
                "cpu_seconds": round(cpu_seconds, 2),
                "rss_bytes": None if memory is None else memory.rss,
                "started": None if not info["create_time"] else iso(info["create_time"]),
            }
        )

    def by_cpu(row: dict[str, Any]) -> tuple[float, float]:
        return (row["cpu_percent"] or 0.0, row["cpu_seconds"])

    def by_memory(row: dict[str, Any]) -> int:
        return int(row["rss_bytes"] or 0)

    described: dict[int, dict[str, Any] | None] = {}

    def top(key: Any) -> list[dict[str, Any]]:
        chosen: list[dict[str, Any]] = []
        for row in sorted(rows, key=key, reverse=True):
            pid = row["pid"]
            if pid not in described:
                described[pid] = _describe(ps, pid, redact_argv)
            details = described[pid]
            if details is None or details["name"] in NOT_WORKLOAD:
                continue  # exited since the first pass, or Windows' idle time
            chosen.append({**details, **row})
            if len(chosen) == TOP_N:
                break
        return chosen

    return {
        "count": len(rows),
        "not_readable": denied,
        "sample_ms": round(sampler.window_seconds * 1000),
        "top_cpu": top(by_cpu),
        "top_memory": top(by_memory),
    }


def _describe(ps: Psutil, pid: int, redact_argv: RedactArgv) -> dict[str, Any] | None:
    """Name, owner and redacted command line of one process; None if it has exited."""
    try:
        proc = ps.Process(pid)
        with proc.oneshot():
            name = _or_none(proc.name, ps)
            user = _or_none(proc.username, ps)
            argv = _or_none(proc.cmdline, ps)
    except (ps.NoSuchProcess, ps.ZombieProcess):
        return None
    return {
        "name": name or "",
        "user": user,
        "cmdline": None if argv is None else redact_argv(list(argv)),
    }


def _or_none(read: Callable[[], Any], ps: Psutil) -> Any:
    try:
        return read()
    except ps.AccessDenied:
        return None
