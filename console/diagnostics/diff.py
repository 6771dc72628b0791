"""``diff(before, after)``: the facts that changed between two snapshots of a device.

For "before and after the fix", or against a baseline of the same device. Counters and
samples (bytes sent, CPU %, uptime, the process list) change every second and say nothing
about the fix, so they are left out; lists of named things (interfaces, partitions, VPN
adapters, users) are matched by name, so a new adapter is one change, not a shifted list.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

# Paths (dotted, ``*`` for any one segment) whose values are samples, not facts.
VOLATILE = (
    "meta",
    "processes",
    "logs",
    "system.uptime_seconds",
    "system.users.*.started",
    "cpu.percent",
    "cpu.sample_ms",
    "cpu.frequency_mhz",
    "cpu.load_average",
    "memory.available_bytes",
    "memory.used_bytes",
    "memory.percent_used",
    "memory.swap.used_bytes",
    "memory.swap.percent_used",
    "disks.io",
    "disks.partitions.*.usage.used_bytes",
    "disks.partitions.*.usage.free_bytes",
    "network.interfaces.*.counters",
    "network.connections",
    "power.seconds_left",
    "sensors",
)
# Lists of objects matched by this key instead of by position.
LIST_KEYS = {
    "system.users": "name",
    "disks.partitions": "mountpoint",
    "network.interfaces": "name",
    "network.vpn_adapters": "name",
}
# ``*`` stands for a list entry's name, which may itself hold dots (eth0.100, /mnt/a.b).
_VOLATILE = [re.compile("^" + re.escape(p).replace(r"\*", ".+") + r"(\.|$)") for p in VOLATILE]


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    kind: Literal["added", "removed", "changed"]
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        if self.kind == "added":
            return f"{self.path}: added ({_short(self.after)})"
        if self.kind == "removed":
            return f"{self.path}: removed (was {_short(self.before)})"
        return f"{self.path}: {_short(self.before)} -> {_short(self.after)}"


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """The changed facts, sorted by path."""
    old = dict(_flatten(before, ""))
    new = dict(_flatten(after, ""))
    changes: list[Change] = []
    for path in sorted(old.keys() | new.keys()):
        if path not in new:
            changes.append(Change(path, "removed", before=old[path]))
        elif path not in old:
            changes.append(Change(path, "added", after=new[path]))
        elif old[path] != new[path]:
            changes.append(Change(path, "changed", old[path], new[path]))
    return changes


def _flatten(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if path and any(p.match(path) for p in _VOLATILE):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and path in LIST_KEYS:
        key = LIST_KEYS[path]
        seen: Counter[str] = Counter()
        for item in value:
            name = item.get(key) if isinstance(item, Mapping) else None
            label = str(name) if name is not None else _short(item)
            seen[label] += 1  # one user logged in twice is two entries, not one overwritten
            suffix = f" #{seen[label]}" if seen[label] > 1 else ""
            yield from _flatten(item, f"{path}.{label}{suffix}")
    elif isinstance(value, list) and all(not isinstance(v, Mapping | list) for v in value):
        yield path, list(value)  # compared whole: DNS server order matters (primary first)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}.{index}")
    else:
        yield path, value


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"
