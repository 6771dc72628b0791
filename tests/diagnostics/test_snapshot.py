"""The snapshot on this machine, and on recorded Windows, macOS and Linux machines.

The recordings (``tests/fixtures/hosts/``) replay psutil and the host's files and commands, so
the Windows and macOS branches run here, with their misbehaving parts: a locked drive, an
optical drive with no disc, connections psutil may not read, a fan driver that errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.diagnostics.collect_processes import CpuSampler
from console.diagnostics.redaction import Privacy
from console.diagnostics.snapshot import Snapshot, capture_snapshot
from tests.support.recorded_psutil import load_recording

HOSTS = Path(__file__).parents[1] / "fixtures" / "hosts"
NOW = 1763900000.0  # 2025-11-23 12:13 UTC, three days after the Windows boot
REQUIRED = ("system", "cpu", "memory", "disks", "network", "processes", "meta")


def one_second_window() -> Iterator[float]:
    yield 0.0
    while True:
        yield 1.0


def recorded(name: str, privacy: Privacy = Privacy.STANDARD) -> Snapshot:
    ps, host = load_recording(HOSTS / f"{name}.json")
    ticks = one_second_window()
    sampler = CpuSampler(ps, clock=lambda: next(ticks))
    return capture_snapshot(privacy, ps=ps, host=host, sampler=sampler, wall_clock=lambda: NOW)


def text_of(snapshot: Snapshot) -> str:
    return json.dumps(snapshot.data)


def by_name(items: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(item for item in items if item["name"] == name)


def test_this_machine_has_every_section_and_is_json() -> None:
    snapshot = capture_snapshot()
    data = json.loads(json.dumps(snapshot.data))
    for key in REQUIRED:
        assert isinstance(data[key], dict), key
    meta = data["meta"]
    assert meta["privacy"] == "standard"
    assert meta["duration_ms"] > 0
    assert meta["partial"] == bool(meta["problems"])
    assert data["system"]["os_family"] == "linux"
    assert data["cpu"]["logical_cores"] >= 1
    assert data["cpu"]["percent"] is None or 0 <= data["cpu"]["percent"] <= 100
    assert data["memory"]["total_bytes"] > 0
    assert any(p["mountpoint"] == "/" for p in data["disks"]["partitions"])
    assert any(i["name"] == "lo" for i in data["network"]["interfaces"])
    assert data["processes"]["count"] > 0
    assert data["processes"]["top_memory"][0]["rss_bytes"] > 0


def test_this_machine_is_named_as_the_platform_module_names_it() -> None:
    import platform

    from console.diagnostics.host import LiveHost

    host = LiveHost()
    facts = host.platform
    assert host.system == platform.system() == facts["system"]
    assert facts["release"] == platform.release()
    assert facts["version"] == platform.version()
    assert facts["machine"] == platform.machine()
    assert facts["node"] == platform.node()


def test_a_snapshot_is_an_immutable_value() -> None:
    snapshot = recorded("linux-debian12")
    assert snapshot == Snapshot(dict(snapshot.data), snapshot.redaction)
    assert snapshot != Snapshot({**snapshot.data, "logs": None}, snapshot.redaction)
    with pytest.raises(AttributeError):
        snapshot.data = {}
    assert snapshot.data["system"]


def test_a_sampler_started_earlier_measures_cpu_over_its_window() -> None:
    import psutil

    sampler = CpuSampler(psutil)
    sum(i * i for i in range(300_000))  # some CPU use inside the window
    data = capture_snapshot(sampler=sampler).data
    assert data["cpu"]["sample_ms"] >= 1
    assert data["cpu"]["percent"] is not None


def test_windows_laptop() -> None:
    snapshot = recorded("windows11-laptop")
    data = snapshot.data
    system = data["system"]
    assert (system["os_family"], system["os_name"], system["os_build"]) == (
        "windows",
        "Windows 11 Pro",
        "22631",
    )
    assert system["uptime_seconds"] == 287600
    assert system["boot_time"] == "2025-11-20T04:20:00+00:00"

    disks = {p["mountpoint"]: p for p in data["disks"]["partitions"]}
    assert disks["C:\\"]["usage"]["percent_used"] == 95.6
    assert "optical" in disks["D:\\"]["skipped"]
    assert disks["E:\\"]["usage"] is None  # locked: recorded, capture goes on
    assert data["meta"]["partial"] is True
    assert any(p["section"] == "disks" and "E:" in p["error"] for p in data["meta"]["problems"])

    network = data["network"]
    wifi = by_name(network["interfaces"], "Wi-Fi")
    assert wifi["mac"] == "3C-52-82-1A-2B-3C"  # AF_LINK is the int -1 on Windows
    assert wifi["counters"]["drops_in"] == 14
    assert network["default_gateway"]["address"] == "192.168.1.1"
    assert network["dns_servers"] == ["192.168.1.1", "1.1.1.1"]
    vpn = by_name(network["vpn_adapters"], "PANGP Virtual Ethernet Adapter Secure")
    assert vpn["up"] is False
    assert network["connections"]["ESTABLISHED"] == 41

    processes = data["processes"]
    assert processes["top_cpu"][0]["name"] == "OUTLOOK.EXE"
    assert processes["top_cpu"][0]["cpu_percent"] == 50.0  # 0.5 s of CPU in a 1 s window
    assert processes["not_readable"] >= 1
    assert data["power"] == {
        "supported": True,
        "battery_present": True,
        "percent": 38,
        "power_plugged": False,
        "seconds_left": 5400,
        "state": "on battery",
    }
    assert data["sensors"]["supported"] is False
    assert "Name resolution for the name outlook.office365.com" in "\n".join(data["logs"]["lines"])

    text = text_of(snapshot)
    for secret in ("Winter2025!", "Summer2025!", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"):
        assert secret not in text
    assert "proxy.northwind.example:8080" in text  # the proxy stays, its password does not
    assert snapshot.redaction.total() >= 3
    assert data["meta"]["redaction"]["total"] == snapshot.redaction.total()


def test_macos_laptop() -> None:
    snapshot = recorded("macos14-air")
    data = snapshot.data
    assert data["system"]["os_name"] == "macOS 14.4.1"
    assert data["system"]["os_build"] == "23E224"
    assert data["cpu"]["model"] == "Apple M2"
    assert data["cpu"]["load_average"] == [6.12, 5.8, 5.1]
    assert data["network"]["connections"] is None  # AccessDenied without root
    assert any(p["section"] == "network" for p in data["meta"]["problems"])
    assert data["network"]["default_gateway"]["address"] == "10.0.0.1"
    assert by_name(data["network"]["vpn_adapters"], "utun3")["kind"] == "utun"
    share = next(p for p in data["disks"]["partitions"] if p["fstype"] == "smbfs")
    assert "network file system" in share["skipped"]
    assert data["power"]["seconds_left"] is None  # psutil's "unlimited" sentinel, in words
    assert data["power"]["state"] == "on AC power"
    assert "eyJhbGciOiJIUzI1NiJ9" not in text_of(snapshot)


def test_linux_laptop_standard_and_strict() -> None:
    standard = recorded("linux-debian12")
    data = standard.data
    assert data["system"]["os_name"] == "Debian GNU/Linux 12 (bookworm)"
    assert data["system"]["timezone"]["name"] == "Asia/Kolkata"
    mounts = {p["mountpoint"]: p for p in data["disks"]["partitions"]}
    assert "/snap/core22/1663" not in mounts  # read-only images are not disks
    assert "network file system" in mounts["/mnt/nas"]["skipped"]
    assert data["sensors"]["temperatures"]["coretemp"][0]["current_c"] == 71.0
    assert data["sensors"]["fans"] is None  # the fan driver failed; temperatures did not
    assert any(p["section"] == "sensors" for p in data["meta"]["problems"])
    assert data["network"]["default_gateway"]["address"] == "10.20.4.1"
    assert data["network"]["dns_servers"] == ["10.20.0.53", "10.20.0.54"]
    assert by_name(data["network"]["vpn_adapters"], "tun0")["up"] is True
    assert all(v["name"] != "docker0" for v in data["network"]["vpn_adapters"])
    text = text_of(standard)
    assert "S3cr3t-Pa55" not in text and "hunter22" not in text
    assert "/home/priya" in text and "f4:26:79:3a:9c:01" in text  # standard keeps these

    strict = recorded("linux-debian12", Privacy.STRICT)
    strict_text = text_of(strict)
    assert "/home/priya" not in strict_text
    assert "f4:26:79:3a:9c:01" not in strict_text
    assert "2a01:e0a:1f2:3b40:5c1d:9e2f:aa10:4b7c" not in strict_text  # public address
    assert "10.20.4.31" in strict_text  # private addresses stay: tier 2 needs them
    assert strict.data["meta"]["privacy"] == "strict"
    assert strict.redaction.total() > standard.redaction.total()


def test_a_failing_collector_costs_only_its_section() -> None:
    ps, host = load_recording(HOSTS / "windows11-laptop.json")

    def broken() -> Any:
        import psutil

        raise psutil.AccessDenied(pid=None, name="virtual_memory")

    ps.virtual_memory = broken  # type: ignore[method-assign]
    data = capture_snapshot(ps=ps, host=host).data
    assert data["memory"] is None
    assert {"memory", "disks"} <= {p["section"] for p in data["meta"]["problems"]}
    assert data["cpu"] is not None and data["system"] is not None


@pytest.mark.parametrize("name", ["windows11-laptop", "macos14-air", "linux-debian12"])
def test_recorded_snapshots_are_plain_json_with_every_section(name: str) -> None:
    data = json.loads(json.dumps(recorded(name).data))
    for key in REQUIRED:
        assert isinstance(data[key], dict), key


def test_connection_counts_from_the_kernel_tables_match_psutil() -> None:
    import socket
    from collections import Counter

    import psutil

    from console.diagnostics.collect_network import collect_connections
    from console.diagnostics.host import LiveHost

    with socket.socket() as server, socket.socket() as client:
        server.bind(("127.0.0.1", 0))
        server.listen()
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        with accepted, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            # Sockets of earlier tests leave TIME_WAIT entries that expire at any moment, so
            # the two readings are retried until they are taken between two such changes.
            for _ in range(5):
                ours = collect_connections(psutil, LiveHost())
                theirs = Counter(c.status for c in psutil.net_connections(kind="inet"))
                if ours == dict(sorted(theirs.items())):
                    break
    assert ours == dict(sorted(theirs.items()))
    assert ours["ESTABLISHED"] >= 2 and ours["LISTEN"] >= 1 and ours["NONE"] >= 1


def test_a_missing_log_reader_makes_the_snapshot_partial() -> None:
    data = recorded("macos14-air").data  # no `log show` output was recorded
    assert data["logs"]["lines"] == []
    assert data["meta"]["partial"] is True
    assert any(p["section"] == "logs" for p in data["meta"]["problems"])
