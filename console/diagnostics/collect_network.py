"""The ``network`` section: interfaces, gateway, DNS, proxy, VPN adapters, connections.

Interfaces come from psutil; the facts psutil does not offer (gateway, DNS servers, proxy
settings) come from :mod:`console.diagnostics.network`, which reads them per platform through
the :class:`Host`. Proxy values are kept raw here: redaction runs over the whole snapshot.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from console.diagnostics import network
from console.diagnostics.collect_system import Psutil
from console.diagnostics.host import Host

_FAMILIES = {"AF_INET": "ipv4", "AF_INET6": "ipv6", "AF_LINK": "mac", "AF_PACKET": "mac"}


def family_name(family: Any) -> str:
    """psutil's families are enums on Linux and macOS, but AF_LINK is the int -1 on Windows."""
    if isinstance(family, str):
        name = family
    elif family == -1:
        name = "AF_LINK"
    else:
        name = getattr(family, "name", str(family))
    return _FAMILIES.get(name, name)


def collect_interfaces(ps: Psutil) -> tuple[list[dict[str, Any]], Any, Any]:
    addrs = ps.net_if_addrs()
    stats = ps.net_if_stats()
    counters = ps.net_io_counters(pernic=True) or {}
    interfaces: list[dict[str, Any]] = []
    for name in sorted(set(addrs) | set(stats)):
        stat = stats.get(name)
        io = counters.get(name)
        entry: dict[str, Any] = {
            "name": name,
            "up": None if stat is None else stat.isup,
            "speed_mbps": None if stat is None else stat.speed,
            "mtu": None if stat is None else stat.mtu,
            "mac": None,
            "addresses": [],
        }
        for addr in addrs.get(name, []):
            kind = family_name(addr.family)
            if kind == "mac":
                entry["mac"] = addr.address
            elif kind in ("ipv4", "ipv6"):
                entry["addresses"].append(
                    {"family": kind, "address": addr.address, "netmask": addr.netmask}
                )
        if io is not None:
            entry["counters"] = {
                "bytes_sent": io.bytes_sent,
                "bytes_received": io.bytes_recv,
                "errors_in": io.errin,
                "errors_out": io.errout,
                "drops_in": io.dropin,
                "drops_out": io.dropout,
            }
        interfaces.append(entry)
    return interfaces, stats, addrs


def collect_connections(ps: Psutil) -> dict[str, int]:
    """Counts by TCP state (and UDP sockets as ``NONE``): who is talking, not to whom."""
    states = Counter(conn.status for conn in ps.net_connections(kind="inet"))
    return dict(sorted(states.items()))


def collect_network(ps: Psutil, host: Host) -> dict[str, Any]:
    interfaces, stats, addrs = collect_interfaces(ps)
    section: dict[str, Any] = {
        "interfaces": interfaces,
        "default_gateway": network.default_gateway(host),
        "dns_servers": network.dns_servers(host),
        "proxy": network.proxy_settings(host),
        "vpn_adapters": network.vpn_adapters(stats, addrs),
    }
    try:
        section["connections"] = collect_connections(ps)
    except Exception as exc:  # noqa: BLE001 - AccessDenied on macOS without root, and alike
        section["connections"] = None
        section["problems"] = [f"connections: {type(exc).__name__}: {exc}".rstrip(": ")]
    return section
