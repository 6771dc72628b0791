"""The JSON Schema of ``package.json``, generated from the models.

``python -m console.packages.schema`` rewrites ``resources/schema/package.schema.json``; a
test fails when the committed copy and the models disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from console.packages.model import SCHEMA_VERSION, PackageDocument

SCHEMA_ID = f"https://agent-console.invalid/schema/package-v{SCHEMA_VERSION}.json"


def package_json_schema() -> dict[str, Any]:
    schema = PackageDocument.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"Agent Console escalation package (package.json, schema v{SCHEMA_VERSION})",
        **{key: value for key, value in schema.items() if key != "title"},
    }


def schema_text() -> str:
    return json.dumps(package_json_schema(), indent=2, sort_keys=True) + "\n"


def schema_path() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "schema" / "package.schema.json"


def main() -> None:
    path = schema_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
