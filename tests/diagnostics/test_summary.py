"""The human summary `agent-console collect` prints, and its highlights the desk shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from console.diagnostics.collect_processes import CpuSampler
from console.diagnostics.snapshot import capture_snapshot
from console.diagnostics.summary import highlights, render_summary
from tests.support.recorded_psutil import load_recording

HOSTS = Path(__file__).parents[1] / "fixtures" / "hosts"
NOW = 1763900000.0


def over(seconds: float) -> Iterator[float]:
    yield 0.0
    while True:
        yield seconds


def windows_laptop(window: float) -> dict[str, object]:
    ps, host = load_recording(HOSTS / "windows11-laptop.json")
    ticks = over(window)
    sampler = CpuSampler(ps, clock=lambda: next(ticks))
    return capture_snapshot(ps=ps, host=host, sampler=sampler, wall_clock=lambda: NOW).data


def test_cpu_figures_say_the_window_they_were_measured_over() -> None:
    short, long = windows_laptop(0.024), windows_laptop(200.0)
    assert " % busy over 24 ms" in highlights(short)["cpu"]
    assert " % busy over 3 min 20 s" in highlights(long)["cpu"]
    busiest = [line for line in render_summary(short).splitlines() if "busiest:" in line]
    assert len(busiest) == 1 and busiest[0].startswith("  busiest:  OUTLOOK.EXE ")
    assert busiest[0].endswith(" % over 24 ms")


def test_the_cpu_line_carries_the_load_average_where_there_is_one() -> None:
    ps, host = load_recording(HOSTS / "macos14-air.json")
    ticks = over(1.0)
    sampler = CpuSampler(ps, clock=lambda: next(ticks))
    mac = capture_snapshot(ps=ps, host=host, sampler=sampler, wall_clock=lambda: NOW).data
    assert highlights(mac)["cpu"].endswith(" % busy over 1 s; load 6.12 / 5.8 / 5.1")
    # Windows has none: psutil's stand-in reads all zeros for its first 5 s, not "idle".
    windows = windows_laptop(1.0)
    assert windows["cpu"]["load_average"] is None  # type: ignore[index]
    assert highlights(windows)["cpu"].endswith(" % busy over 1 s")
