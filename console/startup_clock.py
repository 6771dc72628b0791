"""How long ago this process started, for ``--exit-after-startup`` and its benchmark floor.

On Linux the kernel's start time of the process (in clock ticks since boot) is compared with
CLOCK_BOOTTIME, so interpreter start-up counts too. psutil's ``create_time()`` is no use
here: it adds the boot time, which the kernel rounds to the second. Elsewhere the clock
starts when this module is first imported (the entry point imports it first thing).
"""

from __future__ import annotations

import os
import time

_IMPORTED = time.perf_counter()


def ms_since_process_start() -> float:
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read()
        # The command name (field 2) may hold spaces and parentheses: split after its end.
        fields = stat[stat.rindex(b")") + 2 :].split()
        started_ticks = int(fields[19])  # field 22, starttime
        ticks = os.sysconf("SC_CLK_TCK")
        now = time.clock_gettime(time.CLOCK_BOOTTIME)
        return (now - started_ticks / ticks) * 1000
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.perf_counter() - _IMPORTED) * 1000
