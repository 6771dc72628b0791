"""Playbooks: schema, loader and validator, simulator, runner.

A playbook is a YAML file (format: ``resources/playbooks/README.md``). It enters the app only
through :func:`load_playbook`/:func:`load_playbooks`, which refuse a file with any error;
:func:`validate_paths` reports every problem with ``path:line:column`` for authors and CI.
No Qt, no database: the UI drives a :class:`PlaybookRunner` and the services store its
:class:`Transcript`.
"""

from __future__ import annotations

from console.domain.checks import CheckUnavailable
from console.playbooks.catalog import CheckCatalog, registry_catalog
from console.playbooks.facts import FACT_VALUES, SNAPSHOT_FACTS, facts_from_snapshot
from console.playbooks.graph import render_dot
from console.playbooks.model import (
    AskNode,
    BranchNode,
    CheckNode,
    Choice,
    Edge,
    EscalateNode,
    InputKind,
    InputNode,
    InstructNode,
    Node,
    Playbook,
    PlaybookSource,
    ResolveNode,
)
from console.playbooks.problems import Location, PlaybookError, Problem, Severity
from console.playbooks.runner import (
    CheckCallable,
    CheckResultLike,
    PlaybookRunner,
    RunnerError,
)
from console.playbooks.simulator import SimulatedPath, Simulation, Step, render_text, simulate
from console.playbooks.transcript import CheckRecord, RunOutcome, Transcript, TranscriptEntry
from console.playbooks.validator import (
    ValidationReport,
    load_playbook,
    load_playbooks,
    playbook_files,
    validate_bytes,
    validate_file,
    validate_paths,
)

__all__ = [
    "FACT_VALUES",
    "SNAPSHOT_FACTS",
    "AskNode",
    "BranchNode",
    "CheckCallable",
    "CheckCatalog",
    "CheckNode",
    "CheckRecord",
    "CheckResultLike",
    "CheckUnavailable",
    "Choice",
    "Edge",
    "EscalateNode",
    "InputKind",
    "InputNode",
    "InstructNode",
    "Location",
    "Node",
    "Playbook",
    "PlaybookError",
    "PlaybookRunner",
    "PlaybookSource",
    "Problem",
    "ResolveNode",
    "RunOutcome",
    "RunnerError",
    "Severity",
    "SimulatedPath",
    "Simulation",
    "Step",
    "Transcript",
    "TranscriptEntry",
    "ValidationReport",
    "facts_from_snapshot",
    "load_playbook",
    "load_playbooks",
    "playbook_files",
    "registry_catalog",
    "render_dot",
    "render_text",
    "simulate",
    "validate_bytes",
    "validate_file",
    "validate_paths",
]
