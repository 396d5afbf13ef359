"""WebSockets: a snapshot first, then every event of one job (/ws/jobs/{job_id}) or of all jobs (/ws)."""

from __future__ import annotations

import asyncio
import contextlib
import time

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from nettune.api.deps import Services, ws_services
from nettune.api.security import reject_websocket, websocket_authorized
from nettune.api.services.hub import CLOSE_TOO_SLOW, Subscriber, envelope

router = APIRouter()
CLOSE_UNKNOWN_JOB = 4404
CLOSE_TOO_SLOW_CODE = 1013  # "try again later": reconnect for a fresh snapshot


@router.websocket("/ws/jobs/{job_id}")
async def job_events(websocket: WebSocket, job_id: str) -> None:
    s = ws_services(websocket)
    if not websocket_authorized(websocket):
        await reject_websocket(websocket)
        return
    await websocket.accept()
    if await run_in_threadpool(s.jobs.store.get, job_id) is None:
        await websocket.close(CLOSE_UNKNOWN_JOB, f"no job with id {job_id!r}"[:120])
        return
    await _stream(websocket, s, job_id)


@router.websocket("/ws")
async def all_events(websocket: WebSocket) -> None:
    s = ws_services(websocket)
    if not websocket_authorized(websocket):
        await reject_websocket(websocket)
        return
    await websocket.accept()
    await _stream(websocket, s, None)


async def _stream(websocket: WebSocket, s: Services, job_id: str | None) -> None:
    # Subscribe before reading the snapshot: an event that happens while it is read is queued, not lost.
    subscriber = s.hub.subscribe(job_id)
    try:
        if job_id is None:
            seq, data = None, {"jobs": [job.to_json() for job in await run_in_threadpool(s.jobs.list)]}
        else:
            seq, data = s.hub.seq(job_id), await run_in_threadpool(s.results.snapshot, job_id)
        await websocket.send_text(envelope("snapshot", job_id, seq, time.time(), data))
        sender = asyncio.create_task(_send_events(websocket, subscriber))
        receiver = asyncio.create_task(_until_disconnect(websocket))
        done, pending = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in done:  # a send to a client that just left fails; that is an ordinary disconnect
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, ConnectionError):
                task.result()
    except (WebSocketDisconnect, ConnectionError):
        pass
    finally:
        s.hub.unsubscribe(subscriber)


async def _send_events(websocket: WebSocket, subscriber: Subscriber) -> None:
    while True:
        message = await subscriber.queue.get()
        if message is CLOSE_TOO_SLOW:
            await websocket.close(CLOSE_TOO_SLOW_CODE, "too far behind; reconnect for a fresh snapshot")
            return
        await websocket.send_text(message)


async def _until_disconnect(websocket: WebSocket) -> None:
    """Client messages are not used; reading them is how a closed connection is noticed."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
