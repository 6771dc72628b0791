"""``capture_snapshot()``: the device's diagnostics, redacted, in well under a second.

Every section comes from a small collector (``collect_*.py``). A collector that fails (access
denied, a vanished process, a platform gap psutil reports as an error) costs only its own
section: the error goes under ``meta.problems``, ``meta.partial`` becomes true, and the
capture goes on. Redaction runs last, over the whole tree, before the snapshot is returned:
nothing unredacted ever leaves this function.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import psutil

from console.diagnostics import TYPE_CHECKING
from console.diagnostics.collect_logs import collect_logs
from console.diagnostics.collect_network import collect_network
from console.diagnostics.collect_processes import CpuSampler, collect_processes
from console.diagnostics.collect_storage import collect_disks
from console.diagnostics.collect_system import (
    collect_cpu,
    collect_memory,
    collect_power,
    collect_sensors,
    collect_system,
)
from console.diagnostics.host import LiveHost
from console.diagnostics.redaction import Privacy, RedactionReport, Redactor
from console.values import Value

if TYPE_CHECKING:
    from typing import Any

    from console.diagnostics.collect_system import Psutil
    from console.diagnostics.host import Host

SNAPSHOT_FORMAT_VERSION = 1
SECTIONS = (
    "system",
    "cpu",
    "memory",
    "disks",
    "network",
    "power",
    "sensors",
    "processes",
    "logs",
)


class Snapshot(Value):
    """A redacted snapshot and the report of what redaction removed (kinds and counts)."""

    __slots__ = ("data", "redaction")
    data: dict[str, Any]
    redaction: RedactionReport

    def __init__(self, data: dict[str, Any], redaction: RedactionReport) -> None:
        self._set("data", data)
        self._set("redaction", redaction)

    __hash__ = None  # type: ignore[assignment]  # the data is a dict


def capture_snapshot(
    privacy: Privacy = Privacy.STANDARD,
    *,
    ps: Psutil = psutil,
    host: Host | None = None,
    sampler: CpuSampler | None = None,
    wall_clock: Callable[[], float] = time.time,
) -> Snapshot:
    """Capture this device (or, in tests, a recorded one) and redact it.

    ``sampler``: a :class:`CpuSampler` created earlier (when the call started) measures CPU
    use over a longer window; without one the window is the capture itself.
    """
    live = host is None
    host = host or LiveHost()
    # The collector's own process is busy measuring; it is not what slows the caller down.
    own_pid = os.getpid() if live else None
    started = time.perf_counter()
    captured_at = wall_clock()
    problems: list[dict[str, str]] = []
    sections: dict[str, Any] = {}

    def guarded(name: str, collect: Callable[[], dict[str, Any]]) -> None:
        try:
            section = collect()
        except Exception as exc:  # noqa: BLE001 - one section's failure is recorded, not fatal
            sections[name] = None
            problems.append({"section": name, "error": _describe(exc)})
            return
        for problem in section.pop("problems", []):
            problems.append({"section": name, "error": str(problem)})
        sections[name] = section

    if sampler is None:
        try:
            sampler = CpuSampler(ps, own_pid=own_pid)
        except Exception as exc:  # noqa: BLE001 - recorded; cpu and processes are then absent
            problems.append({"section": "cpu", "error": f"sampling: {_describe(exc)}"})
            problems.append({"section": "processes", "error": "no CPU sample to rank them by"})
    redactor = Redactor(privacy, user_names=_user_names(ps, host))

    # The slow parts wait on other programs (the system log reader, route/DNS commands on
    # Windows and macOS): they run beside the psutil collectors instead of after them.
    logs = _Beside(lambda: collect_logs(host))
    net = _Beside(lambda: collect_network(ps, host))
    guarded("system", lambda: collect_system(ps, host, captured_at))
    guarded("memory", lambda: collect_memory(ps, host))
    guarded("disks", lambda: collect_disks(ps, host))
    guarded("power", lambda: collect_power(ps, host))
    guarded("sensors", lambda: collect_sensors(ps, host))
    if sampler is not None:
        window = sampler
        guarded(
            "processes",
            lambda: collect_processes(window, redactor.command_line, own_pid),
        )
    guarded("network", net.result)
    guarded("logs", logs.result)
    if sampler is not None:
        last = sampler  # last, so the window spans the whole capture
        guarded("cpu", lambda: collect_cpu(ps, host, last.utilisation()))

    data: dict[str, Any] = {name: sections.get(name) for name in SECTIONS}
    redacted = redactor.tree(data)
    safe_problems = redactor.tree(problems)
    report = redactor.report  # after the problems too: meta.redaction counts everything
    redacted["meta"] = {
        "format_version": SNAPSHOT_FORMAT_VERSION,
        "captured_at": datetime.fromtimestamp(captured_at, UTC).isoformat(timespec="milliseconds"),
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "privacy": privacy.value,
        "partial": bool(problems),
        "problems": safe_problems,
        "redaction": report.to_dict(),
        "collector": {"psutil": str(getattr(ps, "__version__", "")), "source": "this_device"},
    }
    return Snapshot(redacted, redactor.report)


class _Beside:
    """Run one collector on a thread of its own; :meth:`result` joins it and returns what it
    returned or raises what it raised. (Lighter than concurrent.futures, whose import alone
    costs `collect` several milliseconds.)"""

    def __init__(self, collect: Callable[[], dict[str, Any]]) -> None:
        self._value: dict[str, Any] | None = None
        self._error: BaseException | None = None
        self._collect = collect
        self._thread = threading.Thread(target=self._run, name="capture", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._collect()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in result()
            self._error = exc

    def result(self) -> dict[str, Any]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def _user_names(ps: Psutil, host: Host) -> list[str]:
    """Names strict privacy hides wherever they appear (home paths, process owners)."""
    names = {host.environ.get("USER", ""), host.environ.get("USERNAME", "")}
    with contextlib.suppress(Exception):  # the system section records the failure
        names.update(u.name for u in ps.users())
    return sorted(n for n in names if n and n not in ("root", "SYSTEM"))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
