"""``startup_ms``'s clock: the time since the kernel started this process, or since import."""

from __future__ import annotations

import time

import psutil
import pytest

from console import startup_clock


def test_the_clock_counts_from_the_process_start_not_from_the_import() -> None:
    lived_ms = (time.time() - psutil.Process().create_time()) * 1000
    measured = startup_clock.ms_since_process_start()
    since_import = (time.perf_counter() - startup_clock._IMPORTED) * 1000
    # psutil's start time is rounded to the second (hence the margins); the interpreter and
    # pytest started well before this module was imported.
    assert lived_ms - 1500 < measured < lived_ms + 1500
    assert measured > since_import


def test_without_proc_the_clock_counts_from_the_import(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_proc(*args: object, **kwargs: object) -> object:
        raise FileNotFoundError("/proc/self/stat")

    monkeypatch.setattr(startup_clock, "open", no_proc, raising=False)
    before = (time.perf_counter() - startup_clock._IMPORTED) * 1000
    measured = startup_clock.ms_since_process_start()
    after = (time.perf_counter() - startup_clock._IMPORTED) * 1000
    assert before <= measured <= after
