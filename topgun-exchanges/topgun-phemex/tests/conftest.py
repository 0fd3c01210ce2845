"""Fixtures: a local Phemex-like REST server that checks signatures the way Phemex documents them,
plus ``topgun.testing``'s login double.

https://phemex-docs.github.io/#rest-request-header : x-phemex-request-signature =
hex(HMAC_SHA256(secret, URL path + query string without "?" + expiry + body)); the expiry is in
epoch seconds.
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
from topgun_phemex import plugin

KEY = "phemex-test-key"
SECRET = "phemex-test-secret"
HOSTS = ["api.phemex.com", "vapi.phemex.com", "testnet-api.phemex.com"]


def recompute(secret: str, raw_path_qs: str, expiry: str, body: bytes) -> str:
    path, _, query = raw_path_qs.partition("?")
    return hmac.new(
        secret.encode(), (path + query + expiry).encode() + body, hashlib.sha256
    ).hexdigest()


async def handle(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
    if request.path.startswith("/public/"):
        return web.json_response({"code": 0, "msg": "", "data": {"serverTime": 1}})
    expiry = request.headers.get("x-phemex-request-expiry", "")
    if request.headers.get("x-phemex-access-token") != KEY:
        return web.json_response({"code": 10500, "msg": "invalid token"}, status=401)
    if not expiry.isdigit() or not 0 < int(expiry) - time.time() <= 120:
        return web.json_response({"code": 10500, "msg": "invalid expiry"}, status=401)
    want = recompute(SECRET, request.raw_path, expiry, body)
    if not hmac.compare_digest(request.headers.get("x-phemex-request-signature", ""), want):
        return web.json_response({"code": 10500, "msg": "invalid signature"}, status=401)
    record["verified"] = True
    return web.json_response({"code": 0, "msg": "", "data": {}})


@pytest.fixture
async def exchange() -> AsyncIterator[HttpExchange]:
    """The Phemex REST hosts on 127.0.0.1 over TLS; ``.seen`` records every request."""
    async with HttpExchange(HOSTS, handle) as server:
        yield server


WS_HOSTS = [
    "ws.phemex.com",
    "vapi.phemex.com",
    "testnet-api.phemex.com",
    "phemex.com",
    "testnet.phemex.com",
]


class DataGateway:
    """A Phemex-like WebSocket gateway: ``user.auth`` verified as documented, ``server.ping``."""

    def __init__(self) -> None:
        self.exchange = WebSocketExchange(WS_HOSTS, self.respond)
        self.logins: list[bool] = []
        self.aop: dict[str, Any] | None = None
        """The AOP snapshot sent on ``aop.subscribe`` (default: an empty one)."""
        self.snapshots: dict[str, Callable[[Any], list[Any]]] = {}
        """``method`` -> the messages a subscription with these params brings (a snapshot)."""
        self.subscribed: list[tuple[str, Any]] = []
        self.unsubscribed: list[str] = []
        self.exchange.server = self  # type: ignore[attr-defined]  # tests reach it from there

    @property
    def connections(self) -> list[list[tuple[float, Any]]]:
        """Per connection: (arrival loop time, message) for every message, in order."""
        return [list(zip(c.times, c.received, strict=True)) for c in self.exchange.connections]

    def respond(self, conn: Connection, message: Any) -> list[Any]:
        method, ident = message.get("method"), message.get("id")
        if method == "server.ping":
            return [{"error": None, "id": ident, "result": "pong"}]
        if method == "user.auth":
            kind, key, signature, expiry = message["params"]
            want = hmac.new(SECRET.encode(), f"{key}{expiry}".encode(), hashlib.sha256).hexdigest()
            authed = conn.state["authed"] = (
                kind == "API"
                and key == KEY
                and 0 < expiry - time.time() <= 120
                and hmac.compare_digest(signature, want)
            )
            self.logins.append(authed)
            if authed:
                return [{"error": None, "id": ident, "result": {"status": "success"}}]
            error = {"code": 6012, "message": "invalid login token"}
            return [{"error": error, "id": ident, "result": None}]
        if method == "aop.subscribe":
            if not conn.state.get("authed"):
                return [{"error": {"code": 6001, "message": "invalid argument"}, "id": ident}]
            return [
                {"error": None, "id": ident, "result": {"status": "success"}},
                self.aop or {"accounts": [], "orders": [], "positions": [], "type": "snapshot"},
            ]
        replies: list[Any] = [{"error": None, "id": ident, "result": {"status": "success"}}]
        if isinstance(method, str) and method.endswith(".subscribe"):
            self.subscribed.append((method, message.get("params")))
            make = self.snapshots.get(method)
            if make is not None:
                replies.extend(make(message.get("params")))
        elif isinstance(method, str) and method.endswith(".unsubscribe"):
            self.unsubscribed.append(method)
        return replies


@pytest.fixture
async def gateway() -> AsyncIterator[WebSocketExchange]:
    """The WebSocket hosts on 127.0.0.1 over TLS; ``gateway.server`` is the exchange's side."""
    async with DataGateway().exchange as local:
        yield local


@pytest.fixture
def registry() -> Registry:
    return build_registry([plugin], strict=True)
