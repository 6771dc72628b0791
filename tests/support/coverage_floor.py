"""The per-file coverage floor, checked after a measured run (``./dev test`` runs it).

coverage.py's ``fail_under`` holds the total; this holds every file of ``console/`` to
``file-floor`` in ``[tool.agent-console.coverage]`` of ``pyproject.toml``, except the files its
``below-floor`` table names, each with the reason it may stay lower.

    python -m tests.support.coverage_floor    # after pytest --cov, in the project root
"""

from __future__ import annotations

import json
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from coverage import Coverage


def file_percents(data_file: str = ".coverage") -> dict[str, tuple[float, str]]:
    """Each measured file's branch coverage: the exact figure and coverage's display of it."""
    coverage = Coverage(data_file=data_file, messages=False)
    coverage.load()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "coverage.json"
        coverage.json_report(outfile=str(report))
        files: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))["files"]
    return {
        path: (entry["summary"]["percent_covered"], entry["summary"]["percent_covered_display"])
        for path, entry in files.items()
    }


def check(
    percents: dict[str, tuple[float, str]], floor: float, allowed: dict[str, str]
) -> tuple[list[str], list[str]]:
    """The failures (files under the floor that are not allowed) and notes for the reader."""
    failures, notes = [], []
    for path, (percent, shown) in sorted(percents.items()):
        if percent >= floor:
            continue
        if path in allowed:
            notes.append(f"{path} {shown}%, allowed: {allowed[path]}")
        else:
            failures.append(f"{path} {shown}% is under the floor of {floor:g}%")
    for path in sorted(allowed):
        if path not in percents:
            notes.append(f"{path} is allowed below the floor but was not measured: drop it")
        elif percents[path][0] >= floor:
            notes.append(f"{path} is at {percents[path][1]}% now: drop it from below-floor")
    return failures, notes


def main() -> int:
    with open("pyproject.toml", "rb") as handle:
        settings = tomllib.load(handle)["tool"]["agent-console"]["coverage"]
    floor = float(settings["file-floor"])
    failures, notes = check(file_percents(), floor, settings.get("below-floor", {}))
    for note in notes:
        print(f"note: {note}")
    for failure in failures:
        print(f"FAIL: {failure}")
    if failures:
        print(
            "Add tests, or name the file in [tool.agent-console.coverage.below-floor] of "
            "pyproject.toml with the reason it may stay lower."
        )
        return 1
    print(f"every file of console/ is at {floor:g}% or above, or allowed below with a reason")
    return 0


if __name__ == "__main__":
    sys.exit(main())
