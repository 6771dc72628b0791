"""GUI benchmarks (issue 5): run on demand, print figures, assert nothing.

    .venv/bin/python -m tests.benchmarks.bench_gui [--tickets 100000] [--runs 9] [--xvfb]
        [--only startup,breakdown,stalls] [--app-command module|entry] [--no-team] [--explain]

Figures, all from this run on this machine, against a store of ``--tickets`` demo tickets:
- start-up: the floor (tests/benchmarks/gui_floor.py, a bare PySide6 window with a QTableView)
  and the app (``--exit-after-startup``), runs interleaved so background noise hits both
  alike, offscreen and with ``--xvfb`` also under a real X server (Xvfb). Per run: the
  ``startup_ms`` each prints (process start to window shown with its first page), the whole
  process's wall time, and its peak RSS (``ru_maxrss`` of that one child, from ``os.wait4``).
  Goals: app/floor <= 2.0 for the start-up median and for the peak memory median. Then where
  the app's time goes: a timeline of one run, and the imports done before its first page
  (``python -X importtime``);
- GUI stalls, in a fresh process with the real window over the store (offscreen), measured by
  a heartbeat timer ticking every 10 ms on the GUI thread, after a calibration against a
  deliberate 80 ms block: the window's start (first page and the background chores after it),
  capturing this machine's diagnostics through an opened ticket's diagnostics panel, running
  real local checks through its troubleshoot panel, delivering an outbox of 200 packages
  (local store, and into a throwaway PostgreSQL team store), and paging down the All tickets
  list beside a floor (a bare QTableView paged the same way). Goal: no stall over 50 ms.
  ``--explain`` says what each stall over the goal was made of: how long another thread held
  the GIL in one piece, garbage collections, and the modules that began importing.

The seeded store is cached under the system temp directory, keyed by the schema revision, the
ticket count and a digest of the seeder's sources, so only the first run pays for seeding
(30-45 s for 100,000 tickets here); every run works on a copy.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
GOAL_RATIO = 2.0
GOAL_STALL_MS = 50.0
CACHE = Path(tempfile.gettempdir()) / "agent-console-bench"
BENCH_AGENT = "aiko"  # a seeded agent, so "My open tickets" (the first queue) has rows


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT met"


# -- the seeded store ---------------------------------------------------------------------------


def seeded_store(tickets: int) -> Path:
    """The cached store of ``tickets`` demo tickets, seeded on first use."""
    from console.store.database import HEAD_REVISION

    sources = [ROOT / "console/services" / n for n in ("demo.py", "demo_catalog.py")]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:10]
    path = CACHE / f"store-rev{HEAD_REVISION}-{tickets}-{digest}.db"
    if path.exists():
        print(f"store: {tickets} tickets, cached at {path} (reused; delete it to seed again)")
        return path
    from console.services.demo import DemoSeeder
    from console.store.database import open_store, parse_store_url

    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".seeding")
    partial.unlink(missing_ok=True)
    store = open_store(parse_store_url(str(partial)))
    report = DemoSeeder(store).seed(tickets)
    store.dispose()  # the last connection closing checkpoints the WAL into the file
    partial.rename(path)
    print(f"store: seeded {tickets} tickets in {report.seconds:.1f} s, cached at {path}")
    return path


def isolated_env(work: Path, display: str | None) -> dict[str, str]:
    """The environment of a child: its own config and data directories, bytecode kept (as
    an installed app has it), offscreen or on ``display``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CONFIG_HOME"] = str(work / "xdg-config")
    env["XDG_DATA_HOME"] = str(work / "xdg-data")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"  # no D-Bus prompts
    if display is None:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env["QT_QPA_PLATFORM"] = "xcb"
        env["DISPLAY"] = display
    config = work / "xdg-config" / "agent-console" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[agent]\nname = "{BENCH_AGENT}"\n')
    return env


# -- start-up -----------------------------------------------------------------------------------


@dataclass
class Run:
    startup_ms: float
    wall_ms: float
    peak_rss_mb: float


def run_child(argv: list[str], env: Mapping[str, str]) -> tuple[Run, str]:
    """One child to its end: its printed start-up, wall time and its own peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(
        argv, cwd=ROOT, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert child.stdout is not None
    output = child.stdout.read().decode(errors="replace")
    # wait4, not wait: its rusage is this child's alone (ru_maxrss in KiB on Linux).
    _, status, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - started) * 1000
    child.returncode = os.waitstatus_to_exitcode(status)
    found = re.search(r"^startup_ms=(\d+)", output, re.MULTILINE)
    if child.returncode != 0 or found is None:
        raise RuntimeError(f"{' '.join(argv)} failed ({child.returncode}):\n{output}")
    return Run(float(found.group(1)), wall, usage.ru_maxrss / 1024), output


def app_argv(command: str, store: Path) -> list[str]:
    args = ["--store", f"sqlite:///{store}", "--exit-after-startup"]
    if command == "entry":
        return [str(Path(sys.executable).with_name("agent-console")), *args]
    return [sys.executable, "-m", "console.app", *args]


def bench_startup(label: str, env: Mapping[str, str], app: list[str], runs: int) -> None:
    commands = {
        "floor (bare PySide6 window + QTableView)": [
            sys.executable,
            "-m",
            "tests.benchmarks.gui_floor",
        ],
        f"app ({' '.join(Path(a).name for a in app[:3])})": app,
    }
    results: dict[str, list[Run]] = {name: [] for name in commands}
    for argv in commands.values():  # warm: page cache, bytecode, fontconfig's cache
        run_child(argv, env)
    for _ in range(runs):
        for name, argv in commands.items():
            results[name].append(run_child(argv, env)[0])
    print(
        f"--- start-up, {label}: {runs} interleaved runs each (load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)"
    )
    medians: list[tuple[float, float]] = []
    for name, runs_of in results.items():
        startup = [r.startup_ms for r in runs_of]
        wall = [r.wall_ms for r in runs_of]
        rss = [r.peak_rss_mb for r in runs_of]
        medians.append((statistics.median(startup), statistics.median(rss)))
        print(
            f"{name:<44} startup_ms p50 {statistics.median(startup):5.0f} p95 "
            f"{percentile(startup, 0.95):5.0f} | process p50 {statistics.median(wall):5.0f} "
            f"p95 {percentile(wall, 0.95):5.0f} ms | peak RSS p50 {statistics.median(rss):5.1f} "
            f"max {max(rss):5.1f} MB"
        )
    (floor_ms, floor_mb), (app_ms, app_mb) = medians
    print(
        f"  goal startup app/floor <= {GOAL_RATIO}: {app_ms / floor_ms:.2f} "
        f"({app_ms:.0f} / {floor_ms:.0f} ms), {verdict(app_ms / floor_ms <= GOAL_RATIO)}"
    )
    print(
        f"  goal peak memory app/floor <= {GOAL_RATIO}: {app_mb / floor_mb:.2f} "
        f"({app_mb:.1f} / {floor_mb:.1f} MB), {verdict(app_mb / floor_mb <= GOAL_RATIO)}"
    )


def bench_breakdown(env: Mapping[str, str], store: Path, runs: int) -> None:
    """Where the app's start-up goes: a timeline (median of ``runs``), then the imports done
    before the first page was in the table."""
    timelines: dict[str, list[float]] = {}
    for _ in range(runs):
        _, output = run_child(
            [sys.executable, "-m", "tests.benchmarks.bench_gui", "--child-timeline", str(store)],
            env,
        )
        for name, ms in re.findall(r"^mark (.+?)=([\d.]+)$", output, re.MULTILINE):
            timelines.setdefault(name, []).append(float(ms))
        found = re.search(r"^startup_ms=(\d+)", output, re.MULTILINE)
        assert found is not None  # run_child checked
        timelines.setdefault("startup_ms printed (first page loaded)", []).append(float(found[1]))
    print(f"--- app start-up timeline, ms since the process started (median of {runs} runs)")
    for name, values in sorted(timelines.items(), key=lambda item: statistics.median(item[1])):
        print(f"  {statistics.median(values):6.0f}  {name}")

    _, output = run_child([sys.executable, "-X", "importtime", *app_argv("module", store)[1:]], env)
    imports = top_level_imports(output.split("startup_ms=", 1)[0])
    total = sum(cumulative for cumulative, _, _ in imports)
    print(
        f"--- imports before the first page (python -X importtime, one run): {total:.0f} ms in "
        f"{len(imports)} top-level imports; the 8 slowest (cumulative), with what they pulled in"
    )
    for cumulative, name, children in sorted(imports, reverse=True)[:8]:
        heavy = ", ".join(
            f"{c} {ms:.0f}" for ms, c in sorted(children, reverse=True)[:4] if ms >= 10
        )
        print(f"  {cumulative:6.1f} ms  {name}" + (f"  ({heavy} ms)" if heavy else ""))


def top_level_imports(log: str) -> list[tuple[float, str, list[tuple[float, str]]]]:
    """(cumulative ms, name, its direct imports as (ms, name)) of every top-level import in a
    ``-X importtime`` log, where a module's imports are the deeper lines printed before it."""
    pending: dict[int, list[tuple[float, str]]] = {}
    top: list[tuple[float, str, list[tuple[float, str]]]] = []
    for line in log.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if not found:
            continue
        ms, depth, name = int(found.group(1)) / 1000, len(found.group(2)) // 2, found.group(3)
        children = pending.pop(depth + 1, [])
        pending.setdefault(depth, []).append((ms, name))
        if depth == 0:
            top.append((ms, name, children))
    return top


def child_timeline(store: str) -> int:
    """In a child: the app started as ``--exit-after-startup`` does, with marks printed."""
    import threading

    from console.startup_clock import ms_since_process_start as now

    marks: dict[str, float] = {"benchmark module imported": now()}
    import console.app as app_module
    from console.ui.shell import main_window

    marks["console.app and the main window's module imported (PySide6)"] = now()
    build, make_ports = app_module.build_desk_window, app_module._ports
    show = main_window.MainWindow.show

    def where() -> str:
        return "GUI thread" if threading.current_thread() is threading.main_thread() else "worker"

    def timed_build(*args: Any, **kwargs: Any) -> Any:
        marks["window construction started (QApplication made, settings read)"] = now()
        built = build(*args, **kwargs)
        marks["window constructed"] = now()
        model = built[1].queue.model
        model.rowsInserted.connect(lambda: marks.setdefault("first rows in the table", now()))
        return built

    def ports(*args: Any, **kwargs: Any) -> Any:
        made = make_ports(*args, **kwargs)
        source_for = made.page_source

        def page_source(*query: Any) -> Any:
            marks.setdefault(f"page source asked for ({where()})", now())
            page = source_for(*query)
            marks.setdefault(f"page source built ({where()})", now())

            def timed_page(after: Any, limit: int) -> Any:
                marks.setdefault(f"first page query started ({where()}; opens the store)", now())
                result = page(after, limit)
                marks.setdefault(f"first page query returned ({where()})", now())
                return result

            return timed_page

        made.page_source = page_source
        return made

    def timed_show(self: Any) -> None:
        show(self)
        marks.setdefault("window shown", now())

    app_module.build_desk_window, app_module._ports = timed_build, ports
    main_window.MainWindow.show = timed_show
    code = app_module.run(["--store", f"sqlite:///{store}", "--exit-after-startup"])
    for name, ms in marks.items():
        print(f"mark {name}={ms:.1f}")
    return code


@contextmanager
def xvfb() -> Iterator[str]:
    """A private X server for the run; yields its DISPLAY."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


# -- GUI stalls, in this process ----------------------------------------------------------------

CHECK_PLAYBOOK = """\
id: bench-local-checks
title: "Benchmark: local checks"
version: 1
category: other
keywords: [benchmark local checks]
required_facts: []
start: c1
nodes:
{nodes}
  done:
    resolve: {{summary: "Every check ran"}}
"""


def local_checks(port: int) -> list[tuple[str, dict[str, object]]]:
    """Ten real checks that complete on this machine without the internet."""
    return [
        ("dns_resolves", {"host": "localhost"}),
        ("tcp_connect", {"host": "127.0.0.1", "port": port}),
        ("interface_up", {"pattern": "lo"}),
        ("disk_free_at_least", {"path": "/", "percent": 1}),
        ("memory_available_at_least", {"percent": 1}),
        ("process_running", {"name": Path(sys.executable).name}),
        ("uptime_at_most", {"days": 3650}),
        ("default_gateway_present", {}),
        ("cpu_load_at_most", {"percent": 100}),
        ("tcp_connect", {"host": "localhost", "port": port}),
    ]


def write_check_playbook(folder: Path, port: int) -> None:
    nodes = []
    checks = local_checks(port)
    for n, (name, args) in enumerate(checks, start=1):
        after = f"c{n + 1}" if n < len(checks) else "done"
        shown = ", ".join(f"{k}: {v}" for k, v in args.items())
        nodes.append(
            f"  c{n}:\n    check: {name}\n    args: {{{shown}}}\n"
            f"    on_pass: {after}\n    on_fail: {after}\n    on_error: {after}"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench-local-checks.yaml").write_text(CHECK_PLAYBOOK.format(nodes="\n".join(nodes)))


class StallWitness:
    """With ``--explain``: what each stall over the goal was made of.

    A stall with an idle GUI thread is a wait for the GIL: behind worker threads running
    Python (imports above all), each of the GUI thread's Python callbacks may wait up to the
    5 ms switch interval; behind a long C call (an extension module loading, a full garbage
    collection) it waits for all of it. So: a watchdog thread sleeping 1 ms at a time notes
    how late it wakes (how long another thread held the GIL in one piece); ``gc.callbacks``
    note collections over 5 ms; a finder first on ``sys.meta_path`` notes which modules began
    importing (and finds nothing); and a timer on the GUI thread notes its ticks (a gap
    between ticks is a stall). No stack sampling: reading other threads' frames perturbs the
    timings and crashed this process once.
    """

    def __init__(self) -> None:
        import threading

        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self.events: list[tuple[float, str, str]] = []
        self._timer = QTimer(interval=10)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))
        self._timer.start()
        self.holds: list[tuple[float, float]] = []
        self.collections: list[tuple[float, float, int]] = []  # (ended, ms, generation)
        self._collecting = 0.0
        gc.callbacks.append(self._collection)
        self._done = threading.Event()
        threading.Thread(target=self._watch_gil, daemon=True, name="gil-watchdog").start()
        sys.meta_path.insert(0, self)

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        import threading

        self.events.append((time.perf_counter(), threading.current_thread().name, name))

    def _collection(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._collecting = now
        elif (now - self._collecting) * 1000 > 5:
            self.collections.append((now, (now - self._collecting) * 1000, info["generation"]))

    def _watch_gil(self) -> None:
        while True:
            asked = time.perf_counter()
            if self._done.wait(0.001):
                return
            woke = time.perf_counter()
            if woke - asked > 0.015:
                self.holds.append((woke, (woke - asked) * 1000))

    def stop(self) -> None:
        if self._collection in gc.callbacks:
            gc.callbacks.remove(self._collection)
        self._done.set()
        self._timer.stop()
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    def explain(self, threshold_ms: float, ended: float) -> None:
        ticks = [*self.ticks, ended]  # a stall that ran to the end of the scenario counts too
        gaps = [(b - a, a, b) for a, b in zip(ticks, ticks[1:], strict=False)]
        for gap, start, end in sorted(g for g in gaps if g[0] * 1000 > threshold_ms)[-3:]:
            began = [(thread, name) for t, thread, name in self.events if start <= t <= end]
            held = max((ms for t, ms in self.holds if start <= t <= end + 0.005), default=0.0)
            gcs = [f"{ms:.0f} ms (gen {g})" for t, ms, g in self.collections if start <= t <= end]
            print(
                f"    stall of {gap * 1000:.0f} ms (tick to tick): the GIL was held in one piece "
                f"for up to {held:.0f} ms by some thread; garbage collections over 5 ms: "
                f"{', '.join(gcs) or 'none'}; {len(began)} imports began during it"
                + (":" if began else "")
            )
            by_thread: dict[str, list[str]] = {}
            for thread, name in began:
                packages = by_thread.setdefault(thread, [])
                package = ".".join(name.split(".")[:2])
                if package not in packages:
                    packages.append(package)
            for thread, packages in by_thread.items():
                shown = ", ".join(packages[:12]) + (" ..." if len(packages) > 12 else "")
                print(f"      on {thread}: {shown}")


class StallBench:
    """The real window(s) in this process, a heartbeat, and the scenarios."""

    def __init__(self, explain: bool = False) -> None:
        from PySide6.QtCore import qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        from tests.benchmarks.heartbeat import Heartbeat

        def quiet(kind: object, context: object, message: str) -> None:
            if "propagateSizeHints" not in message:  # the offscreen plugin says it per window
                print(f"Qt: {message}", file=sys.stderr)

        qInstallMessageHandler(quiet)
        self.app = QApplication.instance() or QApplication([sys.argv[0]])
        self.heartbeat = Heartbeat(10)
        self.witness = StallWitness() if explain else None
        self.opened: list[tuple[Any, Any, list[Any]]] = []

    # -- waiting without blocking the event loop -----------------------------------------------

    def spin(self, ms: int) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(self, done: Callable[[], bool], seconds: float, what: str) -> None:
        deadline = time.perf_counter() + seconds
        while not done():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"gave up after {seconds:.0f} s waiting for {what}")
            self.spin(5)

    @contextmanager
    def measured(
        self, label: str, details: Callable[[], str] = lambda: "", goal: bool = True
    ) -> Iterator[None]:
        self.heartbeat.reset()
        started, cpu = time.perf_counter(), time.thread_time()
        if self.witness is not None:
            self.witness.ticks[:] = [started]
            self.witness.events.clear()
            self.witness.holds.clear()
            self.witness.collections.clear()
        yield
        ended, cpu = time.perf_counter(), time.thread_time() - cpu
        self.heartbeat.stop()  # counts the gap since the last tick too
        seconds = ended - started
        beat = self.heartbeat
        longest = sorted(beat.stalls_over(0.0), reverse=True)[:3]
        over = beat.stalls_over(GOAL_STALL_MS)
        print(
            f"{label}: longest stall {beat.max_stall_ms:5.1f} ms, {len(over)} over "
            f"{GOAL_STALL_MS:.0f} ms; 3 longest {', '.join(f'{s:.1f}' for s in longest) or '-'} "
            f"ms; {beat.ticks} ticks in {seconds:.1f} s, GUI thread on the CPU "
            f"{cpu / seconds:.0%} of it{details()}"
        )
        if goal:
            print(f"  goal no stall > {GOAL_STALL_MS:.0f} ms: {verdict(not over)}")
        if self.witness is not None:
            self.witness.explain(GOAL_STALL_MS + beat.interval_ms, ended)
        self.heartbeat.start()

    # -- windows ---------------------------------------------------------------------------------

    def open_window(
        self, label: str, store_url: str, work: Path, playbooks: Path
    ) -> tuple[Any, Any]:
        """The real window over ``store_url`` (built as console.app builds it), shown."""
        from PySide6.QtCore import QSettings

        from console.app import build_desk_window
        from console.settings import Settings

        settings = Settings({"agent.name": BENCH_AGENT, "playbooks.folders": (str(playbooks),)})
        geometry = QSettings(
            str(work / f"geometry{len(self.opened)}.ini"), QSettings.Format.IniFormat
        )
        desk, window, sessions = build_desk_window(
            store_url, os.environ, settings, geometry, data_dir=work / "sessions"
        )
        first: list[bool] = []
        window.first_page_loaded.connect(lambda: first.append(True))
        self.opened.append((desk, window, sessions))
        with self.measured(
            f"{label}: window shown, its first page, and the 3 s after (first outbox delivery, "
            "crash check, queue counts)"
        ):
            window.show()
            window.start()
            self.wait_until(lambda: bool(first), 120, "the first queue page")
            self.spin(3000)
        return desk, window

    def close_all(self) -> None:
        for desk, window, sessions in reversed(self.opened):
            window.hide()  # not close(): waiting packages would ask a modal question
            window.shutdown()
            desk.close()
            sessions.end()
        self.opened.clear()

    # -- the scenarios ---------------------------------------------------------------------------

    def calibrate(self) -> None:
        from PySide6.QtCore import QTimer

        with self.measured("calibration: a deliberate 80 ms block on the GUI thread", goal=False):
            QTimer.singleShot(30, lambda: time.sleep(0.080))
            self.spin(200)
        caught = self.heartbeat.max_stall_ms >= GOAL_STALL_MS  # still there after the report
        print(f"  the heartbeat catches a stall over {GOAL_STALL_MS:.0f} ms: {caught}")

    def new_ticket(self, window: Any) -> Any:
        """A ticket opened through the intake panel, on the benchmark playbook."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        USER_ROLE = Qt.ItemDataRole.UserRole  # noqa: N806 - Qt's name
        workspace = window.open_ticket(None)
        self.wait_until(
            lambda: workspace.intake is not None,
            60,
            f"the intake panel (the workspace says {workspace.notice.text()!r})",
        )
        intake = workspace.intake
        QTest.keyClicks(intake.edits["caller"], "Bench Caller")  # typed: suggestions follow keys
        QTest.keyClicks(intake.edits["summary"], "Benchmark local checks on the caller's laptop")

        def suggested() -> object | None:
            items = [intake.playbooks.item(n) for n in range(intake.playbooks.count())]
            return next((i for i in items if i.data(USER_ROLE) == "bench-local-checks"), None)

        self.wait_until(lambda: suggested() is not None, 10, "the playbook suggestion")
        intake.playbooks.setCurrentItem(suggested())  # as the agent picks it
        intake.open_button.click()
        self.wait_until(
            lambda: workspace.troubleshoot is not None and workspace.diagnostics is not None,
            60,
            "the ticket's steps",
        )
        return workspace

    def captures(self, workspace: Any, count: int) -> None:
        panel = workspace.diagnostics
        workspace.show_step(2)
        self.wait_until(lambda: not panel.busy, 30, "the diagnostics panel")
        took: list[float] = []
        with self.measured(
            f"capture diagnostics of this machine x{count} (diagnostics panel, real "
            "capture_snapshot)",
            lambda: f"; {statistics.median(took):.0f} ms per capture (p50, click to shown)",
        ):
            for _ in range(count):
                before = panel.capture_count
                started = time.perf_counter()
                panel.capture_device()
                self.wait_until(
                    lambda before=before: not panel.busy and panel.capture_count > before,
                    60,
                    "a capture",
                )
                took.append((time.perf_counter() - started) * 1000)

    def checks(self, workspace: Any, count: int) -> None:
        from PySide6.QtWidgets import QPushButton

        panel = workspace.troubleshoot
        workspace.show_step(1)

        def button(name: str) -> QPushButton | None:
            shown = [b for b in panel.findChildren(QPushButton, name) if b.isVisible()]
            return next((b for b in shown if b.isEnabled()), None)

        def statuses() -> str:
            entries = [e for e in panel.runner.entries if e.check is not None]
            return " ".join(f"{e.check.name}={e.check.status}" for e in entries)

        took: list[float] = []
        with self.measured(
            f"run checks x{count} (troubleshoot panel, real local checks)",
            lambda: (
                f"; {statistics.median(took):.0f} ms per check (p50, click to shown); "
                f"results {statuses()}"
            ),
        ):
            for _ in range(count):
                self.wait_until(lambda: button("troubleshoot_run_check") is not None, 10, "Run")
                started = time.perf_counter()
                button("troubleshoot_run_check").click()
                self.wait_until(
                    lambda: button("troubleshoot_check_continue") is not None, 30, "a check"
                )
                took.append((time.perf_counter() - started) * 1000)
                button("troubleshoot_check_continue").click()

    def outbox(self, label: str, desk: Any, window: Any, packages: int) -> None:
        """Submit ``packages`` escalations through the service (not measured), then deliver
        them through the window as its timer or F5 does (measured until the task is done)."""
        from sqlalchemy import func, select

        from console.domain.enums import OutboxState
        from console.store.models import OutboxItem
        from tests.builders import AGENT, add_ticket, complete_submission

        store = desk.stores.workstation
        prefix = f"HD-BO{len(self.opened)}{int(time.time()) % 10_000:04d}"
        for n in range(packages):
            ref = add_ticket(store, f"{prefix}{n:04d}")
            desk.escalation.submit(complete_submission(ref), AGENT)

        def pending() -> int:
            with store.sessions() as s:
                count = select(func.count()).select_from(OutboxItem)
                return s.scalar(count.where(OutboxItem.state == OutboxState.PENDING)) or 0

        waiting = pending()
        status = window.status
        took: list[float] = []
        with self.measured(
            f"deliver an outbox of {waiting} packages ({label})",
            lambda: (
                f"; delivered in {took[0]:.0f} ms, {pending()} still pending, status bar "
                f"{status.outbox.text()!r}"
            ),
        ):
            started = time.perf_counter()
            window.deliver_outbox(now=True)  # as F5 does
            self.wait_until(status.busy.isHidden, 120, "the delivery")
            took.append((time.perf_counter() - started) * 1000)

    def scroll(self, label: str, table: Any, model: Any, seconds: float, rows: int) -> None:
        """Page down a list as fast as a held PageDown key repeats (every 16 ms)."""
        from PySide6.QtCore import QTimer

        bar = table.verticalScrollBar()
        steps = [0]
        started = time.perf_counter()

        def step() -> None:
            steps[0] += 1
            bar.setValue(bar.value() + bar.pageStep())

        timer = QTimer(interval=16)
        timer.timeout.connect(step)
        with self.measured(
            f"{label}, a page down every 16 ms for {seconds:.0f} s or to {rows} rows",
            lambda: (
                f"; {model.rowCount()} rows loaded, {steps[0]} page-downs, now at row "
                f"{table.rowAt(0)}; a repaint of the list {repaint_ms(table)}"
            ),
        ):
            timer.start()
            self.wait_until(
                # To the last row of a full page, or out of time.
                lambda: table.rowAt(0) >= rows - 200 or time.perf_counter() - started > seconds,
                seconds + 30,
                "the scroll",
            )
            timer.stop()

    def scroll_queue(self, window: Any, seconds: float, rows: int) -> None:
        window.navigation.select_view("all")
        model, table = window.queue.model, window.queue.table
        self.wait_until(lambda: model.rowCount() > 0 and not model.loading, 60, "All tickets")
        self.scroll("scroll All tickets (fetching pages)", table, model, seconds, rows)

    def scroll_floor(self, like: Any, seconds: float, rows: int) -> None:
        """The floor: a bare QTableView over a QStandardItemModel holding ``rows`` short
        cells, the size of the app's list, scrolled the same way."""
        from PySide6.QtGui import QStandardItem, QStandardItemModel
        from PySide6.QtWidgets import QTableView

        model = QStandardItemModel(0, 8)
        for n in range(rows):
            model.appendRow([QStandardItem(f"HD-{n:07d}") for _ in range(8)])
        table = QTableView()
        table.setModel(model)
        table.resize(like.size())
        table.show()
        self.spin(200)
        self.scroll(
            "floor: a bare QTableView, same size, rows in a QStandardItemModel",
            table,
            model,
            seconds,
            rows,
        )
        table.close()


def repaint_ms(table: Any, times: int = 20) -> str:
    """What one repaint of the list's viewport costs the GUI thread (the work of one scroll
    step): wall time and this thread's CPU time, medians."""
    viewport = table.viewport()
    wall, cpu = [], []
    for _ in range(times):
        w, c = time.perf_counter(), time.thread_time()
        viewport.repaint()
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return f"takes {statistics.median(wall):.1f} ms ({statistics.median(cpu):.1f} ms CPU)"


def bench_stalls(store: Path, work: Path, team: bool, explain: bool) -> None:
    """In a child of its own, so that nothing the benchmark imported (SQLAlchemy, to seed)
    is loaded before the window: the seconds after the first page are measured as they are."""
    argv = [sys.executable, "-m", "tests.benchmarks.bench_gui", "--child-stalls", str(store)]
    argv += [str(work), "team" if team else "no-team", "explain" if explain else "quiet"]
    subprocess.run(argv, cwd=ROOT, env=isolated_env(work, None), check=True)


def child_stalls(store: Path, work: Path, team: bool, explain: bool) -> None:
    import socket

    bench = StallBench(explain)
    listener = socket.create_server(("127.0.0.1", 0))  # tcp_connect's loopback far side
    playbooks = work / "playbooks"
    write_check_playbook(playbooks, listener.getsockname()[1])
    cluster = None
    print(
        f"--- GUI stalls (offscreen, heartbeat every {bench.heartbeat.interval_ms} ms; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs)",
        flush=True,
    )
    try:
        bench.heartbeat.start()
        desk, window = bench.open_window("local store", f"sqlite:///{store}", work, playbooks)
        bench.calibrate()
        workspace = bench.new_ticket(window)
        bench.captures(workspace, 10)
        bench.checks(workspace, 10)
        bench.outbox("local store: delivery only marks them delivered", desk, window, 200)
        if team:
            cluster, url = team_store()
            if url:
                team_desk, team_window = bench.open_window("team store", url, work, playbooks)
                bench.outbox("into the PostgreSQL team store", team_desk, team_window, 200)
        bench.scroll_queue(window, 20.0, 20_000)
        bench.scroll_floor(window.queue.table, 20.0, 20_000)
    finally:
        bench.heartbeat.stop()
        if bench.witness is not None:
            bench.witness.stop()
        bench.close_all()
        listener.close()
        if cluster is not None:
            cluster.remove()


def team_store() -> tuple[object | None, str]:
    """A throwaway PostgreSQL cluster with the schema; (None, "") when none can start."""
    from console.store.database import open_store, parse_store_url
    from tests.support.postgres import PostgresCluster

    cluster = PostgresCluster()
    try:
        cluster.start()
        url = cluster.create_database("team")
        open_store(parse_store_url(url), upgrade=True).dispose()
    except Exception as exc:  # noqa: BLE001 - said in the output instead
        print(f"deliver into a PostgreSQL team store: skipped, no server ({exc})")
        cluster.remove()
        return None, ""
    return cluster, url


# -- main ---------------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child-timeline":
        sys.exit(child_timeline(sys.argv[2]))
    if len(sys.argv) == 6 and sys.argv[1] == "--child-stalls":
        _, _, store, work, team, explain = sys.argv
        child_stalls(Path(store), Path(work), team == "team", explain == "explain")
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", default="startup,breakdown,stalls", help="comma-separated phases")
    parser.add_argument("--xvfb", action="store_true", help="start-up under Xvfb too")
    parser.add_argument(
        "--app-command",
        choices=("module", "entry"),
        default="module",
        help="start the app as `python -m console.app` or as the `agent-console` command",
    )
    parser.add_argument("--no-team", action="store_true", help="skip the PostgreSQL delivery")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="say what each stall over the goal was made of (GIL holds, collections, imports)",
    )
    args = parser.parse_args()
    phases = set(args.only.split(","))
    cached = seeded_store(args.tickets)
    with tempfile.TemporaryDirectory(prefix="ac-bench-gui-") as tmp:
        work = Path(tmp)
        store = work / "console.db"
        shutil.copyfile(cached, store)
        # As installed: bytecode compiled (pip does it for a wheel), so no child compiles.
        compileall.compile_dir(str(ROOT / "console"), quiet=1)
        compileall.compile_dir(str(ROOT / "tests"), quiet=1)
        if "startup" in phases:
            env = isolated_env(work, None)
            app = app_argv(args.app_command, store)
            bench_startup("offscreen", env, app, args.runs)
            if args.xvfb:
                if shutil.which("Xvfb") is None:
                    print("--- start-up under Xvfb: skipped, Xvfb is not installed")
                else:
                    with xvfb() as display:
                        bench_startup(
                            f"Xvfb {display}", isolated_env(work, display), app, args.runs
                        )
        if "breakdown" in phases:
            bench_breakdown(isolated_env(work, None), store, 3)
        if "stalls" in phases:
            bench_stalls(store, work, team=not args.no_team, explain=args.explain)


if __name__ == "__main__":
    main()
