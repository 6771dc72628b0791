"""Whether this machine has a default route, asked of the kernel rather than parsed from the
files the code under test reads."""

from __future__ import annotations

import socket


def routes_to(address: str, family: socket.AddressFamily) -> bool:
    """Whether the kernel has a route to ``address`` (connecting a UDP socket sends nothing)."""
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect((address, 9))
    except OSError:
        return False
    return True


def has_default_route() -> bool:
    """Two documentation networks (RFC 5737) are routed together only by a default route (one
    of them may be the local network: it is in some sandboxes); IPv6's is RFC 3849's."""
    ipv4 = routes_to("198.51.100.1", socket.AF_INET) and routes_to("203.0.113.1", socket.AF_INET)
    return ipv4 or routes_to("2001:db8::1", socket.AF_INET6)
