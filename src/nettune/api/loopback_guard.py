"""Without a token the server trusts whoever reaches it on loopback, so it must know a request really came
from this machine and not from a web page elsewhere that the user's browser happens to have open.

- Host: only loopback names (localhost, 127.x.x.x, [::1]) are served. A page that rebinds its own DNS name to
  127.0.0.1 (DNS rebinding) sends its own name as Host and is refused.
- Origin: a browser names the page behind every WebSocket handshake and every cross-origin request; only
  loopback pages (the dashboard itself) and the origins given with --cors-origin get through. Requests without
  an Origin (curl, scripts, the SDKs) are not from a web page and pass.

With a token none of this is needed: a foreign page does not have the token.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from nettune.netaddr import is_loopback


class LoopbackGuard:
    def __init__(self, app: Any, allowed_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed_origins = {o.rstrip("/") for o in allowed_origins}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode("latin-1")
        origin = headers.get(b"origin", b"").decode("latin-1")
        if host and not is_loopback(urlsplit(f"//{host}").hostname or ""):
            await _refuse(scope, receive, send, f"Host {host!r} is not a loopback name; this server has no token, "
                          "so it answers only http://127.0.0.1 or http://localhost (set a token to serve others)")
            return
        if (origin and origin != "null" and not self._allowed(origin)) or origin == "null":
            await _refuse(scope, receive, send, f"requests from the web page at {origin} are not allowed; only "
                          "the dashboard on this machine (or an origin given with --cors-origin) may call it")
            return
        await self.app(scope, receive, send)

    def _allowed(self, origin: str) -> bool:
        return origin.rstrip("/") in self.allowed_origins or is_loopback(urlsplit(origin).hostname or "")


async def _refuse(scope: dict[str, Any], receive: Any, send: Any, reason: str) -> None:
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        # Closing before accepting answers the handshake with 403: the page never sees a single message.
        await send({"type": "websocket.close", "code": 1008, "reason": "origin or host not allowed"})
        return
    body = json.dumps({"detail": reason}).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
