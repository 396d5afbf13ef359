"""Bearer-token authentication for HTTP and WebSocket, and the request-body size limit.

With no token configured (only allowed on loopback) everything is open. With one, every API endpoint and both
WebSockets require it; the dashboard's static files do not, so the page can load and ask for it.
"""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any

from fastapi import Request, Security, WebSocket
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from nettune.api.services.errors import Unauthorized
from nettune.api.settings import TOKEN_ENV

bearer = HTTPBearer(auto_error=False, description=f"the server's token (--token or ${TOKEN_ENV})")
token_query = APIKeyQuery(name="token", auto_error=False, description="the token, for file URLs a browser opens")
UNAUTHORIZED = "missing or wrong bearer token; send the header 'Authorization: Bearer <token>'"
WS_POLICY_VIOLATION = 1008


def _matches(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def require_token(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]) -> None:
    token = request.app.state.settings.token
    if token is not None and not _matches(credentials.credentials if credentials else None, token):
        raise Unauthorized(UNAUTHORIZED)


def require_token_or_query(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    token: Annotated[str | None, Security(token_query)],
) -> None:
    """For files a browser fetches by URL (<img src>, download links), which cannot carry a header."""
    expected = request.app.state.settings.token
    if expected is not None and not _matches(credentials.credentials if credentials else token, expected):
        raise Unauthorized(UNAUTHORIZED + " or ?token=<token>")


TOKEN_COOKIE = "nettune_token"


def require_token_query_or_cookie(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    token: Annotated[str | None, Security(token_query)],
) -> None:
    """For a page the server proxies (TensorBoard): its own requests carry neither a header nor ?token=, so the
    cookie set when it was opened with ?token= counts too."""
    expected = request.app.state.settings.token
    if expected is None:
        return
    given = credentials.credentials if credentials else token or request.cookies.get(TOKEN_COOKIE)
    if not _matches(given, expected):
        raise Unauthorized(UNAUTHORIZED + " or open the page with ?token=<token>")


def websocket_authorized(websocket: WebSocket) -> bool:
    token = websocket.app.state.settings.token
    if token is None:
        return True
    header = websocket.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else websocket.query_params.get("token")
    return _matches(given, token)


async def reject_websocket(websocket: WebSocket) -> None:
    """An HTTP 401 for the handshake where the server supports it, else a policy-violation close."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(JSONResponse({"detail": UNAUTHORIZED + " or ?token=<token>"}, 401))
    else:
        await websocket.close(WS_POLICY_VIOLATION, "missing or wrong token")


class BodyLimit:
    """ASGI middleware: a request body over `limit` bytes is answered 422 and never reaches the app.

    The body is read here first (this API takes small JSON bodies only) and replayed to the app, so the limit
    holds for chunked requests without a Content-Length too. POSTs under `streamed` (dataset uploads) pass
    through: their route streams the body to disk under its own, larger limit.
    """

    def __init__(self, app: Any, limit: int, streamed: str | None = None) -> None:
        self.app, self.limit, self.streamed = app, limit, streamed

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        streamed = self.streamed is not None and scope.get("method") == "POST" and \
            str(scope.get("path", "")).startswith(self.streamed)
        if scope["type"] != "http" or streamed:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send, int(declared))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(send, size)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any, size: int) -> None:
        body = json.dumps({"detail": f"request body is {size} bytes or more; this server accepts at most "
                                     f"{self.limit} (--max-body-bytes)"}).encode()
        await send({"type": "http.response.start", "status": 422,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
