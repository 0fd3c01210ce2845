"""Fixtures: a local GMO Coin reached as api.coin.z.com, checking signatures the way GMO documents.

https://api.coin.z.com/docs/ (認証 / Authentication, and the samples of #ws-auth-post/put/delete):
API-SIGN = hex HMAC-SHA256(secret, API-TIMESTAMP + method + path without ``/private``, with no
query + the body for POST only). The server recomputes it independently of the plugin.

The ws-auth endpoints keep real token state: tokens expire when the test says so (``expire``),
a maintenance flag answers ``status 5`` like the exchange does, and ``http_failures`` (or
``failing_methods``) makes the next requests (or every request of those methods) fail with an
HTTP error page, so renewal and retry run against real sockets. The WebSocket endpoints record
what arrives and refuse a Private WebSocket whose token is not live.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from aiohttp import web

import topgun
from topgun.testing import HttpExchange, Registry, build_registry, eventually
from topgun_gmocoin import plugin

KEY = "gmo-test-key"
SECRET = "gmo-test-secret-DO-NOT-LEAK"


@pytest.fixture
def gmo_credentials() -> tuple[str, str]:
    return KEY, SECRET


@pytest.fixture
def gmo_registry() -> Registry:
    return build_registry([plugin], strict=True)


def gmo_signature(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    signed_path = path.removeprefix("/private")
    text = (timestamp + method + signed_path).encode() + (body if method == "POST" else b"")
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def _error(code: str, text: str, status: int = 1) -> web.Response:
    return web.json_response(
        {
            "status": status,
            "messages": [{"message_code": code, "message_string": text}],
            "responsetime": "2026-01-01T00:00:00.000Z",
        }
    )


def _ok(data: Any = None) -> web.Response:
    reply: dict[str, Any] = {"status": 0, "responsetime": "2026-01-01T00:00:00.000Z"}
    if data is not None:
        reply["data"] = data
    return web.json_response(reply)


@dataclass
class GMOState:
    seen: list[dict[str, Any]] = field(default_factory=list)
    live_tokens: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)
    extended: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    maintenance: bool = False
    http_failures: int = 0
    failing_methods: set[str] = field(default_factory=set)
    ws_connections: list[dict[str, Any]] = field(default_factory=list)
    ws_messages: list[tuple[float, str, Any]] = field(default_factory=list)
    ws_live: set[web.WebSocketResponse] = field(default_factory=set)
    ws_refused: list[str] = field(default_factory=list)
    replies: dict[str, Any] = field(default_factory=dict)
    """Private REST path -> the JSON body answered (after the signature checks out)."""
    feeds: dict[str, list[Any]] = field(default_factory=dict)
    """WebSocket channel -> the messages sent when a client subscribes to it."""
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def expire(self, token: str) -> None:
        self.live_tokens.discard(token)

    async def drop_websockets(self) -> None:
        """Close every open WebSocket, as a maintenance does."""
        for ws in tuple(self.ws_live):
            await ws.close()

    async def wait_for(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        """Wait until ``condition()`` holds, re-checking after every request the server handles."""
        await eventually(condition, within, changed=self.changed)


def serve(state: GMOState) -> HttpExchange:
    """api.coin.z.com as ``state`` has it: the REST API, and the WebSocket API on its paths."""

    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        try:
            return await route(request, body, record)
        finally:
            state.changed.set()

    async def route(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if state.http_failures > 0 or request.method in state.failing_methods:
            state.http_failures = max(0, state.http_failures - 1)
            return web.Response(status=503, text="<html>Service Unavailable</html>")
        if request.path.startswith("/public/"):
            return _ok([{"symbol": "BTC", "last": "5000000"}])
        if not request.path.startswith("/private/"):
            return web.Response(status=404)
        if request.headers.get("API-KEY") != KEY:
            return _error("ERR-5010", "Invalid API-KEY")
        want = gmo_signature(
            SECRET,
            request.headers.get("API-TIMESTAMP", ""),
            request.method,
            request.path,
            body,
        )
        if not hmac.compare_digest(request.headers.get("API-SIGN", ""), want):
            return _error("ERR-5012", "Invalid API-SIGN")
        record["verified"] = True
        if state.maintenance:
            return _error("ERR-5201", "MAINTENANCE. Please wait for a while", status=5)
        if request.path == "/private/v1/ws-auth":
            return ws_auth(request.method, body)
        if request.path in state.replies:
            return web.json_response(state.replies[request.path])
        return _ok({"echo": body.decode() or None, "query": dict(request.query)})

    def ws_auth(method: str, body: bytes) -> web.Response:
        if method == "POST":
            token = f"gmo-token-{next(state._ids):04d}-xxxxxxxxxxxxxxxxxxxx"
            state.live_tokens.add(token)
            state.issued.append(token)
            return _ok(token)
        token = orjson.loads(body).get("token") if body else None
        if token not in state.live_tokens:
            return _error("ERR-5106", "Invalid request parameter. token")
        if method == "PUT":
            state.extended.append(token)
            return _ok()
        if method == "DELETE":
            state.live_tokens.discard(token)
            state.revoked.append(token)
            return _ok()
        return _error("ERR-5106", "Invalid request parameter.")

    async def websocket(request: web.Request) -> web.StreamResponse:
        """Public and Private WebSocket API: record the upgrade and every message (with the
        event-loop time it arrived, for the rate-limit tests); a dead token is refused."""
        token = request.match_info.get("token")
        if token is not None and token not in state.live_tokens:
            state.ws_refused.append(token)
            state.changed.set()
            return web.Response(status=401, text="invalid token")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        state.ws_connections.append(
            {"path": request.path, "token": token, "headers": dict(request.headers)}
        )
        state.ws_live.add(ws)
        state.changed.set()
        loop = asyncio.get_running_loop()
        try:
            async for msg in ws:
                message = orjson.loads(msg.data)
                state.ws_messages.append((loop.time(), request.path, message))
                state.changed.set()
                if isinstance(message, dict) and message.get("command") == "subscribe":
                    for reply in state.feeds.get(message.get("channel"), ()):
                        await ws.send_str(orjson.dumps(reply).decode())
        finally:
            state.ws_live.discard(ws)
            state.changed.set()
        return ws

    routes = [web.get("/ws/public/v1", websocket), web.get("/ws/private/v1/{token}", websocket)]
    return HttpExchange(["api.coin.z.com"], handle, routes=routes, seen=state.seen)


@dataclass
class GMOServer:
    server: HttpExchange
    state: GMOState
    registry: Registry

    def client(self, apis: Any = None, **kwargs: Any) -> topgun.Client:
        """A Client reaching api.coin.z.com here, with the gmocoin credentials unless given."""
        apis = {"gmocoin": [KEY, SECRET]} if apis is None else apis
        return self.server.client(apis=apis, registry=self.registry, **kwargs)


@pytest.fixture
async def gmo(gmo_registry: Registry) -> AsyncIterator[GMOServer]:
    """api.coin.z.com served from 127.0.0.1 over TLS; ``gmo.state`` is the exchange's side."""
    state = GMOState()
    async with serve(state) as server:
        yield GMOServer(server, state, gmo_registry)
