"""Mutations of a ZIP's members that any verifying reader must survive (hypothesis tests of
the package reader and the diagnostics bundle reader share them)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

Member = tuple[str, bytes]
STRUCTURAL = ("rename", "drop", "add", "flip", "duplicate")


def mutate_structure(kind: str, data: st.DataObject, members: list[Member], names: Any) -> None:
    """Apply one structural mutation in place: rename, drop, add, flip a byte, duplicate."""
    index = data.draw(st.integers(0, len(members) - 1)) if members else 0
    if kind == "rename" and members:
        members[index] = (data.draw(names), members[index][1])
    elif kind == "drop" and members:
        del members[index]
    elif kind == "add":
        members.append((data.draw(names), data.draw(st.binary(max_size=64))))
    elif kind == "flip" and members and members[index][1]:
        body = bytearray(members[index][1])
        body[data.draw(st.integers(0, len(body) - 1))] ^= data.draw(st.integers(1, 255))
        members[index] = (members[index][0], bytes(body))
    elif kind == "duplicate" and members:
        members.append(members[index])
