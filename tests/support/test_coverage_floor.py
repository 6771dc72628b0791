"""The per-file coverage floor that ./dev test checks after the measured run."""

from __future__ import annotations

from tests.support.coverage_floor import check

PERCENTS = {
    "console/a.py": (100.0, "100"),
    "console/b.py": (74.9, "74"),
    "console/c.py": (54.2, "54"),
    "console/d.py": (75.0, "75"),
}


def test_a_file_under_the_floor_fails_unless_allowed_with_its_reason() -> None:
    failures, notes = check(PERCENTS, 75, {"console/c.py": "runs in a subprocess"})
    assert failures == ["console/b.py 74% is under the floor of 75%"]
    assert notes == ["console/c.py 54%, allowed: runs in a subprocess"]


def test_an_allowance_no_longer_needed_is_pointed_out() -> None:
    allowed = {"console/b.py": "b", "console/c.py": "c", "console/d.py": "d", "console/e.py": "e"}
    failures, notes = check(PERCENTS, 75, allowed)
    assert failures == []
    assert notes == [
        "console/b.py 74%, allowed: b",
        "console/c.py 54%, allowed: c",
        "console/d.py is at 75% now: drop it from below-floor",
        "console/e.py is allowed below the floor but was not measured: drop it",
    ]
