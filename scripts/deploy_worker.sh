#!/usr/bin/env bash
# Build the nettune worker image, tag it uniquely (git commit + UTC time), push it, print the reference.
#
#   REGISTRY=docker.io/yourname scripts/deploy_worker.sh            # build and push
#   REGISTRY=ghcr.io/org scripts/deploy_worker.sh --dry-run         # print the commands only
#
# Environment: REGISTRY (required), IMAGE (default nettune-worker), BASE_IMAGE, PRELOAD_DATASETS,
# PLATFORM (default linux/amd64), ALLOW_DIRTY=1 to build from a tree with uncommitted changes (the tag then
# says "-dirty"). Log in first (docker login). Then put the printed image into your RunPod endpoint's
# template (see docs/remote.md). A unique tag per build means RunPod always pulls the image you just pushed.
set -euo pipefail

dry_run=0
for arg in "$@"; do
    case "$arg" in
        --dry-run) dry_run=1 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "deploy_worker.sh: unknown argument '$arg' (use --dry-run or --help)" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/.."
: "${REGISTRY:?set REGISTRY, e.g. REGISTRY=docker.io/yourname}"
image="${IMAGE:-nettune-worker}"
platform="${PLATFORM:-linux/amd64}"

commit="$(git rev-parse --short=12 HEAD)"
suffix=""
if [ -n "$(git status --porcelain --untracked-files=no -- src pyproject.toml docker)" ]; then
    if [ "${ALLOW_DIRTY:-0}" != "1" ]; then
        echo "deploy_worker.sh: src/, pyproject.toml or docker/ has uncommitted changes; commit them (or set" \
             "ALLOW_DIRTY=1) so the tag names exactly what is in the image" >&2
        exit 1
    fi
    suffix="-dirty"
fi
tag="${commit}${suffix}-$(date -u +%Y%m%dT%H%M%SZ)"
ref="${REGISTRY%/}/${image}:${tag}"

build=(docker build --file docker/worker.Dockerfile --platform "$platform" --tag "$ref")
[ -n "${BASE_IMAGE:-}" ] && build+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
[ -n "${PRELOAD_DATASETS+set}" ] && build+=(--build-arg "PRELOAD_DATASETS=$PRELOAD_DATASETS")
build+=(.)
push=(docker push "$ref")

if [ "$dry_run" = 1 ]; then
    printf '%q ' "${build[@]}"; echo
    printf '%q ' "${push[@]}"; echo
else
    command -v docker >/dev/null || { echo "deploy_worker.sh: docker is not installed" >&2; exit 1; }
    "${build[@]}"
    "${push[@]}"
fi
echo "$ref"
