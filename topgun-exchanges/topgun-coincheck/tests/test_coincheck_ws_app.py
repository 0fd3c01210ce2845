"""The Coincheck private stream through ``client.ws_connect``, against a local stream server.

The server is reached as wss://stream.coincheck.com (resolver to 127.0.0.1, throwaway CA) and
checks the login as https://coincheck.com/documents/exchange/api "Private WebSocket API"
describes it: login first (signature over nonce + "wss://stream.coincheck.com/private"), reply
{"success": true, "available_channels": [...]}, then "subscribe"; private channels before a
login get nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import LocalExchange, json_messages

KEY = "coincheck-test-key"
SECRET = "coincheck-test-secret"
SUBSCRIBE = {"type": "subscribe", "channels": ["order-events", "execution-events"]}
ORDER_EVENT = {"channel": "order-events", "id": 12345, "pair": "btc_jpy", "order_event": "FILL"}


class Stream:
    def __init__(self) -> None:
        self.received: list[Any] = []
        self.app = web.Application()
        self.app.router.add_get("/", self.handle)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        authed = False
        async for message in json_messages(ws):
            self.received.append(message)
            if message.get("type") == "login":
                want = hmac.new(
                    SECRET.encode(),
                    (message["access_nonce"] + "wss://stream.coincheck.com/private").encode(),
                    hashlib.sha256,
                ).hexdigest()
                authed = message.get("access_key") == KEY and hmac.compare_digest(
                    message.get("access_signature", ""), want
                )
                reply = (
                    {"success": True, "available_channels": ["order-events", "execution-events"]}
                    if authed
                    else {"success": False, "error": "invalid signature"}
                )
                await ws.send_json(reply)
            elif message.get("type") == "subscribe" and authed:
                await ws.send_json(ORDER_EVENT)
        return ws


@pytest.fixture
async def stream() -> AsyncIterator[tuple[Stream, LocalExchange]]:
    server = Stream()
    async with LocalExchange(server.app, ["stream.coincheck.com"]) as exchange:
        yield server, exchange


async def test_login_then_subscribe(stream: Any) -> None:
    server, exchange = stream
    got: asyncio.Queue[Any] = asyncio.Queue()
    async with exchange.client(apis={"coincheck": [KEY, SECRET]}) as client:
        app = client.ws_connect(
            "wss://stream.coincheck.com",
            send_json=SUBSCRIBE,
            hdlr_json=lambda m, ws: got.put_nowait(m),
        )
        async with asyncio.timeout(5):
            await app.ready()
            assert await got.get() == ORDER_EVENT
    assert [m["type"] for m in server.received] == ["login", "subscribe"]
