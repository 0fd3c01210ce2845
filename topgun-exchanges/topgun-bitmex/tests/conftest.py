"""Fixtures: a local BitMEX-like REST server that checks signatures the way BitMEX documents them,
and an in-memory WebSocket login double.

https://www.bitmex.com/app/apiKeysUsage : api-signature = hex(HMAC_SHA256(secret, verb + path with
query as sent + api-expires + raw body)); api-expires is a UNIX time in seconds, in the future.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from aiohttp import web
from yarl import URL

from topgun.clock import Clock
from topgun.credentials import Credential
from topgun.testing import LocalExchange

KEY = "bitmex-test-key"
SECRET = "bitmex-test-secret"
HOSTS = ["www.bitmex.com", "testnet.bitmex.com"]


def recompute(secret: str, verb: str, path_qs: str, expires: str, body: bytes) -> str:
    return hmac.new(
        secret.encode(), (verb + path_qs + expires).encode() + body, hashlib.sha256
    ).hexdigest()


def make_app(seen: list[dict[str, Any]]) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        record: dict[str, Any] = {
            "method": request.method,
            "host": request.host,
            "path_qs": request.raw_path,
            "headers": dict(request.headers),
            "body": body,
        }
        seen.append(record)
        if request.path == "/api/v1/instrument/active":
            return web.json_response([{"symbol": "XBTUSD"}])
        key = request.headers.get("api-key")
        expires = request.headers.get("api-expires", "")
        if key != KEY:
            return web.json_response({"error": {"message": "Invalid API Key."}}, status=401)
        # Seconds, in the near future: a millisecond value would be rejected here.
        if not expires.isdigit() or not 0 < int(expires) - time.time() <= 60:
            return web.json_response({"error": {"message": "Invalid api-expires."}}, status=401)
        want = recompute(SECRET, request.method, request.raw_path, expires, body)
        if not hmac.compare_digest(request.headers.get("api-signature", ""), want):
            return web.json_response({"error": {"message": "Signature not valid."}}, status=401)
        record["verified"] = True
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@pytest.fixture
async def exchange() -> Any:
    """www.bitmex.com and testnet.bitmex.com on 127.0.0.1 over TLS; ``.seen`` records requests."""
    seen: list[dict[str, Any]] = []
    async with LocalExchange(make_app(seen), HOSTS) as server:
        server.seen = seen  # type: ignore[attr-defined]
        yield server


class LoginDouble:
    """An in-memory ``WebSocketLogin``: ``sent`` holds what the authenticator sent; ``responder``
    plays the exchange, turning each sent message into the frames it answers with."""

    def __init__(
        self,
        url: str,
        credential: Credential,
        clock: Clock,
        responder: Callable[[Any], list[Any]],
        early: list[Any] | None = None,
    ) -> None:
        self.url = URL(url)
        self.credential = credential
        self.clock = clock
        self.sent: list[Any] = []
        self.kept: list[Any] = []
        self._responder = responder
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        for frame in early or []:
            self._inbox.put_nowait(frame)

    async def send_json(self, message: Any) -> None:
        # Round-trip through JSON, as the wire would.
        message = orjson.loads(orjson.dumps(message))
        self.sent.append(message)
        for reply in self._responder(message):
            self._inbox.put_nowait(reply)

    async def send_str(self, message: str) -> None:
        await self.send_json(orjson.loads(message))

    async def receive_json(
        self,
        timeout: float,  # noqa: ASYNC109
        match: Callable[[Any], bool] | None = None,
    ) -> Any:
        while not self._inbox.empty():
            frame = self._inbox.get_nowait()
            if match is None or match(frame):
                return frame
            self.kept.append(frame)
        raise TimeoutError(f"no reply within {timeout:g} s")  # nothing more will ever come


@pytest.fixture
def login_double() -> type[LoginDouble]:
    return LoginDouble


WS_HOSTS = ["ws.bitmex.com", "www.bitmex.com", "ws.testnet.bitmex.com", "testnet.bitmex.com"]
WELCOME = {
    "info": "Welcome to the BitMEX Realtime API.",
    "version": "test",
    "limit": {"remaining": 39},
}


class RealtimeServer:
    """A BitMEX-like Realtime API: welcome, ``authKeyExpires`` verified as documented, ``ping``."""

    def __init__(self) -> None:
        self.connections: list[list[Any]] = []  # per connection: every frame received, in order
        self.logins: list[bool] = []

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        received: list[Any] = []
        self.connections.append(received)
        await ws.send_json(WELCOME)
        authed = False
        async for msg in ws:
            if msg.data == "ping":
                received.append("ping")
                await ws.send_str("pong")
                continue
            message = orjson.loads(msg.data)
            received.append(message)
            if message.get("op") == "authKeyExpires":
                key, expires, sig = message["args"]
                want = hmac.new(
                    SECRET.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256
                ).hexdigest()
                authed = (
                    key == KEY
                    and isinstance(expires, int)
                    and 0 < expires - time.time() <= 60
                    and hmac.compare_digest(sig, want)
                )
                self.logins.append(authed)
                if authed:
                    await ws.send_json({"success": True, "request": message})
                else:
                    await ws.send_json(
                        {
                            "status": 401,
                            "error": "Signature not valid.",
                            "meta": {},
                            "request": message,
                        }
                    )
            elif message.get("op") == "subscribe":
                private = any(topic in ("order", "position") for topic in message["args"])
                if private and not authed:
                    await ws.send_json(
                        {"status": 401, "error": "Not authenticated.", "request": message}
                    )
                else:
                    await ws.send_json(
                        {"success": True, "subscribe": message["args"], "request": message}
                    )
                    await ws.send_json({"table": "order", "action": "partial", "data": []})
        return ws


@pytest.fixture
async def realtime() -> Any:
    server = RealtimeServer()
    app = web.Application()
    app.router.add_get("/realtime", server.handle)
    async with LocalExchange(app, WS_HOSTS) as local:
        local.server = server  # type: ignore[attr-defined]
        yield local


async def wait_until(condition: Callable[[], bool], limit: float = 5.0) -> None:
    """Poll ``condition`` (cheap, in-memory) until true; fail after ``limit`` seconds."""
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110 - the condition is a plain in-memory check
            await asyncio.sleep(0.01)


@pytest.fixture
def eventually() -> Callable[..., Any]:
    return wait_until
