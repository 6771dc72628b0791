"""``python -m console.packages.schema``: the command the schema drift test tells you to run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.packages import schema
from console.packages.model import SCHEMA_VERSION


def test_the_command_writes_exactly_what_the_drift_test_compares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "resources" / "schema" / "package.schema.json"  # folders made on demand
    monkeypatch.setattr(schema, "schema_path", lambda: target)
    schema.main()
    assert capsys.readouterr().out == f"wrote {target}\n"
    written = target.read_text(encoding="utf-8")
    assert written == schema.schema_text()
    document = json.loads(written)
    assert document["$id"] == schema.SCHEMA_ID
    assert document["title"].endswith(f"(package.json, schema v{SCHEMA_VERSION})")
    assert "properties" in document
