"""Immutable value objects without ``dataclasses``.

``agent-console collect`` is timed against hwinfo (issue 3), and importing ``dataclasses``
(inspect, ast, dis, tokenize) costs it about 15 ms. The few value types on its path derive
from :class:`Value` instead: declare the fields in ``__slots__``, set them in ``__init__``
with :meth:`_set`, and get equality, hashing, ``repr``, copying and pickling by field, and
no way to change or delete a field afterwards.
"""

from __future__ import annotations


class Value:
    __slots__: tuple[str, ...] = ()

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Value)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._fields()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (type(self), self._fields())
