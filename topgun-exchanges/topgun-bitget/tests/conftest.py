"""Fixtures: a local Bitget-like server that checks v2 signatures the way Bitget documents them,
and an in-memory WebSocket login double.

https://www.bitget.com/api-doc/common/signature: ACCESS-SIGN = Base64 HMAC-SHA256(secret,
timestamp + METHOD + requestPath + ("?" + queryString when there is one) + body), ACCESS-TIMESTAMP
in milliseconds and within 30 s of server time, ACCESS-PASSPHRASE the key's passphrase. The server
recomputes it all itself; it never calls the plugin's signer.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
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

ACCOUNT = ("bitget-key", "bitget-secret-DO-NOT-LEAK", "bitget-pass-DO-NOT-LEAK")


def bitget_signature(
    secret: str, timestamp: str, method: str, path: str, query: str, body: bytes
) -> str:
    text = (timestamp + method + path + (f"?{query}" if query else "")).encode() + body
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


def _error(code: str, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg, "data": None}, status=400)


def rsa_verifies(public_key: Any, signature_b64: str, text: bytes) -> bool:
    """Check a Base64 RSASSA-PKCS1-v1_5 SHA-256 signature, as Bitget does for RSA keys."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        public_key.verify(
            base64.b64decode(signature_b64), text, padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


@pytest.fixture(scope="session")
def rsa_private_key() -> Any:
    """A throwaway 2048-bit RSA key, as a user would generate for a self-generated API key."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def rsa_pem(rsa_private_key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return rsa_private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def rsa_check() -> Any:
    return rsa_verifies


def make_app(seen: list[dict[str, Any]], rsa_keys: dict[str, Any]) -> web.Application:
    key, secret, passphrase = ACCOUNT

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        record: dict[str, Any] = {
            "method": request.method,
            "path_qs": request.raw_path,
            "headers": dict(request.headers),
            "body": body,
        }
        seen.append(record)
        if request.path.startswith("/api/v2/public/"):
            return web.json_response({"code": "00000", "msg": "success", "data": {}})
        headers = request.headers
        rsa_public = rsa_keys.get(headers.get("ACCESS-KEY", ""))
        expected_key = key if rsa_public is None else headers["ACCESS-KEY"]
        if headers.get("ACCESS-KEY") != expected_key:
            return _error("40006", "Invalid ACCESS_KEY")
        if headers.get("ACCESS-PASSPHRASE") != passphrase:
            return _error("40012", "apikey/password is incorrect")
        timestamp = headers.get("ACCESS-TIMESTAMP", "")
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 30_000:
            return _error("40008", "Request timestamp expired")
        if rsa_public is not None:
            query = request.rel_url.raw_query_string
            text = (
                timestamp
                + request.method
                + request.rel_url.raw_path
                + (f"?{query}" if query else "")
            ).encode() + body
            if not rsa_verifies(rsa_public, headers.get("ACCESS-SIGN", ""), text):
                return _error("40009", "sign signature error")
            record["verified"] = True
            return web.json_response({"code": "00000", "msg": "success", "data": {}})
        want = bitget_signature(
            secret,
            timestamp,
            request.method,
            request.rel_url.raw_path,
            request.rel_url.raw_query_string,
            body,
        )
        if not hmac.compare_digest(headers.get("ACCESS-SIGN", ""), want):
            return _error("40009", "sign signature error")
        record["verified"] = True
        return web.json_response({"code": "00000", "msg": "success", "data": {}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@pytest.fixture
def bitget_account() -> tuple[str, str, str]:
    """The (key, secret, passphrase) the local server accepts."""
    return ACCOUNT


@pytest.fixture
async def exchange() -> Any:
    """api.bitget.com served from 127.0.0.1 over TLS; ``exchange.seen`` records every request."""
    seen: list[dict[str, Any]] = []
    rsa_keys: dict[str, Any] = {}
    async with LocalExchange(make_app(seen, rsa_keys), ["api.bitget.com"]) as server:
        server.seen = seen  # type: ignore[attr-defined]
        server.rsa_keys = rsa_keys  # type: ignore[attr-defined]  # API key -> RSA public key
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
