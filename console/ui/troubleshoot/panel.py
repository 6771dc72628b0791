"""Step 2 of a call, troubleshoot: the playbook runner as a keyboard-first panel.

One node at a time on the left (answers on keys 1-9, Enter to continue, checks in the
background with a busy bar and their evidence), the transcript and the facts on the right.
Alt+Left undoes a step, Ctrl+Shift+N attaches a note. The panel drives a
:class:`~console.playbooks.PlaybookRunner` and only ever on the GUI thread: a check's work runs
on the task runner's worker, its result is recorded when it comes back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from console.playbooks import (
    AskNode,
    CheckCallable,
    CheckNode,
    CheckResultLike,
    EscalateNode,
    InputNode,
    InstructNode,
    Playbook,
    PlaybookRunner,
    ResolveNode,
    RunnerError,
    RunOutcome,
    Transcript,
    TranscriptEntry,
)
from console.playbooks.resume import ResumeError, resume_run, serialise_run
from console.ui.common.tasks import TaskRunner
from console.ui.troubleshoot.controls import StepControls
from console.ui.troubleshoot.transcript import TranscriptView
from console.ui.troubleshoot.views import (
    AskView,
    CheckView,
    EndedView,
    InputView,
    InstructView,
    LeafView,
    NodeView,
    check_label,
)

SHORTCUTS: list[tuple[str, str]] = [
    ("1-9", "Choose the numbered answer"),
    ("Return", "Continue: run the check, confirm the step, finish the run"),
    ("Shift+Return", "New line in a long answer"),
    ("Alt+Left", "Back: undo the last step"),
    ("Ctrl+Shift+N", "Add a note to this step"),
    ("Escape", "Close the note without attaching it"),
]


class TroubleshootPanel(QWidget):
    """A run of ``playbook``. ``run_check(name, args)`` runs an automated check (the window
    passes the diagnostics registry's ``run_check``) and is only ever called through
    ``task_runner``, off the GUI thread. ``facts``/``snapshot`` are what is known at the
    start (from the ticket, from a diagnostics capture); ``clock`` times the steps.

    Signals:
        changed(): after every step, note and back (not when a draft is restored).
        finished(str): the run was finished at its leaf: "resolve" or "escalate".
    """

    changed = Signal()
    finished = Signal(str)

    def __init__(
        self,
        playbook: Playbook,
        run_check: CheckCallable,
        task_runner: TaskRunner,
        *,
        facts: Mapping[str, str] | None = None,
        snapshot: Mapping[str, Any] | None = None,
        clock: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._playbook = playbook
        self._run_check = run_check
        self._tasks = task_runner
        self._facts = dict(facts or {})
        self._snapshot = snapshot
        self._clock = clock
        self._busy = False
        self._refocus = False
        self._shown_check: int | None = None
        """Index of the check entry whose result is on screen (the run has moved on)."""
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._build()
        self._view = NodeView("", "")  # replaced by the first node as soon as the run starts
        self._node_area.addWidget(self._view)
        self._runner = self._new_runner()
        self._adopt(self._runner)

    # --- the contract with the window --------------------------------------------------------

    @property
    def playbook(self) -> Playbook:
        return self._playbook

    @property
    def runner(self) -> PlaybookRunner:
        """The run on screen (replaced by :meth:`restore_state`)."""
        return self._runner

    def transcript(self) -> Transcript:
        return self._runner.transcript()

    def facts(self) -> dict[str, str]:
        return dict(self._runner.facts)

    def learn_snapshot(self, snapshot: Mapping[str, Any]) -> None:
        """A capture arrived during the call: the branches still ahead (Windows or macOS
        steps, say) go by its facts. Emits :attr:`changed` when it told the run anything."""
        self._snapshot = self._snapshot or snapshot  # a run started over starts with it
        self._runner.learn(snapshot)  # the runner tells its listeners, and so the draft

    def draft_state(self) -> dict[str, Any]:
        """The run as JSON-able data (see :mod:`console.playbooks.resume`)."""
        return {"run": serialise_run(self._runner), "shown_check": self._shown_check}

    def restore_state(self, state: Mapping[str, Any]) -> None:
        """Take a saved run up again, without running its checks again. A run saved with
        another version of the playbook cannot be: the run starts over and the panel says
        why. Does not emit :attr:`changed`."""
        self._controls.say("")
        runner: PlaybookRunner | None = None
        saved = state.get("run")
        if isinstance(saved, Mapping):
            try:
                runner = resume_run(self._playbook, saved, clock=self._clock)
            except ResumeError as exc:
                self._controls.say(f"{exc}; the playbook starts again from the first step.")
        if self._runner_changed in self._runner.listeners:
            self._runner.listeners.remove(self._runner_changed)
        self._runner = runner or self._new_runner()
        shown = state.get("shown_check")
        self._shown_check = shown if runner and self._is_check_result(shown) else None
        self._busy = False  # a check still running belongs to the run just replaced
        self._adopt(self._runner)

    def shortcuts(self) -> list[tuple[str, str]]:
        return list(SHORTCUTS)

    # --- actions (keys and buttons lead here) --------------------------------------------------

    def go_back(self) -> None:
        """Undo the last step (Alt+Left); the undone step stays in the transcript, struck."""
        if self._busy or not self._runner.can_go_back:
            return
        self._shown_check = None
        self._runner.back()
        self._render()

    def open_note(self) -> None:
        """Show the note line (Ctrl+Shift+N); Enter attaches, Escape closes."""
        if self._busy:
            return
        self._controls.open_note()

    def add_note(self, text: str) -> bool:
        """Attach ``text`` to the step on screen: the check whose result is shown, else the
        current node (kept until it is answered), else the run's last step once it ended."""
        runner, step = self._runner, self._shown_check
        if step is not None:
            return self._apply(lambda: runner.add_note(text, step=step))
        return self._apply(lambda: runner.add_note(text))

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if not self._busy:
            self._view.focus_first()  # the window focuses the panel; the agent starts on the node

    # --- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel(self._playbook.title)
        title.setObjectName("troubleshoot_title")
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        self._node_area = QVBoxLayout()
        self._controls = StepControls()
        self._controls.back_requested.connect(self.go_back)
        self._controls.note_requested.connect(self.open_note)
        self._controls.note_entered.connect(self._attach_note)
        self._controls.note_closed.connect(lambda: self._view.focus_first())
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(title)
        left_layout.addLayout(self._node_area, 1)
        left_layout.addWidget(self._controls)
        self._transcript_view = TranscriptView()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("troubleshoot_splitter")
        splitter.addWidget(left)
        splitter.addWidget(self._transcript_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        for number in range(1, 10):
            self._shortcut(str(number), functools.partial(self._digit, number))
        self._shortcut("Return", self._enter)
        self._shortcut("Enter", self._enter)
        self._shortcut("Alt+Left", self.go_back)
        self._shortcut("Ctrl+Shift+N", self.open_note)

    def _shortcut(self, keys: str, slot: Callable[[], None]) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    def _new_runner(self) -> PlaybookRunner:
        if self._clock is None:
            return PlaybookRunner(self._playbook, facts=self._facts, snapshot=self._snapshot)
        return PlaybookRunner(
            self._playbook, facts=self._facts, snapshot=self._snapshot, clock=self._clock
        )

    def _adopt(self, runner: PlaybookRunner) -> None:
        runner.listeners.append(self._runner_changed)
        self._transcript_view.show_run(runner.transcript())
        self._render()

    # --- showing the run -----------------------------------------------------------------------

    def _runner_changed(self) -> None:
        self._transcript_view.show_run(self._runner.transcript())
        self.changed.emit()

    def _render(self) -> None:
        """Show the node the run stands at (or the check result just recorded)."""
        focus = QApplication.focusWidget()
        had_focus = focus is not None and (focus is self or self.isAncestorOf(focus))
        view = self._view_for_now()
        old, self._view = self._view, view
        self._node_area.replaceWidget(old, view)
        view.show()  # now, not when the layout gets round to it: it takes the focus below
        old.hide()
        old.setParent(None)  # out of the panel now (findChild, focus chain), deleted soon
        old.deleteLater()
        runner = self._runner
        self._controls.set_actions(back=not self._busy and runner.can_go_back, note=not self._busy)
        self._controls.show_pending(runner.pending_note if self._shown_check is None else None)
        if had_focus or self._refocus:
            self._refocus = False
            view.focus_first()

    def _view_for_now(self) -> NodeView:
        runner = self._runner
        if runner.finished:
            return EndedView(runner.transcript())
        if self._shown_check is not None:
            entry = runner.entries[self._shown_check]
            checked = self._playbook.node(entry.node)
            assert isinstance(checked, CheckNode) and entry.check is not None
            result = CheckView(checked)
            result.show_result(entry.check, entry.next or "")
            result.continue_requested.connect(self._continue_after_check)
            return result
        node = runner.current
        if isinstance(node, AskNode):
            ask = AskView(node)
            ask.chosen.connect(self._choose)
            return ask
        if isinstance(node, InputNode):
            typed = InputView(node)
            typed.submitted.connect(lambda value, view=typed: self._enter_value(view, value))
            return typed
        if isinstance(node, CheckNode):
            check = CheckView(node)
            check.run_requested.connect(lambda view=check: self._start_check(view))
            return check
        if isinstance(node, InstructNode):
            instruct = InstructView(node)
            instruct.acknowledged.connect(self._acknowledge)
            return instruct
        assert isinstance(node, ResolveNode | EscalateNode)
        leaf = LeafView(node, self._runner.facts)
        leaf.finish_requested.connect(lambda kind=node.kind: self._finish(kind))
        return leaf

    def _is_check_result(self, index: object) -> bool:
        entries = self._runner.entries
        if not isinstance(index, int) or not 0 <= index < len(entries) or self._runner.finished:
            return False
        entry = entries[index]
        return entry.check is not None and not entry.reverted and index == _last_manual(entries)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._controls.set_actions(back=not busy and self._runner.can_go_back, note=not busy)

    # --- what the keys and views ask for ---------------------------------------------------------

    def _digit(self, number: int) -> None:
        if not self._busy:
            self._view.choose(number)

    def _enter(self) -> None:
        if self._busy:
            return
        focus = QApplication.focusWidget()
        if isinstance(focus, QPushButton) and self.isAncestorOf(focus) and focus.isEnabled():
            focus.click()  # Enter on a button the agent tabbed to presses that button
            return
        self._view.primary()

    def _choose(self, index: int) -> None:
        self._act(lambda: self._runner.choose(index))

    def _enter_value(self, view: InputView, value: str) -> None:
        try:
            self._runner.enter(value)
        except RunnerError as exc:
            view.show_error(str(exc))
            return
        self._render()

    def _acknowledge(self) -> None:
        self._act(self._runner.acknowledge)

    def _finish(self, kind: str) -> None:
        outcome = RunOutcome.RESOLVED if kind == ResolveNode.kind else RunOutcome.ESCALATED
        if self._act(lambda: self._runner.finish(outcome)):
            self.finished.emit(kind)

    def _continue_after_check(self) -> None:
        self._shown_check = None
        self._render()
        self.changed.emit()  # the draft remembers which node is on screen

    def _act(self, action: Callable[[], object]) -> bool:
        """Apply ``action`` to the run unless a check is running."""
        return False if self._busy else self._apply(action)

    def _apply(self, action: Callable[[], object]) -> bool:
        """Apply ``action`` to the run; a refusal is said under the step, not raised."""
        try:
            action()
        except RunnerError as exc:
            self._controls.say(str(exc))
            return False
        self._controls.say("")
        self._render()
        return True

    def _attach_note(self, text: str) -> None:
        if self.add_note(text):
            self._controls.close_note()

    # --- checks in the background ---------------------------------------------------------------

    def _start_check(self, view: CheckView) -> None:
        if self._busy:
            return
        runner = self._runner
        node = runner.current
        assert isinstance(node, CheckNode)
        name, args = runner.pending_check()
        run = self._run_check
        focus = QApplication.focusWidget()
        self._refocus = focus is not None and (focus is self or self.isAncestorOf(focus))
        self._set_busy(True)
        view.set_running(True)
        if self._refocus:
            # The Run button just went disabled and Qt would pass the focus on to whatever
            # comes next in the window (the step tabs): keep it here until the result shows.
            self.setFocus()
        self._tasks.run_task(
            lambda: run(name, args),
            lambda result, error: self._check_done(runner, result, error),
            self,
            label=f"Running check {check_label(node)}",
        )

    def _check_done(
        self,
        runner: PlaybookRunner,
        result: CheckResultLike | None,
        error: BaseException | None,
    ) -> None:
        if runner is not self._runner:
            return  # a restored draft replaced the run meanwhile
        self._set_busy(False)
        index = len(runner.entries)
        try:
            if error is None and result is not None:
                runner.record_check(result)
            else:
                # The runner turns an exception into an "error" (or "skipped") record with
                # the reason, and follows on_error: hand it over as if the check raised there.
                runner.run_check(_raising(error))
        except RunnerError as exc:
            self._controls.say(str(exc))
            self._render()
            return
        self._shown_check = index
        self._render()


def _raising(error: BaseException | None) -> CheckCallable:
    if error is None:
        error = RuntimeError("the check returned no result")
    elif not isinstance(error, Exception):
        error = RuntimeError(str(error) or type(error).__name__)
    failure = error

    def run(name: str, args: Mapping[str, Any]) -> CheckResultLike:
        raise failure

    return run


def _last_manual(entries: tuple[TranscriptEntry, ...]) -> int | None:
    manual = [i for i, e in enumerate(entries) if not e.automatic]
    return manual[-1] if manual else None
