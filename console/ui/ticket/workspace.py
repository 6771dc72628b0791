"""One ticket being worked, from intake to a submitted escalation or a tier 1 resolution.

The workspace is four steps (Alt+1..Alt+4): intake, troubleshoot, diagnostics and handoff.
Each step is a panel with the same small contract (``changed``, ``draft_state``,
``restore_state``, ``shortcuts``); the workspace saves their states together as the ticket's
draft, within two seconds of any change, and builds them again from a draft.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from console.domain.ticket import WORKING_STATUSES
from console.services.draft_saving import (
    DraftLedger,
    DraftSave,
    DraftSaved,
    worth_retrying,
    write_draft,
)
from console.ui.common.autosave import Autosaver
from console.ui.common.shortcuts import Shortcut
from console.ui.common.tasks import TaskRunner
from console.ui.intake.panel import IntakePanel
from console.ui.ticket.exports import (
    markdown_builder,
    package_exporter,
    pdf_writer,
    submission_builder,
)

if TYPE_CHECKING:
    from console.diagnostics.redaction import Privacy
    from console.playbooks.model import Playbook
    from console.playbooks.runner import CheckCallable
    from console.services.desk import Desk
    from console.services.drafts import AttachmentRecord, DraftRecord
    from console.services.intake_journal import IntakeJournal
    from console.ui.diagnostics.panel import CaptureDevice, DiagnosticsPanel, MeasureDevice
    from console.ui.handoff.attachments.panel import AttachmentsPanel
    from console.ui.handoff.attachments.screen_capture import ScreenCapturer
    from console.ui.handoff.form import HandoffForm
    from console.ui.troubleshoot.panel import TroubleshootPanel

STEPS = ("Intake", "Troubleshoot", "Diagnostics", "Handoff")


class StepPanel(Protocol):
    """What the workspace asks of every step's panel."""

    def draft_state(self) -> dict[str, Any]: ...
    def shortcuts(self) -> list[Shortcut]: ...
    def setEnabled(self, enabled: bool) -> None: ...  # noqa: N802 - Qt's name


@dataclass
class Opened:
    """What a workspace loads in the background before it shows an existing ticket."""

    intake: dict[str, Any]
    draft: DraftRecord | None
    playbooks: tuple[Playbook, ...]
    status: str = "open"


def _copy_to_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


@dataclass
class DeskTools:
    """The parts of the app every workspace uses; built once by ``console.app``."""

    desk: Desk
    runner: TaskRunner
    capturer: ScreenCapturer
    run_check: CheckCallable
    capture_device: CaptureDevice
    privacy: Callable[[], Privacy]
    journal: IntakeJournal
    copy_text: Callable[[str], None] = _copy_to_clipboard
    measure_device: MeasureDevice | None = None
    """Starts measuring this device when a ticket opens (see DiagnosticsPanel)."""


class TicketWorkspace(QWidget):
    """A ticket's tab in the main window.

    Signals:
        retitled(): the tab's title changed (the ticket got its ref).
        submitted(str): the escalation of this ref is in the outbox; deliver it now.
        message(str): one sentence for the status bar (an export done, a save that failed).
        draft_saved(int): the store holds the ticket's draft at this revision.
    """

    retitled = Signal()
    submitted = Signal(str)
    message = Signal(str)
    draft_saved = Signal(int)

    def __init__(
        self,
        tools: DeskTools,
        ref: str | None,
        journal_key: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``ref``: an existing ticket; None: a new one, whose intake is kept in the
        journal under ``journal_key`` until the ticket is opened (a given key restores
        what a crashed session left there)."""
        super().__init__(parent)
        self.setObjectName("workspace")
        self._tools = tools
        self._desk = tools.desk
        self._runner = tools.runner
        self.ref = ref
        self.journal_key = journal_key or uuid.uuid4().hex
        self._ledger = DraftLedger(self.journal_key)
        self._playbooks: tuple[Playbook, ...] = ()
        self.intake: IntakePanel | None = None
        self.troubleshoot: TroubleshootPanel | None = None
        self.diagnostics: DiagnosticsPanel | None = None
        self.handoff: HandoffForm | None = None
        self.attachments: AttachmentsPanel | None = None
        self._troubleshoot_state: Mapping[str, Any] = {}
        self._queued = ""
        self.steps = QTabWidget()
        self.steps.setObjectName("workspace_steps")
        self.notice = QLabel("")
        self.notice.setObjectName("workspace_notice")
        self.notice.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.steps)
        for n in range(len(STEPS)):
            shortcut = QShortcut(QKeySequence(f"Alt+{n + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda n=n: self.show_step(n))
        desk, journal, ledger = self._desk, tools.journal, self._ledger
        self.autosaver: Autosaver[DraftSave, DraftSaved] = Autosaver(
            self._runner,
            lambda: ledger.next_save(self.ref, self.draft_state()),
            lambda save: write_draft(desk, journal, save),
            parent=self,
            is_transient=worth_retrying,
        )
        self.autosaver.saved.connect(self._draft_written)
        self.autosaver.failed.connect(lambda text: self.message.emit(f"Draft not saved: {text}"))
        self._say("Opening…" if ref else "Loading playbooks…")
        key = self.journal_key
        self._runner.run_task(
            lambda: _load(desk, journal, ref, key), self._loaded, self, label="Opening the ticket"
        )

    # -- the main window's Workspace protocol ---------------------------------------------

    def widget(self) -> QWidget:
        return self

    def title(self) -> str:
        return self.ref or "New ticket"

    def flush(self) -> None:
        self.autosaver.save_now()

    @property
    def pending(self) -> bool:
        """Edits not yet in the store (or a save still running)."""
        return self.autosaver.pending

    def closing(self) -> None:
        """The agent closed the tab: save an opened ticket's draft; forget a new ticket's
        intake (closing it unopened is the agent's choice)."""
        if self.ref is not None:
            self.flush()
            return
        journal, key = self._tools.journal, self.journal_key
        self.autosaver.stop()
        self._runner.run_task(lambda: journal.discard(key), _ignore, self)

    def shortcuts(self) -> list[tuple[str, Sequence[Shortcut]]]:
        groups: list[tuple[str, Sequence[Shortcut]]] = [
            ("Ticket", [("Alt+1…Alt+4", "Intake, Troubleshoot, Diagnostics, Handoff")])
        ]
        for name, panel in self._panels().items():
            groups.append((name.capitalize(), panel.shortcuts()))
        return groups

    def show_step(self, index: int) -> None:
        if index < self.steps.count():
            self.steps.setCurrentIndex(index)
            widget = self.steps.currentWidget()
            if widget is not None:
                widget.setFocus()

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))  # an empty label would still take a line

    # -- loading -----------------------------------------------------------------------------

    def _loaded(self, opened: Opened | None, error: BaseException | None) -> None:
        if error is not None or opened is None:
            self._say(f"Could not open the ticket: {error}")
            return
        self._say("")
        self._playbooks = opened.playbooks
        content: Mapping[str, Any] = opened.draft.content if opened.draft else {}
        self._build_intake(content.get("intake") or opened.intake)
        if self.ref is not None:
            self._ledger.opened(opened.draft.revision if opened.draft else None, opened.intake)
            self.intake_opened(self.ref, content)
            if opened.status not in WORKING_STATUSES:
                self._freeze()
                self._say(f"{self.ref} is {opened.status.replace('_', ' ')}: read only.")

    def _build_intake(self, state: Mapping[str, Any]) -> None:
        from console.domain.intake import suggest_playbooks, vague_summary
        from console.services.intake import playbook_infos

        infos = playbook_infos(self._playbooks)
        self.intake = IntakePanel(vague_summary, lambda summary: suggest_playbooks(summary, infos))
        if state:
            self.intake.restore_state(state)
        self.intake.changed.connect(self.autosaver.touch)
        self.intake.open_requested.connect(self._open_ticket)
        self.steps.addTab(self.intake, f"1 {STEPS[0]}")
        if self.ref is None:
            self.intake.focus_first_field()

    def _open_ticket(self, values: dict[str, Any]) -> None:
        from console.services.intake import IntakeForm

        desk, journal, key = self._desk, self._tools.journal, self.journal_key

        def create() -> str:
            form = IntakeForm.from_mapping(values)
            ref = desk.intake.open_ticket(form, desk.agent.username)
            journal.discard(key)  # from now on the ticket's draft holds it
            return ref

        def done(ref: str | None, error: BaseException | None) -> None:
            assert self.intake is not None
            if error is not None or ref is None:
                self.intake.set_problem(str(error))
                return
            self._ledger.opened(None, values)
            self.ref = ref
            self.retitled.emit()
            self.intake_opened(ref, {})
            self.autosaver.touch()
            self.show_step(1)

        self._runner.run_task(create, done, self, label="Opening the ticket")

    def intake_opened(self, ref: str, content: Mapping[str, Any]) -> None:
        """The ticket exists: build the other steps (from the draft, when there is one)."""
        assert self.intake is not None
        self.intake.set_opened(ref)
        self._build_troubleshoot(content.get("troubleshoot") or {})
        self._build_diagnostics(ref, content.get("diagnostics") or {})
        self._build_handoff(ref, content.get("handoff") or {}, content.get("attachments") or {})

    def _build_troubleshoot(self, state: Mapping[str, Any]) -> None:
        from console.ui.troubleshoot.panel import TroubleshootPanel

        assert self.intake is not None
        playbook = self._playbook(self.intake.playbook_id())
        if playbook is None:
            # Free troubleshooting: the handoff form is where the agent writes what was tried.
            self._troubleshoot_state = state
            placeholder = QLabel("No playbook chosen: note what you try in the handoff form.")
            placeholder.setObjectName("troubleshoot_none")
            self.steps.addTab(placeholder, f"2 {STEPS[1]}")
            return
        panel = TroubleshootPanel(playbook, self._tools.run_check, self._runner)
        if state:
            panel.restore_state(state)
        panel.changed.connect(self.autosaver.touch)
        panel.finished.connect(self._playbook_finished)
        self.troubleshoot = panel
        self.steps.addTab(panel, f"2 {STEPS[1]}")

    def _build_diagnostics(self, ref: str, state: Mapping[str, Any]) -> None:
        from console.ui.diagnostics.panel import DiagnosticsPanel

        panel = DiagnosticsPanel(
            ref,
            self._desk.capture,
            self._tools.capture_device,
            self._tools.privacy,
            self._desk.agent.username,
            self._runner,
            measure=self._tools.measure_device,
        )
        if state:
            panel.restore_state(state)
        panel.changed.connect(self.autosaver.touch)
        troubleshoot = self.troubleshoot
        if troubleshoot is not None:
            # The caller's OS and the like, for the playbook's branches still ahead.
            panel.newest_shown.connect(troubleshoot.learn_snapshot)
        self.diagnostics = panel
        self.steps.addTab(panel, f"3 {STEPS[2]}")

    def _build_handoff(
        self, ref: str, state: Mapping[str, Any], attachments_state: Mapping[str, Any]
    ) -> None:
        from console.domain.handoff import CompletenessGate
        from console.ui.handoff.attachments.panel import AttachmentsPanel
        from console.ui.handoff.form import HandoffForm

        form = HandoffForm(self._desk.matrix, CompletenessGate(), self._desk.agent.role)
        if state:
            form.restore_state(state)
        attachments = AttachmentsPanel(
            _TicketAttachments(self._desk, ref), self._runner, self._tools.capturer
        )
        if attachments_state:
            attachments.restore_state(attachments_state)
        page = QWidget()
        page.setObjectName("handoff_page")
        column = QVBoxLayout(page)
        column.addWidget(form, 3)
        column.addWidget(attachments, 1)
        form.changed.connect(self.autosaver.touch)
        attachments.changed.connect(self.autosaver.touch)
        attachments.attachments_changed.connect(
            lambda _count, has_image: form.set_error_screenshot_attached(has_image)
        )
        assert self.diagnostics is not None
        self.diagnostics.captures_changed.connect(lambda n: form.set_has_diagnostics(n > 0))
        form.submit_requested.connect(lambda: self._submit(""))
        form.override_requested.connect(self._submit)
        form.resolve_requested.connect(self._resolve)
        self.handoff, self.attachments = form, attachments
        self.steps.addTab(page, f"4 {STEPS[3]}")
        self.diagnostics.refresh()
        attachments.refresh()

    # -- the end of a call -------------------------------------------------------------------

    def _playbook_finished(self, outcome: str) -> None:
        from console.services.handoff_prefill import prefill_handoff, reached_escalation

        assert self.troubleshoot is not None and self.handoff is not None
        assert self.intake is not None
        panel = self.troubleshoot
        if outcome == "escalate":
            transcript = panel.transcript()
            self.handoff.prefill(
                prefill_handoff(
                    self.intake.summary(),
                    transcript,
                    panel.facts(),
                    reached_escalation(panel.playbook, transcript),
                    panel.playbook.required_facts,
                )
            )
            self.show_step(3)
        else:
            self.show_step(3)
            self.handoff.ask_resolution()  # the agent writes the one-line resolution

    def _submit(self, override: str) -> None:
        from console.services.escalate import Actor

        assert self.handoff is not None and self.ref is not None
        ref, form, desk = self.ref, self.handoff, self._desk
        build = submission_builder(desk, ref, form, self.troubleshoot, override)
        actor = Actor(desk.agent.username, desk.agent.role)
        self.autosaver.save_now()

        def submit() -> str:
            receipt = desk.escalation.submit(build(), actor)
            return f"Queued for delivery: {receipt.priority}, package {receipt.package_id[:8]}"

        def done(text: str | None, error: BaseException | None) -> None:
            if error is not None:
                form.set_submission_state(f"Not submitted: {error}", locked=False)
                return
            self._queued = text or "Queued for delivery"
            form.set_submission_state(self._queued)
            self._freeze()
            self.submitted.emit(ref)

        self._runner.run_task(submit, done, self, label=f"Submitting {ref}")

    # -- exports (the window's Ticket menu) --------------------------------------------------

    def copy_markdown(self) -> None:
        """The handoff as Markdown on the clipboard, to paste into any other ticketing tool."""
        if self.handoff is None or self.ref is None:
            self.message.emit("Open the ticket before copying its handoff.")
            return
        render = markdown_builder(self._desk, self.ref, self.handoff, self.troubleshoot)
        copy_text = self._tools.copy_text

        def done(text: str | None, error: BaseException | None) -> None:
            if error is not None or text is None:
                self.message.emit(f"Handoff not copied: {error}")
                return
            copy_text(text)
            self.message.emit("Handoff copied as Markdown.")

        self._runner.run_task(render, done, self, label="Rendering the handoff")

    def save_pdf(self, path: Path) -> None:
        if self.handoff is None or self.ref is None:
            self.message.emit("Open the ticket before saving its handoff.")
            return
        render = markdown_builder(self._desk, self.ref, self.handoff, self.troubleshoot)
        self._run_export(pdf_writer(render, path, f"Handoff {self.ref}"), "Saving the PDF")

    def export_package(self, path: Path) -> None:
        if self.ref is None:
            self.message.emit("This ticket has no package yet.")
            return
        self._run_export(package_exporter(self._desk, self.ref, path), "Exporting the package")

    def _run_export(self, work: Callable[[], str], label: str) -> None:
        def done(text: str | None, error: BaseException | None) -> None:
            self.message.emit(text if error is None and text else f"{label} failed: {error}")

        self._runner.run_task(work, done, self, label=label)

    def set_delivery_state(self, text: str) -> None:
        """Queued / delivered / failed with the reason, as the outbox reports it."""
        if self.handoff is not None:
            _, _, detail = self._queued.partition(": ")
            self.handoff.set_submission_state(f"{text}: {detail}" if detail else text)

    def _freeze(self) -> None:
        """Submitted or resolved: what the package holds can no longer change, and there
        is no draft left to save."""
        self.autosaver.stop()
        for panel in (self.intake, self.troubleshoot, self.diagnostics, self.attachments):
            if panel is not None:
                panel.setEnabled(False)
        if self.handoff is not None:
            self.handoff.lock()

    def _resolve(self, summary: str) -> None:
        assert self.handoff is not None and self.ref is not None
        ref, form, desk = self.ref, self.handoff, self._desk
        self.autosaver.save_now()

        def resolve() -> None:
            desk.intake.resolve(ref, summary, desk.agent.username)

        def done(_: None, error: BaseException | None) -> None:
            if error is not None:
                form.set_submission_state(f"Not resolved: {error}", locked=False)
                return
            form.set_submission_state(f"Resolved at tier 1: {summary}")
            self._freeze()

        self._runner.run_task(resolve, done, self, label=f"Resolving {ref}")

    # -- drafts --------------------------------------------------------------------------------

    def _panels(self) -> dict[str, StepPanel]:
        panels: dict[str, StepPanel | None] = {
            "intake": self.intake,
            "troubleshoot": self.troubleshoot,
            "diagnostics": self.diagnostics,
            "handoff": self.handoff,
            "attachments": self.attachments,
        }
        return {name: panel for name, panel in panels.items() if panel is not None}

    def draft_state(self) -> dict[str, Any]:
        state = {name: panel.draft_state() for name, panel in self._panels().items()}
        if self.troubleshoot is None and self._troubleshoot_state:
            state["troubleshoot"] = dict(self._troubleshoot_state)
        return state

    def _draft_written(self, saved: DraftSaved) -> None:
        self._ledger.record(saved)
        if saved.revision:
            self.draft_saved.emit(saved.revision)

    def _playbook(self, playbook_id: str) -> Playbook | None:
        return next((p for p in self._playbooks if p.id == playbook_id), None)


def _load(desk: Desk, journal: IntakeJournal, ref: str | None, journal_key: str) -> Opened:
    """Worker thread: everything a workspace's panels need before they can be built."""
    playbooks = desk.playbooks
    if ref is None:
        kept = [e.state for e in journal.entries() if e.key == journal_key]
        return Opened(kept[0] if kept else {}, None, playbooks)
    from console.services.intake import IntakeForm

    ticket = desk.ticket(ref)  # one read for the form and the status
    form = IntakeForm.of_ticket(ticket).to_mapping()
    return Opened(form, desk.drafts.load(ref), playbooks, ticket.status)


@dataclass(frozen=True)
class _TicketAttachments:
    """The attachments panel's store, over the desk's drafts service."""

    desk: Desk
    ref: str

    def add(self, name: str, media_type: str, content: bytes, description: str) -> int:
        return self.desk.drafts.add_attachment(self.ref, name, media_type, content, description)

    def list(self) -> Sequence[AttachmentRecord]:
        return self.desk.drafts.attachments(self.ref)

    def remove(self, attachment_id: int) -> None:
        self.desk.drafts.remove_attachment(attachment_id)


def _ignore(_result: object, _error: BaseException | None) -> None:
    """For work whose outcome nobody waits for (forgetting an unopened intake)."""
