"""`python -m nettune.worker`: the RunPod serverless entry point (the worker image's command).

RunPod's SDK takes jobs from the endpoint's queue and calls `runpod_handler` with {"id": ..., "input": ...};
progress goes back with runpod.serverless.progress_update and shows in the job's /status output while it is
IN_PROGRESS. `python -m nettune.worker --test_input '{"input": {...}}'` runs one job locally through the same
SDK code path (RunPod's own local-test mode) and exits 0 on success, 1 on a failed job.
"""

from __future__ import annotations

import logging
from typing import Any

import runpod

from nettune.worker.handler import handle


def runpod_handler(job: dict[str, Any]) -> dict[str, Any]:
    return handle(job.get("input"), report=lambda progress: runpod.serverless.progress_update(job, progress))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    runpod.serverless.start({"handler": runpod_handler})


if __name__ == "__main__":
    main()
