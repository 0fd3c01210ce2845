"""``WebSocketExchange``: WebSocket endpoints under real hostnames, recording what arrives.

Each accepted connection is a ``Connection``: its upgrade request, every data frame received
(JSON-decoded when it is JSON) with the event-loop time it arrived, a ``state`` dict for the
test's own bookkeeping, and the socket. A responder plays the exchange: it is called with each
message and returns the replies. Exchange specifics stay in the test: branch on ``conn.path``
for per-endpoint behaviour, pass ``compress`` for an exchange that compresses what it sends, and
``on_open`` for what the server sends unprompted (a greeting, pings of its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import orjson
from aiohttp import WSMsgType, web

from ..ws.response import dumps
from .exchange import LocalExchange

__all__ = ["Connection", "Responder", "WebSocketExchange", "json_messages"]


class Connection:
    """One accepted WebSocket connection, as the exchange's side sees it."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        compress: Callable[[bytes], bytes] | None = None,
    ) -> None:
        self.ws = ws
        self.request = request
        self.path = request.path
        self.received: list[Any] = []
        self.times: list[float] = []
        """The event-loop time each of ``received`` arrived."""
        self.state: dict[str, Any] = {}
        self._compress = compress

    async def send(self, message: Any) -> None:
        """Send ``message``: bytes as a binary frame, text as is, anything else as JSON text.

        With the exchange's ``compress``, text goes out compressed, in a binary frame.
        """
        if isinstance(message, bytes):
            await self.ws.send_bytes(message)
            return
        text = message if isinstance(message, str) else dumps(message)
        if self._compress is None:
            await self.ws.send_str(text)
        else:
            await self.ws.send_bytes(self._compress(text.encode()))


Responder = Callable[[Connection, Any], Iterable[Any]]
"""Called with each message received (JSON-decoded when it is JSON); returns the replies to send."""


class WebSocketExchange(LocalExchange):
    """WebSocket routes on every path of ``hosts``, served from 127.0.0.1 (``LocalExchange``).

    Use with ``async with``; ``connections`` lists every connection accepted, in order.
    ``on_open`` runs as a task for each connection's lifetime (it is cancelled when the
    connection ends) and may send what it likes with ``conn.send``. ``compress`` is applied to
    every text reply (gzip, raw deflate, ...), which then goes out as a binary frame.
    """

    def __init__(
        self,
        hosts: Iterable[str],
        respond: Responder | None = None,
        *,
        on_open: Callable[[Connection], Awaitable[None]] | None = None,
        compress: Callable[[bytes], bytes] | None = None,
        tls: bool = True,
    ) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        super().__init__(app, hosts, tls=tls)
        self.connections: list[Connection] = []
        self._respond = respond
        self._on_open = on_open
        self._compress = compress

    async def serve(self, request: web.Request) -> web.WebSocketResponse:
        """The aiohttp handler behind every path: also mountable on another local app (a route
        of ``HttpExchange``, so one server has both an exchange's REST API and WebSocket)."""
        return await self._handle(request)

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = Connection(ws, request, self._compress)
        self.connections.append(conn)
        opened = None if self._on_open is None else asyncio.ensure_future(self._on_open(conn))
        loop = asyncio.get_running_loop()
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT and msg.type is not WSMsgType.BINARY:
                    continue
                message = _decoded(msg.data)
                conn.received.append(message)
                conn.times.append(loop.time())
                if self._respond is not None:
                    for reply in self._respond(conn, message):
                        await conn.send(reply)
        finally:
            if opened is not None:
                opened.cancel()
                await asyncio.gather(opened, return_exceptions=True)
        return ws


def _decoded(data: str | bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return data


async def json_messages(ws: web.WebSocketResponse) -> AsyncIterator[Any]:
    """Each text message ``ws`` receives, JSON-decoded, until it closes (other frames skipped):
    the receive loop of a test's own aiohttp WebSocket handler."""
    async for message in ws:
        if message.type is WSMsgType.TEXT:
            yield orjson.loads(message.data)
