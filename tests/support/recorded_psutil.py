"""Replay a machine recorded as JSON (``tests/fixtures/hosts/*.json``) through psutil's API.

The collectors take the psutil module as a parameter; this stands in for it, so the Windows
and macOS branches run here. A recorded value ``{"raise": "AccessDenied"}`` (or any psutil or
builtin exception name) makes the call raise, as misbehaving sensors, disks and processes do.
A function left out of the recording does not exist, as ``sensors_temperatures`` does not on
Windows. Record this machine with ``python -m tests.support.recorded_psutil FILE``.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import socket
import sys
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil

from console.diagnostics.host import LiveHost
from console.diagnostics.recorded_host import RecordedHost


def _raise_if_asked(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"raise"}:
        name = value["raise"]
        if name == "AccessDenied":
            raise psutil.AccessDenied()
        if name in ("NoSuchProcess", "ZombieProcess"):
            raise getattr(psutil, name)(0)
        raise getattr(builtins, name)(f"recorded {name}")
    return value


def _tuple(name: str, values: dict[str, Any]) -> Any:
    return namedtuple(name, list(values))(**values)  # type: ignore[misc]


class _Proc:
    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info


class _RecordedProcess:
    """``psutil.Process(pid)`` for one recorded process."""

    def __init__(self, recorded: dict[str, Any]) -> None:
        self._r = recorded

    def oneshot(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()

    def create_time(self) -> float:
        return float(self._r.get("create_time") or 0.0)

    def name(self) -> str:
        return str(_raise_if_asked(self._r["name"]))

    def username(self) -> str:
        return str(_raise_if_asked(self._r["username"]))

    def cmdline(self) -> list[str]:
        return list(_raise_if_asked(self._r["cmdline"]))


class RecordedPsutil:
    """The subset of psutil the collectors use, answering from a recording."""

    AccessDenied = psutil.AccessDenied
    NoSuchProcess = psutil.NoSuchProcess
    ZombieProcess = psutil.ZombieProcess

    def __init__(self, data: dict[str, Any]) -> None:
        self._d = data
        self.__version__ = data.get("version", "recorded")
        self._cpu_calls = 0
        self._iter_calls = 0
        for optional in ("getloadavg", "sensors_battery", "sensors_temperatures", "sensors_fans"):
            if optional not in data:
                continue
            setattr(self, optional, getattr(self, f"_{optional}"))

    def _value(self, key: str) -> Any:
        return _raise_if_asked(self._d[key])

    def boot_time(self) -> float:
        return float(self._value("boot_time"))

    def users(self) -> list[Any]:
        return [_tuple("suser", u) for u in self._value("users")]

    def cpu_count(self, logical: bool = True) -> int | None:
        return self._d["cpu_count_logical" if logical else "cpu_count_physical"]  # type: ignore[no-any-return]

    def cpu_freq(self) -> Any:
        value = self._value("cpu_freq")
        return None if value is None else _tuple("scpufreq", value)

    def cpu_times(self) -> Any:
        samples = self._value("cpu_times")
        sample = samples[min(self._cpu_calls, len(samples) - 1)]
        self._cpu_calls += 1
        return _tuple("scputimes", sample)

    def _getloadavg(self) -> tuple[float, float, float]:
        return tuple(self._value("getloadavg"))  # type: ignore[return-value]

    def virtual_memory(self) -> Any:
        return _tuple("svmem", self._value("virtual_memory"))

    def swap_memory(self) -> Any:
        return _tuple("sswap", self._value("swap_memory"))

    def disk_partitions(self, all: bool = False) -> list[Any]:  # noqa: A002 - psutil's name
        return [_tuple("sdiskpart", p) for p in self._value("disk_partitions")]

    def disk_usage(self, path: str) -> Any:
        usage = self._d["disk_usage"].get(path)
        if usage is None:
            raise FileNotFoundError(2, "No such file or directory", path)
        return _tuple("sdiskusage", _raise_if_asked(usage))

    def disk_io_counters(self, perdisk: bool = False) -> Any:
        value = self._value("disk_io_counters")
        return None if value is None else _tuple("sdiskio", value)

    def net_if_addrs(self) -> dict[str, list[Any]]:
        result: dict[str, list[Any]] = {}
        for name, addrs in self._value("net_if_addrs").items():
            result[name] = []
            for a in addrs:
                family = a["family"]
                if family == "AF_LINK" and self._d.get("af_link_is_int"):
                    family = -1  # psutil.AF_LINK on Windows
                elif hasattr(socket, family):
                    family = getattr(socket, family)
                else:
                    family = SimpleNamespace(name=family)
                result[name].append(_tuple("snicaddr", {**a, "family": family}))
        return result

    def net_if_stats(self) -> dict[str, Any]:
        return {k: _tuple("snicstats", v) for k, v in self._value("net_if_stats").items()}

    def net_io_counters(self, pernic: bool = False) -> dict[str, Any]:
        return {k: _tuple("snetio", v) for k, v in self._value("net_io_counters").items()}

    def net_connections(self, kind: str = "inet") -> list[Any]:
        return [SimpleNamespace(status=s) for s in self._value("net_connections")]

    def _sensors_battery(self) -> Any:
        value = self._value("sensors_battery")
        return None if value is None else _tuple("sbattery", value)

    def _sensors_temperatures(self) -> dict[str, list[Any]]:
        value = self._value("sensors_temperatures")
        return {k: [_tuple("shwtemp", t) for t in v] for k, v in value.items()}

    def _sensors_fans(self) -> dict[str, list[Any]]:
        value = self._value("sensors_fans")
        return {k: [_tuple("sfan", f) for f in v] for k, v in value.items()}

    def Process(self, pid: int) -> _RecordedProcess:  # noqa: N802 - psutil's name
        for recorded in self._value("processes"):
            if recorded["pid"] == pid:
                return _RecordedProcess(recorded)
        raise psutil.NoSuchProcess(pid)

    def process_iter(self, attrs: list[str] | None = None, ad_value: Any = None) -> Iterator[_Proc]:
        sample = self._iter_calls
        self._iter_calls += 1
        for proc in self._value("processes"):
            info: dict[str, Any] = {}
            for attr in attrs or []:
                value = proc.get(attr)
                if isinstance(value, dict) and set(value) == {"raise"}:
                    info[attr] = ad_value
                    continue
                if attr == "cpu_times" and value is not None:
                    value = _tuple("pcputimes", value[min(sample, len(value) - 1)])
                elif attr == "memory_info" and value is not None:
                    value = _tuple("pmem", value)
                info[attr] = value
            yield _Proc(info)


def load_recording(path: Path) -> tuple[RecordedPsutil, RecordedHost]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    host = data["host"]
    return RecordedPsutil(data["psutil"]), RecordedHost(
        system=host["system"],
        files=host.get("files", {}),
        commands=host.get("commands", {}),
        environ=host.get("environ", {}),
        platform=host.get("platform", {}),
    )


def record(path: Path) -> None:
    """Record this machine (two CPU samples 0.2 s apart) as a fixture."""
    import time

    def plain(value: Any) -> Any:
        return value._asdict() if hasattr(value, "_asdict") else value

    attrs = ["pid", "name", "username", "memory_info", "create_time", "cpu_times", "cmdline"]
    first = {p.pid: plain(p.info["cpu_times"]) for p in psutil.process_iter(["cpu_times"])}
    cpu_first = psutil.cpu_times()._asdict()
    time.sleep(0.2)
    processes = []
    for proc in psutil.process_iter(attrs, ad_value={"raise": "AccessDenied"}):
        info = {k: plain(v) for k, v in proc.info.items()}
        info["cpu_times"] = [first.get(proc.pid, info["cpu_times"]), info["cpu_times"]]
        processes.append(info)
    data: dict[str, Any] = {
        "version": psutil.__version__,
        "af_link_is_int": sys.platform == "win32",
        "boot_time": psutil.boot_time(),
        "users": [plain(u) for u in psutil.users()],
        "cpu_count_logical": psutil.cpu_count(),
        "cpu_count_physical": psutil.cpu_count(logical=False),
        "cpu_freq": plain(psutil.cpu_freq()),
        "cpu_times": [cpu_first, psutil.cpu_times()._asdict()],
        "virtual_memory": plain(psutil.virtual_memory()),
        "swap_memory": plain(psutil.swap_memory()),
        "disk_partitions": [plain(p) for p in psutil.disk_partitions()],
        "disk_usage": {
            p.mountpoint: plain(psutil.disk_usage(p.mountpoint)) for p in psutil.disk_partitions()
        },
        "disk_io_counters": plain(psutil.disk_io_counters()),
        "net_if_addrs": {
            name: [{**plain(a), "family": getattr(a.family, "name", "AF_LINK")} for a in addrs]
            for name, addrs in psutil.net_if_addrs().items()
        },
        "net_if_stats": {k: plain(v) for k, v in psutil.net_if_stats().items()},
        "net_io_counters": {k: plain(v) for k, v in psutil.net_io_counters(pernic=True).items()},
        "net_connections": [c.status for c in psutil.net_connections()],
        "processes": processes,
    }
    if hasattr(psutil, "getloadavg"):
        data["getloadavg"] = list(psutil.getloadavg())
    for optional in ("sensors_battery", "sensors_temperatures", "sensors_fans"):
        if hasattr(psutil, optional):
            value = getattr(psutil, optional)()
            if isinstance(value, dict):
                value = {k: [plain(t) for t in v] for k, v in value.items()}
            data[optional] = plain(value)
    live = LiveHost()
    host = {
        "system": live.system,
        "platform": dict(live.platform),
        "environ": {k: v for k, v in live.environ.items() if k in _RECORDED_ENV},
        "files": {
            f: text
            for f in ("/etc/os-release", "/etc/resolv.conf", "/proc/net/route", "/etc/timezone")
            if (text := live.read_text(f)) is not None
        },
        "commands": {},
    }
    Path(path).write_text(
        json.dumps({"host": host, "psutil": data}, indent=1, default=str) + "\n", encoding="utf-8"
    )


_RECORDED_ENV = ("LANG", "TZ", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "USER", "USERNAME")


if __name__ == "__main__":
    record(Path(sys.argv[1]))
