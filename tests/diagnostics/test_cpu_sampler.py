"""CPU use over a window: the machine's, and each process's, including one that started inside."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import psutil

from console.diagnostics.collect_processes import CpuSampler, collect_processes

if TYPE_CHECKING:
    from console.diagnostics.process_table import Details, Row

START = 1_763_900_000.0


class ScriptedReader:
    """A process reader answering each table() with the next of the given tables."""

    def __init__(self, *tables: list[Row]) -> None:
        self._tables: Iterator[list[Row]] = iter(tables)

    def table(self) -> list[Row]:
        return next(self._tables)

    def describe(self, pid: int, create_time: float) -> Details | None:
        return (f"p{pid}", "alice", [f"p{pid}"])

    def age(self, create_time: float) -> float:
        return START - create_time


def sampler_over(window: float, reader: ScriptedReader) -> CpuSampler:
    """A sampler whose window is ``window`` seconds long, ending at START."""
    ticks = iter([0.0, *[window] * 20])
    return CpuSampler(psutil, clock=lambda: next(ticks), processes=reader)


def percents(section: dict[str, Any]) -> dict[str, float | None]:
    return {row["name"]: row["cpu_percent"] for row in section["top_cpu"]}


def test_each_process_is_measured_over_the_window_or_over_its_own_life() -> None:
    reader = ScriptedReader(
        [(1, START - 900, 50.0, 1), (4, START - 800, 7.0, 1), (6, START - 700, None, 1)],
        [
            (1, START - 900, 56.0, 1),  # 6 s of CPU in the 60 s window: 10 %
            (2, START - 4, 3.0, 1),  # started 4 s ago, 3 s of CPU since: 75 %
            (3, START - 0.5, 0.2, 1),  # half a second old: too young to tell
            (4, START - 30, 1.5, 1),  # pid 4 is another process now: 1.5 s in 30 s, 5 %
            (5, START - 600, 9.0, 1),  # older than the window yet unseen at its start
            (6, START - 700, 8.0, 1),  # its CPU time was denied when the window opened
            (7, START - 60.5, 30.0, 1),  # started as the window opened: over the window
            (8, START - 5, None, 1),  # its CPU time is denied
        ],
    )
    section = collect_processes(sampler_over(60.0, reader), lambda argv: argv)
    assert percents(section) == {
        "p2": 75.0,
        "p7": 50.0,
        "p1": 10.0,
        "p4": 5.0,
        # None, ranked by their CPU seconds:
        "p5": None,
        "p6": None,
        "p3": None,
        "p8": None,
    }


def test_a_long_window_ranks_a_process_that_started_and_ran_inside_it() -> None:
    sampler = CpuSampler(psutil)  # as the app does when a ticket opens
    burn = (
        "import sys, time\n"
        "end = time.process_time() + 1.2\n"
        "while time.process_time() < end: pass\n"
        "print('burnt', flush=True)\n"
        "time.sleep(60)\n"  # idle, alive until the test kills it
    )
    with subprocess.Popen([sys.executable, "-c", burn], stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == "burnt\n"
            section = collect_processes(sampler, lambda argv: argv, own_pid=os.getpid())
        finally:
            child.kill()
    assert section["sample_ms"] >= 1200
    (row,) = [row for row in section["top_cpu"] if row["pid"] == child.pid]
    # 1.2 s of CPU over a life of 1.2 s and up (more on a busy machine): not None, not tiny.
    assert row["cpu_percent"] is not None and 20 <= row["cpu_percent"] <= 110
