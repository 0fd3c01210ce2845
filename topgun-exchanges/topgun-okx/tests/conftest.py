"""Fixtures: a local OKX-like server that checks v5 signatures the way OKX documents them, and an
in-memory WebSocket login double.

https://www.okx.com/docs-v5/en/#overview-rest-authentication: OK-ACCESS-SIGN = Base64
HMAC-SHA256(secret, timestamp + METHOD + requestPath-with-query + body), OK-ACCESS-TIMESTAMP is
ISO-8601 UTC with milliseconds and must be within 30 s of server time, OK-ACCESS-PASSPHRASE must
match the key's. Demo keys only work with ``x-simulated-trading: 1`` and live keys only without it
(https://www.okx.com/docs-v5/en/#overview-demo-trading-services). The server recomputes all of
it itself; it never calls the plugin's signer.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime
import hashlib
import hmac
import time
import types
from collections import deque
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from aiohttp import WSMsgType, web
from yarl import URL

from topgun.clock import Clock
from topgun.credentials import Credential
from topgun.plugin import Heartbeat, Host, hookimpl
from topgun.testing import LocalExchange

# (key, secret, passphrase, demo?)
ACCOUNTS = {
    "okx": ("okx-live-key", "okx-live-secret-DO-NOT-LEAK", "okx-live-pass-DO-NOT-LEAK"),
    "okx_demo": ("okx-demo-key", "okx-demo-secret-DO-NOT-LEAK", "okx-demo-pass-DO-NOT-LEAK"),
}


def okx_signature(secret: str, timestamp: str, method: str, path_qs: str, body: bytes) -> str:
    digest = hmac.new(
        secret.encode(), (timestamp + method + path_qs).encode() + body, hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def _error(code: str, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg, "data": []}, status=401)


def make_app(seen: list[dict[str, Any]]) -> web.Application:
    by_key = {key: (api, secret, passphrase) for api, (key, secret, passphrase) in ACCOUNTS.items()}

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        record: dict[str, Any] = {
            "method": request.method,
            "path_qs": request.raw_path,
            "headers": dict(request.headers),
            "body": body,
        }
        seen.append(record)
        if request.path.startswith("/api/v5/public/"):
            return web.json_response({"code": "0", "msg": "", "data": []})
        headers = request.headers
        account = by_key.get(headers.get("OK-ACCESS-KEY", ""))
        if account is None:
            return _error("50113", "Invalid Sign")  # OKX answers a missing/unknown key like this
        api, secret, passphrase = account
        demo = headers.get("x-simulated-trading") == "1"
        if demo != (api == "okx_demo"):
            return _error("50101", "APIKey does not match current environment.")
        if headers.get("OK-ACCESS-PASSPHRASE") != passphrase:
            return _error("50105", "Your OK-ACCESS-PASSPHRASE is incorrect.")
        timestamp = headers.get("OK-ACCESS-TIMESTAMP", "")
        try:
            sent_at = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.UTC
            )
        except ValueError:
            return _error("50112", "Invalid OK-ACCESS-TIMESTAMP")
        if len(timestamp) != 24 or abs(sent_at.timestamp() - time.time()) > 30:
            return _error("50102", "Timestamp request expired")
        want = okx_signature(secret, timestamp, request.method, request.raw_path, body)
        if not hmac.compare_digest(headers.get("OK-ACCESS-SIGN", ""), want):
            return _error("50113", "Invalid Sign")
        record["verified"] = api
        return web.json_response({"code": "0", "msg": "", "data": [{"api": api}]})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@pytest.fixture
def okx_accounts() -> dict[str, tuple[str, str, str]]:
    """The (key, secret, passphrase) the local server accepts for each API name."""
    return dict(ACCOUNTS)


@pytest.fixture
async def exchange() -> Any:
    """www.okx.com served from 127.0.0.1 over TLS; ``exchange.seen`` records every request."""
    seen: list[dict[str, Any]] = []
    async with LocalExchange(make_app(seen), ["www.okx.com"]) as server:
        server.seen = seen  # type: ignore[attr-defined]
        yield server


class FakeLogin:
    """An in-memory ``topgun.plugin.WebSocketLogin``: what the authenticator sends is recorded and
    answered by ``respond``; ``receive_json`` returns the first answer ``match`` accepts and keeps
    the others, like core's login session. An empty inbox is a timeout (no real waiting)."""

    def __init__(
        self,
        url: str,
        credential: Credential,
        clock: Clock,
        respond: Callable[[Any], list[Any]],
        early: tuple[Any, ...] = (),
    ) -> None:
        self.url = URL(url)
        self.credential = credential
        self.clock = clock
        self.sent: list[Any] = []
        self.kept: list[Any] = []
        self.timeouts: list[float] = []
        self._respond = respond
        self._inbox: deque[Any] = deque(early)

    async def send_json(self, message: Any) -> None:
        self.sent.append(message)
        self._inbox.extend(self._respond(message))

    async def send_str(self, message: str) -> None:
        self.sent.append(message)
        self._inbox.extend(self._respond(message))

    async def receive_json(
        self,
        timeout: float,  # noqa: ASYNC109 - the WebSocketLogin protocol's shape
        match: Callable[[Any], bool] | None = None,
    ) -> Any:
        self.timeouts.append(timeout)
        while self._inbox:
            message = self._inbox.popleft()
            if match is None or match(message):
                return message
            self.kept.append(message)
        raise TimeoutError(f"no login reply within {timeout:g} s")


@pytest.fixture
def fake_login() -> type[FakeLogin]:
    return FakeLogin


# -- a local WebSocket exchange (for Client.ws_connect tests) ------------------------------------


class WSConn:
    """One accepted WebSocket connection: what arrived (with the loop time) and the socket."""

    def __init__(self, ws: web.WebSocketResponse, path: str) -> None:
        self.ws = ws
        self.path = path
        self.received: list[Any] = []
        self.times: list[float] = []
        self.state: dict[str, Any] = {}


Responder = Callable[[WSConn, Any], list[Any]]
"""Called with each message received (JSON decoded when it is JSON); returns replies to send."""


class WSExchange:
    """WebSocket routes served under real hostnames from 127.0.0.1 over TLS (``LocalExchange``)."""

    def __init__(self, hosts: list[str], respond: Responder) -> None:
        self.connections: list[WSConn] = []
        self._respond = respond
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self.local = LocalExchange(app, hosts)

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = WSConn(ws, request.path)
        self.connections.append(conn)
        loop = asyncio.get_running_loop()
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            try:
                message: Any = orjson.loads(msg.data)
            except orjson.JSONDecodeError:
                message = msg.data
            conn.received.append(message)
            conn.times.append(loop.time())
            for reply in self._respond(conn, message):
                if isinstance(reply, str):
                    await ws.send_str(reply)
                else:
                    await ws.send_json(reply)
        return ws


@pytest.fixture
async def ws_exchange() -> Any:
    """``await ws_exchange(hosts, respond)`` starts a local WebSocket exchange for the test."""
    started: list[WSExchange] = []

    async def start(hosts: list[str], respond: Responder) -> WSExchange:
        server = WSExchange(hosts, respond)
        await server.local.__aenter__()
        started.append(server)
        return server

    yield start
    for server in started:
        await server.local.__aexit__(None, None, None)


async def eventually(predicate: Callable[[], object], within: float = 5.0) -> None:
    """Poll ``predicate`` until it holds (a bounded wait for an event, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@pytest.fixture
def until() -> Callable[..., Any]:
    return eventually


def with_heartbeat_interval(plugin: Any, interval: float) -> Any:
    """A copy of ``plugin`` whose WebSocket heartbeats run every ``interval`` seconds, so a test can
    see the real payload without waiting the real interval (which the unit tests pin down)."""
    module = types.ModuleType(f"{plugin.__name__.split('.')[0]}_fastbeat")

    @hookimpl
    def topgun_register_hosts(register: Callable[[Host], None]) -> None:
        def swap(host: Host) -> None:
            beat = host.ws_heartbeat
            if isinstance(beat, Heartbeat):
                host = dataclasses.replace(
                    host, ws_heartbeat=dataclasses.replace(beat, interval=interval)
                )
            register(host)

        plugin.topgun_register_hosts(register=swap)

    module.topgun_register_apis = plugin.topgun_register_apis  # type: ignore[attr-defined]
    module.topgun_register_hosts = topgun_register_hosts  # type: ignore[attr-defined]
    return module


@pytest.fixture
def fast_heartbeat() -> Callable[[Any, float], Any]:
    return with_heartbeat_interval


FAST_BACKOFF = (0.05, 0.2, 2.0, 0.05)
"""Reconnect quickly in tests: (min, max, factor, initial) seconds."""


@pytest.fixture
def fast_backoff() -> tuple[float, float, float, float]:
    return FAST_BACKOFF
