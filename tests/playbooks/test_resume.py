"""Saving a run and taking it up again: random walks over the bundled library (answers, checks
with every outcome, backs, notes, finishing) come back equal after a trip through JSON, without
running a check again; a changed playbook or a tampered run is refused in one sentence."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.domain.checks import CheckUnavailable
from console.playbooks.model import (
    AskNode,
    CheckNode,
    EscalateNode,
    InputKind,
    InputNode,
    InstructNode,
    Playbook,
    PlaybookSource,
    ResolveNode,
)
from console.playbooks.resume import ResumeError, resume_run, serialise_run
from console.playbooks.runner import PlaybookRunner
from console.playbooks.transcript import RunOutcome
from console.playbooks.validator import load_playbooks, playbook_files
from console.resources import resources_dir

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
WALKS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def library() -> dict[str, Playbook]:
    playbooks = load_playbooks(playbook_files(resources_dir() / "playbooks"))
    return {playbook.id: playbook for playbook in playbooks}


def vpn() -> Playbook:
    return library()["vpn-cannot-connect"]


class Clock:
    """``step`` seconds per reading; a step of 0 is a clock too coarse to tell actions apart
    (every time equal), which the replay must cope with as well."""

    def __init__(self, step: int = 60) -> None:
        self.times: Iterator[datetime] = (T0 + timedelta(seconds=i * step) for i in range(10**6))

    def __call__(self) -> datetime:
        return next(self.times)


@dataclasses.dataclass
class Result:
    status: str
    summary: str = "done"
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    duration_ms: float | None = 12.5


def raising(exc: Exception) -> Any:
    """A check callable that raises ``exc``, as a broken or missing check does."""

    def run(name: str, args: Mapping[str, Any]) -> Any:
        raise exc

    return run


def through_json(data: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(data))
    return loaded


def assert_same_run(resumed: PlaybookRunner, original: PlaybookRunner) -> None:
    assert resumed.transcript() == original.transcript()
    assert resumed.transcript().to_dict() == original.transcript().to_dict()
    assert resumed.current.id == original.current.id
    assert dict(resumed.facts) == dict(original.facts)
    assert resumed.pending_note == original.pending_note
    assert resumed.can_go_back == original.can_go_back
    assert resumed.outcome == original.outcome


# --- random walks ------------------------------------------------------------------------------


def take_a_step(runner: PlaybookRunner, data: st.DataObject) -> None:
    """One thing an agent may do where the run stands."""
    node = runner.current
    # "learn": a capture arrives mid-call and brings the caller's OS.
    moves = ["answer", "answer", "answer", "note", "learn"]
    if runner.can_go_back:
        moves.append("back")
    if runner.entries:
        moves.append("note_on_a_step")
    move = data.draw(st.sampled_from(moves))
    if move == "back":
        runner.back()
    elif move == "learn":
        family = data.draw(st.sampled_from(["windows", "macos", "linux"]))
        runner.learn({"system": {"os_family": family, "os_name": f"{family} 1"}})
    elif move == "note":
        runner.add_note(data.draw(st.sampled_from(["Caller at a hotel.", " Asked twice. ", "ok"])))
    elif move == "note_on_a_step":
        step = data.draw(st.integers(0, len(runner.entries) - 1))
        runner.add_note("Checked again.", step=step)
    elif isinstance(node, AskNode):
        runner.choose(data.draw(st.integers(0, len(node.choices) - 1)))
    elif isinstance(node, InputNode):
        runner.enter(data.draw(typed_value(node)))
    elif isinstance(node, InstructNode):
        runner.acknowledge()
    elif isinstance(node, CheckNode):
        check_a_node(runner, data)
    elif isinstance(node, ResolveNode | EscalateNode):
        outcome = RunOutcome.RESOLVED if isinstance(node, ResolveNode) else RunOutcome.ESCALATED
        runner.finish(outcome)


def typed_value(node: InputNode) -> st.SearchStrategy[str]:
    if node.input_kind is InputKind.NUMBER:
        return st.integers(1, 500).map(str)
    if node.input_kind is InputKind.CHOICE:
        return st.sampled_from(node.options)
    text = st.text(st.characters(codec="utf-8"), max_size=30)
    return text.filter(lambda t: bool(t.strip())).map(lambda t: f"  {t}\n")


def check_a_node(runner: PlaybookRunner, data: st.DataObject) -> None:
    how = data.draw(st.sampled_from(["pass", "fail", "error", "skipped", "raises", "missing"]))
    if how == "raises":
        runner.run_check(raising(OSError("socket gone")))
    elif how == "missing":
        runner.run_check(raising(CheckUnavailable("no such")))
    else:
        evidence = data.draw(
            st.dictionaries(
                st.sampled_from(["host", "addresses", "rtt_ms", "adapters"]),
                st.one_of(st.integers(), st.text(max_size=8), st.lists(st.text(max_size=5))),
                max_size=3,
            )
        )
        runner.record_check(Result(how, f"It was {how}.", evidence, 3.25))


@WALKS
@given(
    playbook_id=st.sampled_from(sorted(library())),
    os_family=st.sampled_from([None, "windows", "macos", "linux"]),
    clock_step=st.sampled_from([60, 60, 0]),
    data=st.data(),
)
def test_a_random_walk_resumes_as_it_was(
    playbook_id: str, os_family: str | None, clock_step: int, data: st.DataObject
) -> None:
    playbook = library()[playbook_id]
    snapshot = {"system": {"os_family": os_family}} if os_family else None
    runner = PlaybookRunner(
        playbook, facts={"ticket_ref": "T-7"}, snapshot=snapshot, clock=Clock(clock_step)
    )
    for _ in range(data.draw(st.integers(0, 40))):
        if runner.finished:
            break
        take_a_step(runner, data)

    saved = through_json(serialise_run(runner))
    resumed = resume_run(playbook, saved, clock=Clock(clock_step))
    assert_same_run(resumed, runner)
    assert serialise_run(resumed) == saved

    # The resumed run is alive: the same next action gives the same result on both.
    if runner.can_go_back:
        runner.back()
        resumed.back()
        assert resumed.current.id == runner.current.id
        assert dict(resumed.facts) == dict(runner.facts)


# --- one walk, spelled out -----------------------------------------------------------------------


def escalated_walk() -> PlaybookRunner:
    runner = PlaybookRunner(vpn(), snapshot={"system": {"os_family": "linux"}}, clock=Clock())
    runner.choose("Only this caller")
    runner.choose(0)  # work has stopped
    runner.enter("GlobalProtect 6.2.1")
    runner.add_note("Caller reads it from the About box.", step=2)
    runner.choose("SSL/TLS")  # the branch on affected_scope goes on to the gateway check
    runner.record_check(Result("pass", "A default route exists.", {"gateway": "192.0.2.1"}))
    runner.run_check(raising(RuntimeError("resolver hung")))
    runner.choose("Nothing loads")
    runner.back()
    runner.add_note("Page loads after all.")
    runner.choose("The page loads")
    runner.record_check(Result("fail", "No answer on 443.", {"port": 443}, 5000.0))
    runner.choose("It fails on the other network too")
    runner.enter("Gateway not responding (code 1402)")
    return runner


def test_the_spelled_out_walk_resumes_without_running_a_check() -> None:
    runner = escalated_walk()
    assert runner.current.id == "local_network"
    resumed = resume_run(vpn(), through_json(serialise_run(runner)), clock=Clock())
    assert_same_run(resumed, runner)
    entries = resumed.entries
    assert [(e.node, e.answer, e.reverted) for e in entries] == [
        ("scope", "Only this caller", False),
        ("urgency", "Work has stopped: nothing internal is reachable", False),
        ("client", "GlobalProtect 6.2.1", False),
        ("protocol", "SSL/TLS", False),
        ("route_scope", "default (single_user)", False),
        ("gateway", "pass", False),
        ("resolve_name", "error", False),
        ("browse_test", "Nothing loads", True),
        ("browse_test", "The page loads", False),
        ("reach", "fail", False),
        ("other_network", "It fails on the other network too", False),
        ("local_network_error", "Gateway not responding (code 1402)", False),
    ]
    error = entries[6].check
    assert error is not None and error.duration_ms is None  # kept, not measured anew
    assert error.summary == "the check could not run (RuntimeError: resolver hung)"
    assert entries[8].note == "Page loads after all."
    assert entries[7].reverted_at == T0 + timedelta(minutes=9)
    resumed.finish(RunOutcome.ESCALATED)
    assert resumed.transcript().finished_at is not None


def test_a_finished_run_resumes_finished() -> None:
    runner = escalated_walk()
    runner.finish(RunOutcome.ESCALATED)
    runner.add_note("Tier 2 ticket opened.")
    resumed = resume_run(vpn(), through_json(serialise_run(runner)))
    assert_same_run(resumed, runner)
    assert resumed.finished and resumed.entries[-1].note == "Tier 2 ticket opened."


def test_times_after_resuming_come_from_the_live_clock() -> None:
    runner = PlaybookRunner(vpn(), clock=Clock())
    runner.choose(0)
    later = T0 + timedelta(days=1)
    resumed = resume_run(vpn(), serialise_run(runner), clock=lambda: later)
    resumed.choose(0)
    assert resumed.entries[0].at == T0 + timedelta(minutes=1)
    assert resumed.entries[1].at == later


# --- refusals ------------------------------------------------------------------------------------


def test_a_changed_playbook_is_refused() -> None:
    saved = serialise_run(escalated_walk())
    newer = dataclasses.replace(vpn(), version=2)
    with pytest.raises(ResumeError, match=r"changed since the run was saved \(version 1 then, 2"):
        resume_run(newer, saved)
    edited = dataclasses.replace(vpn(), source=PlaybookSource("vpn.yaml", "0" * 64))
    with pytest.raises(ResumeError, match="vpn-cannot-connect changed since"):
        resume_run(edited, saved)


def test_a_run_of_another_playbook_is_refused() -> None:
    saved = serialise_run(escalated_walk())
    with pytest.raises(ResumeError, match="is of playbook 'vpn-cannot-connect', not 'disk-full'"):
        resume_run(library()["disk-full"], saved)


def test_a_run_that_does_not_replay_is_refused() -> None:
    saved = through_json(serialise_run(escalated_walk()))
    saved["entries"][1]["answer"] = "Not one of the choices"
    with pytest.raises(ResumeError, match="does not replay on vpn-cannot-connect") as raised:
        resume_run(vpn(), saved)
    assert "\n" not in str(raised.value)


def test_a_tampered_result_is_refused() -> None:
    saved = through_json(serialise_run(escalated_walk()))
    saved["facts"]["vpn_client"] = "Something else"
    with pytest.raises(ResumeError, match="as it was saved"):
        resume_run(vpn(), saved)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("entries"), "entries is missing"),
        (lambda d: d.update(format=99), "format 99"),
        (lambda d: d.update(started_at=5), "must be ISO 8601"),
        (lambda d: d.pop("playbook"), "does not say which playbook"),
    ],
)
def test_unreadable_data_is_refused_in_one_sentence(change: Any, message: str) -> None:
    saved = through_json(serialise_run(escalated_walk()))
    change(saved)
    with pytest.raises(ResumeError, match=message):
        resume_run(vpn(), saved)


def test_the_saved_run_is_json_and_names_its_playbook() -> None:
    runner = escalated_walk()
    runner.add_note("Pending on the error.")
    data = serialise_run(runner)
    assert json.loads(json.dumps(data)) == data
    assert data["playbook"] == {
        "id": "vpn-cannot-connect",
        "version": vpn().version,
        "sha256": vpn().source.sha256,
    }
    assert data["pending_note"] == "Pending on the error."
    assert resume_run(vpn(), data).pending_note == "Pending on the error."
