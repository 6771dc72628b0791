"""Linux's TCP and UDP sockets counted by state through the sock_diag netlink interface.

This is how ``ss`` reads the socket tables. The older way, reading ``/proc/net/tcp`` and
``tcp6``, makes the kernel walk its whole connection hash table once per file, and that table
is sized by the machine's memory, not by how many sockets are open: on a 24 GiB machine with
two sockets open the two files took 10 ms of kernel time, a third of a capture, against about
1 ms for the four dumps here. The collector falls back to ``/proc/net`` where netlink is refused
(some sandboxes), and ``tests/diagnostics/test_sock_diag.py`` holds both to the same counts.
"""

from __future__ import annotations

import socket
import struct

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
IPPROTO_TCP = 6
IPPROTO_UDP = 17
# Every state /proc/net lists, 0 to 12 (iproute2's SS_ALL). Not bit 13, TCP_BOUND_INACTIVE:
# since Linux 6.8 that adds sockets bound but neither listening nor connected, which /proc/net
# and psutil never count.
WANTED_STATES = (1 << 13) - 1
TIMEOUT_SECONDS = 1.0

# The kernel's TCP states (include/net/tcp_states.h), named as psutil and /proc/net name them.
# 12 is a half-open connection the kernel keeps as a request socket: /proc/net calls it SYN_RECV.
TCP_STATES = {
    1: "ESTABLISHED",
    2: "SYN_SENT",
    3: "SYN_RECV",
    4: "FIN_WAIT1",
    5: "FIN_WAIT2",
    6: "TIME_WAIT",
    7: "CLOSE",
    8: "CLOSE_WAIT",
    9: "LAST_ACK",
    10: "LISTEN",
    11: "CLOSING",
    12: "SYN_RECV",
}

_HEADER = struct.Struct("=IHHII")  # struct nlmsghdr: length, type, flags, sequence, port id
# struct inet_diag_req_v2: family, protocol, extensions, pad, the states wanted, and a
# 48-byte socket id (ports, addresses, interface, cookie) that a dump leaves zero.
_REQUEST = struct.Struct("=BBBBI48x")
# In each answer (struct inet_diag_msg) the socket's state is the byte after its family.
_STATE_OFFSET = _HEADER.size + 1


TABLES = {
    "tcp": (socket.AF_INET, IPPROTO_TCP),
    "tcp6": (socket.AF_INET6, IPPROTO_TCP),
    "udp": (socket.AF_INET, IPPROTO_UDP),
    "udp6": (socket.AF_INET6, IPPROTO_UDP),
}
"""The tables by their /proc/net names."""


def table_states(table: str) -> dict[str, int] | None:
    """Counts of one table's sockets (``tcp``, ``tcp6``, ``udp`` or ``udp6``) by TCP state,
    UDP sockets as ``NONE`` (as psutil names them); None if the kernel refuses the query (no
    netlink in this sandbox, or that protocol's diag module not loaded)."""
    family, protocol = TABLES[table]
    states: dict[str, int] = {}
    try:
        with socket.socket(
            socket.AF_NETLINK, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC, NETLINK_SOCK_DIAG
        ) as channel:
            channel.settimeout(TIMEOUT_SECONDS)
            for state in _dump(channel, family, protocol):
                name = TCP_STATES.get(state, "NONE") if protocol == IPPROTO_TCP else "NONE"
                states[name] = states.get(name, 0) + 1
    except (OSError, ValueError):
        return None  # refused, timed out, or an answer we cannot read
    return states


def _dump(channel: socket.socket, family: int, protocol: int) -> list[int]:
    """The state byte of every socket of one family and protocol."""
    sequence = 1
    request = _REQUEST.pack(family, protocol, 0, 0, WANTED_STATES)
    flags = NLM_F_REQUEST | NLM_F_DUMP
    channel.sendto(
        _HEADER.pack(_HEADER.size + len(request), SOCK_DIAG_BY_FAMILY, flags, sequence, 0)
        + request,
        (0, 0),
    )
    states: list[int] = []
    while True:
        data = channel.recv(65536)
        if not data:
            raise ValueError("netlink closed before the dump was done")
        offset = 0
        while offset + _HEADER.size <= len(data):
            length, kind, _, answered, _ = _HEADER.unpack_from(data, offset)
            if not _HEADER.size <= length <= len(data) - offset:
                raise ValueError("a netlink message that does not fit its datagram")
            if answered == sequence:
                if kind == NLMSG_DONE:
                    return states
                if kind == NLMSG_ERROR:
                    if length < _HEADER.size + 4:
                        raise ValueError("a netlink error without its code")
                    (error,) = struct.unpack_from("=i", data, offset + _HEADER.size)
                    if error == 0:  # an acknowledgement: nothing more comes
                        return states
                    raise OSError(-error, "sock_diag refused the dump")
                if kind == SOCK_DIAG_BY_FAMILY:
                    if length <= _STATE_OFFSET:
                        raise ValueError("a socket's answer without its state")
                    states.append(data[offset + _STATE_OFFSET])
            offset += (length + 3) & ~3  # messages are aligned to 4 bytes
