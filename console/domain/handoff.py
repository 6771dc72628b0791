"""The escalation handoff as tier 1 fills it in, and the gate that refuses an incomplete one.

Tier 2's complaint is always the same five gaps: what is wrong, what was tried, the error
verbatim, who is affected and how urgent it is. :class:`CompletenessGate` names every gap
(field and reason) so the UI can focus the field and the CLI can print it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from console.domain.enums import Impact, Trigger, Urgency

# Fewer words than this in "what is wrong" reads like "Email broken".
MIN_PROBLEM_WORDS = 5


@dataclass(frozen=True, slots=True)
class TriedStep:
    """One thing tier 1 already tried, and what happened."""

    action: str
    outcome: str = ""
    at: str = ""
    """ISO 8601 time of the step, when known (the playbook transcript has it)."""


@dataclass(frozen=True, slots=True)
class HandoffDraft:
    what_is_wrong: str = ""
    what_was_tried: tuple[TriedStep, ...] = ()
    error_verbatim: str = ""
    error_screenshot: bool = False
    """True when a screenshot of the error is attached instead of (or as well as) the text."""
    affected_scope: Impact | None = None
    affected_count: int | None = None
    urgency: Urgency | None = None
    triggers: tuple[Trigger, ...] = ()
    queue: str = ""
    has_diagnostics: bool = False
    no_diagnostics_reason: str = ""
    required_facts: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Gap:
    field: str
    message: str


@dataclass(frozen=True, slots=True)
class GateResult:
    gaps: tuple[Gap, ...]
    checked: int

    @property
    def passed(self) -> bool:
        return not self.gaps

    @property
    def score(self) -> int:
        """Percentage of checked items that are satisfied."""
        if self.checked == 0:
            return 100
        return round(100 * (self.checked - len(self.gaps)) / self.checked)


class CompletenessGate:
    """Decides whether a handoff is complete enough for tier 2."""

    def evaluate(self, draft: HandoffDraft) -> GateResult:
        gaps: list[Gap] = []
        checked = 0

        def need(ok: bool, field_name: str, message: str) -> None:
            nonlocal checked
            checked += 1
            if not ok:
                gaps.append(Gap(field_name, message))

        words = len(draft.what_is_wrong.split())
        need(
            words >= MIN_PROBLEM_WORDS,
            "what_is_wrong",
            "Describe what is wrong in a full sentence (what fails, where, since when)."
            if words
            else "Say what is wrong.",
        )
        need(
            any(step.action.strip() for step in draft.what_was_tried),
            "what_was_tried",
            "List at least one thing already tried, and what happened.",
        )
        need(
            bool(draft.error_verbatim.strip()) or draft.error_screenshot,
            "error_verbatim",
            "Give the error word for word, or attach a screenshot of it.",
        )
        need(draft.affected_scope is not None, "affected_scope", "Say who is affected.")
        need(
            draft.affected_count is not None and draft.affected_count >= 1,
            "affected_count",
            "Say how many people are affected (at least 1).",
        )
        need(draft.urgency is not None, "urgency", "Say how urgent it is.")
        need(bool(draft.triggers), "triggers", "Name the escalation trigger.")
        need(bool(draft.queue.strip()), "queue", "Choose the tier 2 queue.")
        need(
            draft.has_diagnostics or bool(draft.no_diagnostics_reason.strip()),
            "diagnostics",
            "Capture or import diagnostics, or say why there are none.",
        )
        for fact in draft.required_facts:
            need(
                bool(draft.facts.get(fact, "").strip()),
                f"facts.{fact}",
                f"The playbook needs the fact '{fact}'.",
            )
        return GateResult(tuple(gaps), checked)
