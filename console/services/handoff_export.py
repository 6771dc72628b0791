"""The handoff as Markdown, for "copy to clipboard" into any other ticketing tool.

It is the same ``handoff.md`` tier 2 reads inside a package (:func:`render_handoff`), rendered
from a preview of the package document, so the two never drift apart. The preview differs from
a frozen package in two honest ways: it is "prepared", not "submitted", and it has no package
id, because nothing was frozen.

:func:`console.services.escalate.freeze_package` is not used for the preview: it also builds
the ZIP (compressing every attachment only to throw it away) and gives the document a fresh
package id, which a pasted draft would then cite although no such package exists.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from console.domain.handoff import CompletenessGate
from console.domain.priority import PriorityMatrix
from console.domain.ticket import TicketRecord
from console.packages.handoff import render_handoff
from console.packages.model import (
    PackageDocument,
)
from console.services.escalate import Submission, compose_document

_PREVIEW_ID = uuid.UUID(int=0)


class HandoffNotReady(ValueError):
    """The handoff lacks what even a draft export needs; ``str()`` says what, in one sentence."""


def handoff_markdown(
    ticket: TicketRecord,
    submission: Submission,
    matrix: PriorityMatrix,
    *,
    prepared_by: str,
    now: datetime,
    gate: CompletenessGate | None = None,
) -> str:
    """The Markdown of the handoff ``submission`` would freeze, as prepared by ``prepared_by``
    at ``now``. The priority follows from ``matrix``, as when it is submitted.

    Raises :class:`HandoffNotReady` when who is affected, how urgent it is or the trigger is
    missing: the handoff's layout has no place for their absence.
    """
    document = preview_document(
        ticket, submission, matrix, prepared_by=prepared_by, now=now, gate=gate
    )
    lines = render_handoff(document).split("\n")
    # The header line and the footer are the only places that speak of a frozen package.
    header = f"**{document.handoff.priority}** · "
    for n, line in enumerate(lines):
        if line.startswith(header):
            lines[n] = line.replace(" · submitted ", " · prepared ", 1)
            break
    footer = f"Package {document.package_id} · "
    return "\n".join(
        "Draft handoff: not submitted yet, so no package was frozen."
        if line.startswith(footer)
        else line
        for line in lines
    )


def preview_document(
    ticket: TicketRecord,
    submission: Submission,
    matrix: PriorityMatrix,
    *,
    prepared_by: str,
    now: datetime,
    gate: CompletenessGate | None = None,
) -> PackageDocument:
    """The package document ``submission`` would freeze, without building the package."""
    draft = submission.draft
    missing = [
        words
        for words, absent in (
            ("who is affected", draft.affected_scope is None),
            ("how urgent it is", draft.urgency is None),
            ("the escalation trigger", not draft.triggers),
        )
        if absent
    ]
    if missing or draft.affected_scope is None or draft.urgency is None:
        raise HandoffNotReady(f"Before exporting the handoff, say {_listed(missing)}.")
    score = (gate or CompletenessGate()).evaluate(draft).score
    document, _ = compose_document(ticket, submission, prepared_by, score, now, matrix, _PREVIEW_ID)
    return document


def _listed(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
