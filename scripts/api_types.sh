#!/usr/bin/env bash
# Regenerates the dashboard's API types from the server's own OpenAPI schema (`make api-types`):
#   web/src/api/openapi.json    the schema, keys sorted (python -m nettune.api.openapi_export); the dashboard
#                               reads its option lists, defaults and limits from it (web/src/api/schema.ts)
#   web/src/api/schema.gen.ts   its TypeScript types (openapi-typescript, from web/node_modules)
# Run it after changing an API model or route and commit both files; tests/api/test_api_types.py fails when
# they differ from what the code generates. Optional arguments write elsewhere (the test uses a temp dir).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT_JSON="$(realpath -m "${1:-$ROOT/web/src/api/openapi.json}")"
OUT_TS="$(realpath -m "${2:-$ROOT/web/src/api/schema.gen.ts}")"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
GEN="$ROOT/web/node_modules/.bin/openapi-typescript"
if [ ! -x "$GEN" ]; then
    echo "api_types: $GEN is missing; install the dashboard's node modules first (bash scripts/build_web.sh)" >&2
    exit 1
fi
"$PY" -m nettune.api.openapi_export "$OUT_JSON"
mkdir -p "$(dirname "$OUT_TS")"
(cd "$ROOT/web" && "$GEN" "$OUT_JSON" --output "$OUT_TS" --default-non-nullable=false)
