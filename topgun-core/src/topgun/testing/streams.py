"""A WebSocket app that keeps what it receives, waited on until the exchange has answered, and
one whose heartbeat the exchange has heard a few times."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..client import Client
from ..ws.app import WebSocketApp
from .waiting import eventually
from .websocket import Connection, WebSocketExchange

__all__ = ["heartbeats", "stream_until"]


async def stream_until(
    client: Client,
    url: str,
    arrived: Callable[[list[Any]], object] = bool,
    *,
    within: float = 5.0,
    **kwargs: Any,
) -> tuple[WebSocketApp, list[Any]]:
    """Connect ``client`` to ``url`` with a handler that keeps every JSON message, then wait,
    bounded by ``within`` seconds each, for the app to be ready (logged in, ``send_*`` sent)
    and for ``arrived(messages)`` to hold (by default: anything arrived).

    ``kwargs`` go to ``ws_connect`` (``send_json=``, ``backoff=``...). Returns the app, still
    running, and the list its handler keeps appending to.
    """
    received: list[Any] = []
    app = client.ws_connect(url, hdlr_json=lambda message, ws: received.append(message), **kwargs)
    async with asyncio.timeout(within):
        await app.ready()
    await eventually(lambda: arrived(received), within)
    return app, received


async def heartbeats(
    client: Client,
    server: WebSocketExchange,
    url: str,
    ping: Any,
    count: int = 3,
    *,
    within: float = 5.0,
    **kwargs: Any,
) -> tuple[Connection, list[float]]:
    """Connect ``client`` to ``url`` at ``server`` and wait, bounded by ``within`` seconds each,
    for the app to be ready and for the exchange to have received ``ping`` ``count`` times.

    ``kwargs`` go to ``ws_connect``. Returns the connection, as the exchange saw it, and when
    each ping arrived there (event-loop time), for the test to check the spacing.
    """
    app = client.ws_connect(url, **kwargs)
    async with asyncio.timeout(within):
        await app.ready()
    await eventually(lambda: bool(server.connections), within)
    connection = server.connections[0]
    await eventually(lambda: connection.received.count(ping) >= count, within)
    pairs = zip(connection.received, connection.times, strict=True)
    return connection, [time for message, time in pairs if message == ping]
