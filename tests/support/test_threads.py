"""The leftover-thread check behind the autouse guard in tests/conftest.py."""

from __future__ import annotations

import threading

from tests.support.threads import threads_left_running


def test_a_thread_still_running_is_reported_and_a_finished_one_is_not() -> None:
    before = set(threading.enumerate())
    release = threading.Event()
    stuck = threading.Thread(target=release.wait, name="stuck-worker")
    daemon = threading.Thread(target=release.wait, name="daemon-worker", daemon=True)
    quick = threading.Thread(target=lambda: None, name="quick-worker")
    for thread in (stuck, daemon, quick):
        thread.start()
    try:
        assert threads_left_running(before, grace=0.2) == [stuck]
    finally:
        release.set()
        stuck.join()
        daemon.join()
    assert threads_left_running(before, grace=0.2) == []


def test_a_thread_that_stops_within_the_grace_period_is_not_blamed() -> None:
    before = set(threading.enumerate())
    stop = threading.Event()
    # Deliberately slow to stop: 0.1 s, well inside the grace period this test measures.
    slow = threading.Thread(target=lambda: stop.wait(0.1), name="stopping-worker")
    slow.start()
    assert threads_left_running(before, grace=5.0) == []
    assert not slow.is_alive()
