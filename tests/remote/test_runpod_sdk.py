"""RunPod's official SDK, sync and asyncio, against `nettune worker serve`'s real endpoint process, the way a
user points it at RunPod: runpod.endpoint_url_base = the endpoint's URL (with or without /v2), any endpoint id."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import runpod

from nettune.worker.schema import ArtifactTarget, encode_input, remote_job
from tests.remote.conftest import fixed_job


@pytest.fixture
def sdk(quiet_endpoint, monkeypatch):
    monkeypatch.setattr(runpod, "api_key", "not-checked-by-a-keyless-endpoint")
    monkeypatch.setattr(runpod, "endpoint_url_base", quiet_endpoint.url)
    return quiet_endpoint


def _job_input(tmp_path, number: int, seconds: float = 3.0, epochs: int = 3) -> dict:
    return encode_input(remote_job(fixed_job(number, seconds, tmp_path, epochs)), ArtifactTarget())


def test_sync_sdk_runs_streams_and_reads_the_result(sdk, tmp_path):
    endpoint = runpod.Endpoint("my-endpoint")
    health = endpoint.health()
    assert "workers" in health and "jobs" in health
    job = endpoint.run(_job_input(tmp_path, 0))
    assert job.status() in ("IN_QUEUE", "IN_PROGRESS")
    streamed = list(job.stream())
    progress = [o for o in streamed if isinstance(o, dict) and o.get("kind") == "epoch_progress"]
    assert len(progress) >= 2 and progress[-1]["epoch"] == 3  # epoch reports arrive while the job runs
    assert streamed[-1]["outcome"]["state"] == "complete"  # and the result last
    assert job.status() == "COMPLETED"
    output = job.output(timeout=30)
    assert output["outcome"]["number"] == 0 and output["outcome"]["state"] == "complete"
    assert endpoint.purge_queue()["status"] == "completed"


def test_sync_sdk_works_with_runpods_own_v2_layout_and_cancels(sdk, tmp_path, monkeypatch):
    monkeypatch.setattr(runpod, "endpoint_url_base", f"{sdk.url}/v2")
    endpoint = runpod.Endpoint("abc123")
    job = endpoint.run(_job_input(tmp_path, 1, seconds=30.0))
    job.cancel()
    assert job.status() == "CANCELLED"


def test_asyncio_sdk_runs_and_streams(sdk, tmp_path):
    async def go() -> tuple[list, object, str]:
        async with aiohttp.ClientSession() as session:
            endpoint = runpod.AsyncioEndpoint("my-endpoint", session)
            job = await endpoint.run(_job_input(tmp_path, 2))
            streamed = [chunk async for chunk in job.stream()]
            return streamed, await job.output(), await job.status()

    streamed, output, status = asyncio.run(go())
    assert any(isinstance(o, dict) and o.get("kind") == "epoch_progress" for o in streamed)
    assert status == "COMPLETED" and output["outcome"]["state"] == "complete"
