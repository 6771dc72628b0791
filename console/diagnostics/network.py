"""Network facts psutil does not offer: VPN adapters, the default gateway, DNS servers, proxies.

Each platform keeps these in a different place (``/proc`` files on Linux, ``route`` and
``scutil`` on macOS, ``route print``, ``ipconfig /all`` and the registry on Windows), so every
reader here is a pure parser of that text plus a thin function that asks the :class:`Host` for
it. Tests feed the parsers text recorded on each OS. Parsers never raise on garbage: a line
they do not understand is skipped, and nothing usable means ``None``, ``[]`` or ``{}``.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable, Mapping

from console.diagnostics import TYPE_CHECKING
from console.diagnostics.host import COMMAND_TIMEOUT
from console.diagnostics.network_proxy import (
    WINDOWS_INTERNET_SETTINGS,
    environment_proxies,
    parse_reg_query,
    parse_scutil_proxy,
    proxy_settings,
    windows_proxies,
)

if TYPE_CHECKING:
    from typing import Any

    from console.diagnostics.host import Host

__all__ = [
    "WINDOWS_INTERNET_SETTINGS",
    "address_family",
    "classify_vpn_adapter",
    "default_gateway",
    "dns_servers",
    "environment_proxies",
    "parse_bsd_route_get",
    "parse_ipconfig_dns",
    "parse_proc_net_ipv6_route",
    "parse_proc_net_route",
    "parse_reg_query",
    "parse_resolv_conf",
    "parse_scutil_dns",
    "parse_scutil_proxy",
    "parse_windows_route_print",
    "proxy_settings",
    "vpn_adapters",
    "windows_proxies",
]


# Vendor names first: "Fortinet SSL VPN Virtual Ethernet Adapter" must not fall through to a
# generic rule, and generic rules are anchored so "docker0" or "vEthernet (WSL)" never match.
# Windows reports an adapter's connection name ("Ethernet 3"), not its driver description,
# so a vendor adapter someone left with the default name is not recognised there.
_VPN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("cisco_anyconnect", r"cscotun|anyconnect|cisco secure client|cisco systems vpn"),
        ("globalprotect", r"^gpd\d+$|pangp|globalprotect"),
        ("fortinet", r"fortissl|fortinet|forticlient"),
        ("pulse_secure", r"juniper networks virtual|pulse secure|jnprns|jnprtun|ivanti"),
        ("zscaler", r"zcctun|zscaler"),
        ("checkpoint", r"check point virtual|checkpoint"),
        ("sonicwall", r"sonicwall"),
        ("tailscale", r"tailscale"),
        ("nordlynx", r"nordlynx"),
        ("zerotier", r"zerotier|^zt[0-9a-z]{8,}$"),
        ("openvpn", r"openvpn|tap-windows|^tap0901"),
        ("wireguard", r"wireguard|^wg\d+$|^wg[-_]"),
        ("utun", r"^utun\d+$"),
        ("tun", r"^tun\d+$"),
        ("tap", r"^tap\d+$"),
        ("ppp", r"^ppp\d+$"),
        ("ipsec", r"^ipsec\d+$|\bipsec\b"),
    )
)


def classify_vpn_adapter(name: str) -> str | None:
    """The kind of VPN adapter ``name`` looks like (``"cisco_anyconnect"``, ``"tun"``, ...).

    ``None`` for anything else: loopback, Ethernet, Wi-Fi, container and hypervisor bridges.
    macOS ``utun`` interfaces belong to many VPN clients (and to iCloud Private Relay), so
    they are reported as the generic kind ``"utun"``.
    """
    lowered = name.strip().lower()
    for kind, pattern in _VPN_PATTERNS:
        if pattern.search(lowered):
            return kind
    return None


def address_family(family: Any) -> str | None:
    """``"ipv4"``, ``"ipv6"`` or ``"mac"`` for psutil's family, or None for anything else.

    psutil gives an enum on Linux and macOS, but its AF_LINK is the int -1 on Windows;
    recordings give the name."""
    if family == -1:
        return "mac"
    name = family if isinstance(family, str) else getattr(family, "name", None)
    if name == "AF_INET" or family == socket.AF_INET:
        return "ipv4"
    if name == "AF_INET6" or family == socket.AF_INET6:
        return "ipv6"
    if name in ("AF_LINK", "AF_PACKET"):
        return "mac"
    return None


def vpn_adapters(if_stats: Mapping[str, Any], if_addrs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """VPN-looking interfaces from ``psutil.net_if_stats()`` and ``psutil.net_if_addrs()``.

    Each is ``{"name", "kind", "up", "addresses": [{"family", "address"}]}``; ``up`` is None
    when psutil had no stats for it.
    """
    adapters: list[dict[str, Any]] = []
    for name in sorted(set(if_stats) | set(if_addrs)):
        kind = classify_vpn_adapter(name)
        if kind is None:
            continue
        stat = if_stats.get(name)
        up = getattr(stat, "isup", None)
        addresses = []
        for addr in if_addrs.get(name) or ():
            family = address_family(getattr(addr, "family", None))
            if family in ("ipv4", "ipv6"):
                addresses.append({"family": family, "address": str(getattr(addr, "address", ""))})
        adapters.append(
            {
                "name": name,
                "kind": kind,
                "up": None if up is None else bool(up),
                "addresses": addresses,
            }
        )
    return adapters


# --- default gateway -------------------------------------------------------------------------

_RTF_UP_GATEWAY = 0x0003


def _gateway(address: str, interface: str, family: str) -> dict[str, str]:
    return {"address": address, "interface": interface, "family": family}


def _lowest(candidates: Iterable[tuple[int, dict[str, str]]]) -> dict[str, str] | None:
    best = min(candidates, key=lambda item: item[0], default=None)
    return None if best is None else best[1]


def parse_proc_net_route(text: str) -> dict[str, str] | None:
    """The lowest-metric IPv4 default route in Linux ``/proc/net/route``.

    Addresses there are 32-bit hex numbers in host (little-endian) byte order.
    """
    candidates = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 8:
            continue
        iface, destination, gateway, flags, metric, mask = (
            fields[0], fields[1], fields[2], fields[3], fields[6], fields[7],
        )  # fmt: skip
        try:
            if int(destination, 16) or int(mask, 16) or len(gateway) != 8:
                continue
            if int(flags, 16) & _RTF_UP_GATEWAY != _RTF_UP_GATEWAY:
                continue
            address = ipaddress.IPv4Address(int.from_bytes(bytes.fromhex(gateway), "little"))
            candidates.append((int(metric), _gateway(str(address), iface, "ipv4")))
        except ValueError:
            continue
    return _lowest(candidates)


def parse_proc_net_ipv6_route(text: str) -> dict[str, str] | None:
    """The lowest-metric IPv6 default route (``::/0`` via a next hop) in /proc/net/ipv6_route."""
    candidates = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 10:
            continue
        destination, prefix, next_hop, metric, flags, iface = (
            fields[0], fields[1], fields[4], fields[5], fields[8], fields[9],
        )  # fmt: skip
        try:
            if int(destination, 16) or int(prefix, 16) or not int(next_hop, 16):
                continue
            if int(flags, 16) & _RTF_UP_GATEWAY != _RTF_UP_GATEWAY:
                continue
            address = ipaddress.IPv6Address(bytes.fromhex(next_hop))
            candidates.append((int(metric, 16), _gateway(str(address), iface, "ipv6")))
        except ValueError:
            continue
    return _lowest(candidates)


def parse_bsd_route_get(text: str, family: str = "ipv4") -> dict[str, str] | None:
    """macOS ``route -n get default``: ``gateway:`` and ``interface:`` lines.

    A VPN that routes everything through a point-to-point ``utun`` may name no gateway; the
    default route still exists, so it is reported with an empty address.
    """
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("gateway", "interface"):
            fields[key.strip()] = value.strip()
    if not fields.get("gateway") and not fields.get("interface"):
        return None
    return _gateway(fields.get("gateway", ""), fields.get("interface", ""), family)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


def parse_windows_route_print(text: str) -> dict[str, str] | None:
    """The lowest-metric default route in Windows ``route print -4`` (or ``-6``) output.

    Rows are recognised by shape rather than by the (translated) headings. IPv4 active routes
    are ``0.0.0.0 0.0.0.0 <gateway> <interface address> <metric>`` (persistent routes have
    four columns and are skipped); IPv6 ones are ``<if index> <metric> ::/0 <gateway>``, the
    gateway wrapped onto the next line when it is long. ``On-link`` becomes an empty address.
    """
    candidates = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        tokens = line.split()
        if len(tokens) == 5 and tokens[0] == tokens[1] == "0.0.0.0" and tokens[4].isdigit():
            gateway = tokens[2] if _is_ip(tokens[2]) else ""
            candidates.append((int(tokens[4]), _gateway(gateway, tokens[3], "ipv4")))
        elif len(tokens) in (3, 4) and tokens[2] == "::/0" and tokens[1].isdigit():
            following = lines[index + 1].split() if index + 1 < len(lines) else []
            if len(tokens) == 3 and len(following) != 1:
                continue
            gateway = tokens[3] if len(tokens) == 4 else following[0]
            gateway = gateway if _is_ip(gateway) else ""
            candidates.append((int(tokens[1]), _gateway(gateway, tokens[0], "ipv6")))
    return _lowest(candidates)


def default_gateway(host: Host) -> dict[str, str] | None:
    """``{"address", "interface", "family"}`` of the default route (IPv4 preferred), or None.

    On Windows ``interface`` is the interface's own address (IPv4) or index (IPv6), as
    ``route print`` reports it.
    """
    if host.system == "Linux":
        for path, parse in (
            ("/proc/net/route", parse_proc_net_route),
            ("/proc/net/ipv6_route", parse_proc_net_ipv6_route),
        ):
            found = parse(host.read_text(path) or "")
            if found is not None:
                return found
        return None
    if host.system == "Darwin":
        for argv, family in (
            (["route", "-n", "get", "default"], "ipv4"),
            (["route", "-n", "get", "-inet6", "default"], "ipv6"),
        ):
            found = parse_bsd_route_get(host.run(argv, timeout=COMMAND_TIMEOUT) or "", family)
            if found is not None:
                return found
        return None
    if host.system == "Windows":
        for argv in (["route", "print", "-4"], ["route", "print", "-6"]):
            found = parse_windows_route_print(host.run(argv, timeout=COMMAND_TIMEOUT) or "")
            if found is not None:
                return found
    return None


# --- DNS servers -----------------------------------------------------------------------------

_RESOLVED_STUBS = frozenset({"127.0.0.53", "127.0.0.54"})
_LABELLED = re.compile(r"^\s*([^:]*?)[\s.]*:\s*(.*)$")
"""``label . . . : value`` in ipconfig (labels have no colon; IPv6 values do)."""


def _unique_addresses(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if _is_ip(value):
            seen.setdefault(value, None)
    return list(seen)


def parse_resolv_conf(text: str) -> list[str]:
    """``nameserver`` addresses of a resolv.conf, in order, without duplicates."""
    found = []
    for line in text.splitlines():
        tokens = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(tokens) >= 2 and tokens[0] == "nameserver":
            found.append(tokens[1])
    return _unique_addresses(found)


def parse_scutil_dns(text: str) -> list[str]:
    """``nameserver[n] : address`` lines of macOS ``scutil --dns`` (resolvers repeat them)."""
    pattern = re.compile(r"^\s*nameserver\[\d+\]\s*:\s*(\S+)")
    return _unique_addresses(m.group(1) for m in map(pattern.match, text.splitlines()) if m)


def parse_ipconfig_dns(text: str) -> list[str]:
    """``DNS Servers`` of every adapter in Windows ``ipconfig /all``, continuation lines too.

    The label is matched loosely ("DNS Servers", "DNS-Server", "Serveurs DNS") because
    ipconfig speaks the system language.
    """
    found: list[str] = []
    in_block = False
    for line in text.splitlines():
        stripped = line.strip()
        if in_block and _is_ip(stripped):
            found.append(stripped)
            continue
        match = _LABELLED.match(line)
        in_block = bool(match and re.search(r"dns.*serv|serv.*dns", match.group(1), re.I))
        if match and in_block:
            found.append(match.group(2).strip())
    return _unique_addresses(found)


def dns_servers(host: Host) -> list[str]:
    """The DNS servers this machine asks, in order, without duplicates (``[]`` if unknown).

    On Linux with systemd-resolved, ``/etc/resolv.conf`` names only the local stub
    (127.0.0.53); the servers it forwards to are in ``/run/systemd/resolve/resolv.conf``.
    """
    if host.system == "Darwin":
        servers = parse_scutil_dns(host.run(["scutil", "--dns"], timeout=COMMAND_TIMEOUT) or "")
        return servers or parse_resolv_conf(host.read_text("/etc/resolv.conf") or "")
    if host.system == "Windows":
        return parse_ipconfig_dns(host.run(["ipconfig", "/all"], timeout=COMMAND_TIMEOUT) or "")
    servers = parse_resolv_conf(host.read_text("/etc/resolv.conf") or "")
    if servers and set(servers) <= _RESOLVED_STUBS:
        upstream = parse_resolv_conf(host.read_text("/run/systemd/resolve/resolv.conf") or "")
        return upstream or servers
    return servers
