"""The ``network`` section: interfaces, gateway, DNS, proxy, VPN adapters, connections.

Interfaces come from psutil; the facts psutil does not offer (gateway, DNS servers, proxy
settings) come from :mod:`console.diagnostics.network`, which reads them per platform through
the :class:`Host`. Proxy values are kept raw here: redaction runs over the whole snapshot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from console.diagnostics import TYPE_CHECKING, network

if TYPE_CHECKING:
    from typing import Any

    from console.diagnostics.collect_system import Psutil
    from console.diagnostics.host import Host


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
            kind = network.address_family(addr.family)
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


# /proc/net/tcp's hexadecimal states, named as psutil names them.
_TCP_STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
}


def collect_connections(ps: Psutil, host: Host) -> dict[str, int]:
    """Counts by TCP state (and UDP sockets as ``NONE``): who is talking, not to whom.

    On Linux the kernel's tables are counted directly, by netlink where it answers (see
    :mod:`sock_diag`) and from ``/proc/net`` where it does not: psutil.net_connections() also
    maps every socket to its process by scanning every process's file descriptors, which is
    most of a capture's time and says nothing a count needs.
    """
    states = _proc_net_states(host) if host.system == "Linux" else None
    if states is None:
        states = Counter(conn.status for conn in ps.net_connections(kind="inet"))
    return dict(sorted(states.items()))


def _proc_net_states(host: Host) -> Counter[str] | None:
    states: Counter[str] = Counter()
    found = False
    for table, tcp in (("tcp", True), ("tcp6", True), ("udp", False), ("udp6", False)):
        asked = host.socket_states(table)
        if asked is not None:
            found = True
            states.update(asked)
            continue
        text = host.read_text(f"/proc/net/{table}", limit=16 * 1024 * 1024)
        if text is None:
            continue
        found = True
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) > 3:
                states[_TCP_STATES.get(fields[3], "NONE") if tcp else "NONE"] += 1
    return states if found else None


def collect_network(ps: Psutil, host: Host) -> dict[str, Any]:
    interfaces, stats, addrs = collect_interfaces(ps)
    section: dict[str, Any] = {"interfaces": interfaces}
    problems: list[str] = []
    # Each fact on its own: one that fails (AccessDenied for connections on macOS without
    # root, an odd route table) costs that fact, not the whole section.
    facts: dict[str, Callable[[], Any]] = {
        "default_gateway": lambda: network.default_gateway(host),
        "dns_servers": lambda: network.dns_servers(host),
        "proxy": lambda: network.proxy_settings(host),
        "vpn_adapters": lambda: network.vpn_adapters(stats, addrs),
        "connections": lambda: collect_connections(ps, host),
    }
    for name, read in facts.items():
        try:
            section[name] = read()
        except Exception as exc:  # noqa: BLE001 - recorded under meta.problems
            section[name] = None
            problems.append(f"{name}: {type(exc).__name__}: {exc}".rstrip(": "))
    if problems:
        section["problems"] = problems
    return section
