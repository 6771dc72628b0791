"""The bundled resources (policies, playbooks, schemas) and their loaders."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from console.domain.priority import PolicyError, PriorityMatrix
from console.domain.sla import SlaPolicy

RESOURCES_ENV = "AGENT_CONSOLE_RESOURCES"


def resources_dir() -> Path:
    """``resources/`` beside the package, unless AGENT_CONSOLE_RESOURCES points elsewhere."""
    override = os.environ.get(RESOURCES_ENV)
    return Path(override) if override else Path(__file__).resolve().parents[1] / "resources"


def load_priority_matrix(path: Path | None = None) -> PriorityMatrix:
    path = path or resources_dir() / "policy" / "priority.yaml"
    data = _read_policy(path, "the priority policy", "a mapping with a 'matrix' key")
    return PriorityMatrix.from_mapping(data, source=str(path))


def load_sla_policy(path: Path | None = None) -> SlaPolicy:
    path = path or resources_dir() / "policy" / "sla.yaml"
    return SlaPolicy.from_mapping(_read_policy(path, "the SLA policy", "a mapping"), str(path))


def _read_policy(path: Path, what: str, shape: str) -> dict[str, object]:
    """A policy file's YAML mapping, or a PolicyError naming the file and the rule."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read {what} ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: {what} must be {shape}")
    return data
