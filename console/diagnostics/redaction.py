"""Redact a diagnostics snapshot before anything is stored or shown as "will be sent".

A snapshot is a plain JSON-able tree (dicts, lists, str, int, float, bool, None) holding
environment values, process command lines, proxy URLs, log lines and paths. Secrets are
replaced by a visible placeholder naming their kind (``[REDACTED:password]``), so tier 2 sees
that something was removed and what; the :class:`RedactionReport` says how many of each,
never the values.

Redaction is idempotent (redacting redacted output changes and counts nothing) and never
raises on odd input: non-str keys, huge strings, deep or cyclic nesting, objects that are
not JSON. It fails closed: a subtree too deep to walk is replaced, not passed through.

The parts: :mod:`~console.diagnostics.redaction_names` says what a name means (``DB_PASSWORD``
holds a secret, ``SSH_AUTH_SOCK`` does not), :mod:`~console.diagnostics.redaction_patterns`
what secrets look like in text, :mod:`~console.diagnostics.redaction_scanner` applies both to
one string; this module walks snapshots and is the one other modules call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType

from console.diagnostics import TYPE_CHECKING
from console.diagnostics import redaction_patterns as patterns
from console.diagnostics.redaction_patterns import is_placeholder
from console.diagnostics.redaction_scanner import TextScanner
from console.values import Value

if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")

MAX_DEPTH = 100
"""Real snapshots nest fewer than ten levels; anything deeper (or cyclic) is replaced whole."""


class Privacy(StrEnum):
    STANDARD = "standard"
    """Secrets only: passwords, tokens, keys, credentials."""
    STRICT = "strict"
    """Also who and which machine: user names in home paths (and the known user names as
    any path component or whole value), URL user names, MAC addresses, public IP addresses,
    serial numbers and hardware ids."""


class RedactionReport(Value):
    """How much a redaction removed, by kind. It holds counts only, so it is safe to show."""

    __slots__ = ("privacy", "counts")
    privacy: Privacy
    counts: Mapping[str, int]

    def __init__(self, privacy: Privacy, counts: Mapping[str, int]) -> None:
        kept = {kind: int(n) for kind, n in sorted(counts.items()) if n > 0}
        self._set("privacy", Privacy(privacy))
        self._set("counts", MappingProxyType(kept))

    def _fields(self) -> tuple[object, ...]:
        return (self.privacy, dict(self.counts))  # a mappingproxy neither hashes nor pickles

    def __hash__(self) -> int:
        return hash((self.privacy, tuple(self.counts.items())))

    def total(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, object]:
        return {"privacy": str(self.privacy), "counts": dict(self.counts), "total": self.total()}

    def __add__(self, other: RedactionReport) -> RedactionReport:
        """Two parts of one snapshot redacted separately; mixing privacy levels is an error,
        because the sum would claim a level one part was not redacted at."""
        if other.privacy is not self.privacy:
            raise ValueError(f"cannot add a {other.privacy} report to a {self.privacy} one")
        return RedactionReport(self.privacy, Counter(self.counts) + Counter(other.counts))


class Redactor:
    """Stateful: counts what it removed, so one Redactor serves one snapshot.

    ``user_names`` are the logged-in or otherwise known local user names; under
    :attr:`Privacy.STRICT` they are replaced wherever they appear as a path component
    (``/srv/alice/x``, ``CORP\\alice``) or as a whole value (``USER=alice``). Pass them:
    without them a user name is caught only in a home directory path.

    Not thread-safe (it counts, and caches what it scanned): one snapshot, one thread.
    """

    def __init__(
        self, privacy: Privacy = Privacy.STANDARD, *, user_names: Iterable[str] = ()
    ) -> None:
        self.privacy = Privacy(privacy)
        self._strict = self.privacy is Privacy.STRICT
        self._scanner = TextScanner(strict=self._strict, user_names=user_names)

    @property
    def report(self) -> RedactionReport:
        return RedactionReport(self.privacy, dict(self._scanner.counts))

    def text(self, value: str) -> str:
        """Free text: a log line, an error message, one value."""
        return self._scanner.text(value)

    def command_line(self, argv: Sequence[str]) -> list[str]:
        """A process's argv. Beyond :meth:`text` on each argument: ``--password VALUE``
        across two arguments, ``NAME=VALUE`` whole (commas and all), and the short password
        flags of known programs (``mysql -pX``, ``sshpass -p X``, ``curl -u user:X``), but
        not ``-p`` of any other program (``ssh -p 22``). A single string is split on
        whitespace."""
        args = argv.split() if isinstance(argv, str) else [str(arg) for arg in argv]
        return self._scanner.arguments(args)

    def tree(self, value: T) -> T:
        """A copy of a JSON-like tree, redacted. A key naming a secret (or, under strict, a
        device identifier) has its str or number value replaced whole, and every leaf of a
        container value likewise; booleans and None stay (they cannot hold a secret, and
        ``"password_set": true`` is useful). Every other string, keys included, is scanned
        with :meth:`text`. Tuples stay tuples; sets become lists; other objects become
        their scanned ``str()``."""
        # _walk keeps the shape of what it walks (typing.cast would import typing: see
        # console/diagnostics/__init__.py).
        return self._walk(value, None, 0, versioned=False)  # type: ignore[return-value]

    def _walk(self, value: object, kind: str | None, depth: int, *, versioned: bool) -> object:
        # Exact types first: this runs for every node, and ABC checks are slow.
        if type(value) is str:
            return (
                self._scanner.whole(value, kind) if kind else self._scanner.text(value, versioned)
            )
        if type(value) is dict and depth < MAX_DEPTH:
            return self._mapping(value, kind, depth)
        if type(value) is list and depth < MAX_DEPTH:
            return self._items(value, kind, depth)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):  # a str subclass
            return (
                self._scanner.whole(value, kind) if kind else self._scanner.text(value, versioned)
            )
        if isinstance(value, int | float):
            return self._scanner.note(kind) if kind else value
        if depth >= MAX_DEPTH:
            return self._scanner.note("too-deep")
        if isinstance(value, Mapping):
            return self._mapping(value, kind, depth)
        if isinstance(value, list | tuple | set | frozenset):
            items = self._items(list(value), kind, depth)
            return tuple(items) if isinstance(value, tuple) else items
        if isinstance(value, bytes | bytearray):
            return self._walk(bytes(value).decode("utf-8", "replace"), kind, depth, versioned=False)
        try:
            text = str(value)
        except Exception:  # an object whose __str__ fails says nothing worth keeping
            return self._scanner.note("unreadable")
        return self._walk(text, kind, depth, versioned=versioned)

    def _mapping(self, mapping: Mapping[Any, Any], inherited: str | None, depth: int) -> object:
        out: dict[Any, object] = {}
        for key, item in mapping.items():
            name = key if isinstance(key, str) else ""
            new_key = self._scanner.text(name) if name else key
            if new_key in out:  # two keys redacted alike: keep both values
                new_key = _distinct(new_key, out)
            if type(item) is str and inherited is None:
                out[new_key] = self._named(name, item)
            else:
                kind, versioned, _ = self._scanner.describe(name)
                out[new_key] = self._walk(item, kind or inherited, depth + 1, versioned=versioned)
        return out

    def _items(self, items: list[object], inherited: str | None, depth: int) -> list[object]:
        """Walks a list; a private key logged line by line is removed up to its END line."""
        out: list[object] = []
        in_block = False
        for item in items:
            if in_block and isinstance(item, str) and patterns.pem_end().search(item):
                out.append(patterns.placeholder("private-key"))
                in_block = False
                continue
            if in_block and isinstance(item, str) and patterns.pem_body().fullmatch(item):
                out.append(patterns.placeholder("private-key"))
                continue
            out.append(self._walk(item, inherited, depth + 1, versioned=False))
            in_block = isinstance(item, str) and inherited is None and self._scanner.pem_open
        return out

    def _named(self, name: str, value: str) -> str:
        """A value under a name (a dict key, such as an environment variable's name): a
        secret-looking name's value goes whole; others are scanned as text, and a proxy
        setting loses the password (and under strict the user) of its URL."""
        kind, versioned, proxy = self._scanner.describe(name)
        if kind:
            return self._scanner.whole(value, kind)
        result = self._scanner.text(value, versioned)
        if proxy:
            found = patterns.schemeless_credentials().match(result)
            if found and not is_placeholder(found["password"]):
                user = found["user"]
                if self._strict:
                    user = self._scanner.note("user")
                password = self._scanner.note("password")
                result = f"{user}:{password}@{result[found.end() :]}"
        return result


def redact_snapshot(
    snapshot: Mapping[str, Any], privacy: Privacy, *, user_names: Iterable[str] = ()
) -> tuple[dict[str, Any], RedactionReport]:
    """A redacted deep copy of ``snapshot`` (which is never mutated) and what was removed."""
    redactor = Redactor(privacy, user_names=user_names)
    return redactor.tree(dict(snapshot)), redactor.report


def _distinct(key: object, taken: Mapping[Any, object]) -> object:
    if not isinstance(key, str):
        return key
    number = 2
    while f"{key} #{number}" in taken:
        number += 1
    return f"{key} #{number}"
