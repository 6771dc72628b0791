"""The simulator: every path once, loops gone round once, branches pruned by known facts, and
limits that keep a pathological playbook from exploding."""

from __future__ import annotations

import json

from console.playbooks.model import Playbook
from console.playbooks.simulator import simulate
from tests.playbooks.samples import report_of

HEAD = "id: sim\ntitle: Sim\nversion: 1\ncategory: other\nrequired_facts: [os_family]\n"


def playbook(body: str) -> Playbook:
    report = report_of(HEAD + body)
    assert report.ok, [str(p) for p in report.problems]
    assert report.playbook is not None
    return report.playbook


RETRY = """\
start: try
nodes:
  try:
    instruct: Restart the app.
    next: fixed
  fixed:
    ask: Does it work now?
    choices:
      - {label: "Yes", next: done}
      - {label: "No", next: try}
      - {label: Give up, next: escalate}
  done:
    resolve: {summary: Restarted}
  escalate:
    escalate: {trigger: complexity, queue: apps}
"""


def test_a_retry_loop_is_gone_round_once() -> None:
    simulation = simulate(playbook(RETRY))
    assert simulation.truncated is None
    assert [[(s.node, s.outcome) for s in p.steps] for p in simulation.paths] == [
        [("try", "next"), ("fixed", "Yes")],
        [("try", "next"), ("fixed", "No"), ("try", "next"), ("fixed", "Yes")],
        [("try", "next"), ("fixed", "No"), ("try", "next"), ("fixed", "Give up")],
        [("try", "next"), ("fixed", "Give up")],
    ]
    assert [p.leaf.id for p in simulation.paths] == ["done", "done", "escalate", "escalate"]


BRANCHES = """\
start: os
nodes:
  os:
    ask: Which system?
    choices:
      - {label: Windows, set: {os_family: windows}, next: by_os}
      - {label: Not sure, next: by_os}
  by_os:
    branch: {fact: os_family, cases: {windows: win, macos: mac}, default: other}
  win:
    resolve: {summary: Windows fix}
  mac:
    resolve: {summary: Mac fix}
  other:
    escalate: {trigger: complexity, queue: desk}
"""


def test_a_branch_on_a_fact_the_path_set_takes_only_its_case() -> None:
    paths = simulate(playbook(BRANCHES)).paths
    assert [(p.steps[0].outcome, p.leaf.id) for p in paths] == [
        ("Windows", "win"),
        ("Not sure", "win"),
        ("Not sure", "mac"),
        ("Not sure", "other"),
    ]
    # Not known on the way: the case taken tells the fact's value (from the snapshot, say).
    assert dict(paths[2].facts) == {"os_family": "macos"}
    assert dict(paths[3].facts) == {}
    assert paths[3].missing_facts == ("os_family",)
    assert paths[0].missing_facts == ()  # a resolve leaf needs no handoff


def chain(length: int) -> str:
    lines = ["start: n0", "nodes:"]
    for i in range(length):
        lines += [
            f"  n{i}:",
            "    ask: Which way?",
            "    choices:",
            f"      - {{label: Left, next: n{i + 1}}}",
            f"      - {{label: Right, next: n{i + 1}}}",
        ]
    lines += [f"  n{length}:", "    resolve: {summary: End}"]
    return "\n".join(lines) + "\n"


def test_too_many_paths_stop_at_the_limit_and_say_so() -> None:
    simulation = simulate(playbook(chain(16)), max_paths=100)  # 65,536 paths in full
    assert len(simulation.paths) == 100
    assert simulation.truncated == "stopped at 100 paths; there may be more"
    assert json.loads(json.dumps(simulation.to_dict()))["truncated"] == simulation.truncated


def test_too_long_paths_are_left_out_and_said_so() -> None:
    simulation = simulate(playbook(chain(5)), max_steps=4)
    assert simulation.paths == ()
    assert simulation.truncated == "left out paths longer than 4 steps"


def test_the_search_itself_is_bounded() -> None:
    simulation = simulate(playbook(chain(30)), max_paths=10**9, max_expansions=1000)
    assert simulation.truncated == "stopped after 1000 steps of search; there may be more paths"
    assert 0 < len(simulation.paths) < 1000
