"""Socket counts through netlink (sock_diag) agree with the kernel's /proc/net tables.

The capture asks netlink because reading /proc/net/tcp walks the kernel's whole connection
hash table (see ``console/diagnostics/sock_diag.py``); /proc/net stays the fallback, so both
are held to the same counts here, with sockets of every kind open: IPv4 and IPv6, listening,
connected, closing into TIME_WAIT, and UDP.
"""

from __future__ import annotations

import socket
import struct
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import psutil
import pytest

from console.diagnostics import sock_diag
from console.diagnostics.collect_network import _TCP_STATES, collect_connections
from console.diagnostics.host import LiveHost


def proc_net_counts(table: str) -> dict[str, int]:
    tcp = table.startswith("tcp")
    with open(f"/proc/net/{table}", encoding="ascii") as handle:
        lines = handle.read().splitlines()[1:]
    return dict(Counter(_TCP_STATES[line.split()[3]] if tcp else "NONE" for line in lines))


@pytest.fixture
def open_sockets() -> Iterator[None]:
    """One of each: listening, connected pairs, a pair closed into TIME_WAIT, UDP, a socket
    only bound; IPv4 and IPv6."""
    with ExitStack() as stack:
        for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            server = stack.enter_context(socket.socket(family))
            server.bind((host, 0))
            server.listen()
            client = stack.enter_context(socket.socket(family))
            client.connect(server.getsockname()[:2])
            stack.enter_context(server.accept()[0])
            # Closed by the client first: its side waits in TIME_WAIT.
            closer = socket.socket(family)
            closer.connect(server.getsockname()[:2])
            accepted, _ = server.accept()
            closer.close()
            accepted.close()
            udp = stack.enter_context(socket.socket(family, socket.SOCK_DGRAM))
            udp.bind((host, 0))
            # Bound, neither listening nor connected: /proc/net does not list it, and since
            # Linux 6.8 netlink would unless its state is left out of the query.
            stack.enter_context(socket.socket(family)).bind((host, 0))
        yield


@pytest.mark.parametrize("table", ["tcp", "tcp6", "udp", "udp6"])
def test_netlink_counts_match_the_proc_net_table(open_sockets: None, table: str) -> None:
    # Other tests' TIME_WAIT entries expire at any moment: retry until a reading falls
    # between two such changes (the /proc/net table read before and after agree).
    for _ in range(10):
        before = proc_net_counts(table)
        ours = sock_diag.table_states(table)
        if before == proc_net_counts(table) == ours:
            break
    assert ours == before
    assert ours is not None
    if table.startswith("tcp"):
        assert ours["LISTEN"] >= 1 and ours["ESTABLISHED"] >= 2 and ours["TIME_WAIT"] >= 1
    else:
        assert ours["NONE"] >= 1


class ProcNetOnly(LiveHost):
    """This machine, with netlink refused (as some sandboxes do)."""

    def socket_states(self, table: str) -> dict[str, int] | None:
        return None


def test_without_netlink_the_proc_net_tables_give_the_same_counts(open_sockets: None) -> None:
    for _ in range(10):
        asked = collect_connections(psutil, LiveHost())
        read = collect_connections(psutil, ProcNetOnly())
        if asked == read == collect_connections(psutil, LiveHost()):
            break
    assert asked == read
    assert read["ESTABLISHED"] >= 4 and read["TIME_WAIT"] >= 2 and read["NONE"] >= 2


class FakeNetlink:
    """A netlink socket that answers with prepared datagrams and records what it was sent."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers
        self.sent: list[bytes] = []

    def __enter__(self) -> FakeNetlink:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def settimeout(self, seconds: float) -> None:
        assert seconds > 0

    def sendto(self, data: bytes, address: Any) -> None:
        self.sent.append(data)

    def recv(self, size: int) -> bytes:
        if not self.answers:
            raise TimeoutError("timed out")
        return self.answers.pop(0)


def message(kind: int, body: bytes, sequence: int = 1) -> bytes:
    padded = body + b"\0" * (-len(body) % 4)
    return struct.pack("=IHHII", 16 + len(body), kind, 2, sequence, 0) + padded


def diag_answer(state: int) -> bytes:
    """struct inet_diag_msg: family, state, timer, retrans, a 48-byte socket id, five u32s."""
    return message(
        sock_diag.SOCK_DIAG_BY_FAMILY, struct.pack("=BBBB48x5I", 2, state, 0, 0, 0, 0, 0, 0, 0)
    )


def answered(monkeypatch: pytest.MonkeyPatch, *datagrams: bytes) -> FakeNetlink:
    fake = FakeNetlink(list(datagrams))
    monkeypatch.setattr(sock_diag.socket, "socket", lambda *args: fake)
    return fake


def test_answers_spread_over_datagrams_are_counted_by_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = answered(
        monkeypatch,
        diag_answer(10) + diag_answer(1) + message(99, b"other", sequence=7),  # not ours: skipped
        diag_answer(1) + diag_answer(12) + message(sock_diag.NLMSG_DONE, b"\0\0\0\0"),
    )
    assert sock_diag.table_states("tcp6") == {"LISTEN": 1, "ESTABLISHED": 2, "SYN_RECV": 1}
    family, protocol, _, _, states = struct.unpack_from("=BBBBI", fake.sent[0], 16)
    assert (family, protocol, states) == (socket.AF_INET6, 6, 0x1FFF)


def test_udp_sockets_count_as_none_whatever_their_state(monkeypatch: pytest.MonkeyPatch) -> None:
    answered(monkeypatch, diag_answer(7) + diag_answer(1) + message(sock_diag.NLMSG_DONE, b""))
    assert sock_diag.table_states("udp") == {"NONE": 2}


@pytest.mark.parametrize(
    "datagrams",
    [
        [message(sock_diag.NLMSG_ERROR, struct.pack("=i", -2))],  # ENOENT: no udp_diag module
        [diag_answer(1)],  # the dump never finishes: the timeout ends it
        [struct.pack("=IHHII", 8, 20, 2, 1, 0)],  # a length shorter than the header
        [diag_answer(1)[:24]],  # cut inside the datagram
        [struct.pack("=IHHII", 17, 20, 2, 1, 0) + b"\x02"],  # too short to hold a state
        [struct.pack("=IHHII", 16, sock_diag.NLMSG_ERROR, 0, 1, 0)],  # an error with no code
        [b""],
    ],
    ids=["refused", "unfinished", "short", "cut", "stateless", "codeless", "closed"],
)
def test_a_refused_or_unreadable_dump_gives_none(
    monkeypatch: pytest.MonkeyPatch, datagrams: list[bytes]
) -> None:
    answered(monkeypatch, *datagrams)
    assert sock_diag.table_states("udp") is None


def test_where_netlink_is_missing_the_collector_reads_proc_net(
    monkeypatch: pytest.MonkeyPatch, open_sockets: None
) -> None:
    def no_netlink(*args: object) -> None:
        raise OSError(97, "Address family not supported by protocol")

    monkeypatch.setattr(sock_diag.socket, "socket", no_netlink)
    assert sock_diag.table_states("tcp") is None
    for _ in range(10):
        expected: Counter[str] = Counter()
        for table in sock_diag.TABLES:
            expected.update(proc_net_counts(table))
        counts = collect_connections(psutil, LiveHost())
        if counts == dict(sorted(expected.items())):
            break
    assert counts == dict(sorted(expected.items()))
    assert counts["LISTEN"] >= 2 and counts["TIME_WAIT"] >= 2


class NoProcNet(LiveHost):
    """This machine, with /proc/net unreadable: only netlink can count."""

    def read_text(self, path: str, limit: int = 256 * 1024) -> str | None:
        return None if path.startswith("/proc/net/") else super().read_text(path, limit)


def test_where_netlink_answers_proc_net_is_not_read(open_sockets: None) -> None:
    counts = collect_connections(psutil, NoProcNet())
    assert counts["LISTEN"] >= 2 and counts["ESTABLISHED"] >= 4 and counts["NONE"] >= 2
