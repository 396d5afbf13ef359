"""The server's OpenAPI schema written to a file, byte for byte the same on every run, so the dashboard's API
types (web/src/api/schema.gen.ts, `make api-types`) are generated from it and a test can catch drift.

Usage: python -m nettune.api.openapi_export OUT.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from nettune.api.app import create_app
from nettune.api.settings import ApiSettings


def openapi_schema() -> dict[str, Any]:
    """What GET /openapi.json answers: built by a throwaway app (its job store lives in a temporary folder; the
    schema depends on the code alone, never on a server's settings)."""
    with tempfile.TemporaryDirectory(prefix="nettune-openapi-") as scratch:
        app = create_app(ApiSettings(output_dir=Path(scratch), workdir=Path(scratch)))
        return app.openapi()


def schema_text(schema: dict[str, Any]) -> str:
    # Sorted keys and a trailing newline: a field moved in the code does not show up as a diff.
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m nettune.api.openapi_export OUT.json", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(schema_text(openapi_schema()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
