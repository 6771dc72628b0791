"""What a person reads of a snapshot: the short summary ``agent-console collect`` prints and
the few highlight lines that go into the handoff."""

from __future__ import annotations

from collections.abc import Mapping

from console.diagnostics import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

GiB = 1024**3


def highlights(snapshot: Mapping[str, Any]) -> dict[str, str]:
    """A few lines tier 2 looks at first: OS, uptime, CPU, memory, fullest disk, network."""
    lines: dict[str, str] = {}
    system = snapshot.get("system") or {}
    if system:
        build = f" (build {system['os_build']})" if system.get("os_build") else ""
        lines["os"] = f"{system.get('os_name', '?')}{build}, {system.get('architecture', '')}"
        lines["uptime"] = _duration(system.get("uptime_seconds"))
    cpu = snapshot.get("cpu") or {}
    if cpu:
        used = cpu.get("percent")
        load = (
            f"{used:.0f} % busy{_over(cpu.get('sample_ms'))}"
            if isinstance(used, int | float)
            else "usage not sampled"
        )
        average = cpu.get("load_average")
        if average:
            load += f"; load {' / '.join(str(x) for x in average)}"
        lines["cpu"] = f"{cpu.get('model') or 'CPU'}, {cpu.get('logical_cores')} threads, {load}"
    memory = snapshot.get("memory") or {}
    if memory:
        lines["memory"] = (
            f"{_gib(memory.get('available_bytes'))} free of {_gib(memory.get('total_bytes'))} "
            f"({memory.get('percent_used')} % used)"
        )
    fullest = _fullest_disk(snapshot.get("disks") or {})
    if fullest:
        lines["disk"] = fullest
    network = snapshot.get("network") or {}
    if network:
        up = [i["name"] for i in network.get("interfaces", []) if i.get("up")]
        gateway = network.get("default_gateway") or {}
        lines["network"] = (
            f"{len(up)} interface(s) up; gateway {gateway.get('address', 'none')}; DNS "
            f"{', '.join(network.get('dns_servers') or []) or 'none'}"
        )
        vpns = network.get("vpn_adapters") or []
        lines["vpn"] = (
            ", ".join(f"{v['name']} ({v['kind']}, {'up' if v.get('up') else 'down'})" for v in vpns)
            or "no VPN adapter"
        )
    power = snapshot.get("power") or {}
    if power.get("battery_present"):
        lines["battery"] = f"{power.get('percent')} %, {power.get('state')}"
    return lines


def render_summary(snapshot: Mapping[str, Any]) -> str:
    """The text ``agent-console collect`` prints (no ``--json``)."""
    meta = snapshot.get("meta") or {}
    out = [f"Diagnostics captured {meta.get('captured_at', '?')} in {meta.get('duration_ms')} ms"]
    width = 9
    for key, text in highlights(snapshot).items():
        out.append(f"  {key + ':':<{width}} {text}")
    processes = snapshot.get("processes") or {}
    # A process idle over the sample is not "busy"; say nothing rather than list zeros.
    top = [p for p in processes.get("top_cpu") or [] if p.get("cpu_percent")]
    if top:
        busiest = ", ".join(f"{p['name']} {p['cpu_percent']} %" for p in top[:3])
        out.append(f"  {'busiest:':<{width}} {busiest}{_over(processes.get('sample_ms'))}")
    logs = snapshot.get("logs") or {}
    if logs.get("lines"):
        out.append(f"  {'errors:':<{width}} {len(logs['lines'])} recent system log error line(s)")
    redaction = meta.get("redaction") or {}
    counts = redaction.get("counts") or {}
    removed = ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "nothing found"
    out.append(f"  {'privacy:':<{width}} {meta.get('privacy')}; redacted: {removed}")
    if meta.get("partial"):
        out.append(
            "  PARTIAL: could not read "
            + "; ".join(f"{p['section']} ({p['error']})" for p in meta.get("problems", []))
        )
    return "\n".join(out) + "\n"


def _fullest_disk(disks: Mapping[str, Any]) -> str:
    measured = [p for p in disks.get("partitions", []) if p.get("usage")]
    if not measured:
        return ""
    worst = max(measured, key=lambda p: p["usage"]["percent_used"])
    usage = worst["usage"]
    return (
        f"{worst['mountpoint']} {usage['percent_used']} % used, {_gib(usage['free_bytes'])} free "
        f"of {_gib(usage['total_bytes'])}"
    )


def _gib(value: Any) -> str:
    return f"{value / GiB:.1f} GiB" if isinstance(value, int | float) else "?"


def _over(sample_ms: Any) -> str:
    """The window a CPU figure was measured over, for the reader to weigh it: over a capture's
    own few milliseconds the kernel's 10 ms ticks make it coarse."""
    if not isinstance(sample_ms, int | float):
        return ""
    if sample_ms < 1000:
        return f" over {sample_ms:.0f} ms"
    seconds = round(sample_ms / 1000)
    return f" over {seconds // 60} min {seconds % 60} s" if seconds >= 60 else f" over {seconds} s"


def _duration(seconds: Any) -> str:
    if not isinstance(seconds, int | float):
        return "?"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days} d {hours} h {rest // 60} min" if days else f"{hours} h {rest // 60} min"
