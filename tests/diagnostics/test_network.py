"""Network facts per platform, from text recorded on Linux, macOS and Windows machines."""

from __future__ import annotations

import socket
from collections import namedtuple
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.diagnostics import network
from console.diagnostics.host import LiveHost
from console.diagnostics.recorded_host import RecordedHost
from tests.support.recorded_psutil import load_recording
from tests.support.routes import has_default_route

FIXTURES = Path(__file__).parents[1] / "fixtures" / "hosts"
Stat = namedtuple("Stat", "isup")
Addr = namedtuple("Addr", "family address")

# --- recorded text ----------------------------------------------------------------------------

# A laptop on Wi-Fi with a VPN that adds its own default route at a lower metric.
PROC_NET_ROUTE = """\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wlp0s20f3\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
tun0\t00000000\t0100080A\t0003\t0\t0\t50\t00000000\t0\t0\t0
tun0\t0000080A\t00000000\t0001\t0\t0\t50\t00FFFFFF\t0\t0\t0
wlp0s20f3\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
"""
# No IPv4 default; IPv6 default via a router; the kernel's unreachable default on lo.
PROC_NET_ROUTE_NO_DEFAULT = """\
Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
"""
PROC_NET_IPV6_ROUTE = """\
fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe80000000000000021122fffe334455 00000400 00000002 00000000 00000003     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000200 00000002 00000000 00000003    wlan0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
"""  # noqa: E501 - recorded as the kernel writes it
STUB_RESOLV_CONF = """\
# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).
# Do not edit.
nameserver 127.0.0.53
options edns0 trust-ad
search corp.example
"""
UPSTREAM_RESOLV_CONF = """\
# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).
nameserver 10.20.0.53
nameserver 10.20.0.54
nameserver fd00::53
nameserver 10.20.0.53
search corp.example
"""

MAC_ROUTE_GET_DEFAULT = """\
   route to: default
destination: default
       mask: default
    gateway: 192.168.1.1
  interface: en0
      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING,GLOBAL>
 recvpipe  sendpipe  ssthresh  rtt,msec    rttvar  hopcount      mtu     expire
       0         0         0         0         0         0      1500         0
"""
MAC_ROUTE_GET_INET6 = """\
   route to: ::
destination: ::
       mask: default
    gateway: fe80::1%en0
  interface: en0
      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING,GLOBAL>
"""
MAC_ROUTE_GET_UTUN = """\
   route to: default
destination: default
       mask: default
  interface: utun4
      flags: <UP,DONE,STATIC,PRCLONING,GLOBAL>
"""
SCUTIL_DNS = """\
DNS configuration

resolver #1
  search domain[0] : corp.example
  nameserver[0] : 10.8.0.2
  nameserver[1] : 10.8.0.3
  if_index : 18 (utun4)
  flags    : Supplemental, Request A records
  reach    : 0x00000003 (Reachable,Transient Connection)
  order    : 1

resolver #2
  nameserver[0] : 192.168.1.1
  nameserver[1] : fe80::1%en0
  if_index : 6 (en0)
  flags    : Request A records, Request AAAA records
  reach    : 0x00020002 (Reachable,Directly Reachable Address)
  order    : 200000

resolver #3
  domain   : local
  options  : mdns
  timeout  : 5
  flags    : Request A records, Request AAAA records
  reach    : 0x00000000 (Not Reachable)
  order    : 300000

DNS configuration (for scoped queries)

resolver #1
  nameserver[0] : 192.168.1.1
  if_index : 6 (en0)
  flags    : Scoped, Request A records
  reach    : 0x00020002 (Reachable,Directly Reachable Address)
"""
SCUTIL_PROXY = """\
<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
    2 : *.corp.example
  }
  FTPPassive : 1
  HTTPEnable : 1
  HTTPPort : 3128
  HTTPProxy : proxy.corp.example
  HTTPSEnable : 1
  HTTPSPort : 3128
  HTTPSProxy : proxy.corp.example
  ProxyAutoConfigEnable : 0
  ProxyAutoConfigURLString : http://wpad.corp.example/old.pac
  SOCKSEnable : 0
  SOCKSProxy : socks.corp.example
}
"""
SCUTIL_PROXY_NONE = """\
<dictionary> {
  ExceptionsList : <array> {
    0 : *.local
    1 : 169.254/16
  }
  FTPPassive : 1
  HTTPEnable : 0
  HTTPSEnable : 0
}
"""

WINDOWS_ROUTE_PRINT_4 = """\
===========================================================================
Interface List
 12...3c 52 82 1a 2b 3c ......Intel(R) Wi-Fi 6E AX211 160MHz
 27...02 50 41 00 00 01 ......PANGP Virtual Ethernet Adapter Secure
  1...........................Software Loopback Interface 1
===========================================================================

IPv4 Route Table
===========================================================================
Active Routes:
Network Destination        Netmask          Gateway       Interface  Metric
          0.0.0.0          0.0.0.0      192.168.1.1    192.168.1.42     35
          0.0.0.0          0.0.0.0         On-link        10.31.4.17      1
          0.0.0.0          0.0.0.0        10.31.0.1       10.31.4.17      2
        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331
      192.168.1.0    255.255.255.0         On-link      192.168.1.42    291
===========================================================================
Persistent Routes:
  Network Address          Netmask  Gateway Address  Metric
          0.0.0.0          0.0.0.0        10.0.0.254  Default
===========================================================================
"""
# German Windows: headings translated, rows the same.
WINDOWS_ROUTE_PRINT_4_DE = """\
IPv4-Routentabelle
===========================================================================
Aktive Routen:
     Netzwerkziel    Netzwerkmaske          Gateway    Schnittstelle Metrik
          0.0.0.0          0.0.0.0     192.168.178.1  192.168.178.20     25
===========================================================================
Ständige Routen:
  Keine
"""
WINDOWS_ROUTE_PRINT_6 = """\
IPv6 Route Table
===========================================================================
Active Routes:
 If Metric Network Destination      Gateway
 12    281 ::/0                     fe80::1
 18    266 ::/0
                                    fe80::aa:bbff:fecc:ddee
  1    331 ::1/128                  On-link
===========================================================================
Persistent Routes:
  None
"""
IPCONFIG_ALL = """\

Windows IP Configuration

   Host Name . . . . . . . . . . . . : LYO-LT-0457
   Primary Dns Suffix  . . . . . . . : corp.northwind.example
   DNS Suffix Search List. . . . . . : corp.northwind.example

Unknown adapter PANGP:

   Connection-specific DNS Suffix  . : corp.northwind.example
   Description . . . . . . . . . . . : PANGP Virtual Ethernet Adapter Secure
   IPv4 Address. . . . . . . . . . . : 10.31.4.17(Preferred)
   Default Gateway . . . . . . . . . : 0.0.0.0
   DNS Servers . . . . . . . . . . . : 10.31.0.53
                                       10.31.0.54
   NetBIOS over Tcpip. . . . . . . . : Enabled

Wireless LAN adapter Wi-Fi:

   Connection-specific DNS Suffix  . : home
   Description . . . . . . . . . . . : Intel(R) Wi-Fi 6E AX211 160MHz
   Link-local IPv6 Address . . . . . : fe80::1c2d:3e4f:5a6b:7c8d%12(Preferred)
   IPv4 Address. . . . . . . . . . . : 192.168.1.42(Preferred)
   Default Gateway . . . . . . . . . : fe80::1%12
                                       192.168.1.1
   DHCPv6 Client DUID. . . . . . . . : 00-01-00-01-2C-3D-4E-5F-3C-52-82-1A-2B-3C
   DNS Servers . . . . . . . . . . . : fe80::1%12
                                       192.168.1.1
                                       10.31.0.53
   NetBIOS over Tcpip. . . . . . . . : Enabled
"""
IPCONFIG_ALL_DE = """\
Drahtlos-LAN-Adapter WLAN:

   Standardgateway . . . . . . . . . : 192.168.178.1
   DNS-Server  . . . . . . . . . . . : 192.168.178.1
                                       9.9.9.9
   NetBIOS über TCP/IP . . . . . . . : Aktiviert
"""
REG_QUERY_PROXY = r"""
HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Internet Settings
    CertificateRevocation    REG_DWORD    0x1
    User Agent    REG_SZ    Mozilla/4.0 (compatible; MSIE 8.0; Win32)
    EnableNegotiate    REG_DWORD    0x1
    ProxyEnable    REG_DWORD    0x1
    ProxyServer    REG_SZ    http=proxy.northwind.example:8080;https=proxy.northwind.example:8443;socks=socks.northwind.example:1080
    ProxyOverride    REG_SZ    *.northwind.example;<local>
    AutoConfigURL    REG_SZ    http://wpad.northwind.example/proxy.pac

HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Internet Settings\5.0
HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections
"""  # noqa: E501 - recorded as reg writes it
REG_QUERY_PROXY_DISABLED = r"""
HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Internet Settings
    ProxyEnable    REG_DWORD    0x0
    ProxyServer    REG_SZ    old-proxy.example:3128
    ProxyOverride    REG_SZ
"""

ROUTE_GET = "route -n get default"
ROUTE_GET_6 = "route -n get -inet6 default"
REG_QUERY = f"reg query {network.WINDOWS_INTERNET_SETTINGS}"


def recorded(name: str) -> RecordedHost:
    return load_recording(FIXTURES / f"{name}.json")[1]


# --- VPN adapters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("tun0", "tun"),
        ("tap1", "tap"),
        ("utun3", "utun"),
        ("wg0", "wireguard"),
        ("WireGuard Tunnel", "wireguard"),
        ("wg-office", "wireguard"),
        ("ppp0", "ppp"),
        ("ipsec0", "ipsec"),
        ("cscotun0", "cisco_anyconnect"),
        ("Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter", "cisco_anyconnect"),
        ("Cisco Secure Client Virtual Miniport Adapter", "cisco_anyconnect"),
        ("gpd0", "globalprotect"),
        ("PANGP Virtual Ethernet Adapter", "globalprotect"),
        ("fortissl", "fortinet"),
        ("Fortinet SSL VPN Virtual Ethernet Adapter", "fortinet"),
        ("TAP-Windows Adapter V9", "openvpn"),
        ("OpenVPN Data Channel Offload", "openvpn"),
        ("OpenVPN TAP-Windows6", "openvpn"),
        ("zcctun0", "zscaler"),
        ("Zscaler Network Adapter 1", "zscaler"),
        ("Juniper Networks Virtual Adapter", "pulse_secure"),
        ("Pulse Secure", "pulse_secure"),
        ("jnprns0", "pulse_secure"),
        ("tailscale0", "tailscale"),
        ("Tailscale", "tailscale"),
        ("nordlynx", "nordlynx"),
        ("ztc3q6qabc", "zerotier"),
        ("ZeroTier One [8056c2e21c000001]", "zerotier"),
    ],
)
def test_vpn_adapters_are_recognised_by_name(name: str, kind: str) -> None:
    assert network.classify_vpn_adapter(name) == kind


@pytest.mark.parametrize(
    "name",
    [
        "lo",
        "lo0",
        "eth0",
        "wlan0",
        "wlp0s20f3",
        "en0",
        "docker0",
        "veth3f2a1b0",
        "br-1a2b3c4d5e6f",
        "virbr0",
        "Ethernet",
        "Ethernet 2",
        "Wi-Fi",
        "vEthernet (WSL)",
        "Loopback Pseudo-Interface 1",
        "awdl0",
        "bridge100",
        "",
    ],
)
def test_ordinary_interfaces_are_not_vpn_adapters(name: str) -> None:
    assert network.classify_vpn_adapter(name) is None


def test_vpn_adapters_report_state_and_addresses() -> None:
    stats = {"eth0": Stat(True), "tun0": Stat(True), "wg0": Stat(False)}
    addrs = {
        "eth0": [Addr(socket.AF_INET, "192.168.1.20")],
        "tun0": [
            Addr(socket.AF_INET, "10.8.0.6"),
            Addr(socket.AF_INET6, "fd00:8::6"),
            Addr(psutil.AF_LINK, "00:00:00:00:00:00"),
        ],
        "cscotun0": [Addr("AF_INET", "10.99.0.2")],  # present in addrs only
    }
    assert network.vpn_adapters(stats, addrs) == [
        {
            "name": "cscotun0",
            "kind": "cisco_anyconnect",
            "up": None,
            "addresses": [{"family": "ipv4", "address": "10.99.0.2"}],
        },
        {
            "name": "tun0",
            "kind": "tun",
            "up": True,
            "addresses": [
                {"family": "ipv4", "address": "10.8.0.6"},
                {"family": "ipv6", "address": "fd00:8::6"},
            ],
        },
        {"name": "wg0", "kind": "wireguard", "up": False, "addresses": []},
    ]


@pytest.mark.parametrize(
    ("fixture", "adapters"),
    [
        ("linux-debian12", [("tun0", "tun", True)]),
        ("macos14-air", [("utun3", "utun", True)]),
        (
            "windows11-laptop",
            [("PANGP Virtual Ethernet Adapter Secure", "globalprotect", False)],
        ),
    ],
)
def test_vpn_adapters_of_recorded_machines(
    fixture: str, adapters: list[tuple[str, str, bool]]
) -> None:
    ps, _host = load_recording(FIXTURES / f"{fixture}.json")
    found = network.vpn_adapters(ps.net_if_stats(), ps.net_if_addrs())
    assert [(a["name"], a["kind"], a["up"]) for a in found] == adapters


def test_vpn_adapters_of_this_machine_are_well_formed() -> None:
    found = network.vpn_adapters(psutil.net_if_stats(), psutil.net_if_addrs())
    for adapter in found:
        assert set(adapter) == {"name", "kind", "up", "addresses"}
        assert network.classify_vpn_adapter(adapter["name"]) == adapter["kind"]


# --- default gateway --------------------------------------------------------------------------


def test_proc_net_route_picks_the_lowest_metric_default() -> None:
    assert network.parse_proc_net_route(PROC_NET_ROUTE) == {
        "address": "10.8.0.1",
        "interface": "tun0",
        "family": "ipv4",
    }


def test_proc_net_route_without_a_default_route() -> None:
    assert network.parse_proc_net_route(PROC_NET_ROUTE_NO_DEFAULT) is None


def test_proc_net_ipv6_route_skips_the_unreachable_default_on_lo() -> None:
    assert network.parse_proc_net_ipv6_route(PROC_NET_IPV6_ROUTE) == {
        "address": "fd00::1",
        "interface": "wlan0",
        "family": "ipv6",
    }


def test_linux_gateway_falls_back_to_ipv6() -> None:
    host = RecordedHost(
        "Linux",
        files={
            "/proc/net/route": PROC_NET_ROUTE_NO_DEFAULT,
            "/proc/net/ipv6_route": PROC_NET_IPV6_ROUTE,
        },
    )
    assert network.default_gateway(host) == {
        "address": "fd00::1",
        "interface": "wlan0",
        "family": "ipv6",
    }


def test_bsd_route_get() -> None:
    assert network.parse_bsd_route_get(MAC_ROUTE_GET_DEFAULT) == {
        "address": "192.168.1.1",
        "interface": "en0",
        "family": "ipv4",
    }
    assert network.parse_bsd_route_get(MAC_ROUTE_GET_UTUN) == {
        "address": "",
        "interface": "utun4",
        "family": "ipv4",
    }
    assert network.parse_bsd_route_get("route: writing to routing socket: not in table\n") is None


def test_macos_gateway_falls_back_to_ipv6() -> None:
    host = RecordedHost("Darwin", commands={ROUTE_GET_6: MAC_ROUTE_GET_INET6})
    assert network.default_gateway(host) == {
        "address": "fe80::1%en0",
        "interface": "en0",
        "family": "ipv6",
    }


def test_windows_route_print_picks_the_lowest_metric_active_default() -> None:
    assert network.parse_windows_route_print(WINDOWS_ROUTE_PRINT_4) == {
        "address": "",  # On-link: the VPN adapter itself
        "interface": "10.31.4.17",
        "family": "ipv4",
    }
    assert network.parse_windows_route_print(WINDOWS_ROUTE_PRINT_4_DE) == {
        "address": "192.168.178.1",
        "interface": "192.168.178.20",
        "family": "ipv4",
    }


def test_windows_route_print_6_with_a_wrapped_gateway() -> None:
    assert network.parse_windows_route_print(WINDOWS_ROUTE_PRINT_6) == {
        "address": "fe80::aa:bbff:fecc:ddee",
        "interface": "18",
        "family": "ipv6",
    }


def test_windows_gateway_falls_back_to_ipv6() -> None:
    host = RecordedHost("Windows", commands={"route print -6": WINDOWS_ROUTE_PRINT_6})
    gateway = network.default_gateway(host)
    assert gateway is not None
    assert gateway["family"] == "ipv6"


@pytest.mark.parametrize(
    ("fixture", "gateway"),
    [
        ("linux-debian12", {"address": "10.20.4.1", "interface": "wlp0s20f3", "family": "ipv4"}),
        ("macos14-air", {"address": "10.0.0.1", "interface": "en0", "family": "ipv4"}),
        (
            "windows11-laptop",
            {"address": "192.168.1.1", "interface": "192.168.1.42", "family": "ipv4"},
        ),
    ],
)
def test_default_gateway_of_recorded_machines(fixture: str, gateway: dict[str, str]) -> None:
    assert network.default_gateway(recorded(fixture)) == gateway


@pytest.mark.parametrize("system", ["Linux", "Darwin", "Windows", "FreeBSD"])
def test_no_gateway_when_nothing_could_be_read(system: str) -> None:
    assert network.default_gateway(RecordedHost(system)) is None


def test_default_gateway_of_this_machine() -> None:
    gateway = network.default_gateway(LiveHost())
    assert (gateway is not None) == has_default_route()
    if gateway is not None:
        assert gateway["family"] in ("ipv4", "ipv6")
        assert set(gateway) == {"address", "interface", "family"}
        assert gateway["interface"] in psutil.net_if_stats()


# --- DNS servers ------------------------------------------------------------------------------


def test_resolv_conf_behind_systemd_resolved_names_the_upstream_servers() -> None:
    host = RecordedHost(
        "Linux",
        files={
            "/etc/resolv.conf": STUB_RESOLV_CONF,
            "/run/systemd/resolve/resolv.conf": UPSTREAM_RESOLV_CONF,
        },
    )
    assert network.dns_servers(host) == ["10.20.0.53", "10.20.0.54", "fd00::53"]


def test_the_resolved_stub_is_kept_when_the_upstream_file_is_missing() -> None:
    host = RecordedHost("Linux", files={"/etc/resolv.conf": STUB_RESOLV_CONF})
    assert network.dns_servers(host) == ["127.0.0.53"]


def test_resolv_conf_ignores_comments_and_garbage() -> None:
    text = "# nameserver 1.1.1.1\nnameserver 9.9.9.9 # quad9\nnameserver not-an-ip\nnameserver\n"
    assert network.parse_resolv_conf(text) == ["9.9.9.9"]


def test_scutil_dns_in_order_without_duplicates() -> None:
    assert network.parse_scutil_dns(SCUTIL_DNS) == [
        "10.8.0.2",
        "10.8.0.3",
        "192.168.1.1",
        "fe80::1%en0",
    ]


def test_macos_dns_falls_back_to_resolv_conf() -> None:
    host = RecordedHost("Darwin", files={"/etc/resolv.conf": "nameserver 10.0.0.1\n"})
    assert network.dns_servers(host) == ["10.0.0.1"]


def test_ipconfig_dns_servers_with_continuation_lines() -> None:
    assert network.parse_ipconfig_dns(IPCONFIG_ALL) == [
        "10.31.0.53",
        "10.31.0.54",
        "fe80::1%12",
        "192.168.1.1",
    ]


def test_ipconfig_dns_servers_in_german() -> None:
    assert network.parse_ipconfig_dns(IPCONFIG_ALL_DE) == ["192.168.178.1", "9.9.9.9"]


@pytest.mark.parametrize(
    ("fixture", "servers"),
    [
        ("linux-debian12", ["10.20.0.53", "10.20.0.54"]),
        ("macos14-air", ["10.0.0.1"]),
        ("windows11-laptop", ["192.168.1.1", "1.1.1.1"]),
    ],
)
def test_dns_servers_of_recorded_machines(fixture: str, servers: list[str]) -> None:
    assert network.dns_servers(recorded(fixture)) == servers


def test_dns_servers_of_this_machine() -> None:
    servers = network.dns_servers(LiveHost())
    assert len(servers) == len(set(servers))
    assert all(isinstance(server, str) and server for server in servers)


# --- proxies ----------------------------------------------------------------------------------


def test_environment_proxies_lowercase_wins() -> None:
    environ = {
        "http_proxy": "http://lower.example:3128",
        "HTTP_PROXY": "http://upper.example:3128",
        "HTTPS_PROXY": "http://user:pw@secure.example:8443",
        "ALL_PROXY": "socks5://socks.example:1080",
        "NO_PROXY": "localhost,.corp.example",
        "ftp_proxy": "",
        "PATH": "/usr/bin",
    }
    assert network.proxy_settings(RecordedHost("Linux", environ=environ)) == {
        "http": "http://lower.example:3128",
        "https": "http://user:pw@secure.example:8443",  # raw: redaction happens later
        "all": "socks5://socks.example:1080",
        "no_proxy": "localhost,.corp.example",
        "source": "environment",
    }


def test_windows_registry_proxy_per_protocol_and_pac() -> None:
    host = RecordedHost("Windows", commands={REG_QUERY: REG_QUERY_PROXY})
    assert network.proxy_settings(host) == {
        "http": "proxy.northwind.example:8080",
        "https": "proxy.northwind.example:8443",
        "socks": "socks.northwind.example:1080",
        "no_proxy": "*.northwind.example;<local>",
        "pac_url": "http://wpad.northwind.example/proxy.pac",
        "source": "registry",
    }


def test_a_disabled_windows_proxy_is_not_reported() -> None:
    host = RecordedHost("Windows", commands={REG_QUERY: REG_QUERY_PROXY_DISABLED})
    assert network.proxy_settings(host) == {}


def test_environment_wins_over_the_registry_and_both_sources_are_named() -> None:
    host = recorded("windows11-laptop")
    assert network.proxy_settings(host) == {
        "https": "http://maya.okafor:Winter2025!@proxy.northwind.example:8080",
        "all": "proxy.northwind.example:8080",
        "no_proxy": "*.northwind.example;<local>",
        "source": "environment,registry",
    }


def test_scutil_proxy() -> None:
    host = RecordedHost("Darwin", commands={"scutil --proxy": SCUTIL_PROXY})
    assert network.proxy_settings(host) == {
        "http": "proxy.corp.example:3128",
        "https": "proxy.corp.example:3128",
        "no_proxy": "*.local,169.254/16,*.corp.example",
        "source": "scutil",
    }


def test_macos_default_exceptions_alone_are_no_proxy() -> None:
    host = RecordedHost("Darwin", commands={"scutil --proxy": SCUTIL_PROXY_NONE})
    assert network.proxy_settings(host) == {}


def test_recorded_macos_pac_file() -> None:
    assert network.proxy_settings(recorded("macos14-air")) == {
        "pac_url": "http://wpad.acme.example/proxy.pac",
        "no_proxy": "*.local",
        "source": "scutil",
    }


def test_proxy_settings_of_this_machine() -> None:
    settings = network.proxy_settings(LiveHost())
    assert all(isinstance(value, str) for value in settings.values())


# --- garbage in, nothing out ------------------------------------------------------------------

PARSERS: list[Callable[[str], object]] = [
    network.parse_proc_net_route,
    network.parse_proc_net_ipv6_route,
    network.parse_bsd_route_get,
    network.parse_windows_route_print,
    network.parse_resolv_conf,
    network.parse_scutil_dns,
    network.parse_ipconfig_dns,
    network.parse_reg_query,
    network.parse_scutil_proxy,
]
GARBAGE = [
    "",
    "\x00\xff\ufffd",
    "0.0.0.0 0.0.0.0 x y z",
    "eth0\t00000000\tZZZZZZZZ\t0003\t0\t0\t0\t00000000\n",
    "   DNS Servers . . . : \n      \n",
    "  HTTPEnable : <array> {\n",
    " 12 abc ::/0",
    " 12 281 ::/0",
    "HKEY_X\n    nonsense\n",
    "nameserver[0] :",
]


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("text", GARBAGE)
def test_parsers_shrug_off_garbage(parse: Callable[[str], object], text: str) -> None:
    assert parse(text) in (None, [], {})


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789abcdefABCDEF.:%/ \t\n=;-_[]{}<>#"))))
def test_parsers_never_raise(text: str) -> None:
    for parse in PARSERS:
        parse(text)
    network.classify_vpn_adapter(text)
