"""WebSocket test kit: a scriptable local server, a raw asyncio server (``raw``, for handshakes and
frames aiohttp would not produce), a toy exchange plugin, and a leak check.

Every test talks to a real aiohttp WebSocket server on 127.0.0.1 over real sockets. The toy
exchange (``wss://ws.toy.test``, reached over TLS through a resolver that maps it to the local
server's TLS port; credentials go nowhere else) logs in
with ``{"op": "login", "key", "ts", "sig": hex HMAC-SHA256(secret, "login" + ts)}`` and signs
outgoing JSON with a ``sig`` field, so core's plugin hooks are exercised without any real exchange.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import logging
import socket
import ssl
import types
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

import topgun
from topgun.plugin import (
    ApiSpec,
    AuthenticationError,
    Host,
    MessageSigningRequest,
    WebSocketLogin,
    hookimpl,
)
from topgun.registry import Registry, build_registry
from topgun.testing import LoopbackResolver, eventually

TOY_HOST = "ws.toy.test"
TOY_KEY = "toy-ws-key"
TOY_SECRET = "toy-ws-secret-NEVER-LOGGED-91c2"


# -- the toy exchange plugin -----------------------------------------------------------------


def toy_login_signature(secret: str, ts: str) -> str:
    return hmac.new(secret.encode(), f"login{ts}".encode(), hashlib.sha256).hexdigest()


async def toy_authenticate(login: WebSocketLogin) -> None:
    ts = str(login.clock.time_ms())
    await login.send_json(
        {
            "op": "login",
            "key": login.credential.key,
            "ts": ts,
            "sig": toy_login_signature(login.credential.secret, ts),
        }
    )
    reply = await login.receive_json(
        2.0, match=lambda m: isinstance(m, dict) and m.get("op") == "login"
    )
    if reply.get("ok") is not True:
        raise AuthenticationError(f"toy exchange said: {reply.get('reason')!r}")


def toy_sign_message(request: MessageSigningRequest) -> Any:
    if not isinstance(request.message, dict):
        return request.message
    body = orjson.dumps(request.message, option=orjson.OPT_SORT_KEYS)
    sig = hmac.new(request.credential.secret_bytes, body, hashlib.sha256).hexdigest()
    return {**request.message, "sig": sig}


def toy_registry(**host_options: Any) -> Registry:
    """A registry with the toy plugin; ``host_options`` override the ws.toy.test Host fields."""
    options: dict[str, Any] = {"api": "toy", "ws_authenticator": toy_authenticate}
    options.update(host_options)
    host = Host(TOY_HOST, **options)
    module = types.ModuleType("topgun_toyws")

    @hookimpl
    def topgun_register_apis(register: Callable[[ApiSpec], None]) -> None:
        register(ApiSpec("toy", label="Toy"))

    @hookimpl
    def topgun_register_hosts(register: Callable[[Host], None]) -> None:
        register(host)

    module.topgun_register_apis = topgun_register_apis  # type: ignore[attr-defined]
    module.topgun_register_hosts = topgun_register_hosts  # type: ignore[attr-defined]
    return build_registry([module], strict=True)


# -- the scriptable server -------------------------------------------------------------------

Behaviour = Callable[["ServerConn"], Awaitable[None]]


@dataclass
class ServerConn:
    """One accepted WebSocket connection, as the server sees it."""

    index: int
    ws: web.WebSocketResponse
    request: web.Request
    opened_at: float
    received: list[Any] = field(default_factory=list)
    closed_at: float | None = None

    async def read(self, count: int = 1) -> list[Any]:
        """Read ``count`` data frames (JSON decoded when possible) into ``received``."""
        got = []
        while len(got) < count:
            msg = await self.ws.receive()
            if msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                try:
                    value = orjson.loads(msg.data)
                except orjson.JSONDecodeError:
                    value = msg.data
                self.received.append(value)
                got.append(value)
            elif msg.type not in (aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PONG):
                raise ConnectionResetError(f"client went away ({msg.type.name})")
        return got

    async def drain(self) -> None:
        """Read frames into ``received`` until the client closes."""
        try:
            while True:
                await self.read()
        except ConnectionResetError:
            return

    def go_silent(self) -> None:
        """Stop reading (so pings go unanswered) without closing: a half-open connection."""
        transport = self.request.transport
        assert transport is not None
        transport.pause_reading()

    def drop(self) -> None:
        """Drop the TCP connection abruptly: no close frame."""
        transport = self.request.transport
        assert transport is not None
        transport.abort()


async def accept_login(conn: ServerConn) -> None:
    """Server behaviour: accept the toy login (unchecked), then read until the client leaves."""
    await conn.read()
    await conn.ws.send_json({"op": "login", "ok": True})
    await conn.drain()


def sending(*messages: Any) -> Behaviour:
    """Server behaviour: send ``messages`` (JSON) as the connection opens, then read until the
    client leaves."""

    async def behaviour(conn: ServerConn) -> None:
        for message in messages:
            await conn.ws.send_json(message)
        await conn.drain()

    return behaviour


async def login_refused(app: Any, match: str, within: float = 5.0) -> None:
    """``app.ready()`` fails, within ``within`` seconds, with an AuthenticationError matching
    ``match``."""
    with pytest.raises(AuthenticationError, match=match):
        async with asyncio.timeout(within):
            await app.ready()


class WSServer:
    """A WebSocket server on 127.0.0.1 whose per-connection behaviour a test scripts."""

    def __init__(
        self, behaviour: Behaviour, *, port: int = 0, autoping: bool = True, record: bool = True
    ) -> None:
        self.behaviour = behaviour
        self.port = port
        self.tls_port = 0  # the same endpoint over TLS, for wss://ws.toy.test
        self.autoping = autoping
        self.record = record  # False: count connections only (long runs must not grow)
        self.accepted = 0
        self.connections: list[ServerConn] = []
        self.release = asyncio.Event()  # behaviours that hang wait on this; set at stop()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    async def start(self) -> WSServer:
        app = web.Application()
        app.router.add_get("/ws", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True)
        await site.start()
        self.port = site.port
        tls_site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=_TLS.server)
        await tls_site.start()
        self.tls_port = tls_site.port
        return self

    async def stop(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=self.autoping)
        await ws.prepare(request)
        loop = asyncio.get_running_loop()
        conn = ServerConn(self.accepted, ws, request, loop.time())
        self.accepted += 1
        if self.record:
            self.connections.append(conn)
        try:
            await self.behaviour(conn)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            conn.closed_at = loop.time()
        return ws

    async def wait_connections(self, count: int, within: float = 5.0) -> ServerConn:
        await eventually(lambda: len(self.connections) >= count, within)
        return self.connections[count - 1]


class RecordedSleep:
    """A ``Backoff(sleep=...)`` that records every delay the app asks for and waits none of it.

    Reconnect tests then assert the delays themselves, not wall-clock gaps between connections.
    From the ``hold_after``-th delay on it waits until ``release()`` (or the app closes), so a
    server that keeps refusing yields exactly that many attempts however fast the machine is.
    """

    def __init__(self, hold_after: int | None = None) -> None:
        self.delays: list[float] = []
        self._hold_after = hold_after
        self._released = asyncio.Event()

    def release(self) -> None:
        self._released.set()

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self._hold_after is not None and len(self.delays) >= self._hold_after:
            await self._released.wait()
        await asyncio.sleep(0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _TestTLS:
    """A throwaway CA and a certificate for the toy host, made once per test session."""

    def __init__(self) -> None:
        import trustme

        ca = trustme.CA()
        self.server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(TOY_HOST, "127.0.0.1").configure_cert(self.server)
        self.client = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        ca.configure_trust(self.client)


_TLS = _TestTLS()


def toy_client(server: WSServer, registry: Registry | None = None, **kwargs: Any) -> topgun.Client:
    """A Client whose connector sends ws.toy.test to ``server``'s TLS port, trusting its CA."""
    return topgun.Client(
        registry=registry if registry is not None else toy_registry(),
        connector=aiohttp.TCPConnector(
            resolver=LoopbackResolver({TOY_HOST: server.tls_port}), ssl=_TLS.client
        ),
        **kwargs,
    )


TOY_URL = f"wss://{TOY_HOST}/ws"


# -- a raw server, for handshakes and frames aiohttp would not produce ------------------------

RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    def __init__(self) -> None:
        self.accepted = 0
        self.release = asyncio.Event()
        self.url = ""
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self, handler: RawHandler) -> RawServer:
        async def wrapped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.accepted += 1
            self._writers.append(writer)
            try:
                await handler(reader, writer)
                await self.release.wait()
            except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        self._server = await asyncio.start_server(wrapped, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ws"
        return self

    async def stop(self) -> None:
        self.release.set()
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture
async def raw() -> AsyncIterator[Callable[[RawHandler], Awaitable[RawServer]]]:
    servers: list[RawServer] = []

    async def start(handler: RawHandler) -> RawServer:
        server = RawServer()
        servers.append(server)
        return await server.start(handler)

    yield start
    for server in servers:
        await server.stop()


@pytest.fixture
def kit() -> types.SimpleNamespace:
    """The helpers above, for test modules (conftest modules are not importable by name)."""
    return types.SimpleNamespace(
        eventually=eventually,
        accept_login=accept_login,
        drain=ServerConn.drain,
        login_refused=login_refused,
        sending=sending,
        RecordedSleep=RecordedSleep,
        free_port=free_port,
        toy_client=toy_client,
        toy_registry=toy_registry,
        toy_login_signature=toy_login_signature,
        toy_sign_message=toy_sign_message,
        WSServer=WSServer,
        TOY_URL=TOY_URL,
        TOY_HOST=TOY_HOST,
        TOY_KEY=TOY_KEY,
        TOY_SECRET=TOY_SECRET,
        TOY_APIS={"toy": [TOY_KEY, TOY_SECRET]},
    )


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[WSServer]]]:
    """``server = await serve(behaviour)``: started now, stopped after the test."""
    servers: list[WSServer] = []

    async def start(behaviour: Behaviour, **options: Any) -> WSServer:
        server = WSServer(behaviour, **options)
        servers.append(server)
        return await server.start()

    yield start
    for server in servers:
        await server.stop()


class _Destroyed(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
async def no_task_left() -> AsyncIterator[None]:
    """After each test: no task of ours pending, and no "Task was destroyed" from asyncio."""
    watcher = _Destroyed()
    asyncio_log = logging.getLogger("asyncio")
    asyncio_log.addHandler(watcher)
    try:
        yield
        await asyncio.sleep(0)
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        leftovers = [t for t in pending if t.get_name().startswith("topgun")]
        assert not leftovers, f"tasks left behind: {leftovers}"
        gc.collect()
        problems = [r.getMessage() for r in watcher.records]
        assert not problems, problems
    finally:
        asyncio_log.removeHandler(watcher)
