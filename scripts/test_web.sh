#!/usr/bin/env bash
# The dashboard's tests: component tests (Vitest, jsdom) and end-to-end tests in Debian's headless Chromium
# against a real `nettune serve` on loopback running tiny real jobs.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
bash "$ROOT/scripts/build_web.sh"
bash "$ROOT/scripts/ensure_chromium.sh"
cd "$ROOT/web"
echo "test_web: component tests (vitest)"
npx --no-install vitest run --reporter=dot
echo "test_web: end-to-end tests (chromium + nettune serve)"
# The same genuine MNIST the Python tests read (tests/genuine.py: ../shared/datasets or .test-data/).
datasets="$(cd "$ROOT" && "$ROOT/.venv/bin/python" -c 'from tests.genuine import genuine_root; print(genuine_root())')"
NETTUNE_SHARED_MNIST="${NETTUNE_SHARED_MNIST:-$datasets/mnist}" \
    NETTUNE_BIN="${NETTUNE_BIN:-$ROOT/.venv/bin/nettune}" node e2e/run.mjs
