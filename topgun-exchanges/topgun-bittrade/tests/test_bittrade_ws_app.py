"""BitTrade streams through ``client.ws_connect``, against a local api-cloud.bittrade.co.jp.

Per the BitTrade API documentation (https://api-doc.bittrade.co.jp/, "websocket(Public)" and
"websocket(Private)"): /ws sends gzip BINARY frames and pings {"ping": ms}, closing the socket
after two unanswered pings; /ws/v2 takes the v2.1 auth first and pings with
{"action": "ping", "data": {"ts": ms}}. The servers below ping every 20 ms, send their data only
after pongs echoing four pings, and hang up when pings go unanswered (a few may be in flight).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import hmac
import itertools
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import pytest
from aiohttp import web

from topgun.testing import (
    Connection,
    LocalExchange,
    WebSocketExchange,
    compression_bomb,
    eventually,
    json_messages,
    stream_until,
)

HOST = "api-cloud.bittrade.co.jp"
KEY = "bittrade-test-key"
SECRET = "bittrade-test-secret"
APIS = {"bittrade": [KEY, SECRET]}
PINGS = 4  # answered pings a connection must see before the server sends the data
MAX_UNANSWERED = 5


class Servers:
    def __init__(self) -> None:
        self.received: list[tuple[str, Any]] = []
        self.pongs: list[tuple[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_get("/ws", self.market)
        self.app.router.add_get("/ws/v2", self.private)
        self._ts = itertools.count(1700000000000, 7)

    async def _pinger(
        self, ws: web.WebSocketResponse, make: Any, send: Any, answered: list[Any]
    ) -> None:
        """Ping every 20 ms; hang up once pings go unanswered (a few allowed in flight for load)."""
        sent: list[int] = []
        while not ws.closed:
            ts = next(self._ts)
            sent.append(ts)
            await send(make(ts))
            await asyncio.sleep(0.02)
            if len(set(sent) - set(answered)) > MAX_UNANSWERED:
                await ws.close(code=1003, message=b"ping check expired")
                return

    async def market(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        answered: list[Any] = []

        async def send(message: Any) -> None:
            await ws.send_bytes(gzip.compress(orjson.dumps(message)))

        pinger = asyncio.ensure_future(self._pinger(ws, lambda ts: {"ping": ts}, send, answered))
        try:
            async for msg in ws:
                message = orjson.loads(msg.data)
                self.received.append(("/ws", message))
                if "pong" in message:
                    answered.append(message["pong"])
                    self.pongs.append(("/ws", message))
                    if len(answered) == PINGS:
                        await send({"ch": "market.btcjpy.bbo", "tick": {"ask": 6000000}})
                elif "sub" in message:
                    await send({"id": message.get("id"), "status": "ok", "subbed": message["sub"]})
        finally:
            pinger.cancel()
        return ws

    async def private(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        answered: list[Any] = []
        pinger: asyncio.Future[None] | None = None
        try:
            async for message in json_messages(ws):
                self.received.append(("/ws/v2", message))
                action = message.get("action")
                if action == "req" and message.get("ch") == "auth":
                    params = message["params"]
                    signed = [
                        (k, params[k])
                        for k in ("accessKey", "signatureMethod", "signatureVersion", "timestamp")
                    ]
                    text = f"GET\n{HOST}\n/ws/v2\n" + urlencode(sorted(signed), quote_via=quote)
                    want = base64.b64encode(
                        hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).digest()
                    ).decode()
                    ok = params["accessKey"] == KEY and hmac.compare_digest(
                        params["signature"], want
                    )
                    await ws.send_json(
                        {"action": "req", "code": 200, "ch": "auth", "data": {}}
                        if ok
                        else {"action": "req", "code": 2002, "ch": "auth", "message": "auth.fail"}
                    )
                    if ok:
                        pinger = asyncio.ensure_future(
                            self._pinger(
                                ws,
                                lambda ts: {"action": "ping", "data": {"ts": ts}},
                                ws.send_json,
                                answered,
                            )
                        )
                elif action == "pong":
                    answered.append(message["data"]["ts"])
                    self.pongs.append(("/ws/v2", message))
                    if len(answered) == PINGS:
                        await ws.send_json(
                            {"action": "push", "ch": "orders#btcjpy", "data": {"orderId": 1}}
                        )
                elif action == "sub":
                    await ws.send_json(
                        {"action": "sub", "code": 200, "ch": message["ch"], "data": {}}
                    )
        finally:
            if pinger is not None:
                pinger.cancel()
        return ws


@pytest.fixture
async def servers() -> AsyncIterator[tuple[Servers, LocalExchange]]:
    server = Servers()
    async with LocalExchange(server.app, [HOST]) as exchange:
        yield server, exchange


async def test_public_market_stream_with_credentials_loaded(servers: Any) -> None:
    """Weak point 6.3.3 of the reference: with credentials, /ws must still get its subscriptions."""
    server, exchange = servers
    sub = {"sub": "market.btcjpy.bbo", "id": "id1"}
    async with exchange.client(apis=APIS) as client:
        app, _ = await stream_until(
            client,
            f"wss://{HOST}/ws",
            lambda got: any(m.get("ch") == "market.btcjpy.bbo" for m in got),
            send_json=sub,
        )
        assert app.stats.reconnects == 0
    assert not any("action" in m for _, m in server.received)  # no auth on the public path
    assert ("/ws", sub) in server.received
    pings = [m["pong"] for _, m in server.pongs]
    assert len(pings) >= PINGS and pings == sorted(set(pings))  # each ping echoed once, in order


async def test_private_stream_auths_then_subscribes_and_answers_pings(servers: Any) -> None:
    server, exchange = servers
    sub = {"action": "sub", "ch": "orders#btcjpy"}
    async with exchange.client(apis=APIS) as client:
        app, _ = await stream_until(
            client,
            f"wss://{HOST}/ws/v2",
            lambda got: any(m.get("action") == "push" for m in got),
            send_json=sub,
        )
        assert app.stats.reconnects == 0
    kinds = [m.get("ch") for _, m in server.received if m.get("action") in ("req", "sub")]
    assert kinds == ["auth", "orders#btcjpy"]
    assert all(m["data"]["ts"] >= 1700000000000 for _, m in server.pongs)


async def test_market_decompression_bomb_is_dropped_and_the_stream_goes_on() -> None:
    """A gzip frame opening to 64 MiB is dropped (bounded by max_msg_size), not opened."""
    bbo = {"ch": "market.btcjpy.bbo", "tick": {"ask": 6000000}}

    async def on_open(conn: Connection) -> None:
        await conn.send(compression_bomb("gzip", 64 * 1024 * 1024))
        await conn.send(bbo)

    got: list[Any] = []
    exchange = WebSocketExchange([HOST], on_open=on_open, compress=gzip.compress)
    async with exchange, exchange.client() as client:
        app = client.ws_connect(f"wss://{HOST}/ws", hdlr_json=lambda m, ws: got.append(m))
        await eventually(lambda: got == [bbo])
        assert app.stats.oversized_frames == 1
        assert app.stats.connects == 1
