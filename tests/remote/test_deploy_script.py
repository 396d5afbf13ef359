"""scripts/deploy_worker.sh: unique tags and the exact docker commands (--dry-run; Docker itself is not
available where the tests run)."""

import os
import re
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "deploy_worker.sh"


def _run(*args, **env):
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=30,
                          env={**os.environ, **env})


def test_dry_run_prints_build_and_push_with_a_unique_tag():
    done = _run("--dry-run", REGISTRY="registry.example/team", ALLOW_DIRTY="1", PRELOAD_DATASETS="mnist")
    assert done.returncode == 0, done.stderr
    build, push, ref = (line.strip() for line in done.stdout.strip().splitlines())
    assert re.fullmatch(r"registry\.example/team/nettune-worker:[0-9a-f]{12}(-dirty)?-\d{8}T\d{6}Z", ref)
    assert build.startswith("docker build --file docker/worker.Dockerfile --platform linux/amd64 --tag " + ref)
    assert "--build-arg PRELOAD_DATASETS=mnist" in build and build.endswith(" .")
    assert push == f"docker push {ref}"


def test_missing_registry_and_unknown_arguments_are_errors():
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY"}
    done = subprocess.run(["bash", str(SCRIPT), "--dry-run"], capture_output=True, text=True, env=env, timeout=30)
    assert done.returncode != 0 and "set REGISTRY" in done.stderr
    assert _run("--push-now", REGISTRY="r").returncode == 2
