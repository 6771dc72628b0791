"""SLA clocks: how long a ticket has been open against its targets.

The targets are policy (``resources/policy/sla.yaml``), handed in as a mapping. The clock
runs from the moment the ticket was opened, whether or not the console was online, and
stops when the ticket is resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from console.domain.enums import Priority
from console.domain.priority import PolicyError

UNPRIORITISED = "unprioritised"


class ClockState(StrEnum):
    RUNNING = "running"
    WARNING = "warning"
    """Past ``warn_at`` of a target."""
    BREACHED = "breached"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class SlaReading:
    state: ClockState
    elapsed: timedelta
    remaining: timedelta
    """Until the resolution target; negative once breached."""
    tier1_exceeded: bool
    """Tier 1 has had the ticket longer than its threshold: ``time_exceeded`` applies."""

    def text(self) -> str:
        """Short form for a status bar: "SLA 1h 05m left", "SLA breached 12m ago"."""
        if self.state is ClockState.STOPPED:
            return f"SLA stopped after {_span(self.elapsed)}"
        if self.state is ClockState.BREACHED:
            return f"SLA breached {_span(-self.remaining)} ago"
        suffix = " · tier 1 time exceeded" if self.tier1_exceeded else ""
        return f"SLA {_span(self.remaining)} left{suffix}"


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    tier1: timedelta
    resolve: Mapping[str, timedelta]
    warn_at: float

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], source: str = "SLA policy") -> SlaPolicy:
        """Build from the YAML's mapping; every priority and ``unprioritised`` is required."""
        tier1 = _minutes(data.get("tier1_minutes"), f"{source}: tier1_minutes")
        warn_at = data.get("warn_at", 0.75)
        if not isinstance(warn_at, int | float) or not 0 < warn_at < 1:
            raise PolicyError(f"{source}: warn_at must be a number between 0 and 1")
        targets = data.get("resolve_minutes")
        if not isinstance(targets, Mapping):
            raise PolicyError(f"{source}: resolve_minutes must map each priority to minutes")
        resolve = {
            key: _minutes(targets.get(key), f"{source}: resolve_minutes.{key}")
            for key in [*(p.value for p in Priority), UNPRIORITISED]
        }
        return cls(tier1, resolve, float(warn_at))

    def read(
        self,
        opened_at: datetime,
        priority: str | None,
        now: datetime,
        resolved_at: datetime | None = None,
    ) -> SlaReading:
        end = resolved_at or now
        elapsed = max(end - opened_at, timedelta(0))
        target = self.resolve.get(priority or UNPRIORITISED, self.resolve[UNPRIORITISED])
        remaining = target - elapsed
        if resolved_at is not None:
            state = ClockState.STOPPED
        elif remaining < timedelta(0):
            state = ClockState.BREACHED
        elif elapsed >= target * self.warn_at:
            state = ClockState.WARNING
        else:
            state = ClockState.RUNNING
        return SlaReading(state, elapsed, remaining, elapsed > self.tier1)


def _minutes(value: object, where: str) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise PolicyError(f"{where} must be a whole number of minutes above 0, not {value!r}")
    return timedelta(minutes=value)


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"
