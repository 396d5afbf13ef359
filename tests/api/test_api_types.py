"""The dashboard's API types are what the server's code generates: web/src/api/openapi.json is the app's OpenAPI schema
and web/src/api/schema.gen.ts is openapi-typescript's output for it. Both are regenerated here into a temporary
folder with the repository's own generator and node modules, and must equal the committed files."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = {"openapi.json": ROOT / "web" / "src" / "api" / "openapi.json",
             "schema.gen.ts": ROOT / "web" / "src" / "api" / "schema.gen.ts"}


def _first_difference(name: str, expected: str, actual: str) -> str:
    diff = difflib.unified_diff(actual.splitlines(), expected.splitlines(), f"committed {name}", f"generated {name}",
                                lineterm="", n=1)
    return "\n".join(list(diff)[:30])


def test_committed_api_types_match_the_code(tmp_path: Path) -> None:
    assert (ROOT / "web" / "node_modules" / ".bin" / "openapi-typescript").exists(), (
        "web/node_modules lacks openapi-typescript; run `bash scripts/build_web.sh` (npm ci) first")
    out = {name: tmp_path / name for name in COMMITTED}
    env = {**os.environ, "PYTHON": sys.executable}
    run = subprocess.run(["bash", str(ROOT / "scripts" / "api_types.sh"), str(out["openapi.json"]),
                          str(out["schema.gen.ts"])], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"scripts/api_types.sh failed:\n{run.stderr[-2000:]}"
    for name, committed in COMMITTED.items():
        assert committed.exists(), f"{committed.relative_to(ROOT)} is missing; run `make api-types`"
        expected, actual = out[name].read_text(), committed.read_text()
        assert actual == expected, (
            f"{committed.relative_to(ROOT)} is out of date with the API's code; run `make api-types` and commit it\n"
            + _first_difference(name, expected, actual))


def test_the_schema_carries_every_list_the_dashboard_reads() -> None:
    # web/src/api/schema.ts reads these from the committed schema instead of restating them in TypeScript.
    from nettune.api.job_states import ACTIVE_STATES, FINAL_STATES, JOB_STATES, RESUMABLE_STATES
    from nettune.api.openapi_export import openapi_schema
    from nettune.api.settings import ApiSettings
    from nettune.config import ACTIVATION_CHOICES, DEFAULT_HEALTH_WEIGHT, MODES, RUN_NAME_PATTERN

    schemas = openapi_schema()["components"]["schemas"]
    states = schemas["JobState"]
    assert (states["enum"], states["x-final"], states["x-resumable"], states["x-active"]) == (
        list(JOB_STATES), list(FINAL_STATES), list(RESUMABLE_STATES), list(ACTIVE_STATES))
    assert set(ACTIVE_STATES) | set(FINAL_STATES) == set(JOB_STATES) and not set(ACTIVE_STATES) & set(FINAL_STATES)
    request = schemas["OptimizeRequest"]["properties"]
    assert request["activation"]["anyOf"][0]["enum"] == list(ACTIVATION_CHOICES)
    assert request["mode"]["enum"] == list(MODES) and request["health_weight"]["default"] == DEFAULT_HEALTH_WEIGHT
    assert request["run_name"]["anyOf"][0]["pattern"] == RUN_NAME_PATTERN
    limits = schemas["ServerLimits"]["properties"]
    serve = ApiSettings.__dataclass_fields__
    assert limits["trials"]["default"] == serve["max_trials"].default
    assert limits["body_bytes"]["default"] == serve["max_body_bytes"].default
    assert set(schemas["ServerLimits"]["required"]) == set(limits)  # a response always has them all
