"""``agent-console demo seed``: a realistic queue for demos and benchmarks.

Tickets are spread over the last eight weeks across every category: most resolved at tier 1,
some escalated with complete, verifiable packages (diagnostics included), some waiting for
supervisor review, some returned, some still open. Rows go in with bulk inserts in batches,
one transaction per batch, so 100,000 tickets take seconds, not minutes.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select

from console.domain.enums import Channel, Impact, Role, TicketStatus, Urgency
from console.domain.handoff import HandoffDraft, TriedStep
from console.domain.intake import new_ref
from console.domain.priority import PriorityMatrix
from console.domain.ticket import TicketRecord
from console.resources import load_priority_matrix
from console.services.clock import Clock, utc_now
from console.services.demo_catalog import (
    AGENTS,
    CLIENTS,
    FIRST_NAMES,
    LAST_NAMES,
    SCENARIOS,
    Scenario,
)
from console.services.escalate import DiagnosticsInput, Submission, freeze_package, package_values
from console.store.database import TicketStore
from console.store.models import EscalationDraft, Package, Ticket, User
from console.store.repositories import AuditRepository

BATCH = 5000
SPREAD = timedelta(weeks=8)

# Share of each outcome; the rest stay open.
MIX = (
    (TicketStatus.RESOLVED, 0.58),
    (TicketStatus.ESCALATED, 0.18),
    (TicketStatus.PENDING_REVIEW, 0.07),
    (TicketStatus.RETURNED, 0.03),
    (TicketStatus.CLOSED, 0.04),
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    tickets: int
    resolved: int
    escalated: int
    pending_review: int
    open: int
    seconds: float


class DemoSeeder:
    def __init__(
        self, store: TicketStore, matrix: PriorityMatrix | None = None, clock: Clock = utc_now
    ) -> None:
        self._store = store
        self._matrix = matrix or load_priority_matrix()
        self._clock = clock

    def seed(self, count: int, seed: int = 1) -> SeedReport:
        started = time.perf_counter()
        rng = random.Random(seed)
        now = self._clock()
        counts = dict.fromkeys(TicketStatus, 0)
        with self._store.sessions.begin() as session:
            self._ensure_users(session, now)
            taken = set(session.scalars(select(Ticket.ref)))
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            with self._store.sessions.begin() as session:
                plans = [self._plan(rng, now, taken) for _ in range(size)]
                conn = session.connection()
                # Plain executemany: RETURNING over thousands of rows costs more than a lookup.
                conn.execute(insert(Ticket), [p.ticket for p in plans])
                packages = [
                    self._package(p, rng) for p in plans if p.status is TicketStatus.ESCALATED
                ]
                if packages:
                    conn.execute(insert(Package), packages)
                drafted = {p.ticket["ref"]: p.draft for p in plans if p.draft is not None}
                if drafted:
                    ids = _ids_by_ref(conn, list(drafted))
                    conn.execute(
                        insert(EscalationDraft),
                        [{"ticket_id": ids[ref], **draft} for ref, draft in drafted.items()],
                    )
                for plan in plans:
                    counts[plan.status] += 1
            done += size
        with self._store.sessions.begin() as session:
            AuditRepository(session).append(
                at=self._clock(),
                actor="demo",
                action="demo.seeded",
                subject="store",
                details={"tickets": count, "seed": seed},
            )
        return SeedReport(
            tickets=count,
            resolved=counts[TicketStatus.RESOLVED],
            escalated=counts[TicketStatus.ESCALATED],
            pending_review=counts[TicketStatus.PENDING_REVIEW],
            open=counts[TicketStatus.OPEN] + counts[TicketStatus.RETURNED],
            seconds=time.perf_counter() - started,
        )

    def _ensure_users(self, session: Any, now: datetime) -> None:
        existing = set(session.scalars(select(User.username)))
        rows = [
            {"username": u, "display_name": name, "role": Role(role).value, "created_at": now}
            for u, name, role in AGENTS
            if u not in existing
        ]
        if rows:
            session.execute(insert(User), rows)

    def _plan(self, rng: random.Random, now: datetime, taken: set[str]) -> _Plan:
        scenario = rng.choice(SCENARIOS)
        status = _pick_status(rng)
        created = now - SPREAD * rng.random() ** 1.3  # more recent tickets than old ones
        created = created.replace(microsecond=0)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        client, domain, sites = rng.choice(CLIENTS)
        agent = rng.choice([a for a in AGENTS if a[2] != Role.SUPERVISOR.value])[0]
        impact = _impact_for(scenario, rng)
        urgency = rng.choice(
            (Urgency.WORK_STOPPED, Urgency.DEGRADED, Urgency.DEGRADED, Urgency.MINOR)
        )
        resolved = status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        handled = status is not TicketStatus.OPEN
        updated = created + timedelta(minutes=rng.randint(4, 90)) if handled else created
        ticket = {
            "ref": _new_ref(rng, taken),
            "caller": f"{first} {last}",
            "contact": f"{first.lower()}.{last.lower()}@{domain}",
            "client": client,
            "site": rng.choice(sites),
            "channel": rng.choice(list(Channel)).value,
            "summary": scenario.summary,
            "description": scenario.what_is_wrong,
            "category": scenario.category.value,
            "status": status.value,
            "impact": impact.value if handled and not resolved else None,
            "urgency": urgency.value if handled and not resolved else None,
            "priority": (
                self._matrix.decide(impact, urgency).priority.value
                if handled and not resolved
                else None
            ),
            "agent": agent,
            "created_at": created,
            "updated_at": updated,
            "resolved_at": updated if resolved else None,
            "resolution": scenario.resolution if resolved else "",
        }
        draft = None
        if status in (TicketStatus.PENDING_REVIEW, TicketStatus.RETURNED) or (
            status is TicketStatus.OPEN and rng.random() < 0.3
        ):
            draft = {
                "content": _draft_json(scenario, impact, urgency),
                "revision": 1,
                "updated_at": updated,
            }
        return _Plan(scenario, status, ticket, draft, impact, urgency)

    def _package(self, plan: _Plan, rng: random.Random) -> dict[str, Any]:
        t = plan.ticket
        ticket = TicketRecord(**t)
        created_at: datetime = t["created_at"]
        submitted_at: datetime = t["updated_at"]
        draft = _handoff(plan.scenario, plan.impact, plan.urgency, created_at, rng)
        snapshot = _snapshot(rng, created_at, t["caller"])
        disk = snapshot["disks"][0]
        submission = Submission(
            ref=t["ref"],
            draft=draft,
            affected_details=t["caller"] if plan.impact is Impact.SINGLE_USER else t["site"],
            diagnostics=DiagnosticsInput(
                captured_at=submitted_at - timedelta(minutes=2),
                source="this_device",
                privacy="standard",
                snapshot=snapshot,
                highlights={
                    "os": snapshot["system"]["os_name"],
                    "memory": f"{snapshot['memory']['available_percent']}% available",
                    "disk": f"{disk['free_percent']}% free on {disk['mount']}",
                },
            ),
        )
        document, built = freeze_package(
            ticket, submission, t["agent"], 100, submitted_at, self._matrix
        )
        return package_values(document, built, submitted_at)


def _ids_by_ref(conn: Connection, refs: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(refs), 500):  # stay under SQLite's bound-parameter limit
        chunk = refs[start : start + 500]
        rows = conn.execute(select(Ticket.ref, Ticket.id).where(Ticket.ref.in_(chunk)))
        ids.update((ref, ticket_id) for ref, ticket_id in rows)
    return ids


@dataclass(frozen=True, slots=True)
class _Plan:
    scenario: Scenario
    status: TicketStatus
    ticket: dict[str, Any]
    draft: dict[str, Any] | None
    impact: Impact
    urgency: Urgency


def _pick_status(rng: random.Random) -> TicketStatus:
    roll = rng.random()
    for status, share in MIX:
        if roll < share:
            return status
        roll -= share
    return TicketStatus.OPEN


def _impact_for(scenario: Scenario, rng: random.Random) -> Impact:
    text = scenario.what_is_wrong.lower()
    if any(word in text for word in ("everyone", "all six", "eight", "floor", "meeting rooms")):
        return Impact.TEAM if rng.random() < 0.8 else Impact.SITE
    return Impact.SINGLE_USER


def _new_ref(rng: random.Random, taken: set[str]) -> str:
    while True:
        ref = new_ref(rng)
        if ref not in taken:
            taken.add(ref)
            return ref


def _handoff(
    scenario: Scenario, impact: Impact, urgency: Urgency, opened: datetime, rng: random.Random
) -> HandoffDraft:
    at = opened
    steps = []
    for action, outcome in scenario.tried:
        at += timedelta(minutes=rng.randint(1, 6))
        steps.append(TriedStep(action, outcome, at.isoformat()))
    count = (
        1 if impact is Impact.SINGLE_USER else rng.randint(4, 40 if impact is Impact.TEAM else 400)
    )
    return HandoffDraft(
        what_is_wrong=scenario.what_is_wrong,
        what_was_tried=tuple(steps),
        error_verbatim=scenario.error,
        affected_scope=impact,
        affected_count=count,
        urgency=urgency,
        triggers=(scenario.trigger,),
        queue=scenario.queue,
        has_diagnostics=True,
        facts=dict(scenario.facts),
    )


def _draft_json(scenario: Scenario, impact: Impact, urgency: Urgency) -> dict[str, Any]:
    return {
        "what_is_wrong": scenario.what_is_wrong,
        "what_was_tried": [{"action": a, "outcome": o} for a, o in scenario.tried],
        "error_verbatim": scenario.error,
        "affected_scope": impact.value,
        "urgency": urgency.value,
        "triggers": [scenario.trigger.value],
        "queue": scenario.queue,
    }


def _snapshot(rng: random.Random, at: datetime, caller: str) -> dict[str, Any]:
    """A small redacted device snapshot, shaped like `agent-console collect --json`."""
    windows = rng.random() < 0.7
    total_gb = rng.choice((8, 16, 16, 32))
    free_pct = rng.randint(3, 70)
    return {
        "system": {
            "os_family": "windows" if windows else "macos",
            "os_name": "Windows 11 Pro 23H2 (build 22631)" if windows else "macOS 14.6 (23G80)",
            "hostname": f"LT-{rng.randint(1000, 9999)}",
            "uptime_hours": rng.randint(1, 400),
        },
        "cpu": {"logical": rng.choice((8, 12, 16)), "percent": rng.randint(3, 99)},
        "memory": {"total_gb": total_gb, "available_percent": rng.randint(5, 70)},
        "disks": [{"mount": "C:\\" if windows else "/", "total_gb": 256, "free_percent": free_pct}],
        "network": {
            "default_gateway": rng.random() < 0.9,
            "vpn_adapters": ["PANGP Virtual Ethernet Adapter"] if rng.random() < 0.5 else [],
        },
        "processes": {"top_cpu": [{"name": "Teams.exe" if windows else "Teams", "cpu": 23.5}]},
        "meta": {
            "captured_at": at.astimezone(UTC).isoformat(),
            "privacy": "standard",
            "partial": False,
            "redactions": {"secrets": 0},
            "user": caller.split()[0].lower(),
        },
    }
