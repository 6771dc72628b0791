"""Diagnostics benchmark (issue 3): run on demand, print figures, assert nothing.

    .venv/bin/python -m tests.benchmarks.bench_collect [--runs 15]

Figures, all from this run on this machine:
- in-process ``capture_snapshot()`` (no checks): p50 / p95 over many captures, beside a peer,
  the same facts gathered the plain way (psutil and /proc/net, no shaping, no redaction, no
  log reader: what the collectors called before they read /proc and netlink themselves on
  Linux), interleaved; once on the machine as it is and once with one of its cores kept busy
  by another process;
- ``agent-console collect --json`` as a whole process, beside the tools tier 2 uses today,
  ``hwinfo --short`` and ``inxi -Fxz`` (Debian packages hwinfo and inxi; the line says so when
  one is missing), runs interleaved so background noise hits every command alike; the goals
  are collect <= hwinfo and collect <= inxi / 4.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil

from console.diagnostics.snapshot import capture_snapshot


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def plain_peer() -> None:
    """The peer: the facts a snapshot holds, gathered the plain way (as the collectors did
    before they read /proc and netlink themselves on Linux): psutil for everything, the
    /proc/net tables for the socket counts, details only for the 20 processes that rank."""
    psutil.boot_time()
    psutil.users()
    psutil.cpu_times()
    psutil.cpu_count()
    psutil.cpu_count(logical=False)
    psutil.cpu_freq()
    psutil.virtual_memory()
    psutil.swap_memory()
    for part in psutil.disk_partitions():
        psutil.disk_usage(part.mountpoint)
    psutil.disk_io_counters()
    psutil.net_if_addrs()
    psutil.net_if_stats()
    psutil.net_io_counters(pernic=True)
    for table in ("tcp", "tcp6", "udp", "udp6"):
        Path(f"/proc/net/{table}").read_text()
    psutil.sensors_battery()
    psutil.sensors_temperatures()
    psutil.sensors_fans()
    list(psutil.process_iter(["pid", "create_time", "cpu_times"]))
    table = [
        p.info for p in psutil.process_iter(["pid", "create_time", "cpu_times", "memory_info"])
    ]
    table.sort(key=lambda info: info["memory_info"].rss if info["memory_info"] else 0)
    for info in table[-20:]:
        try:
            proc = psutil.Process(info["pid"])
            with proc.oneshot():
                proc.name(), proc.username(), proc.cmdline()
        except psutil.Error:
            pass
    psutil.cpu_times()


def bench_in_process(runs: int, label: str) -> float:
    took, peer = [], []
    for _ in range(runs):
        started = time.perf_counter()
        capture_snapshot()
        took.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        plain_peer()
        peer.append((time.perf_counter() - started) * 1000)
    p50, peer50 = statistics.median(took), statistics.median(peer)
    print(
        f"in-process snapshot, {label}: p50 {p50:5.1f} ms  p95 {percentile(took, 0.95):5.1f} ms"
        f"  | peer (the plain way) p50 {peer50:5.1f} ms  | ratio {p50 / peer50:4.2f}"
        f"  ({runs} runs; goal p50 <= 30 ms: {'met' if p50 <= 30 else 'NOT met'})"
    )
    return p50


def bench_in_process_loaded(runs: int) -> None:
    """The same, with another process spinning on one core for the whole run."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)  # let it reach the CPU
        bench_in_process(runs, "one core busy")
    finally:
        hog.kill()
        hog.wait()


def bench_whole_process(runs: int) -> None:
    # As installed for a user: bytecode compiled (pip does it for a wheel), so no run pays
    # for compiling the sources (PYTHONDONTWRITEBYTECODE would otherwise make every run do).
    import compileall
    import os

    compileall.compile_dir(str(Path(__file__).parents[2] / "console"), quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    console = Path(sys.executable).with_name("agent-console")
    commands: dict[str, list[str]] = {
        "agent-console collect --json": [str(console), "collect", "--json"]
    }
    for name, argv in (("hwinfo --short", ["hwinfo", "--short"]), ("inxi -Fxz", ["inxi", "-Fxz"])):
        if shutil.which(argv[0]) is None:
            print(f"{name}: not installed (apt-get install {argv[0]}); no comparison with it")
        else:
            commands[name] = argv
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the page cache for every command
        subprocess.run(argv, capture_output=True, check=False, env=env)
    for _ in range(runs):
        for name, argv in commands.items():
            started = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=False, env=env)
            times[name].append((time.perf_counter() - started) * 1000)
    ours = statistics.median(times["agent-console collect --json"])
    for name, values in times.items():
        p50 = statistics.median(values)
        print(
            f"{name:<30} p50 {p50:7.0f} ms  p95 {percentile(values, 0.95):7.0f} ms  | "
            f"collect / this {ours / p50:4.2f}  ({runs} runs)"
        )
    for peer, goal in (("hwinfo --short", 1.0), ("inxi -Fxz", 0.25)):
        if peer in times:
            ratio = ours / statistics.median(times[peer])
            verdict = "met" if ratio <= goal else "NOT met"
            print(f"  goal collect / {peer} <= {goal:.2f}: {ratio:.2f}, {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"--- in process ({psutil.cpu_count()} cores, {len(psutil.pids())} processes)")
    capture_snapshot()  # warm: imports, first-call caches
    bench_in_process(max(args.runs * 2, 20), "as it is")
    bench_in_process_loaded(max(args.runs * 2, 20))
    print("--- whole process")
    bench_whole_process(args.runs)


if __name__ == "__main__":
    main()
