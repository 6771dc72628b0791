"""Save a playbook run as JSON and take it up again later, exactly where it stood.

A draft must survive a crash, so the troubleshooting screen saves the run with every change.
:func:`serialise_run` writes the transcript (every step with its recorded time, undone steps
with the time they were undone, check results with their evidence, notes) plus the note
waiting for the current node. :func:`resume_run` replays those steps into a fresh
:class:`PlaybookRunner` through its public actions: checks are never run again, their recorded
results are fed back with :meth:`PlaybookRunner.record_check`, and the runner's clock gives
back the recorded times, so the resumed transcript equals the saved one. The replay is
compared with the saved transcript at the end; a run that does not replay is refused rather
than half restored.

A run belongs to one exact playbook file: when the playbook's id, version or SHA-256 differs
from the saved ones, :func:`resume_run` raises :class:`ResumeError` and the caller starts over
(and tells the agent why).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from console.playbooks.model import AskNode, CheckNode, InputNode, InstructNode, Playbook
from console.playbooks.runner import PlaybookRunner, RunnerError
from console.playbooks.transcript import RunOutcome

FORMAT = 1
"""Raised when the saved shape changes; older drafts are then refused, not misread."""

Clock = Callable[[], datetime]


class ResumeError(ValueError):
    """A saved run that cannot be taken up again; ``str()`` says why in one sentence."""


def serialise_run(runner: PlaybookRunner) -> dict[str, Any]:
    """The run as JSON-able data: the playbook it belongs to (id, version, SHA-256), the
    steps taken with their times, answers, check results and notes, and the pending note."""
    data = runner.transcript().to_dict()
    data["format"] = FORMAT
    data["pending_note"] = runner.pending_note
    return data


def resume_run(
    playbook: Playbook, data: Mapping[str, Any], *, clock: Clock | None = None
) -> PlaybookRunner:
    """A runner in the state :func:`serialise_run` saved, for ``playbook``; ``clock`` times
    what happens after (default: now, in UTC). Raises :class:`ResumeError` when the data is
    for another playbook or another version of it, or does not replay."""
    _same_playbook(playbook, data)
    try:
        saved = _SavedRun.read(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ResumeError(f"The saved run cannot be read ({_reason(exc)})") from None
    replay_clock = _ReplayClock(clock or _utc_now)
    replay_clock.push(saved.started_at)
    replay_clock.push(*_automatic_times(saved.entries, 0))
    try:
        runner = PlaybookRunner(playbook, facts=saved.initial_facts, clock=replay_clock)
        _replay(runner, saved, replay_clock)
    except (RunnerError, KeyError, ValueError, IndexError) as exc:
        raise ResumeError(
            f"The saved run does not replay on {playbook.id} ({_reason(exc)})"
        ) from None
    replayed = serialise_run(runner)
    if replayed != dict(data) or replay_clock.waiting:
        raise ResumeError(f"The saved run does not replay on {playbook.id} as it was saved")
    return runner


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SavedEntry:
    at: datetime
    node: str
    answer: str | None
    next: str | None
    check: Mapping[str, Any] | None
    note: str | None
    automatic: bool
    reverted_at: datetime | None


@dataclass(frozen=True, slots=True)
class _SavedRun:
    started_at: datetime
    initial_facts: dict[str, str]
    entries: tuple[_SavedEntry, ...]
    pending_note: str | None
    outcome: RunOutcome | None
    finish_reason: str | None

    @classmethod
    def read(cls, data: Mapping[str, Any]) -> _SavedRun:
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this console reads {FORMAT}")
        entries = tuple(
            _SavedEntry(
                at=_time(raw["at"]),
                node=str(raw["node"]),
                answer=raw["answer"],
                next=raw["next"],
                check=raw["check"],
                note=raw["note"],
                automatic=bool(raw["automatic"]),
                reverted_at=_time(raw["reverted_at"]) if raw["reverted_at"] else None,
            )
            for raw in data["entries"]
        )
        outcome = data.get("outcome")
        return cls(
            started_at=_time(data["started_at"]),
            initial_facts={str(k): str(v) for k, v in dict(data["initial_facts"]).items()},
            entries=entries,
            pending_note=data.get("pending_note"),
            outcome=RunOutcome(outcome) if outcome else None,
            finish_reason=data.get("finish_reason"),
        )


def _same_playbook(playbook: Playbook, data: Mapping[str, Any]) -> None:
    saved = data.get("playbook")
    if not isinstance(saved, Mapping):
        raise ResumeError("The saved run does not say which playbook it belongs to")
    if saved.get("id") != playbook.id:
        raise ResumeError(f"The saved run is of playbook {saved.get('id')!r}, not {playbook.id!r}")
    if saved.get("version") != playbook.version or saved.get("sha256") != playbook.source.sha256:
        raise ResumeError(
            f"The playbook {playbook.id} changed since the run was saved "
            f"(version {saved.get('version')} then, {playbook.version} now)"
        )


def _time(text: Any) -> datetime:
    if not isinstance(text, str):
        raise TypeError(f"a time must be ISO 8601 text, not {text!r}")
    return datetime.fromisoformat(text)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"{exc.args[0]} is missing" if exc.args else "a value is missing"
    return str(exc) or type(exc).__name__


def _utc_now() -> datetime:
    return datetime.now(UTC)


# --- replaying -------------------------------------------------------------------------------


class _ReplayClock:
    """Gives the recorded times, in the order the replay asks for them; the real clock once
    none are waiting (the resumed run goes on in real time)."""

    def __init__(self, live: Clock) -> None:
        self._live = live
        self._times: deque[datetime] = deque()

    @property
    def waiting(self) -> int:
        return len(self._times)

    def push(self, *times: datetime) -> None:
        self._times.extend(times)

    def __call__(self) -> datetime:
        return self._times.popleft() if self._times else self._live()


@dataclass(frozen=True, slots=True)
class _Replayed:
    """A recorded check result in the shape :meth:`PlaybookRunner.record_check` takes."""

    status: str
    summary: str
    evidence: Mapping[str, Any]
    duration_ms: float | None


def _automatic_times(entries: Sequence[_SavedEntry], start: int) -> list[datetime]:
    """The times of the automatic (branch) entries from ``start`` on, up to the next manual
    one: the runner takes those branches itself, right after the step before them."""
    times: list[datetime] = []
    for entry in entries[start:]:
        if not entry.automatic:
            break
        times.append(entry.at)
    return times


def _replay(runner: PlaybookRunner, saved: _SavedRun, clock: _ReplayClock) -> None:
    entries = saved.entries
    finishing = len(entries) - 1 if saved.outcome is not None else None
    for index, entry in enumerate(entries):
        if entry.automatic:
            continue  # taken by the runner after the step before it
        if index == finishing and saved.outcome is not None:
            _undo_all_undone(runner, entries, clock)
            clock.push(entry.at)
            runner.finish(saved.outcome, saved.finish_reason)
            break
        _undo_before(runner, entries, index, clock)
        if runner.current.id != entry.node:
            raise RunnerError(
                f"step {index} was at {entry.node}, the replay is at {runner.current.id}"
            )
        clock.push(entry.at, *_automatic_times(entries, index + 1))
        _take_step(runner, entry)
    if saved.outcome is None:
        _undo_all_undone(runner, entries, clock)
    for index, entry in enumerate(entries):
        if entry.note:
            runner.add_note(entry.note, step=index)
    if saved.pending_note and not runner.finished:
        runner.add_note(saved.pending_note)


def _take_step(runner: PlaybookRunner, entry: _SavedEntry) -> None:
    node = runner.current
    answer = entry.answer or ""
    if isinstance(node, AskNode):
        # The label and where it led: labels are what the transcript keeps, and the target
        # tells two equal labels apart.
        matches = [
            i for i, c in enumerate(node.choices) if c.label == answer and c.next == entry.next
        ]
        runner.choose(matches[0] if matches else answer)
    elif isinstance(node, InputNode):
        runner.enter(answer)
    elif isinstance(node, InstructNode):
        runner.acknowledge()
    elif isinstance(node, CheckNode):
        if entry.check is None:
            raise RunnerError(f"step at {node.id} has no check result")
        duration = entry.check.get("duration_ms")
        runner.record_check(
            _Replayed(
                status=str(entry.check["status"]),
                summary=str(entry.check["summary"]),
                evidence=dict(entry.check["evidence"]),
                duration_ms=None if duration is None else float(duration),
            )
        )
    else:
        raise RunnerError(f"{node.id} is {node.kind}: nothing is answered there")


def _last_live_manual(runner: PlaybookRunner) -> int | None:
    live = [i for i, e in enumerate(runner.entries) if not e.reverted and not e.automatic]
    return live[-1] if live else None


def _undo_before(
    runner: PlaybookRunner, entries: Sequence[_SavedEntry], index: int, clock: _ReplayClock
) -> None:
    """Go back over the steps the agent undid before step ``index`` was taken.

    A back undoes the newest live step (with the automatic ones after it), so the saved undo
    times decide: undone before the step was taken, it is undone now. With equal times (a
    coarse clock) either order is possible; the step's node then says which one it was.
    """
    step = entries[index]
    while (last := _last_live_manual(runner)) is not None:
        undone_at = entries[last].reverted_at
        if undone_at is None or undone_at > step.at:
            return
        tied = undone_at == step.at and step.reverted_at == undone_at
        if tied and runner.current.id == step.node:
            return
        clock.push(undone_at)
        runner.back()


def _undo_all_undone(
    runner: PlaybookRunner, entries: Sequence[_SavedEntry], clock: _ReplayClock
) -> None:
    """The backs after the last step taken (the run ends, or stands, where they left it)."""
    while (last := _last_live_manual(runner)) is not None:
        undone_at = entries[last].reverted_at
        if undone_at is None:
            return
        clock.push(undone_at)
        runner.back()
