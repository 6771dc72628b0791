"""Proxy settings, per platform: the environment everywhere, the registry on Windows, ``scutil``
on macOS. Values are kept raw (credentials included): redaction runs over the snapshot later,
and the proxy_configured check strips credentials from its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from console.diagnostics import TYPE_CHECKING
from console.diagnostics.host import COMMAND_TIMEOUT

if TYPE_CHECKING:
    from console.diagnostics.host import Host

_ENVIRONMENT_PROXIES = (
    ("http_proxy", "http"),
    ("https_proxy", "https"),
    ("ftp_proxy", "ftp"),
    ("all_proxy", "all"),
    ("no_proxy", "no_proxy"),
)
WINDOWS_INTERNET_SETTINGS = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
_REG_VALUE = re.compile(r"^\s+(\S.*?)\s+(REG_[A-Z_]+)(?:\s+(.*?))?\s*$")
_SCUTIL_ENTRY = re.compile(r"^\s*(\w+)\s*:\s*(.*?)\s*$")


def environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """``http_proxy`` and friends; the lowercase name wins, as curl and requests decide."""
    found = {}
    for variable, key in _ENVIRONMENT_PROXIES:
        value = environ.get(variable) or environ.get(variable.upper())
        if value:
            found[key] = value
    return found


def parse_reg_query(text: str) -> dict[str, str]:
    """Values of the first key in ``reg query KEY`` output (subkeys listed after are ignored)."""
    values: dict[str, str] = {}
    keys_seen = 0
    for line in text.splitlines():
        if line.startswith("HKEY_"):
            keys_seen += 1
            if keys_seen > 1:
                break
            continue
        match = _REG_VALUE.match(line)
        if match and keys_seen == 1:
            values[match.group(1)] = match.group(3) or ""
    return values


def _enabled(value: str | None) -> bool:
    try:
        return value is not None and int(value, 0) != 0
    except ValueError:
        return False


def windows_proxies(values: Mapping[str, str]) -> dict[str, str]:
    """Internet Settings registry values as proxy settings.

    ``ProxyServer`` is either one ``host:port`` for every protocol (reported as ``all``) or
    ``http=host:port;https=host:port;...``. It only applies while ``ProxyEnable`` is set; a
    PAC file (``AutoConfigURL``) applies on its own.
    """
    found: dict[str, str] = {}
    server = values.get("ProxyServer", "").strip()
    if _enabled(values.get("ProxyEnable")) and server:
        if "=" in server:
            for part in server.split(";"):
                protocol, sep, address = part.partition("=")
                if sep and address.strip():
                    found[protocol.strip().lower()] = address.strip()
        else:
            found["all"] = server
        if values.get("ProxyOverride"):
            found["no_proxy"] = values["ProxyOverride"]
    if values.get("AutoConfigURL"):
        found["pac_url"] = values["AutoConfigURL"]
    return found


def parse_scutil_proxy(text: str) -> dict[str, str]:
    """macOS ``scutil --proxy``: enabled HTTP/HTTPS/FTP/SOCKS proxies, the PAC URL, exceptions.

    macOS lists exceptions (``*.local``) even with no proxy, so they are only reported
    alongside one.
    """
    entries: dict[str, str] = {}
    exceptions: list[str] = []
    in_array = False
    for line in text.splitlines():
        if in_array:
            if line.strip() == "}":
                in_array = False
            elif match := _SCUTIL_ENTRY.match(line):
                exceptions.append(match.group(2))
            continue
        match = _SCUTIL_ENTRY.match(line)
        if match is None:
            continue
        key, value = match.groups()
        if value.endswith("<array> {"):
            in_array = key == "ExceptionsList"
            continue
        entries[key] = value
    found: dict[str, str] = {}
    for prefix in ("HTTP", "HTTPS", "FTP", "SOCKS"):
        proxy = entries.get(f"{prefix}Proxy", "")
        if _enabled(entries.get(f"{prefix}Enable")) and proxy:
            port = entries.get(f"{prefix}Port", "")
            found[prefix.lower()] = f"{proxy}:{port}" if port else proxy
    if _enabled(entries.get("ProxyAutoConfigEnable")) and entries.get("ProxyAutoConfigURLString"):
        found["pac_url"] = entries["ProxyAutoConfigURLString"]
    if found and exceptions:
        found["no_proxy"] = ",".join(exceptions)
    return found


def proxy_settings(host: Host) -> dict[str, str]:
    """Proxy settings, raw (credentials included: redaction runs over the snapshot later).

    Keys: ``http``, ``https``, ``ftp``, ``socks``, ``all``, ``no_proxy``, ``pac_url``, and
    ``source`` naming where they came from (``environment``, ``registry``, ``scutil``, comma
    separated). Environment variables win over the system settings for the same key, as they
    do for the command-line tools that read them. ``{}`` when no proxy is configured.
    """
    found = environment_proxies(host.environ)
    sources = ["environment"] if found else []
    system: dict[str, str] = {}
    source = ""
    if host.system == "Windows":
        argv = ["reg", "query", WINDOWS_INTERNET_SETTINGS]
        system = windows_proxies(parse_reg_query(host.run(argv, timeout=COMMAND_TIMEOUT) or ""))
        source = "registry"
    elif host.system == "Darwin":
        system = parse_scutil_proxy(host.run(["scutil", "--proxy"], timeout=COMMAND_TIMEOUT) or "")
        source = "scutil"
    if system:
        sources.append(source)
        for key, value in system.items():
            found.setdefault(key, value)
    if sources:
        found["source"] = ",".join(sources)
    return found
