"""What a ticket's handoff becomes outside the form: the submission to freeze, the Markdown
for another ticketing tool, a PDF, and the frozen package's ZIP.

Each is read from the widgets on the GUI thread (cheap) and built by a function that runs on
a worker thread (it reads attachments and diagnostics from the store, renders, writes files).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.services.desk import Desk
    from console.services.escalate import Submission
    from console.ui.handoff.form import HandoffForm
    from console.ui.troubleshoot.panel import TroubleshootPanel


def submission_builder(
    desk: Desk,
    ref: str,
    form: HandoffForm,
    troubleshoot: TroubleshootPanel | None,
    override: str = "",
) -> Callable[[], Submission]:
    """Read the form now; the returned function completes the submission on a worker."""
    from console.packages.model import PlaybookPin
    from console.services.escalate import Submission

    draft, details = form.draft(), form.affected_details()
    pin = None
    if troubleshoot is not None:
        transcript = troubleshoot.transcript()
        pin = PlaybookPin(
            id=transcript.playbook_id,
            version=int(transcript.playbook_version),
            sha256=transcript.playbook_sha256,
            outcome=str(transcript.outcome or ""),
        )

    def build() -> Submission:
        return Submission(
            ref=ref,
            draft=draft,
            affected_details=details,
            attachments=desk.drafts.attachment_inputs(ref),
            diagnostics=desk.capture.latest(ref),
            playbook=pin,
            override_reason=override,
        )

    return build


def markdown_builder(
    desk: Desk, ref: str, form: HandoffForm, troubleshoot: TroubleshootPanel | None
) -> Callable[[], str]:
    """The handoff as Markdown, as it would be frozen now (worker function)."""
    build = submission_builder(desk, ref, form, troubleshoot)

    def render() -> str:
        from console.services.clock import utc_now
        from console.services.handoff_export import handoff_markdown

        ticket = desk.ticket(ref)
        return handoff_markdown(
            ticket, build(), desk.matrix, prepared_by=desk.agent.username, now=utc_now()
        )

    return render


def pdf_writer(render: Callable[[], str], path: Path, title: str) -> Callable[[], str]:
    """Render the Markdown and lay it out as a PDF at ``path`` (worker function)."""

    def write() -> str:
        from console.ui.ticket.pdf import write_handoff_pdf

        pages = write_handoff_pdf(render(), path, title)
        return f"Saved {path.name} ({pages} page{'s' if pages != 1 else ''})"

    return write


def package_exporter(desk: Desk, ref: str, path: Path) -> Callable[[], str]:
    """Write the ticket's frozen package, byte for byte, to ``path`` (worker function)."""

    def export() -> str:
        package_hash = desk.export_package(ref, path)
        return f"Exported {path.name} (package hash {package_hash[:12]}…)"

    return export
