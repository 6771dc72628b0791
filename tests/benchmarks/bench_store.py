"""Store benchmarks (issue 2): run on demand, print figures, assert nothing.

    .venv/bin/python -m tests.benchmarks.bench_store [--tickets 100000] [--seconds 30]
        [--only seed,submit,concurrent]

Figures:
- seed N tickets into SQLite and into PostgreSQL (wall time, tickets/s);
- submit latency (gate + freeze + package + outbox row, one transaction) of a package with a
  2 MB screenshot, into a SQLite store and into a PostgreSQL store, p50/p95 over many runs;
  beside it, the floor: the same transaction with the package bytes precomputed;
- 16 concurrent submitters for N seconds, each a console with its own SQLite workstation
  submitting and delivering to one PostgreSQL team store: throughput, and the counts that
  prove nothing was lost or duplicated.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import func, select, text

from console.domain.enums import OutboxState
from console.resources import load_priority_matrix
from console.services.delivery import DeliveryService
from console.services.demo import DemoSeeder
from console.services.escalate import EscalationService
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.destinations import SqlStoreDestination
from console.store.models import OutboxItem, Package, Ticket
from tests.builders import AGENT, add_ticket, complete_submission
from tests.support.postgres import PostgresCluster

SCREENSHOT = 2 * 1024 * 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_seed(store: TicketStore, label: str, n: int) -> None:
    started = time.perf_counter()
    report = DemoSeeder(store).seed(n)
    seconds = time.perf_counter() - started
    print(
        f"seed {n:>7} tickets into {label:<10}: {seconds:6.1f} s  ({n / seconds:8.0f} tickets/s, "
        f"{report.escalated} packages)"
    )


def bench_submit(store: TicketStore, label: str, runs: int) -> None:
    """Submit latency beside its floor: a bare insert of the same bytes, committed."""
    service = EscalationService(store, load_priority_matrix(), "local")
    template = complete_submission("HD-BENCH", screenshot_bytes=SCREENSHOT)
    blob = template.attachments[0].content
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, data BYTEA)"
                if store.kind == "postgresql"
                else "CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, data BLOB)"
            )
        )
    # Two phases, not alternating: SQLite's WAL checkpoints every ~4 MB, and alternating would
    # land every checkpoint on the same side.
    latencies, floor = [], []
    for i in range(runs):
        ref = f"HD-B{store.kind[:2].upper()}{i:05d}"
        add_ticket(store, ref)
        started = time.perf_counter()
        service.submit(replace(template, ref=ref), AGENT)
        latencies.append((time.perf_counter() - started) * 1000)
    for i in range(runs):
        started = time.perf_counter()
        with store.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO bench_floor (id, data) VALUES (:i, :d)"), {"i": i, "d": blob}
            )
        floor.append((time.perf_counter() - started) * 1000)
    p50, floor50 = statistics.median(latencies), statistics.median(floor)
    print(
        f"submit 2 MB screenshot into {label:<10}: p50 {p50:6.1f} ms  "
        f"p95 {percentile(latencies, 0.95):6.1f} ms  | floor (bare 2 MB insert) p50 "
        f"{floor50:5.1f} ms p95 {percentile(floor, 0.95):5.1f} ms  | ratio {p50 / floor50:4.1f}x  "
        f"({runs} runs)"
    )


def _console(args: tuple[int, str, str, float], ready: Any, results: Any) -> None:
    """One console: its own process and workstation store, submitting until the deadline while
    its background worker delivers the outbox to the team store (as the app does).

    It waits at ``ready`` once everything is imported and opened, so no console's start-up
    (seconds of CPU on this machine) falls inside the measured window."""
    index, team_url, workdir, seconds = args
    workstation = open_store(parse_store_url(f"{workdir}/ws{index}.db"))
    team = open_store(parse_store_url(team_url), pool_size=1)
    service = EscalationService(workstation, load_priority_matrix(), team_url)
    delivery = DeliveryService(workstation, SqlStoreDestination(team))
    submitted: list[str] = []
    errors: list[str] = []
    done = threading.Event()
    submitted_one = threading.Event()

    def deliver_in_background() -> None:
        try:
            while not done.is_set():
                # Woken by a submission, as the app's worker is; what piled up meanwhile goes
                # to the team store in one transaction. (A debounce measured slower here.)
                if submitted_one.wait(0.5):
                    submitted_one.clear()
                    delivery.deliver()
            while delivery.deliver().waiting:  # drain what the last submissions left
                pass
        except Exception as exc:  # noqa: BLE001 - reported with the figures
            errors.append(f"console {index} delivery: {type(exc).__name__}: {exc}")

    ready.wait()  # every console starts at once, warmed up
    deadline = time.time() + seconds
    cpu_started = time.process_time()
    worker = threading.Thread(target=deliver_in_background)
    worker.start()
    try:
        while time.time() < deadline:
            ref = f"HD-C{index:02d}{len(submitted):06d}"
            add_ticket(workstation, ref)
            submitted.append(service.submit(complete_submission(ref), AGENT).package_id)
            submitted_one.set()
    except Exception as exc:  # noqa: BLE001 - reported with the figures
        errors.append(f"console {index}: {type(exc).__name__}: {exc}")
    finally:
        done.set()
        worker.join()
        cpu = time.process_time() - cpu_started
        workstation.dispose()
        team.dispose()
    results.put((submitted, "; ".join(errors), cpu))


def server_cpu_seconds(cluster: PostgresCluster) -> float:
    """CPU used by the PostgreSQL server: the postmaster, its live children, and (through the
    postmaster's own accounting) the backends that already exited."""
    pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
    postmaster = psutil.Process(pid)
    times = postmaster.cpu_times()
    total = times.user + times.system + times.children_user + times.children_system
    for child in postmaster.children():
        try:
            t = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def bench_concurrent(
    cluster: PostgresCluster, team_url: str, workdir: Path, consoles: int, seconds: float
) -> None:
    """Consoles are separate processes in real life, so each submitter is a process here.

    On this machine the 16 consoles share the two cores with the server, which no real team
    does (each console is its own workstation), so the CPU each side used is printed too: the
    server's CPU per submission is what bounds a real team store.
    """
    team = open_store(parse_store_url(team_url), upgrade=True)
    for i in range(consoles):  # create the workstation stores before the clock starts
        open_store(parse_store_url(str(workdir / f"ws{i}.db"))).dispose()
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(consoles + 1)
    queue = context.Queue()
    processes = [
        context.Process(target=_console, args=((i, team_url, str(workdir), seconds), ready, queue))
        for i in range(consoles)
    ]
    for process in processes:
        process.start()
    ready.wait(timeout=600)  # the clock starts once every console has started up
    server_before = server_cpu_seconds(cluster)
    results: list[tuple[list[str], str, float]] = [
        queue.get(timeout=seconds + 600) for _ in processes
    ]
    for process in processes:
        process.join()
    server_cpu = server_cpu_seconds(cluster) - server_before
    consoles_cpu = sum(cpu for _, _, cpu in results)
    elapsed = seconds

    ids = [pid for batch, _, _ in results for pid in batch]
    errors = [e for _, e, _ in results if e]
    with team.sessions() as s:
        stored = s.scalar(select(func.count()).select_from(Package)) or 0
        distinct = s.scalar(select(func.count(func.distinct(Package.id)))) or 0
        tickets = s.scalar(select(func.count()).select_from(Ticket)) or 0
    pending = 0
    for i in range(consoles):
        ws = open_store(parse_store_url(str(workdir / f"ws{i}.db")))
        with ws.sessions() as s:
            pending += (
                s.scalar(
                    select(func.count())
                    .select_from(OutboxItem)
                    .where(OutboxItem.state == OutboxState.PENDING)
                )
                or 0
            )
        ws.dispose()
    team.dispose()
    print(
        f"{consoles} concurrent submitters (processes), {elapsed:.1f} s: {len(ids)} submitted "
        f"and delivered, {stored / elapsed:.0f} submissions/s into PostgreSQL"
    )
    print(
        f"  submitted {len(ids)}, in team store {stored} (distinct {distinct}, tickets {tickets}), "
        f"still pending {pending}: lost {len(set(ids)) - stored}, "
        f"duplicated {stored - distinct}"
    )
    n = max(stored, 1)
    print(
        f"  CPU per submission: server {server_cpu / n * 1000:.2f} ms, consoles "
        f"{consoles_cpu / n * 1000:.2f} ms (while submitting); the server alone would take "
        f"{psutil.cpu_count() / max(server_cpu / n, 1e-9):.0f} submissions/s on "
        f"{psutil.cpu_count()} cores"
    )
    for e in errors:
        print(f"  error: {e}")


def timed(label: str, fn: Callable[[], None]) -> None:
    print(f"--- {label}")
    fn()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--only",
        default="seed,submit,concurrent",
        help="comma-separated phases to run (each is quieter alone: seeding leaves the server "
        "busy with autovacuum for a while)",
    )
    args = parser.parse_args()
    phases = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="ac-bench-") as tmp:
        work = Path(tmp)
        cluster = PostgresCluster()
        cluster.start()
        try:
            if "seed" in phases:
                sqlite = open_store(parse_store_url(str(work / "seed.db")))
                pg = open_store(parse_store_url(cluster.create_database("seed")), upgrade=True)
                timed(
                    "seed",
                    lambda: (
                        bench_seed(sqlite, "SQLite", args.tickets),
                        bench_seed(pg, "PostgreSQL", args.tickets),
                    ),
                )
                sqlite.dispose()
                pg.dispose()
            if "submit" in phases:
                local = open_store(parse_store_url(str(work / "submit.db")))
                remote = open_store(
                    parse_store_url(cluster.create_database("submit")), upgrade=True
                )
                timed(
                    "submit",
                    lambda: (
                        bench_submit(local, "SQLite", args.runs),
                        bench_submit(remote, "PostgreSQL", args.runs),
                    ),
                )
                local.dispose()
                remote.dispose()
            if "concurrent" in phases:
                team_url = cluster.create_database("team")
                timed(
                    "concurrent",
                    lambda: bench_concurrent(cluster, team_url, work, args.threads, args.seconds),
                )
        finally:
            cluster.remove()


if __name__ == "__main__":
    main()
