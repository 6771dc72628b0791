"""The runner: a walk through the example, going back (undone steps kept, marked reverted),
notes, checks with every outcome, finishing, and the transcript that pins the playbook."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from console.diagnostics import checks
from console.domain.checks import CheckUnavailable
from console.playbooks.model import Playbook
from console.playbooks.runner import PlaybookRunner, RunnerError
from console.playbooks.transcript import RunOutcome
from console.playbooks.validator import load_playbook, load_playbooks
from tests.playbooks.samples import CATALOG, EXAMPLE, edited, report_of

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
WINDOWS = {"system": {"os_family": "windows", "os_name": "Windows 11 Pro"}, "memory": {}}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """The example with its flaw fixed: the adapter check's fail way goes to os_branch."""
    linked = edited("    on_fail: reinstall\n", "    on_fail: os_branch\n", EXAMPLE.read_text())
    target = tmp_path / "vpn.yaml"
    target.write_text(linked, encoding="utf-8")
    return target


@pytest.fixture
def playbook(path: Path) -> Playbook:
    return load_playbook(path, catalog=CATALOG)


class Clock:
    """A minute per reading, so every entry's time is predictable."""

    def __init__(self) -> None:
        self.times: Iterator[datetime] = (T0 + timedelta(minutes=i) for i in range(10_000))

    def __call__(self) -> datetime:
        return next(self.times)


@dataclass
class Result:
    status: str
    summary: str = "done"
    evidence: Mapping[str, Any] = field(default_factory=dict)
    duration_ms: float = 12.5


def runner_for(playbook: Playbook, **kwargs: Any) -> PlaybookRunner:
    return PlaybookRunner(playbook, clock=Clock(), **kwargs)


def walk_to_adapter(runner: PlaybookRunner) -> None:
    runner.choose("Only this caller")
    runner.enter("  Cisco AnyConnect 5.1  ")
    runner.choose(1)  # SSL/TLS
    assert runner.current.id == "adapter"


def test_a_walk_to_a_resolution(playbook: Playbook, path: Path) -> None:
    runner = runner_for(playbook, snapshot=WINDOWS, facts={"ticket_ref": "T-1"})
    assert runner.facts == {
        "os_family": "windows",
        "os_name": "Windows 11 Pro",
        "ticket_ref": "T-1",
    }
    assert runner.current.id == "scope" and runner.current.prompt.startswith("Is anyone else")
    walk_to_adapter(runner)
    assert runner.pending_check() == ("vpn_adapter_present", {})
    runner.record_check(Result("fail", "No VPN adapter is up.", {"adapters": []}))
    assert runner.current.id == "reinstall"  # os_branch took the windows case by itself
    runner.acknowledge()
    runner.choose("Yes")
    assert runner.current.id == "done"
    transcript = runner.finish(RunOutcome.RESOLVED)

    assert transcript.outcome is RunOutcome.RESOLVED and runner.finished
    assert transcript.path == (
        "scope", "client", "protocol", "adapter", "os_branch", "reinstall", "fixed", "done"
    )  # fmt: skip
    assert [e.answer for e in transcript.entries] == [
        "Only this caller", "Cisco AnyConnect 5.1", "SSL/TLS", "fail", "windows", "done", "Yes",
        "resolved",
    ]  # fmt: skip
    assert [e.at for e in transcript.entries] == [T0 + timedelta(minutes=i) for i in range(1, 9)]
    assert transcript.entries[4].automatic and transcript.entries[4].prompt == "Branch on os_family"
    assert dict(transcript.facts) == {
        "os_family": "windows",
        "os_name": "Windows 11 Pro",
        "ticket_ref": "T-1",
        "affected_scope": "single_user",
        "vpn_client": "Cisco AnyConnect 5.1",
        "vpn_protocol": "ssl",
    }
    check = transcript.entries[3].check
    assert check is not None
    assert (check.name, check.status, check.summary) == (
        "vpn_adapter_present",
        "fail",
        "No VPN adapter is up.",
    )
    assert dict(check.evidence) == {"adapters": []} and check.duration_ms == 12.5


def test_the_transcript_pins_the_playbook_and_is_json(playbook: Playbook, path: Path) -> None:
    runner = runner_for(playbook)
    runner.choose("Several people")
    data = json.loads(json.dumps(runner.finish(RunOutcome.ESCALATED).to_dict()))
    assert data["playbook"] == {
        "id": "vpn-cannot-connect",
        "version": 3,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    assert data["started_at"] == "2025-03-04T09:00:00+00:00"
    assert data["outcome"] == "escalated" and data["current_node"] == "outage"
    assert data["finished_at"] == "2025-03-04T09:02:00+00:00"
    assert data["entries"][0] == {
        "at": "2025-03-04T09:01:00+00:00",
        "node": "scope",
        "kind": "ask",
        "prompt": "Is anyone else working remotely having the same problem?",
        "answer": "Several people",
        "facts_set": {"affected_scope": "team"},
        "next": "outage",
        "check": None,
        "note": None,
        "automatic": False,
        "reverted": False,
        "reverted_at": None,
    }
    assert data["entries"][1]["prompt"] == (
        "Escalate to network (complexity): Several remote users affected; possible outage"
    )


def test_going_back_keeps_the_undone_steps_marked_reverted(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    walk_to_adapter(runner)
    runner.back()
    assert runner.current.id == "protocol"
    assert (
        "vpn_protocol" not in runner.facts and runner.facts["vpn_client"] == "Cisco AnyConnect 5.1"
    )
    runner.back()
    assert runner.current.id == "client" and "vpn_client" not in runner.facts
    runner.enter("GlobalProtect 6")
    runner.choose("WireGuard")
    entries = runner.entries
    assert [(e.node, e.answer, e.reverted) for e in entries] == [
        ("scope", "Only this caller", False),
        ("client", "Cisco AnyConnect 5.1", True),
        ("protocol", "SSL/TLS", True),
        ("client", "GlobalProtect 6", False),
        ("protocol", "WireGuard", False),
    ]
    assert entries[2].reverted_at == T0 + timedelta(minutes=4)
    assert entries[1].reverted_at == T0 + timedelta(minutes=5)
    assert runner.facts["vpn_protocol"] == "wireguard"
    assert runner.transcript().path == ("scope", "client", "protocol")


def test_going_back_steps_over_automatic_branches(playbook: Playbook) -> None:
    runner = runner_for(playbook, snapshot=WINDOWS)
    walk_to_adapter(runner)
    runner.record_check(Result("fail"))
    assert runner.current.id == "reinstall"
    runner.back()  # undoes the check and the branch it led through, back to the check
    assert runner.current.id == "adapter"
    assert [(e.node, e.reverted) for e in runner.entries[-2:]] == [
        ("adapter", True),
        ("os_branch", True),
    ]


def test_nothing_to_go_back_to_at_the_start(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    assert not runner.can_go_back
    with pytest.raises(RunnerError, match="Nothing to go back to"):
        runner.back()


def test_notes_on_the_current_node_on_a_step_and_after_the_end(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    runner.add_note("Caller is at a hotel.")
    runner.add_note("  Guest Wi-Fi with a captive portal.  ")
    runner.choose("Only this caller")
    assert runner.entries[0].note == "Caller is at a hotel.\nGuest Wi-Fi with a captive portal."
    runner.add_note("Asked twice to be sure.", step=0)
    assert runner.entries[0].note.endswith("\nAsked twice to be sure.")
    runner.back()
    runner.add_note("Went back: caller misheard.", step=0)  # reverted steps take notes too
    runner.finish(RunOutcome.ABANDONED, "Caller had to leave")
    runner.add_note("Will call back after lunch.")
    last = runner.entries[-1]
    assert (last.node, last.answer, last.note) == (
        "scope",
        "abandoned",
        "Will call back after lunch.",
    )
    assert runner.transcript().finish_reason == "Caller had to leave"
    with pytest.raises(RunnerError, match="cannot be empty"):
        runner.add_note("   ")
    with pytest.raises(RunnerError, match="There is no step 9"):
        runner.add_note("x", step=9)


@pytest.mark.parametrize(
    ("status", "then"),
    [("pass", "reach"), ("fail", "os_branch"), ("error", "reach"), ("skipped", "reach")],
)
def test_a_check_result_follows_its_edge(playbook: Playbook, status: str, then: str) -> None:
    runner = runner_for(playbook)
    walk_to_adapter(runner)
    record = runner.record_check(Result(status))
    assert record.status == status
    assert runner.entries[3].next == then


def test_without_on_error_a_check_that_cannot_tell_goes_the_fail_way(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    walk_to_adapter(runner)
    runner.record_check(Result("pass"))
    assert runner.current.id == "reach" and runner.pending_check()[0] == "tcp_connect"
    runner.record_check(Result("error", "timed out"))
    assert runner.current.id == "local_network"


def test_a_check_missing_on_this_machine_is_skipped_and_follows_on_error(
    playbook: Playbook,
) -> None:
    def missing(name: str, args: Mapping[str, Any]) -> Any:
        raise CheckUnavailable(f"{name} does not exist on macOS")

    runner = runner_for(playbook)
    walk_to_adapter(runner)
    record = runner.run_check(missing)
    assert (record.status, record.summary) == (
        "skipped",
        "vpn_adapter_present does not exist on macOS",
    )
    assert dict(record.evidence) == {"reason": record.summary}
    assert record.duration_ms is None and runner.current.id == "reach"


def test_the_registrys_unknown_check_is_skipped_too(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    walk_to_adapter(runner)
    record = runner.run_check(lambda name, args: checks.run_check("vpn_adapter_gone", args))
    assert record.status == "skipped" and "no check named 'vpn_adapter_gone'" in record.summary
    assert runner.current.id == "reach"


def test_a_check_that_raises_is_an_error_with_the_reason(playbook: Playbook) -> None:
    def broken(name: str, args: Mapping[str, Any]) -> Any:
        raise RuntimeError("psutil exploded")

    runner = runner_for(playbook)
    walk_to_adapter(runner)
    record = runner.run_check(broken)
    assert record.status == "error"
    assert record.summary == "the check could not run (RuntimeError: psutil exploded)"
    assert dict(record.evidence) == {"error": record.summary}
    assert runner.current.id == "reach"


def test_a_real_check_through_the_registry(playbook: Playbook) -> None:
    """The service layer's callable is the registry's run_check: its result is recorded as is."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    runner = runner_for(playbook)
    walk_to_adapter(runner)
    runner.record_check(Result("pass"))

    def run(name: str, args: Mapping[str, Any]) -> checks.CheckResult:
        return checks.run_check(name, {**args, "host": "127.0.0.1", "port": closed})

    record = runner.run_check(run)
    assert record.status == "fail" and record.duration_ms is not None
    assert runner.current.id == "local_network"


def test_finishing(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    with pytest.raises(RunnerError, match="off the script; give a reason"):
        runner.finish(RunOutcome.ESCALATED)
    transcript = runner.finish(RunOutcome.ESCALATED, "Caller is a VIP; straight to tier 2")
    assert transcript.outcome is RunOutcome.ESCALATED and transcript.current_node == "scope"
    for act in (runner.back, lambda: runner.choose(0), lambda: runner.finish(RunOutcome.ABANDONED)):
        with pytest.raises(RunnerError, match="The run has ended"):
            act()


def test_resolving_at_an_escalation_leaf_needs_a_reason(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    runner.choose("Several people")
    with pytest.raises(RunnerError, match="outage: resolved here is off the script"):
        runner.finish(RunOutcome.RESOLVED)
    assert runner.finish(RunOutcome.RESOLVED, "Outage ended while on the call").finish_reason


def test_the_wrong_action_for_the_node(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    with pytest.raises(RunnerError, match="scope is an ask node, not input"):
        runner.enter("x")
    with pytest.raises(RunnerError, match="scope is an ask node, not check"):
        runner.pending_check()
    with pytest.raises(RunnerError, match="'Nobody' is not a choice"):
        runner.choose("Nobody")
    with pytest.raises(RunnerError, match="there is no choice 5"):
        runner.choose(5)
    runner.choose(0)
    with pytest.raises(RunnerError, match="vpn_client cannot be empty"):
        runner.enter("  ")
    runner.enter("x")
    runner.choose(0)
    with pytest.raises(RunnerError, match="a check status is one of"):
        runner.record_check(Result("maybe"))


def test_a_branch_without_the_fact_takes_the_default(playbook: Playbook) -> None:
    runner = runner_for(playbook)  # no snapshot: os_family unknown
    walk_to_adapter(runner)
    runner.record_check(Result("fail"))
    assert runner.current.id == "error"
    assert runner.entries[-1].answer == "default (not known)"


def test_listeners_hear_every_change(playbook: Playbook) -> None:
    runner = runner_for(playbook)
    heard: list[str] = []
    runner.listeners.append(lambda: heard.append(runner.current.id))
    runner.choose(0)
    runner.add_note("n")
    runner.back()
    runner.finish(RunOutcome.ABANDONED)
    assert heard == ["client", "client", "scope", "scope"]


INPUTS = """\
id: inputs
title: Inputs
version: 1
category: other
start: count
nodes:
  count:
    input: {fact: affected_users, prompt: "How many people?", kind: number}
    next: site
  site:
    input: {fact: site, prompt: "Which office?", options: [Berlin, Lisbon]}
    next: text
  text:
    input: {fact: error_text, prompt: "The error, word for word", kind: multiline}
    next: done
  done:
    resolve: {summary: Recorded}
"""


def test_input_kinds_are_enforced() -> None:
    report = report_of(INPUTS)
    assert report.ok and report.playbook is not None
    runner = runner_for(report.playbook)
    with pytest.raises(RunnerError, match="affected_users must be a number, not 'a few'"):
        runner.enter("a few")
    runner.enter(" 12 ")
    with pytest.raises(RunnerError, match="site must be one of Berlin, Lisbon, not 'Paris'"):
        runner.enter("Paris")
    runner.enter("Lisbon")
    runner.enter("\n  Error 0x80070005:\n  access denied\n")
    assert dict(runner.facts) == {
        "affected_users": "12",
        "site": "Lisbon",
        "error_text": "  Error 0x80070005:\n  access denied",
    }


# --- facts that arrive during the run -------------------------------------------------------------

OS_PLAYBOOK = """\
id: os-steps
title: OS steps
version: 1
category: other
start: ask
nodes:
  ask:
    ask: Is the laptop on?
    choices:
      - {label: "Yes", next: which_os}
      - {label: "No", next: which_os}
  which_os:
    branch:
      fact: os_family
      cases: {windows: windows_step, macos: mac_step}
      default: generic_step
  windows_step:
    instruct: Open Settings.
    next: second_ask
  mac_step:
    instruct: Open System Settings.
    next: second_ask
  generic_step:
    instruct: Open the settings.
    next: second_ask
  second_ask:
    ask: Did it help?
    choices:
      - {label: "Yes", next: fixed}
      - {label: "No", next: fixed}
  fixed:
    resolve: {summary: Done}
"""


def os_playbook(tmp_path: Path) -> Playbook:
    path = tmp_path / "os-steps.yaml"
    path.write_text(OS_PLAYBOOK, encoding="utf-8")
    (playbook,) = load_playbooks([path])
    return playbook


WINDOWS = {"system": {"os_family": "windows", "os_name": "Windows 11 Pro"}}


def test_a_capture_during_the_run_decides_the_branches_still_ahead(tmp_path: Path) -> None:
    runner = PlaybookRunner(os_playbook(tmp_path), facts={"os_name": "typed by the agent"})
    changes: list[None] = []
    runner.listeners.append(lambda: changes.append(None))
    assert runner.learn(WINDOWS) == {"os_family": "windows"}  # the ticket's own fact stays
    assert changes == [None]
    assert runner.facts["os_name"] == "typed by the agent"
    runner.choose(0)
    assert runner.current.id == "windows_step"
    assert runner.learn(WINDOWS) == {}  # nothing new
    assert len(changes) == 2  # the step, not a second learning
    runner.acknowledge()
    runner.choose(0)
    runner.finish(RunOutcome.RESOLVED)
    assert runner.learn({"system": {"hostname": "LT-0457"}}) == {}  # the run is over
    assert "hostname" not in runner.facts


def test_a_branch_already_decided_is_not_decided_again(tmp_path: Path) -> None:
    runner = PlaybookRunner(os_playbook(tmp_path))
    runner.choose(0)
    assert runner.current.id == "generic_step"  # no OS known when the branch came
    assert runner.learn(WINDOWS) == {"os_name": "Windows 11 Pro"}
    runner.back()  # back over the branch: the run still goes the way it went
    runner.choose(1)
    assert runner.current.id == "generic_step"
    assert "os_family" not in runner.facts
