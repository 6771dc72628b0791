"""The playbook runner: a state machine the troubleshooting screen drives, one node at a time.

The runner never touches the machine itself. At a ``check`` node the UI asks
:meth:`PlaybookRunner.pending_check` what to run, runs it in the background through the
callable the service layer provides, and hands the result to :meth:`record_check` (or calls
:meth:`run_check` to do both in one go, as tests and the CLI do). A check missing on this
platform is recorded as ``skipped``, one that raised as ``error``; both follow ``on_error``
(or ``on_fail`` when the node has none).

Widgets watch the runner through :attr:`PlaybookRunner.listeners` (plain callables, called
after every change), so this module stays free of Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from console.domain.checks import CheckStatus, CheckUnavailable
from console.playbooks.facts import facts_from_snapshot
from console.playbooks.model import (
    AskNode,
    BranchNode,
    CheckNode,
    EscalateNode,
    InputKind,
    InputNode,
    InstructNode,
    Node,
    Playbook,
    ResolveNode,
)
from console.playbooks.transcript import CheckRecord, RunOutcome, Transcript, TranscriptEntry

STATUSES = tuple(status.value for status in CheckStatus)


class RunnerError(Exception):
    """An action that does not fit where the run stands; ``str()`` says why in one sentence."""


class CheckResultLike(Protocol):
    """What :mod:`console.diagnostics.checks` returns; ``status`` may be a str or a StrEnum."""

    @property
    def status(self) -> Any: ...
    @property
    def summary(self) -> str: ...
    @property
    def evidence(self) -> Mapping[str, Any]: ...
    @property
    def duration_ms(self) -> float | None:
        """``None`` when it was not measured (a check that could not run, replayed)."""
        ...


N = TypeVar("N", bound=Node)
CheckCallable = Callable[[str, Mapping[str, Any]], CheckResultLike]
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PlaybookRunner:
    """One run of ``playbook``. ``facts`` are known at the start (from the ticket); facts
    read from ``snapshot`` (a diagnostics snapshot, e.g. ``os_family``) come under them."""

    def __init__(
        self,
        playbook: Playbook,
        *,
        facts: Mapping[str, str] | None = None,
        snapshot: Mapping[str, Any] | None = None,
        clock: Clock = _utc_now,
    ) -> None:
        self.playbook = playbook
        self.listeners: list[Callable[[], None]] = []
        self._clock = clock
        self._started_at = clock()
        self._initial = MappingProxyType(facts_from_snapshot(snapshot) | dict(facts or {}))
        self._entries: list[TranscriptEntry] = []
        self._current: str = playbook.start
        self._pending_note: str | None = None
        self._outcome: RunOutcome | None = None
        self._finished_at: datetime | None = None
        self._finish_reason: str | None = None
        self._take_branches()

    # --- where the run stands ----------------------------------------------------------------

    @property
    def current(self) -> Node:
        """The node shown now (the node the run ended at, once finished)."""
        return self.playbook.node(self._current)

    @property
    def finished(self) -> bool:
        return self._outcome is not None

    @property
    def outcome(self) -> RunOutcome | None:
        return self._outcome

    @property
    def facts(self) -> Mapping[str, str]:
        facts = dict(self._initial)
        for entry in self._entries:
            if not entry.reverted:
                facts.update(entry.facts_set)
        return MappingProxyType(facts)

    @property
    def entries(self) -> tuple[TranscriptEntry, ...]:
        return tuple(self._entries)

    def learn(self, snapshot: Mapping[str, Any]) -> dict[str, str]:
        """Take the facts a diagnostics snapshot provides (``os_family``, ...) that came after
        the run started, for the branches still ahead; returns what was new.

        Facts already known stay as they are, and so does any fact a branch of this run has
        already been decided on (even a branch gone back over since): a saved run starts from
        the facts known at its start and must replay to the same steps.
        """
        if self.finished:
            return {}  # nothing is ahead, and the handoff was filled from the facts as they were
        decided = set()
        for entry in self._entries:
            node = self.playbook.nodes.get(entry.node)
            if isinstance(node, BranchNode):
                decided.add(node.fact)
        new = {
            fact: value
            for fact, value in facts_from_snapshot(snapshot).items()
            if fact not in self._initial and fact not in decided
        }
        if new:
            self._initial = MappingProxyType(new | dict(self._initial))
            self._changed()
        return new

    @property
    def pending_note(self) -> str | None:
        """A note added at the current node, kept until it is answered (then on its entry)."""
        return self._pending_note

    @property
    def can_go_back(self) -> bool:
        return not self.finished and any(not e.reverted and not e.automatic for e in self._entries)

    def transcript(self) -> Transcript:
        return Transcript(
            playbook_id=self.playbook.id,
            playbook_version=self.playbook.version,
            playbook_sha256=self.playbook.source.sha256,
            started_at=self._started_at,
            initial_facts=self._initial,
            entries=tuple(self._entries),
            facts=self.facts,
            current_node=self._current,
            outcome=self._outcome,
            finished_at=self._finished_at,
            finish_reason=self._finish_reason,
        )

    # --- answering ---------------------------------------------------------------------------

    def choose(self, choice: int | str) -> None:
        """Answer an ``ask`` node with a choice's position (from 0) or its label."""
        node = self._expect(AskNode)
        labels = [c.label for c in node.choices]
        if isinstance(choice, int):
            if not 0 <= choice < len(labels):
                raise RunnerError(
                    f"{node.id}: there is no choice {choice} (0 to {len(labels) - 1})"
                )
            picked = node.choices[choice]
        elif choice in labels:
            picked = node.choices[labels.index(choice)]
        else:
            raise RunnerError(f"{node.id}: {choice!r} is not a choice ({', '.join(labels)})")
        self._step(node, picked.label, dict(picked.sets), picked.next)

    def enter(self, value: str) -> None:
        """Answer an ``input`` node; the value becomes the node's fact."""
        node = self._expect(InputNode)
        text = value.strip() if node.input_kind is not InputKind.MULTILINE else value.strip("\n")
        if not text.strip():
            raise RunnerError(f"{node.id}: {node.fact} cannot be empty")
        if node.input_kind is InputKind.NUMBER:
            try:
                float(text)
            except ValueError:
                raise RunnerError(
                    f"{node.id}: {node.fact} must be a number, not {text!r}"
                ) from None
        if node.input_kind is InputKind.CHOICE and text not in node.options:
            raise RunnerError(
                f"{node.id}: {node.fact} must be one of {', '.join(node.options)}, not {text!r}"
            )
        self._step(node, text, {node.fact: text}, node.next)

    def acknowledge(self) -> None:
        """The caller did what an ``instruct`` node asked."""
        node = self._expect(InstructNode)
        self._step(node, "done", {}, node.next)

    def pending_check(self) -> tuple[str, Mapping[str, Any]]:
        """The check to run now and its arguments (the current node must be a check)."""
        node = self._expect(CheckNode)
        return node.check, node.args

    def record_check(self, result: CheckResultLike) -> CheckRecord:
        """Record a check's result and follow ``on_pass``/``on_fail``/``on_error``."""
        node = self._expect(CheckNode)
        status = str(getattr(result.status, "value", result.status)).lower()
        if status not in STATUSES:
            raise RunnerError(f"{node.id}: a check status is one of {', '.join(STATUSES)}")
        record = CheckRecord(
            name=node.check,
            args=node.args,
            status=status,
            summary=str(result.summary),
            evidence=MappingProxyType(dict(result.evidence)),
            duration_ms=None if result.duration_ms is None else float(result.duration_ms),
        )
        return self._checked(node, record)

    def run_check(self, run: CheckCallable) -> CheckRecord:
        """Run the current check with ``run`` and record what came of it, whatever it was."""
        node = self._expect(CheckNode)
        try:
            result = run(node.check, node.args)
        except Exception as exc:  # noqa: BLE001 - a broken check is recorded, not fatal
            if isinstance(exc, CheckUnavailable):
                status, reason = CheckStatus.SKIPPED, str(exc) or "the check is not available here"
                evidence = {"reason": reason}
            else:
                detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                status, reason = CheckStatus.ERROR, f"the check could not run ({detail})"
                evidence = {"error": reason}
            record = CheckRecord(
                node.check, node.args, status.value, reason, MappingProxyType(evidence), None
            )
            return self._checked(node, record)
        return self.record_check(result)

    # --- going back, notes, the end ------------------------------------------------------------

    def back(self) -> None:
        """Undo the last step the agent took (and the automatic ones after it). The undone
        entries stay in the transcript, marked reverted; their facts no longer count."""
        self._expect_running()
        manual = [i for i, e in enumerate(self._entries) if not e.reverted and not e.automatic]
        if not manual:
            raise RunnerError("Nothing to go back to: this is the first step")
        now = self._clock()
        for i in range(manual[-1], len(self._entries)):
            if not self._entries[i].reverted:
                self._entries[i] = replace(self._entries[i], reverted_at=now)
        self._current = self._entries[manual[-1]].node
        self._changed()

    def add_note(self, text: str, step: int | None = None) -> None:
        """A note on transcript entry ``step``; without one, on the current node (kept until
        it is answered) or, once the run is finished, on its last entry."""
        text = text.strip()
        if not text:
            raise RunnerError("A note cannot be empty")
        if step is None and self.finished:
            step = len(self._entries) - 1
        if step is None:
            self._pending_note = _joined(self._pending_note, text)
        elif 0 <= step < len(self._entries):
            entry = self._entries[step]
            self._entries[step] = replace(entry, note=_joined(entry.note, text))
        else:
            raise RunnerError(f"There is no step {step} (the transcript has {len(self._entries)})")
        self._changed()

    def finish(self, outcome: RunOutcome, reason: str | None = None) -> Transcript:
        """End the run. Resolving or escalating anywhere but at a matching leaf is the agent's
        own decision and needs a ``reason``; abandoning is possible anywhere."""
        self._expect_running()
        node = self.current
        matching = {RunOutcome.RESOLVED: ResolveNode, RunOutcome.ESCALATED: EscalateNode}
        leaf = matching.get(outcome)
        reason = reason.strip() if reason else None
        if leaf is not None and not isinstance(node, leaf) and not reason:
            raise RunnerError(
                f"{node.id}: {outcome.value} here is off the script; give a reason for tier 2"
            )
        now = self._clock()
        prompt = node.prompt_with(self.facts) if isinstance(node, EscalateNode) else node.prompt
        entry = TranscriptEntry(
            now, node.id, node.kind, prompt, outcome.value, {}, None, note=self._note()
        )
        self._entries.append(entry)
        self._outcome, self._finished_at, self._finish_reason = outcome, now, reason
        self._changed()
        return self.transcript()

    # --- internals ---------------------------------------------------------------------------

    def _expect_running(self) -> None:
        if self.finished:
            raise RunnerError(f"The run has ended ({self._outcome}); start a new one")

    def _expect(self, kind: type[N]) -> N:
        self._expect_running()
        node = self.current
        if not isinstance(node, kind):
            raise RunnerError(
                f"{node.id} is {_article(node.kind)} {node.kind} node, not {kind.kind}"
            )
        return node

    def _checked(self, node: CheckNode, record: CheckRecord) -> CheckRecord:
        target = node.target_for(record.status)
        self._step(node, record.status, {}, target, check=record)
        return record

    def _note(self) -> str | None:
        note, self._pending_note = self._pending_note, None
        return note

    def _step(
        self,
        node: Node,
        answer: str,
        facts: dict[str, str],
        target: str,
        check: CheckRecord | None = None,
    ) -> None:
        entry = TranscriptEntry(
            self._clock(),
            node.id,
            node.kind,
            node.prompt,
            answer,
            MappingProxyType(facts),
            target,
            check=check,
            note=self._note(),
        )
        self._entries.append(entry)
        self._current = target
        self._take_branches()
        self._changed()

    def _take_branches(self) -> None:
        """Branches need nobody: take them at once, recording which case and why."""
        seen: set[str] = set()
        while isinstance(node := self.current, BranchNode):
            if node.id in seen:
                raise RunnerError(f"{node.id}: the branches loop on these facts and never end")
            seen.add(node.id)
            value = self.facts.get(node.fact)
            target = node.target_for(value)
            answer = value if value in node.cases else f"default ({value or 'not known'})"
            entry = TranscriptEntry(
                self._clock(), node.id, node.kind, node.prompt, answer, {}, target, automatic=True
            )
            self._entries.append(entry)
            self._current = target

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()


def _joined(before: str | None, text: str) -> str:
    return f"{before}\n{text}" if before else text


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
