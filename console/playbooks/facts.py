"""The facts a playbook may rely on without setting them, and the values some facts must take.

Facts are text. Most are set by the playbook itself (a choice's ``set``, an ``input``); a few
come from the device's diagnostics snapshot, so a ``branch`` on ``os_family`` works without
asking the caller what they run. Facts that other parts of the console interpret (the scope
of impact feeds the priority matrix) have a fixed vocabulary, and the validator holds
playbooks to it: a typo there would silently mis-prioritise a ticket.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from console.domain.enums import Impact, Urgency

FACT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
"""snake_case, as the handoff form and the completeness gate name them."""

SNAPSHOT_FACTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "os_family": ("system", "os_family"),
        "os_name": ("system", "os_name"),
        "os_version": ("system", "os_version"),
        "architecture": ("system", "architecture"),
        "hostname": ("system", "hostname"),
    }
)
"""Facts read from a diagnostics snapshot, by the path of keys to their value."""

FACT_VALUES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "affected_scope": frozenset(impact.value for impact in Impact),
        "urgency": frozenset(urgency.value for urgency in Urgency),
        "os_family": frozenset({"windows", "macos", "linux"}),
    }
)
"""Facts whose value other parts of the console interpret, with the values they accept."""


def facts_from_snapshot(snapshot: Mapping[str, Any] | None) -> dict[str, str]:
    """The :data:`SNAPSHOT_FACTS` present in ``snapshot`` as text; absent or empty ones are
    left out (a partial snapshot is normal: a collector may have been refused access)."""
    facts: dict[str, str] = {}
    if not snapshot:
        return facts
    for fact, keys in SNAPSHOT_FACTS.items():
        value: Any = snapshot
        for key in keys:
            value = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value):
            facts[fact] = str(value)
    return facts


def value_problem(fact: str, value: str) -> str | None:
    """Why ``value`` cannot be a value of ``fact``, or ``None`` when it can."""
    allowed = FACT_VALUES.get(fact)
    if allowed is None or value in allowed:
        return None
    return f"{value!r} is not a value of {fact} (it takes {', '.join(sorted(allowed))})"
