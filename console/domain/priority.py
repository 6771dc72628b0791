"""ITIL priority from impact and urgency.

The matrix itself is policy, not code: it is read from ``resources/policy/priority.yaml`` and
handed to :class:`PriorityMatrix` as a plain mapping, so an organization can tune it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from console.domain.enums import Impact, Priority, Urgency


class PolicyError(ValueError):
    """A policy mapping breaks a rule; the message names the key."""


@dataclass(frozen=True, slots=True)
class PriorityDecision:
    priority: Priority
    reason: str


@dataclass(frozen=True, slots=True)
class PriorityMatrix:
    cells: Mapping[tuple[Impact, Urgency], Priority]

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, object], source: str = "priority policy"
    ) -> PriorityMatrix:
        """Build from ``{"matrix": {impact: {urgency: "P1".."P5"}}}``; every cell is required."""
        matrix = data.get("matrix")
        if not isinstance(matrix, Mapping):
            raise PolicyError(
                f"{source}: 'matrix' must be a mapping of impact to urgency to priority"
            )
        cells: dict[tuple[Impact, Urgency], Priority] = {}
        for impact in Impact:
            row = matrix.get(impact.value)
            if not isinstance(row, Mapping):
                raise PolicyError(f"{source}: matrix.{impact.value} is missing or not a mapping")
            for urgency in Urgency:
                value = row.get(urgency.value)
                try:
                    cells[(impact, urgency)] = Priority(str(value))
                except ValueError:
                    raise PolicyError(
                        f"{source}: matrix.{impact.value}.{urgency.value} must be one of "
                        f"P1..P5, not {value!r}"
                    ) from None
            unknown = set(map(str, row)) - {u.value for u in Urgency}
            if unknown:
                raise PolicyError(
                    f"{source}: matrix.{impact.value} has unknown urgency {sorted(unknown)[0]!r}"
                )
        unknown_impacts = set(map(str, matrix)) - {i.value for i in Impact}
        if unknown_impacts:
            raise PolicyError(f"{source}: matrix has unknown impact {sorted(unknown_impacts)[0]!r}")
        return cls(cells)

    def decide(self, impact: Impact, urgency: Urgency) -> PriorityDecision:
        priority = self.cells[(impact, urgency)]
        reason = f"{priority}: impact {_IMPACT_WORDS[impact]}, urgency {_URGENCY_WORDS[urgency]}"
        return PriorityDecision(priority, reason)


_IMPACT_WORDS = {
    Impact.SINGLE_USER: "one user",
    Impact.TEAM: "a team or department",
    Impact.SITE: "a site or the whole organization",
}
_URGENCY_WORDS = {
    Urgency.WORK_STOPPED: "work stopped",
    Urgency.DEGRADED: "work degraded",
    Urgency.MINOR: "minor inconvenience",
}
