"""The handoff form, filled in from what the call already recorded.

Tier 1 should not type twice what the playbook already knows: the ticket summary says what is
wrong, the transcript is what was tried, the facts hold the error text, who is affected and
how urgent it is, and the escalate leaf names the trigger and the queue. Everything here is
read, never guessed: a field with nothing behind it stays empty, for the gate to point at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from console.domain.enums import Impact, Trigger, Urgency
from console.domain.handoff import HandoffDraft, TriedStep
from console.playbooks.model import EscalateNode, Playbook
from console.playbooks.transcript import RunOutcome, Transcript, TranscriptEntry

ERROR_FACTS = ("error_text", "error_message", "error")
"""Facts that hold the error word for word, in order of preference (README convention first)."""

FIELD_FACTS = ("error_text", "affected_scope", "affected_count", "urgency")
"""Facts that mirror a field of the form: a playbook may require them, and the agent should
not have to type the same thing twice (see :func:`with_field_facts`)."""

# Kinds that record something the agent or the caller did; branches are the playbook's own
# bookkeeping and leaves are the end of the run, not an attempt.
_TRIED_KINDS = frozenset({"ask", "input", "check", "instruct"})

_IMPACT_WORDS: Mapping[str, Impact] = {
    "single_user": Impact.SINGLE_USER,
    "single": Impact.SINGLE_USER,
    "user": Impact.SINGLE_USER,
    "one_user": Impact.SINGLE_USER,
    "individual": Impact.SINGLE_USER,
    "team": Impact.TEAM,
    "group": Impact.TEAM,
    "department": Impact.TEAM,
    "site": Impact.SITE,
    "organization": Impact.SITE,
    "organisation": Impact.SITE,
    "company": Impact.SITE,
    "everyone": Impact.SITE,
}
_URGENCY_WORDS: Mapping[str, Urgency] = {
    "work_stopped": Urgency.WORK_STOPPED,
    "stopped": Urgency.WORK_STOPPED,
    "blocked": Urgency.WORK_STOPPED,
    "down": Urgency.WORK_STOPPED,
    "high": Urgency.WORK_STOPPED,
    "degraded": Urgency.DEGRADED,
    "slowed": Urgency.DEGRADED,
    "slow": Urgency.DEGRADED,
    "medium": Urgency.DEGRADED,
    "minor": Urgency.MINOR,
    "low": Urgency.MINOR,
}


E = TypeVar("E")


class EscalationLeaf(Protocol):
    """What the form takes from an ``escalate`` node (a playbook ``EscalateNode`` is one)."""

    @property
    def trigger(self) -> Trigger: ...
    @property
    def queue(self) -> str: ...
    def note_with(self, facts: Mapping[str, str]) -> str | None:
        """The note for tier 2, with the run's facts in the places it names them."""


def prefill_handoff(
    summary: str,
    transcript: Transcript | None,
    facts: Mapping[str, str],
    escalation: EscalationLeaf | None,
    required_facts: Sequence[str] = (),
) -> HandoffDraft:
    """A draft from the ticket ``summary``, the playbook ``transcript`` and ``facts``, the
    ``escalation`` leaf the run reached (``None`` when the agent escalated on their own) and
    the playbook's ``required_facts``. Diagnostics are not known here: the window sets them.
    """
    error = next((facts[k] for k in ERROR_FACTS if facts.get(k, "").strip()), "")
    scope = impact_from_text(facts.get("affected_scope", ""))
    count = count_from_text(facts.get("affected_count", ""))
    if count is None and scope is Impact.SINGLE_USER:
        count = 1  # "only this caller" is a count, not a guess
    return HandoffDraft(
        what_is_wrong=_what_is_wrong(
            summary, error, None if escalation is None else escalation.note_with(facts), transcript
        ),
        what_was_tried=tried_steps(transcript) if transcript is not None else (),
        error_verbatim=error.strip("\n"),
        affected_scope=scope,
        affected_count=count,
        urgency=urgency_from_text(facts.get("urgency", "")),
        triggers=(escalation.trigger,) if escalation is not None else (),
        queue=escalation.queue if escalation is not None else "",
        required_facts=tuple(dict.fromkeys(required_facts)),
        facts={key: value for key, value in facts.items() if value.strip()},
    )


def reached_escalation(playbook: Playbook, transcript: Transcript | None) -> EscalateNode | None:
    """The ``escalate`` node the run stands at (or ended at), if it reached one."""
    if transcript is None or transcript.current_node is None:
        return None
    try:
        node = playbook.node(transcript.current_node)
    except KeyError:
        return None
    return node if isinstance(node, EscalateNode) else None


def tried_steps(transcript: Transcript) -> tuple[TriedStep, ...]:
    """The steps that count, as "what was already tried" (reverted and automatic ones left
    out): each is what was asked, said or checked, and what came of it."""
    return tuple(
        _tried(entry)
        for entry in transcript.entries
        if entry.kind in _TRIED_KINDS
        and not entry.reverted
        and not entry.automatic
        # The entry that ends a run leads nowhere: it is the outcome, not an attempt.
        and entry.next is not None
    )


def impact_from_text(text: str) -> Impact | None:
    """``single_user``/``team``/``site``, or a plain word for one ("Team", "whole site")."""
    return _lenient(text, _IMPACT_WORDS)


def urgency_from_text(text: str) -> Urgency | None:
    """``work_stopped``/``degraded``/``minor``, or a plain word for one ("Work stopped")."""
    return _lenient(text, _URGENCY_WORDS)


def count_from_text(text: str) -> int | None:
    """The first number in ``text`` ("12", "about 40"), rounded, when it is at least 1."""
    match = re.search(r"\d+(?:[.,]\d+)?", text)
    if match is None:
        return None
    count = round(float(match.group().replace(",", ".")))
    return count if count >= 1 else None


def with_field_facts(draft: HandoffDraft) -> HandoffDraft:
    """The draft with empty field facts (``error_text``, ``affected_scope``, ...) taken from
    the fields that hold the same thing, so a playbook that requires ``error_text`` is
    satisfied by the error the agent typed into the form."""
    values = {
        "error_text": draft.error_verbatim.strip("\n"),
        "affected_scope": draft.affected_scope.value if draft.affected_scope else "",
        "affected_count": str(draft.affected_count) if draft.affected_count else "",
        "urgency": draft.urgency.value if draft.urgency else "",
    }
    facts = dict(draft.facts)
    for key in FIELD_FACTS:
        if not facts.get(key, "").strip() and values[key].strip():
            facts[key] = values[key]
    return replace(draft, facts=facts) if facts != draft.facts else draft


def _what_is_wrong(
    summary: str,
    error: str,
    note: str | None,
    transcript: Transcript | None,
) -> str:
    parts = [_sentence(summary)]
    first_line = next((line.strip() for line in error.splitlines() if line.strip()), "")
    if first_line:
        parts.append(f'The error reads: "{first_line}".')
    if note:
        parts.append(_sentence(note))
    if (
        transcript is not None
        and transcript.outcome is RunOutcome.ESCALATED
        and transcript.finish_reason
    ):
        parts.append(_sentence(f"Escalated before the playbook's end: {transcript.finish_reason}"))
    return " ".join(part for part in parts if part)


def _tried(entry: TranscriptEntry) -> TriedStep:
    if entry.check is not None:
        summary = entry.check.summary.strip()
        outcome = f"{entry.check.status}: {summary}" if summary else entry.check.status
    elif entry.kind == "instruct":
        outcome = "the caller did it" if entry.answer == "done" else (entry.answer or "")
    else:
        outcome = _one_line(entry.answer or "")
    if entry.note:
        outcome = f"{outcome} (note: {_one_line(entry.note)})" if outcome else entry.note
    return TriedStep(action=_one_line(entry.prompt), outcome=outcome, at=entry.at.isoformat())


def _lenient(text: str, words: Mapping[str, E]) -> E | None:
    key = re.sub(r"[\s\-]+", "_", text.strip().lower())
    if not key:
        return None
    if key in words:
        return words[key]
    # "Whole site", "work has stopped": the first known word decides.
    for word in key.split("_"):
        if word in words:
            return words[word]
    return None


def _sentence(text: str) -> str:
    text = _one_line(text)
    if text and text[-1] not in ".!?":
        text += "."
    return text


def _one_line(text: str) -> str:
    """Line breaks out, so a step stays one line of tier 2's numbered list."""
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())
