"""A WebSocket app that keeps what it receives, waited on until the exchange has answered."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..client import Client
from ..ws.app import WebSocketApp
from .waiting import eventually

__all__ = ["stream_until"]


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
