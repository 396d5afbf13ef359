"""A tokenless server on loopback answers only this machine: foreign Origins (a web page elsewhere) and foreign
Host names (DNS rebinding) are refused, over HTTP and WebSocket, on a real uvicorn server."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import websockets

from nettune.api.app import create_app

from .conftest import make_settings, uvicorn_server


@pytest.fixture(scope="module")
def server(api_home):
    settings = make_settings(api_home / "guard", None, cors_origins=("https://dash.example",))
    with uvicorn_server(create_app(settings)) as url:
        yield url


def _ws_snapshot(url: str, **headers: str) -> str:
    async def go() -> str:
        async with websockets.connect(url.replace("http://", "ws://") + "/ws", additional_headers=headers) as ws:
            return await asyncio.wait_for(ws.recv(), 10)

    return asyncio.run(go())


def test_a_foreign_page_gets_no_websocket_snapshot(server):
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        _ws_snapshot(server, Origin="http://evil.example")
    assert refused.value.response.status_code == 403
    assert '"snapshot"' in _ws_snapshot(server, Origin=server)  # the dashboard's own page
    assert '"snapshot"' in _ws_snapshot(server)  # a script (no Origin)


def test_foreign_origins_and_hosts_are_refused_over_http(server):
    assert httpx.get(f"{server}/health").status_code == 200
    assert httpx.get(f"{server}/health", headers={"Origin": "http://localhost:5173"}).status_code == 200
    assert httpx.get(f"{server}/health", headers={"Origin": "https://dash.example"}).status_code == 200
    evil = httpx.post(f"{server}/optimize", headers={"Origin": "http://evil.example", "content-type": "text/plain"},
                      content='{"dataset": "mnist"}')
    assert evil.status_code == 403 and "evil.example" in evil.json()["detail"]
    assert httpx.get(f"{server}/health", headers={"Origin": "null"}).status_code == 403
    rebound = httpx.get(f"{server}/health", headers={"Host": "attacker.example:8000"})
    assert rebound.status_code == 403 and "not a loopback name" in rebound.json()["detail"]
    assert httpx.get(f"{server}/", headers={"Host": "attacker.example"}).status_code == 403  # the page too


def test_a_token_server_needs_no_guard(api_home):
    settings = make_settings(api_home / "guard-token", None, token="guard-token-0123456789")
    with uvicorn_server(create_app(settings)) as url:
        answer = httpx.get(f"{url}/health", headers={"Host": "nettune.internal", "Authorization":
                                                      "Bearer guard-token-0123456789"})
    assert answer.status_code == 200
