"""Checks of the machine's own state: interfaces, VPN, gateway, disk, memory, processes, power.

Each reads psutil and the :class:`Host` only through the :class:`Probe`, so a test decides the
readings. Thresholds compare like the agent would say them ("at least 10 % free").
"""

from __future__ import annotations

import fnmatch
import ipaddress
from datetime import UTC, datetime
from typing import Any

from console.diagnostics import network
from console.diagnostics.checks_base import (
    Deadline,
    Finding,
    Probe,
    describe_error,
    strip_credentials,
)
from console.domain.checks import CheckStatus

GB = 1024**3
SHOWN_PIDS = 10


def _number(value: float) -> str:
    """``5``, ``12.5``: thresholds and readings as people say them."""
    return f"{value:.1f}".removesuffix(".0")


def interface_up(probe: Probe, deadline: Deadline, *, pattern: str) -> Finding:
    """``pattern`` is a shell glob when it has ``*``, ``?`` or ``[``, else a substring; both
    ignore case, since Windows names ("Wi-Fi") and Linux ones ("wlan0") differ anyway."""
    stats = probe.ps.net_if_stats()
    wanted = pattern.lower()
    globbing = any(char in pattern for char in "*?[")
    matched = {
        name: bool(stat.isup)
        for name, stat in sorted(stats.items())
        if (fnmatch.fnmatchcase(name.lower(), wanted) if globbing else wanted in name.lower())
    }
    if not matched:
        summary = f"No network interface matches {pattern!r}."
        return Finding(CheckStatus.FAIL, summary, {"interfaces": sorted(stats)})
    up = [name for name, is_up in matched.items() if is_up]
    evidence = {"matched": matched}
    if up:
        return Finding(CheckStatus.PASS, f"{', '.join(up)} is up.", evidence)
    return Finding(CheckStatus.FAIL, f"{', '.join(matched)} is down.", evidence)


def _routable(adapter: dict[str, Any]) -> bool:
    """macOS keeps ``utun0``-``utun3`` up for its own services with only a link-local IPv6
    address; a VPN's ``utun`` carries a routable one. Other kinds are VPNs by name alone."""
    if adapter["kind"] != "utun":
        return True
    for entry in adapter["addresses"]:
        try:
            if not ipaddress.ip_address(entry["address"].split("%", 1)[0]).is_link_local:
                return True
        except ValueError:
            continue
    return False


def vpn_adapter_present(probe: Probe, deadline: Deadline) -> Finding:
    """Passes only for an adapter that is up: a disconnected client leaves its adapter there,
    down, and "the VPN is connected" is what a playbook asks."""
    adapters = network.vpn_adapters(probe.ps.net_if_stats(), probe.ps.net_if_addrs())
    evidence = {"adapters": adapters}
    up = [f"{a['name']} ({a['kind']})" for a in adapters if a["up"] and _routable(a)]
    if up:
        return Finding(CheckStatus.PASS, f"VPN adapter up: {', '.join(up)}.", evidence)
    down = ", ".join(a["name"] for a in adapters if not a["up"])
    if down:
        return Finding(CheckStatus.FAIL, f"A VPN adapter is present but not up: {down}.", evidence)
    if adapters:
        idle = ", ".join(a["name"] for a in adapters)
        summary = f"No VPN is connected ({idle}: macOS system tunnels without an address)."
        return Finding(CheckStatus.FAIL, summary, evidence)
    return Finding(CheckStatus.FAIL, "No VPN adapter is present.", evidence)


def default_gateway_present(probe: Probe, deadline: Deadline) -> Finding:
    """Without a default route nothing beyond the local network is reachable (no Wi-Fi
    association, a DHCP failure, a VPN that tore down its routes)."""
    gateway = network.default_gateway(probe.host)
    if gateway is None:
        summary = "There is no default gateway: this machine has no route off its local network."
        return Finding(CheckStatus.FAIL, summary, {"gateway": None})
    via = gateway["address"] or "a point-to-point link"
    summary = f"The default gateway is {via} on {gateway['interface'] or 'an unnamed interface'}."
    return Finding(CheckStatus.PASS, summary, {"gateway": gateway})


def _system_drive(probe: Probe) -> str:
    if probe.host.system == "Windows":
        return probe.host.environ.get("SystemDrive", "C:") + "\\"
    return "/"


def disk_free_at_least(
    probe: Probe, deadline: Deadline, *, path: str | None, percent: float | None, gb: float | None
) -> Finding:
    """``path`` defaults to the system drive (``/`` or ``C:\\``)."""
    where = path or _system_drive(probe)
    try:
        usage = probe.ps.disk_usage(where)
    except OSError as exc:
        summary = f"Could not read the disk at {where}: {describe_error(exc)}."
        return Finding(CheckStatus.ERROR, summary, {"path": where})
    free_gb = usage.free / GB
    free_percent = 100.0 * usage.free / usage.total if usage.total else 0.0
    evidence = {
        "path": where,
        "total_gb": round(usage.total / GB, 2),
        "free_gb": round(free_gb, 2),
        "free_percent": round(free_percent, 1),
    }
    if percent is not None:
        enough, wanted = free_percent >= percent, f"{_number(percent)} %"
    else:
        enough, wanted = free_gb >= (gb or 0.0), f"{_number(gb or 0.0)} GB"
    have = f"{_number(free_gb)} GB ({_number(free_percent)} %) free on {where}"
    if enough:
        return Finding(CheckStatus.PASS, f"{have}, at least {wanted}.", evidence)
    return Finding(CheckStatus.FAIL, f"Only {have}, less than {wanted}.", evidence)


def memory_available_at_least(probe: Probe, deadline: Deadline, *, percent: float) -> Finding:
    """psutil's ``available`` (what programs can get without swapping), not ``free``."""
    memory = probe.ps.virtual_memory()
    available = 100.0 * memory.available / memory.total if memory.total else 0.0
    evidence = {
        "available_percent": round(available, 1),
        "available_gb": round(memory.available / GB, 2),
        "total_gb": round(memory.total / GB, 2),
    }
    have = f"{_number(available)} % of memory is available"
    if available >= percent:
        return Finding(CheckStatus.PASS, f"{have}, at least {_number(percent)} %.", evidence)
    return Finding(CheckStatus.FAIL, f"Only {have}, less than {_number(percent)} %.", evidence)


def _process_key(name: str) -> str:
    return name.strip().lower().removesuffix(".exe")


def process_running(probe: Probe, deadline: Deadline, *, name: str) -> Finding:
    """Matches the process name ignoring case and a ``.exe`` suffix, so ``outlook`` finds
    ``OUTLOOK.EXE``. Evidence holds counts and ids, never other processes' names."""
    wanted = _process_key(name)
    pids = sorted(
        proc.info["pid"]
        for proc in probe.ps.process_iter(attrs=["pid", "name"], ad_value=None)
        if proc.info.get("name") and _process_key(proc.info["name"]) == wanted
    )
    evidence = {"count": len(pids), "pids": pids[:SHOWN_PIDS]}
    if pids:
        return Finding(CheckStatus.PASS, f"{name} is running ({len(pids)} processes).", evidence)
    return Finding(CheckStatus.FAIL, f"{name} is not running.", evidence)


def uptime_at_most(probe: Probe, deadline: Deadline, *, days: float) -> Finding:
    """Answers "have you restarted?" from the boot time: Windows fast startup keeps the
    kernel across a shutdown, so callers who "shut down every night" are often wrong."""
    boot = float(probe.ps.boot_time())
    uptime_days = max(probe.clock() - boot, 0.0) / 86400
    evidence = {
        "boot_time": datetime.fromtimestamp(boot, UTC).isoformat(timespec="seconds"),
        "uptime_days": round(uptime_days, 2),
    }
    since = (
        f"{_number(uptime_days * 24)} hours" if uptime_days < 2 else f"{_number(uptime_days)} days"
    )
    have = f"The machine has been up {since}"
    if uptime_days <= days:
        return Finding(CheckStatus.PASS, f"{have}, at most {_number(days)} days.", evidence)
    summary = f"{have}, more than {_number(days)} days: a restart is due."
    return Finding(CheckStatus.FAIL, summary, evidence)


def battery_at_least(probe: Probe, deadline: Deadline, *, percent: float) -> Finding:
    """Skipped, not failed, without a battery: a desktop's missing one is not a flat one."""
    read = getattr(probe.ps, "sensors_battery", None)
    battery = None if read is None else read()
    if battery is None:
        return Finding(CheckStatus.SKIPPED, "This machine reports no battery.", {"battery": None})
    seconds = int(battery.secsleft)
    evidence: dict[str, Any] = {
        "percent": round(float(battery.percent), 1),
        "power_plugged": battery.power_plugged,
        # psutil's negative values mean "unlimited" (charging) or "unknown".
        "minutes_left": round(seconds / 60) if seconds >= 0 else None,
    }
    plugged = " (plugged in)" if battery.power_plugged else ""
    have = f"The battery is at {_number(battery.percent)} %{plugged}"
    if battery.percent >= percent:
        return Finding(CheckStatus.PASS, f"{have}, at least {_number(percent)} %.", evidence)
    return Finding(CheckStatus.FAIL, f"{have}, below {_number(percent)} %.", evidence)


def cpu_load_at_most(probe: Probe, deadline: Deadline, *, percent: float) -> Finding:
    """Samples for ``probe.cpu_interval`` (at most half the budget left)."""
    interval = min(probe.cpu_interval, deadline.remaining() / 2)
    load = float(probe.ps.cpu_percent(interval=interval))
    evidence = {
        "percent": round(load, 1),
        "sample_seconds": round(interval, 2),
        "cpu_count": probe.ps.cpu_count(),
    }
    have = f"CPU load is {_number(load)} %"
    if load <= percent:
        return Finding(CheckStatus.PASS, f"{have}, at most {_number(percent)} %.", evidence)
    return Finding(CheckStatus.FAIL, f"{have}, above {_number(percent)} %.", evidence)


def proxy_configured(probe: Probe, deadline: Deadline) -> Finding:
    """Passes when a proxy (or a PAC file) is configured; exceptions alone are not one."""
    settings = {k: strip_credentials(v) for k, v in network.proxy_settings(probe.host).items()}
    active = {k: v for k, v in settings.items() if k not in ("no_proxy", "source")}
    evidence = {"settings": settings}
    if not active:
        return Finding(CheckStatus.FAIL, "No proxy is configured.", evidence)
    shown = ", ".join(f"{key} {value}" for key, value in active.items())
    source = f" (from {settings['source']})" if "source" in settings else ""
    return Finding(CheckStatus.PASS, f"A proxy is configured: {shown}{source}.", evidence)
