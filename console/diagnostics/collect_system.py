"""Collectors for the machine itself: OS, CPU, memory, power and sensors.

Each collector is a small function of ``(ps, host)`` returning a JSON-able dict: ``ps`` is the
psutil module (or a recorded stand-in with the same functions), ``host`` a :class:`Host`.
Collectors let psutil's errors propagate; :func:`console.diagnostics.snapshot.capture_snapshot`
records them under ``meta`` and goes on. Platform gaps are not errors: they are reported as
``"supported": false`` so nobody reads an absent battery as a flat one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from console import __version__
from console.diagnostics import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from console.diagnostics.host import Host

    Psutil = Any
"""The psutil module or a recorded stand-in offering the same functions."""

OS_FAMILIES = {"Linux": "linux", "Windows": "windows", "Darwin": "macos"}


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def collect_system(ps: Psutil, host: Host, now: float) -> dict[str, Any]:
    facts = host.platform
    system = facts.get("system", host.system)
    family = OS_FAMILIES.get(system, system.lower())
    name, version, build = _os_identity(family, facts, host)
    boot = float(ps.boot_time())
    return {
        "os_family": family,
        "os_name": name,
        "os_version": version,
        "os_build": build,
        "kernel": facts.get("release", ""),
        "architecture": facts.get("machine", ""),
        "hostname": facts.get("node", ""),
        "boot_time": iso(boot),
        "uptime_seconds": max(0, round(now - boot)),
        "timezone": _timezone(host),
        "locale": _locale(host),
        "users": [
            {
                "name": u.name,
                "terminal": u.terminal or "",
                "host": u.host or "",
                "started": iso(u.started),
            }
            for u in ps.users()
        ],
        "app_version": __version__,
    }


def _os_identity(family: str, facts: Any, host: Host) -> tuple[str, str, str]:
    """(name, version, build) as a person would say them: "Windows 11 Pro", "10.0.22631",
    "22631"; "macOS 14.4.1", "14.4.1", "23E224"; "Debian GNU/Linux 12 (bookworm)", "12", ""."""
    if family == "windows":
        # platform.release() says "10" on Windows 11 too: the build number tells them apart.
        build = str(facts.get("win32_version", "")).rsplit(".", 1)[-1]
        major = "11" if build.isdigit() and int(build) >= 22000 else facts.get("release", "")
        edition = _windows_edition(str(facts.get("win32_edition", "")))
        name = " ".join(part for part in (f"Windows {major}", edition) if part)
        return name, str(facts.get("win32_version", "")), build
    if family == "macos":
        release = str(facts.get("mac_release", ""))
        build = (host.run(["sw_vers", "-buildVersion"], timeout=1.0) or "").strip()
        return f"macOS {release}".strip(), release, build
    if family == "linux":
        os_release = _os_release(host.read_text("/etc/os-release") or "")
        pretty = os_release.get("PRETTY_NAME") or os_release.get("NAME") or "Linux"
        return pretty, os_release.get("VERSION_ID", ""), os_release.get("BUILD_ID", "")
    return facts.get("system", family), facts.get("release", ""), facts.get("version", "")


def _windows_edition(edition: str) -> str:
    """platform.win32_edition() says "Professional"; people say "Pro"."""
    names = {
        "Professional": "Pro",
        "Core": "Home",
        "Enterprise": "Enterprise",
        "Education": "Education",
        "ServerStandard": "Server Standard",
        "ServerDatacenter": "Server Datacenter",
    }
    return names.get(edition, edition)


def _os_release(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value.strip().strip("\"'")
    return values


def _timezone(host: Host) -> dict[str, Any]:
    facts = host.platform
    name = host.environ.get("TZ", "")
    if not name and host.system == "Linux":
        name = (host.read_text("/etc/timezone") or "").strip()
    offset = facts.get("utc_offset_minutes", "")
    return {
        "name": name or facts.get("timezone", ""),
        "utc_offset_minutes": int(offset) if offset.lstrip("-").isdigit() else None,
    }


def _locale(host: Host) -> str:
    env = host.environ
    for key in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(key):
            return env[key]
    return host.platform.get("locale", "")


def collect_cpu(ps: Psutil, host: Host, utilisation: dict[str, Any]) -> dict[str, Any]:
    """``utilisation`` comes from the sampler that spans the whole capture (see snapshot)."""
    freq = ps.cpu_freq() if hasattr(ps, "cpu_freq") else None
    load = None
    if hasattr(ps, "getloadavg"):
        load = [round(x, 2) for x in ps.getloadavg()]
        # Windows has no load average: psutil works one out in a thread of its own, and for
        # the first 5 s after the first call it is (0, 0, 0), which would read as "idle".
        if host.system == "Windows" and not any(load):
            load = None
    return {
        "model": _cpu_model(host),
        "physical_cores": ps.cpu_count(logical=False),
        "logical_cores": ps.cpu_count(logical=True),
        "frequency_mhz": (
            None
            if freq is None
            else {"current": round(freq.current), "min": round(freq.min), "max": round(freq.max)}
        ),
        "load_average": load,
        **utilisation,
    }


def _cpu_model(host: Host) -> str:
    if host.system == "Linux":
        for line in (host.read_text("/proc/cpuinfo", limit=8192) or "").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "Processor", "cpu model"):
                return value.strip()
        return ""
    if host.system == "Darwin":
        return (host.run(["sysctl", "-n", "machdep.cpu.brand_string"], timeout=1.0) or "").strip()
    return str(host.platform.get("processor", ""))


def collect_memory(ps: Psutil, host: Host) -> dict[str, Any]:
    vm = ps.virtual_memory()
    swap = ps.swap_memory()
    return {
        "total_bytes": vm.total,
        "available_bytes": vm.available,
        "used_bytes": vm.used,
        "percent_used": vm.percent,
        "swap": {
            "total_bytes": swap.total,
            "used_bytes": swap.used,
            "percent_used": swap.percent,
        },
    }


def collect_power(ps: Psutil, host: Host) -> dict[str, Any]:
    if not hasattr(ps, "sensors_battery"):
        return {"supported": False}
    battery = ps.sensors_battery()
    if battery is None:
        return {"supported": True, "battery_present": False}
    plugged = battery.power_plugged
    secs = battery.secsleft
    return {
        "supported": True,
        "battery_present": True,
        "percent": round(battery.percent, 1),
        "power_plugged": plugged,
        # psutil's sentinels for "unknown" and "charging" are negative enums; say it in words.
        "seconds_left": secs if isinstance(secs, int) and secs >= 0 else None,
        "state": "on AC power" if plugged else ("on battery" if plugged is False else "unknown"),
    }


def collect_sensors(ps: Psutil, host: Host) -> dict[str, Any]:
    """Temperatures and fans, each read on its own: a broken fan driver keeps temperatures."""
    section: dict[str, Any] = {"temperatures": None, "fans": None}
    problems: list[str] = []
    if hasattr(ps, "sensors_temperatures"):
        try:
            temps = ps.sensors_temperatures() or {}
        except Exception as exc:  # noqa: BLE001 - a misbehaving driver; recorded under meta
            problems.append(f"temperatures: {type(exc).__name__}: {exc}")
        else:
            section["temperatures"] = {
                chip: [
                    {
                        "label": t.label or chip,
                        "current_c": t.current,
                        "high_c": t.high,
                        "critical_c": t.critical,
                    }
                    for t in entries
                ]
                for chip, entries in sorted(temps.items())
            }
    if hasattr(ps, "sensors_fans"):
        try:
            fans = ps.sensors_fans() or {}
        except Exception as exc:  # noqa: BLE001
            problems.append(f"fans: {type(exc).__name__}: {exc}")
        else:
            section["fans"] = {
                chip: [{"label": f.label or chip, "rpm": f.current} for f in entries]
                for chip, entries in sorted(fans.items())
            }
    section["supported"] = hasattr(ps, "sensors_temperatures") or hasattr(ps, "sensors_fans")
    if problems:
        section["problems"] = problems
    return section
