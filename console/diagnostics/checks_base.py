"""What every automated check is built from: its verdict, its time budget, its view of the machine.

A check is a plain function ``(probe, deadline, **arguments) -> Finding``. It reads the machine
only through the :class:`Probe` (psutil, the :class:`Host`, the resolver, the clock), so tests
drive every verdict with recorded or fake readings, and it spends no more than the
:class:`Deadline` on sockets. :mod:`console.diagnostics.checks` names the checks, checks their
arguments, times them and turns what they raise into results.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psutil

from console.diagnostics.host import LiveHost
from console.domain.checks import CheckStatus

if TYPE_CHECKING:
    from console.diagnostics.host import Host

SocketAddress = tuple[Any, ...]
Resolver = Callable[[str, int | None], list[tuple[int, SocketAddress]]]
"""``(host, port) -> [(family, socket address), ...]``; raises :class:`socket.gaierror`."""


@dataclass(frozen=True, slots=True)
class Finding:
    """What a check function found; the runner adds the name, arguments and duration."""

    status: CheckStatus
    summary: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


def resolve_addresses(host: str, port: int | None) -> list[tuple[int, SocketAddress]]:
    """``getaddrinfo`` for TCP, each address once, in the resolver's order."""
    found: dict[tuple[int, SocketAddress], None] = {}
    for family, _type, _proto, _name, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    ):
        found.setdefault((int(family), tuple(address)), None)
    return list(found)


@dataclass(frozen=True, slots=True)
class Probe:
    """The machine as the checks see it. The default is this machine; tests replace parts.

    ``cpu_interval`` is how long ``cpu_load_at_most`` samples (psutil's first reading without
    an interval compares with nothing and is meaningless).
    """

    ps: Any = psutil
    host: Host = field(default_factory=LiveHost)
    resolve: Resolver = resolve_addresses
    clock: Callable[[], float] = time.time
    cpu_interval: float = 0.5


class CheckCannotRun(Exception):
    """A check cannot run as asked (an unreadable CA bundle, say). ``str()`` is the reason, a
    sentence fragment the runner puts in the ``error`` result as it is."""


class Deadline:
    """A check's time budget, handed out piecewise as socket timeouts."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; raises :class:`TimeoutError` once none are, so a socket call that
        would get a zero (non-blocking) timeout fails as a timeout instead."""
        left = self._ends - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"timed out after {self.seconds:g} s")
        return left


_USERINFO = re.compile(r"(?<![^\s;,=/])[^\s/;,=]+@")
"""``user:password@`` at the start of a value or after ``//``, ``=``, ``;``, ``,`` or a space.
Greedy, so a password that contains ``@`` goes entirely."""


def strip_credentials(value: str) -> str:
    """``http://user:pass@proxy:8080`` -> ``http://proxy:8080``: evidence never holds a
    password (the full redaction of snapshots is :mod:`console.diagnostics.redaction`'s)."""
    return _USERINFO.sub("", value)


def describe_error(exc: BaseException) -> str:
    """A short reason for a socket or OS error, as an agent would read it out."""
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (nothing is listening on that port)"
    if isinstance(exc, socket.gaierror):
        return f"name not resolved ({exc.strerror or exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
