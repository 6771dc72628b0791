"""Queue and draft benchmarks (issue 5): run on demand, print figures, assert nothing.

    .venv/bin/python -m tests.benchmarks.bench_queues [--tickets 100000] [--store PATH]
        [--page-size 100] [--runs 9] [--only queues,drafts,first-page] [--sort-indexes]
        [--first-page-runs 7]

Figures (medians of ``--runs`` timings, wall clock, milliseconds):
- every queue view, and "All tickets" in every sort both ways, plus two searches: the first
  page, and page 500 (or the last page, when the view has fewer), on a SQLite store seeded
  with ``--tickets`` demo tickets; ``count`` of each view;
- a draft save (one transaction, ~20 KB of JSON, the revision check included) and a load,
  p50 and p95 over 500 saves;
- the first page of "All tickets" (200 rows) in a fresh process, as the window's start-up
  pays for it: ``python -c`` that imports the stdlib reader (queues_sqlite) and reads it,
  against one that imports the SQLAlchemy reader, opens the store and reads it, and an
  interpreter that imports nothing of the project; medians of ``--first-page-runs`` runs
  after one warm-up (hyperfine's method): the process's wall time, the time inside it, and
  its peak RSS.

``--store PATH`` reuses a store seeded before (seeding 100,000 tickets takes about 30 s);
``--sort-indexes`` first adds an index per sort column, to compare against.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from console.services.demo import DemoSeeder
from console.services.demo_catalog import AGENTS
from console.services.drafts import DraftService
from console.services.queue_model import PageKey, QueueQuery, QueueView, SortColumn
from console.services.queues import TicketQueries
from console.store.database import TicketStore, open_store, parse_store_url
from console.store.models import Ticket
from tests.builders import add_ticket

DEEP_PAGE = 500
SORT_INDEXES = (
    "CREATE INDEX IF NOT EXISTS bench_updated ON tickets (updated_at, id)",
    "CREATE INDEX IF NOT EXISTS bench_priority ON tickets (priority, id)",
    "CREATE INDEX IF NOT EXISTS bench_status ON tickets (status, id)",
    "CREATE INDEX IF NOT EXISTS bench_caller ON tickets (caller, id)",
    "CREATE INDEX IF NOT EXISTS bench_category ON tickets (category, id)",
)


def median_ms(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def deep_key(queries: TicketQueries, query: QueueQuery, size: int) -> tuple[int, PageKey | None]:
    """Page 500 (or the last page) and the key that starts it.

    A key depends only on how many rows lie before it, not on the page size that led there,
    so the walk takes big steps.
    """
    total = queries.count(query)
    number = max(1, min(DEEP_PAGE, -(-total // size)))
    before, after = (number - 1) * size, None
    while before > 0:
        step = min(before, 5000)
        after = queries.page(query, after, step).next_key
        before -= step
    return number, after


def bench_query(
    queries: TicketQueries, label: str, query: QueueQuery, size: int, runs: int
) -> None:
    first = median_ms(lambda: queries.page(query, None, size), runs)
    number, key = deep_key(queries, query, size)
    deep = median_ms(lambda: queries.page(query, key, size), runs)
    count = median_ms(lambda: queries.count(query), runs)
    print(
        f"  {label:<34} page 1 {first:7.2f} ms   page {number:>3} {deep:7.2f} ms   "
        f"count {count:7.2f} ms"
    )


def bench_queues(store: TicketStore, size: int, runs: int) -> None:
    queries = TicketQueries(store)
    with store.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Ticket))
        agent = session.scalar(
            select(Ticket.agent).group_by(Ticket.agent).order_by(func.count().desc()).limit(1)
        )
    agent = agent or AGENTS[0][0]
    print(f"queues over {total} tickets, {size} rows a page, agent {agent!r}, {runs} runs")
    for view in QueueView:
        bench_query(queries, view.value, QueueQuery(view, agent=agent), size, runs)
    for sort in SortColumn:
        for descending in (True, False):
            label = f"All tickets by {sort.value} {'desc' if descending else 'asc'}"
            bench_query(queries, label, QueueQuery(sort=sort, descending=descending), size, runs)
    for search in ("okafor", "hd-00"):
        label = f"All tickets, search {search!r}"
        bench_query(queries, label, QueueQuery(search=search), size, runs)
    query = QueueQuery(QueueView.MY_OPEN, agent=agent, search="vpn")
    bench_query(queries, "My open tickets, search 'vpn'", query, size, runs)


def realistic_draft(step: int) -> dict[str, Any]:
    """About 20 KB of JSON: the intake, a 50-step playbook run with notes and check
    evidence, the handoff form, attachment ids."""
    transcript = [
        {
            "node": f"step_{n}",
            "kind": "check" if n % 3 == 0 else "ask",
            "prompt": "Ask the caller whether GlobalProtect shows 'Connecting...' or an error",
            "answer": "It stays on Connecting for about 30 seconds, then shows the gateway error",
            "note": f"Caller on hotel Wi-Fi, tried the phone hotspot at step {n} as well",
            "evidence": {"host": "vpn.example.com", "port": 443, "elapsed_ms": 5000 + n},
            "at": f"2026-11-23T09:{n:02d}:00+00:00",
        }
        for n in range(50)
    ]
    return {
        "intake": {
            "caller": "Maya Okafor",
            "contact": "maya.okafor@northwind.example",
            "client": "Northwind Traders",
            "site": "Lyon branch",
            "channel": "phone",
            "summary": "GlobalProtect times out at Connecting from the caller's home network",
            "description": "Worked yesterday. Webmail works. Colleagues on site are fine.",
            "category": "vpn",
            "playbook_id": "vpn-cannot-connect",
        },
        "playbook": {"id": "vpn-cannot-connect", "version": 3, "transcript": transcript},
        "handoff": {
            "what_is_wrong": "GlobalProtect times out at 'Connecting...' from home " * 3,
            "error_verbatim": "The network connection is unreachable or the gateway is "
            "unresponsive.",
            "affected_scope": "single_user",
            "affected_count": 1,
            "urgency": "work_stopped",
            "triggers": ["integration_failure"],
            "queue": "network",
            "facts": {"vpn_client": "GlobalProtect 6.2.1", "vpn_protocol": "SSL/TLS"},
            "typed": step,
        },
        "attachments": [11, 12, 13],
    }


def bench_drafts(store: TicketStore, saves: int) -> None:
    with store.sessions.begin() as session:  # a rerun on a kept store starts afresh
        session.execute(text("DELETE FROM tickets WHERE ref = 'HD-BENCHDR'"))
    add_ticket(store, "HD-BENCHDR")
    drafts = DraftService(store)
    size = len(json.dumps(realistic_draft(0)))
    revision = drafts.save("HD-BENCHDR", realistic_draft(0), None)
    save_ms, load_ms = [], []
    for step in range(1, saves + 1):
        content = realistic_draft(step)
        started = time.perf_counter()
        revision = drafts.save("HD-BENCHDR", content, revision)
        save_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        drafts.load("HD-BENCHDR")
        load_ms.append((time.perf_counter() - started) * 1000)
    print(
        f"draft save ({size / 1024:.1f} KB JSON, {saves} saves, {store.kind}): "
        f"p50 {percentile(save_ms, 0.5):.2f} ms, p95 {percentile(save_ms, 0.95):.2f} ms; "
        f"load p50 {percentile(load_ms, 0.5):.2f} ms"
    )


# Each script prints the milliseconds from before its first project import to the page read,
# then the process's peak RSS in KiB: VmHWM, not ru_maxrss, which Linux carries over from the
# parent (this benchmark, large after seeding) through fork and exec.
_FIRST_PAGE_SCRIPTS = {
    "bare interpreter (no project import)": "",
    "stdlib reader (queues_sqlite)": """
from pathlib import Path
from console.services.queue_model import QueueQuery
from console.services.queues_sqlite import SqliteTicketQueries
page = SqliteTicketQueries(Path(STORE)).page(QueueQuery(), None, 200)
assert len(page.rows) == 200
""",
    "SQLAlchemy reader (queues)": """
from console.services.queues import TicketQueries
from console.services.queue_model import QueueQuery
from console.store.database import open_store, parse_store_url
page = TicketQueries(open_store(parse_store_url(STORE))).page(QueueQuery(), None, 200)
assert len(page.rows) == 200
""",
}
_TIMED = """import time
started = time.perf_counter()
STORE = {store!r}
{body}
elapsed = (time.perf_counter() - started) * 1000
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
print(elapsed, peak)
"""


def bench_first_page(path: Path, runs: int) -> None:
    """The first page in a fresh process, per reader: wall time, time inside, peak RSS."""
    print(f"first page of All tickets (200 rows) in a fresh process, medians of {runs} runs")
    for label, body in _FIRST_PAGE_SCRIPTS.items():
        script = _TIMED.format(store=str(path), body=body)
        walls, insides, peaks = [], [], []
        for run in range(runs + 1):  # the first run warms the OS caches and is not counted
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", script], capture_output=True, text=True, check=True
            )
            wall = (time.perf_counter() - started) * 1000
            inside, peak_kib = done.stdout.split()
            if run:
                walls.append(wall)
                insides.append(float(inside))
                peaks.append(int(peak_kib) / 1024)
        print(
            f"  {label:<38} process {statistics.median(walls):7.1f} ms   "
            f"imports+open+page {statistics.median(insides):7.1f} ms   "
            f"peak RSS {statistics.median(peaks):6.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--store", type=Path, help="a seeded SQLite file to reuse (or create)")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", default="queues,drafts,first-page")
    parser.add_argument("--first-page-runs", type=int, default=7)
    parser.add_argument("--sort-indexes", action="store_true")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    with tempfile.TemporaryDirectory(prefix="bench-queues-") as scratch:
        path = args.store or Path(scratch) / "queues.db"
        store = open_store(parse_store_url(str(path)))
        try:
            if wanted & {"queues", "first-page"}:
                with store.sessions() as session:
                    seeded = session.scalar(select(func.count()).select_from(Ticket)) or 0
                if seeded < args.tickets:
                    report = DemoSeeder(store).seed(args.tickets - seeded)
                    print(f"seeded {report.tickets} tickets in {report.seconds:.1f} s")
                if args.sort_indexes:
                    with store.engine.begin() as conn:
                        for statement in SORT_INDEXES:
                            conn.execute(text(statement))
                    print("with an index per sort column (bench_* indexes)")
            if "queues" in wanted:
                bench_queues(store, args.page_size, args.runs)
            if "first-page" in wanted:
                store.dispose()  # as at start-up: no other connection holds the file open
                bench_first_page(path, args.first_page_runs)
            if "drafts" in wanted:
                bench_drafts(store, 500)
        finally:
            store.dispose()


if __name__ == "__main__":
    main()
