#!/usr/bin/env bash
# Builds the dashboard (web/) into src/nettune/api/static, which `nettune serve` serves at /.
# Installs node modules with `npm ci` only when they are missing or the lock file changed, and skips the
# build when nothing that goes into it changed (a hash of the sources is kept beside the output), so
# `make test` stays fast after the first run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WEB="$ROOT/web"
OUT="$ROOT/src/nettune/api/static"
STAMP="$OUT/.build-hash"
LOCK_STAMP="$WEB/node_modules/.lock-hash"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "build_web: node and npm are needed to build the dashboard (Node.js >= 20.19); install them, e.g." \
         "'apt-get install -y nodejs npm', then rerun" >&2
    exit 1
fi
NODE_VERSION="$(node -p 'process.versions.node')"
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "build_web: Node.js $NODE_VERSION is too old for the dashboard's build (Vite needs >= 20.19); upgrade node" >&2
    exit 1
fi

cd "$WEB"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$LOCK_STAMP" 2>/dev/null)" != "$lock_hash" ]; then
    echo "build_web: installing the dashboard's node modules (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_hash" > "$LOCK_STAMP"
fi

# Everything that goes into the bundle; tests (*.test.ts[x], src/test/) do not.
source_hash="$(
    { find src -type f ! -name '*.test.ts' ! -name '*.test.tsx' ! -path 'src/test/*' -print0 | sort -z \
        | xargs -0 sha256sum; sha256sum index.html vite.config.ts tsconfig.json package-lock.json; } \
    | sha256sum | cut -d' ' -f1
)"
if [ -f "$OUT/index.html" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$source_hash" ]; then
    exit 0
fi
echo "build_web: building the dashboard into src/nettune/api/static"
npm run --silent build -- --logLevel warn
echo "$source_hash" > "$STAMP"
