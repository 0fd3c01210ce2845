"""Fixtures: a local Bybit-like server that checks V5 signatures the way Bybit documents them, and
an in-memory WebSocket login double.

https://bybit-exchange.github.io/docs/v5/guide ("Authentication"): X-BAPI-SIGN = hex
HMAC-SHA256(secret, timestamp + api_key + recv_window + (GET: query string | POST: raw body)),
and the request is valid while server_time - recv_window <= timestamp < server_time + 1000.
The server recomputes everything itself; it never calls the plugin's signer.
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

# One key pair per API name, so a request signed with the wrong environment's key fails.
KEYS = {
    "bybit": ("bybit-main-key", "bybit-main-secret-DO-NOT-LEAK"),
    "bybit_demo": ("bybit-demo-key", "bybit-demo-secret-DO-NOT-LEAK"),
    "bybit_testnet": ("bybit-test-key", "bybit-test-secret-DO-NOT-LEAK"),
}
HOST_API = {
    "api.bybit.com": "bybit",
    "api.bytick.com": "bybit",
    "api-demo.bybit.com": "bybit_demo",
    "api-testnet.bybit.com": "bybit_testnet",
}


def bybit_signature(secret: str, timestamp: str, key: str, recv_window: str, payload: bytes) -> str:
    text = (timestamp + key + recv_window).encode() + payload
    return hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def rsa_verifies(public_key: Any, signature_b64: str, text: bytes) -> bool:
    """Check a Base64 RSASSA-PKCS1-v1_5 SHA-256 signature, as Bybit does for RSA keys."""
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
    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        record: dict[str, Any] = {
            "method": request.method,
            "host": request.host.split(":")[0],
            "path_qs": request.raw_path,
            "headers": dict(request.headers),
            "body": body,
        }
        seen.append(record)
        if request.path.startswith("/v5/market/"):
            return web.json_response({"retCode": 0, "retMsg": "OK", "result": {}})
        key, secret = KEYS[HOST_API[record["host"]]]
        headers = request.headers
        rsa_public = rsa_keys.get(headers.get("X-BAPI-API-KEY", ""))
        if rsa_public is not None:
            key = headers["X-BAPI-API-KEY"]
        if headers.get("X-BAPI-API-KEY") != key:
            return web.json_response({"retCode": 10003, "retMsg": "API key is invalid."})
        timestamp = headers.get("X-BAPI-TIMESTAMP", "")
        recv_window = headers.get("X-BAPI-RECV-WINDOW", "")
        now_ms = int(time.time() * 1000)
        window = int(recv_window or "5000")
        if not timestamp.isdigit() or not now_ms - window <= int(timestamp) < now_ms + 1000:
            return web.json_response(
                {"retCode": 10002, "retMsg": "invalid request, please check your server timestamp"}
            )
        payload = request.rel_url.raw_query_string.encode() if request.method == "GET" else body
        if rsa_public is not None:
            text = (timestamp + key + recv_window).encode() + payload
            valid = rsa_verifies(rsa_public, headers.get("X-BAPI-SIGN", ""), text)
        else:
            want = bybit_signature(secret, timestamp, key, recv_window, payload)
            valid = hmac.compare_digest(headers.get("X-BAPI-SIGN", ""), want)
        if not valid:
            return web.json_response({"retCode": 10004, "retMsg": "error sign!"})
        record["verified"] = True
        return web.json_response({"retCode": 0, "retMsg": "OK", "result": {}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@pytest.fixture
async def exchange() -> Any:
    """The Bybit REST hosts served from 127.0.0.1 over TLS; ``exchange.seen`` records requests."""
    seen: list[dict[str, Any]] = []
    rsa_keys: dict[str, Any] = {}
    async with LocalExchange(make_app(seen, rsa_keys), HOST_API) as server:
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


@pytest.fixture
def bybit_keys() -> dict[str, tuple[str, str]]:
    """The key pair the local server accepts for each API name."""
    return dict(KEYS)


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
