"""Fixtures: a local BitMEX-like REST server that checks signatures the way BitMEX documents them,
plus ``topgun.testing``'s login double.

https://www.bitmex.com/app/apiKeysUsage : api-signature = hex(HMAC_SHA256(secret, verb + path with
query as sent + api-expires + raw body)); api-expires is a UNIX time in seconds, in the future.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import Connection, HttpExchange, Registry, WebSocketExchange, build_registry
from topgun.testing.fixtures import *  # noqa: F403 - the shared pytest fixtures
from topgun_bitmex import plugin

KEY = "bitmex-test-key"
SECRET = "bitmex-test-secret"
HOSTS = ["www.bitmex.com", "testnet.bitmex.com"]


def recompute(secret: str, verb: str, path_qs: str, expires: str, body: bytes) -> str:
    return hmac.new(
        secret.encode(), (verb + path_qs + expires).encode() + body, hashlib.sha256
    ).hexdigest()


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
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


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """www.bitmex.com and testnet.bitmex.com on 127.0.0.1 over TLS; ``.seen`` records requests."""
    async with HttpExchange(HOSTS, handle) as server:
        yield server


WS_HOSTS = ["ws.bitmex.com", "www.bitmex.com", "ws.testnet.bitmex.com", "testnet.bitmex.com"]
WELCOME = {
    "info": "Welcome to the BitMEX Realtime API.",
    "version": "test",
    "limit": {"remaining": 39},
}


class RealtimeServer:
    """A BitMEX-like Realtime API: welcome, ``authKeyExpires`` verified as documented, ``ping``."""

    def __init__(self) -> None:
        self.exchange = WebSocketExchange(WS_HOSTS, self.respond, on_open=self.welcome)
        self.logins: list[bool] = []
        self.partials: dict[str, Callable[[], list[Any]]] = {}
        self.unsubscribed: list[str] = []
        self.exchange.server = self  # type: ignore[attr-defined]  # tests reach it from there

    @property
    def connections(self) -> list[list[Any]]:
        """Per connection: every frame received, in order."""
        return [conn.received for conn in self.exchange.connections]

    async def welcome(self, conn: Connection) -> None:
        await conn.send(WELCOME)

    def respond(self, conn: Connection, message: Any) -> list[Any]:
        if message == "ping":
            return ["pong"]
        if message.get("op") == "authKeyExpires":
            key, expires, sig = message["args"]
            want = hmac.new(
                SECRET.encode(), f"GET/realtime{expires}".encode(), hashlib.sha256
            ).hexdigest()
            authed = conn.state["authed"] = (
                key == KEY
                and isinstance(expires, int)
                and 0 < expires - time.time() <= 60
                and hmac.compare_digest(sig, want)
            )
            self.logins.append(authed)
            if authed:
                return [{"success": True, "request": message}]
            return [
                {"status": 401, "error": "Signature not valid.", "meta": {}, "request": message}
            ]
        if message.get("op") == "subscribe":
            private = any(topic in ("order", "position") for topic in message["args"])
            if private and not conn.state.get("authed"):
                return [{"status": 401, "error": "Not authenticated.", "request": message}]
            replies: list[Any] = [
                {"success": True, "subscribe": message["args"], "request": message}
            ]
            for topic in message["args"]:
                replies.extend(self.partial(topic))
            return replies
        if message.get("op") == "unsubscribe":
            self.unsubscribed.extend(message["args"])
            return [{"success": True, "unsubscribe": message["args"], "request": message}]
        return []

    def partial(self, topic: str) -> list[Any]:
        """What a subscription to ``topic`` brings: ``partials[topic]`` (a callable giving the
        messages), else the table's empty partial."""
        make = self.partials.get(topic)
        if make is not None:
            return list(make())
        return [{"table": topic.partition(":")[0], "action": "partial", "keys": [], "data": []}]


@pytest.fixture
async def realtime() -> AsyncIterator[WebSocketExchange]:
    """The Realtime API hosts on 127.0.0.1 over TLS; ``realtime.server`` is the exchange's side."""
    async with RealtimeServer().exchange as local:
        yield local


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)
