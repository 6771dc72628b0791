"""How long the GUI thread stops answering: a timer that notices when it ticks late.

A :class:`Heartbeat` ticks every few milliseconds on the GUI thread. When the thread is
busy (a slow slot, a blocking query), the next tick comes late; the lateness beyond the
interval is a *stall*, which is what a user feels as a frozen window. Benchmarks and tests
start one around the work they measure and read :attr:`Heartbeat.max_stall_ms`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

INTERVAL_MS = 10

# Lateness below this is timer jitter, not a stall; not keeping it keeps a long run small.
RECORD_FLOOR_MS = 1.0


class Heartbeat(QObject):
    """Records the gaps between timer ticks beyond the interval.

    Stalls of at least :data:`RECORD_FLOOR_MS` are kept, so :meth:`stalls_over` answers
    for thresholds from that floor up. Stopping counts the gap since the last tick too, so
    a block just before :meth:`stop` is not missed. No signals.
    """

    def __init__(
        self,
        interval_ms: int = INTERVAL_MS,
        clock: Callable[[], float] = time.perf_counter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if interval_ms < 1:
            raise ValueError("interval_ms must be at least 1")
        self._interval_ms = interval_ms
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: float | None = None
        self._stalls: list[float] = []
        self._ticks = 0

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def ticks(self) -> int:
        """Ticks seen since the last reset."""
        return self._ticks

    @property
    def max_stall_ms(self) -> float:
        """The longest lateness seen since the last reset (0.0 when none)."""
        return max(self._stalls, default=0.0)

    def stalls_over(self, ms: float) -> list[float]:
        """Every stall longer than ``ms`` milliseconds, in the order they happened."""
        return [stall for stall in self._stalls if stall > ms]

    def start(self) -> None:
        """Start ticking (measuring from now); a running heartbeat carries on."""
        if not self._timer.isActive():
            self._last = self._clock()
            self._timer.start()

    def stop(self) -> None:
        """Stop ticking, counting the time since the last tick as a possible stall."""
        if self._timer.isActive():
            self._timer.stop()
            self._record(self._clock())
            self._last = None

    def reset(self) -> None:
        """Forget every stall; a running heartbeat measures from now."""
        self._stalls.clear()
        self._ticks = 0
        self._last = self._clock() if self._timer.isActive() else None

    def _tick(self) -> None:
        self._ticks += 1
        self._record(self._clock())

    def _record(self, now: float) -> None:
        if self._last is not None:
            stall = (now - self._last) * 1000.0 - self._interval_ms
            if stall >= RECORD_FLOOR_MS:
                self._stalls.append(stall)
        self._last = now
