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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the priority policy ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: the priority policy must be a mapping with a 'matrix' key")
    return PriorityMatrix.from_mapping(data, source=str(path))


def load_sla_policy(path: Path | None = None) -> SlaPolicy:
    path = path or resources_dir() / "policy" / "sla.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the SLA policy ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: the SLA policy must be a mapping")
    return SlaPolicy.from_mapping(data, source=str(path))
