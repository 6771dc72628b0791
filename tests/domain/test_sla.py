"""SLA clocks against the bundled policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.priority import PolicyError
from console.domain.sla import ClockState, SlaPolicy
from console.resources import load_sla_policy

OPENED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def policy() -> SlaPolicy:
    return load_sla_policy()


def test_a_fresh_p2_runs_with_its_target_left(policy: SlaPolicy) -> None:
    reading = policy.read(OPENED, "P2", OPENED + timedelta(minutes=5))
    assert reading.state is ClockState.RUNNING
    assert reading.remaining == timedelta(hours=8) - timedelta(minutes=5)
    assert not reading.tier1_exceeded
    assert reading.text() == "SLA 7h 55m left"


def test_tier1_threshold_and_warning_and_breach(policy: SlaPolicy) -> None:
    assert policy.read(OPENED, None, OPENED + timedelta(minutes=31)).tier1_exceeded
    warning = policy.read(OPENED, "P1", OPENED + timedelta(hours=3, minutes=1))
    assert warning.state is ClockState.WARNING
    breached = policy.read(OPENED, "P1", OPENED + timedelta(hours=4, minutes=12))
    assert breached.state is ClockState.BREACHED
    assert breached.text() == "SLA breached 12m ago"


def test_resolution_stops_the_clock(policy: SlaPolicy) -> None:
    reading = policy.read(
        OPENED, "P4", OPENED + timedelta(days=9), resolved_at=OPENED + timedelta(minutes=20)
    )
    assert reading.state is ClockState.STOPPED
    assert reading.elapsed == timedelta(minutes=20)
    assert reading.text() == "SLA stopped after 20m"


def test_unknown_priority_runs_against_the_unprioritised_target(policy: SlaPolicy) -> None:
    reading = policy.read(OPENED, None, OPENED)
    assert reading.remaining == timedelta(days=1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resolve_minutes": {}}, "tier1_minutes must be a whole number"),
        ({"tier1_minutes": 30, "warn_at": 2, "resolve_minutes": {}}, "warn_at must be"),
        (
            {"tier1_minutes": 30, "resolve_minutes": {"P1": 1, "P2": 1, "P3": 1, "P4": 1}},
            "resolve_minutes.P5 must be",
        ),
    ],
)
def test_a_broken_policy_is_refused_naming_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        SlaPolicy.from_mapping(data)
