"""Fixtures: a local KuCoin-like REST server that checks signatures the way KuCoin documents them,
plus ``topgun.testing``'s login double.

https://www.kucoin.com/docs-new/authentication : KC-API-SIGN = base64(HMAC_SHA256(secret,
timestamp + METHOD + endpoint + body)) with the endpoint's path and query taken *decoded*;
KC-API-PASSPHRASE = base64(HMAC_SHA256(secret, passphrase)) for key versions 2 and 3;
KC-API-TIMESTAMP in milliseconds, within 5 seconds of the server's time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, unquote_plus

import orjson
import pytest
from aiohttp import web

from topgun.testing import Handler, HttpExchange, Registry, build_registry
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures
from topgun_kucoin import plugin

KEY = "kucoin-test-key"
SECRET = "kucoin-test-secret"
PASSPHRASE = "kucoin-test-passphrase"
HOSTS = ["api.kucoin.com", "api-futures.kucoin.com"]
PUBLIC_PATHS = frozenset(
    {
        "/api/v1/timestamp",
        "/api/v1/bullet-public",
        "/api/v1/level2/snapshot",
        "/api/v1/market/candles",
    }
)
WS_ENDPOINTS = {
    "api.kucoin.com": "wss://ws-api-spot.kucoin.com/",
    "api-futures.kucoin.com": "wss://ws-api-futures.kucoin.com/",
}


def b64_hmac(secret: str, text: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


def decoded_endpoint(raw_path_qs: str) -> str:
    path, sep, query = raw_path_qs.partition("?")
    return unquote(path) + sep + unquote_plus(query)


def check(request: web.Request, body: bytes) -> str | None:
    """None if the request is signed as KuCoin documents, else the reason it is not."""
    headers = request.headers
    if headers.get("KC-API-KEY") != KEY:
        return "Invalid KC-API-KEY"
    if headers.get("KC-API-KEY-VERSION") not in {"2", "3"}:
        return "Invalid KC-API-KEY-VERSION"
    if headers.get("KC-API-PASSPHRASE") != b64_hmac(SECRET, PASSPHRASE.encode()):
        return "Invalid KC-API-PASSPHRASE"
    timestamp = headers.get("KC-API-TIMESTAMP", "")
    if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 5000:
        return "Invalid KC-API-TIMESTAMP"
    text = (timestamp + request.method + decoded_endpoint(request.raw_path)).encode() + body
    if not hmac.compare_digest(headers.get("KC-API-SIGN", ""), b64_hmac(SECRET, text)):
        return "Signature verification failed"
    return None


class Realtime:
    """KuCoin-like WebSocket servers: token in the URL, welcome or error, ping/pong."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()  # the valid ones: issued by a bullet request, not revoked
        self.ping_interval = 18000
        self.connections: list[dict[str, Any]] = []
        self.live: list[web.WebSocketResponse] = []
        self.pushes: dict[str, list[Any]] = {}  # topic -> messages sent after its subscribe's ack
        self.bodies: dict[str, Any] = {}  # REST path -> the ``data`` it answers with

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        token = request.query.get("token", "")
        connect_id = request.query.get("connectId", "")
        record: dict[str, Any] = {"host": request.host, "token": token, "received": []}
        self.connections.append(record)
        if token not in self.tokens:
            await ws.send_json(
                {"id": connect_id, "type": "error", "code": 401, "data": "token is invalid"}
            )
            await ws.close()
            return ws
        await ws.send_json({"id": connect_id, "type": "welcome"})
        self.live.append(ws)
        async for msg in ws:
            message = orjson.loads(msg.data)
            record["received"].append(message)
            if message.get("type") == "ping":
                await ws.send_json({"id": message["id"], "type": "pong"})
            elif message.get("type") == "subscribe":
                await ws.send_json({"id": message["id"], "type": "ack"})
                for push in self.pushes.get(message.get("topic", ""), ()):
                    await ws.send_json(push)
        self.live.remove(ws)
        return ws

    async def drop_all(self) -> None:
        """Close every live connection, as KuCoin does after 24 hours."""
        for ws in list(self.live):
            await ws.close()


def make_handler(realtime: Realtime) -> Handler:
    """The REST side: signature checks, and bullet tokens for ``realtime``."""
    issued = itertools.count(1)

    async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        public = request.path in PUBLIC_PATHS
        if not public:
            problem = check(request, body)
            if problem is not None:
                return web.json_response({"code": "400005", "msg": problem}, status=401)
            record["verified"] = True
        if request.path.startswith("/api/v1/bullet-"):
            kind = request.path.rsplit("-", 1)[1]
            token = f"{kind}-token-{next(issued)}"
            realtime.tokens.add(token)
            server = {
                "endpoint": WS_ENDPOINTS[record["host"]],
                "encrypt": True,
                "protocol": "websocket",
                "pingInterval": realtime.ping_interval,
                "pingTimeout": 10000,
            }
            data = {"token": token, "instanceServers": [server]}
            return web.json_response({"code": "200000", "data": data})
        if request.path in realtime.bodies:
            return web.json_response({"code": "200000", "data": realtime.bodies[request.path]})
        if request.path == "/api/v1/timestamp":
            return web.json_response({"code": "200000", "data": int(time.time() * 1000)})
        return web.json_response({"code": "200000", "data": {}})

    return handle


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """The KuCoin REST and WebSocket hosts on 127.0.0.1 over TLS; ``.seen`` records REST requests
    and ``.realtime`` is the WebSocket side (served on ``/`` of the ws-api hosts)."""
    realtime = Realtime()
    hosts = [*HOSTS, "ws-api-spot.kucoin.com", "ws-api-futures.kucoin.com"]
    routes = [web.get("/", realtime.handle)]
    async with HttpExchange(hosts, make_handler(realtime), routes=routes) as server:
        server.realtime = realtime  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)
