"""``handoff.md``: the summary a tier 2 engineer reads first.

The five things tier 2 always asks for come first, in the order they ask: what is wrong,
what was already tried, the error verbatim, who is affected, how urgent. Everything else
follows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from console.domain.enums import Impact, Urgency
from console.packages.model import PackageDocument

_SCOPE = {
    Impact.SINGLE_USER: "One person",
    Impact.TEAM: "A team or department",
    Impact.SITE: "A whole site or the organization",
}
_URGENCY = {
    Urgency.WORK_STOPPED: "Work stopped: the caller cannot do their job",
    Urgency.DEGRADED: "Work degraded: slower or with a workaround",
    Urgency.MINOR: "Minor: an inconvenience, work goes on",
}


def render_handoff(doc: PackageDocument) -> str:
    t, h = doc.ticket, doc.handoff
    out: list[str] = [f"# {t.ref}: {t.summary}", ""]
    out += [
        f"**{h.priority}** · {', '.join(h.triggers)} · queue **{h.queue}** · "
        f"{t.category} · submitted {_when(doc.created_at)} by {doc.submitted_by}",
        "",
        "## What is wrong",
        "",
        h.what_is_wrong.strip() or "_(not given)_",
        "",
        "## What was already tried",
        "",
    ]
    if h.what_was_tried:
        for n, step in enumerate(h.what_was_tried, 1):
            line = f"{n}. {step.action}"
            if step.outcome:
                line += f" — {step.outcome}"
            if step.at is not None:
                line += f" ({_when(step.at)})"
            out.append(line)
    else:
        out.append("_(nothing recorded)_")
    out += ["", "## The error, verbatim", ""]
    if h.error_verbatim:
        fence = "`" * max(3, _longest_backtick_run(h.error_verbatim) + 1)
        out += [fence + "text", h.error_verbatim, fence]
    else:
        out.append("_(no text: see the screenshots under Attachments)_")
    people = "person" if h.affected.count == 1 else "people"
    out += [
        "",
        "## Who is affected",
        "",
        f"{_SCOPE[h.affected.scope]}: {h.affected.count} {people}"
        + (f" ({h.affected.details})" if h.affected.details else ""),
        "",
        "## How urgent",
        "",
        _URGENCY[h.urgency],
        "",
        "## Priority and routing",
        "",
        f"- Priority: **{h.priority}** ({h.priority_reason})",
        f"- Escalation trigger: {', '.join(h.triggers)}",
        f"- Category: {t.category}",
        f"- Queue: {h.queue}",
    ]
    if doc.gate.override_reason:
        out.append(
            f"- Submitted past the completeness gate (score {doc.gate.score}%): "
            f"{doc.gate.override_reason}"
        )
    out += [
        "",
        "## Caller",
        "",
        f"- Caller: {t.caller}" + (f" <{t.contact}>" if t.contact else ""),
        f"- Client / site: {t.client or '-'} / {t.site or '-'}",
        f"- Channel: {t.channel}",
        f"- Agent: {t.agent}; opened {_when(t.opened_at)}",
    ]
    if t.description and t.description.strip() != h.what_is_wrong.strip():
        out += ["", t.description.strip()]
    if h.facts:
        out += ["", "## Facts", ""]
        out += [f"- {key}: {value}" for key, value in sorted(h.facts.items())]
    if doc.playbook is not None:
        p = doc.playbook
        out += [
            "",
            "## Playbook",
            "",
            f"{p.id} v{p.version} (sha256 {p.sha256})" + (f": {p.outcome}" if p.outcome else ""),
        ]
    out += ["", "## Diagnostics", ""]
    if doc.diagnostics is not None:
        d = doc.diagnostics
        source = "this device" if d.source == "this_device" else "a bundle the caller sent"
        out.append(
            f"Captured {_when(d.captured_at)} from {source}, privacy {d.privacy}"
            + (" — PARTIAL: some sections could not be read" if d.partial else "")
            + f". Full redacted snapshot: `{d.path}`."
        )
        out += [f"- {key}: {value}" for key, value in d.highlights.items()]
    else:
        out.append(f"None captured: {h.no_diagnostics_reason or '(no reason given)'}")
    out += ["", "## Attachments", ""]
    if doc.attachments:
        for a in doc.attachments:
            label = f" — {a.description}" if a.description else ""
            out.append(f"- `{a.path}` ({a.media_type}, {_size(a.size)}){label} sha256 {a.sha256}")
    else:
        out.append("_(none)_")
    out += ["", "---", f"Package {doc.package_id} · schema v{doc.schema_version}", ""]
    return "\n".join(out)


def _longest_backtick_run(text: str) -> int:
    return max((len(m) for m in re.findall(r"`+", text)), default=0)


def _when(moment: datetime) -> str:
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"
