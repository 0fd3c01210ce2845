"""OKJ streams through ``client.ws_connect``, against local V3 and V5 servers.

V3 (wss://connect.okcoin.jp:443/ws/v3): the server deflates every message into a BINARY frame
(raw deflate), the login reply included, as the OKJ API guide V3 "WebSocket API" says; the login
must be read through the plugin's decoder before the subscription goes out. V5
(wss://ws.okj.com:443/ws/v5/...): text frames, login on the private path only.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import types
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from topgun.plugin import Host, hookimpl
from topgun.testing import (
    Connection,
    LocalExchange,
    WebSocketExchange,
    build_registry,
    compression_bomb,
    eventually,
)
from topgun_okj import plugin
from topgun_okj.ws import HEARTBEAT

KEY = "okj-test-key"
SECRET = "okj-test-secret"
PASSPHRASE = "okj-test-passphrase"
APIS = {"okj": [KEY, SECRET, PASSPHRASE]}
ORDER = {"table": "spot/order", "data": [{"instrument_id": "BTC-JPY", "state": "2"}]}


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(data) + packer.flush()


def good_sign(timestamp: str, sign: str) -> bool:
    want = base64.b64encode(
        hmac.new(
            SECRET.encode(), (timestamp + "GET/users/self/verify").encode(), hashlib.sha256
        ).digest()
    ).decode()
    return hmac.compare_digest(sign, want)


class Servers:
    def __init__(self) -> None:
        self.received: list[tuple[str, Any]] = []
        self.pings = 0
        self.app = web.Application()
        self.app.router.add_get("/ws/v3", self.v3)
        self.app.router.add_get("/ws/v5/{kind}", self.v5)

    async def v3(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        authed = False
        async for msg in ws:
            if msg.data == "ping":
                self.pings += 1
                await ws.send_bytes(deflate(b"pong"))
                continue
            message = orjson.loads(msg.data)
            self.received.append(("v3", message))
            if message.get("op") == "login":
                key, passphrase, timestamp, sign = message["args"]
                authed = key == KEY and passphrase == PASSPHRASE and good_sign(timestamp, sign)
                reply: Any = (
                    {"event": "login", "success": True}
                    if authed
                    else {"event": "error", "message": "Invalid sign", "errorCode": 30013}
                )
                await ws.send_bytes(deflate(orjson.dumps(reply)))
            elif message.get("op") == "subscribe":
                if not authed:
                    error = {"event": "error", "message": "User not logged in", "errorCode": 30041}
                    await ws.send_bytes(deflate(orjson.dumps(error)))
                    continue
                await ws.send_bytes(
                    deflate(orjson.dumps({"event": "subscribe", "channel": "spot/order:BTC-JPY"}))
                )
                await ws.send_bytes(deflate(orjson.dumps(ORDER)))
        return ws

    async def v5(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is not aiohttp.WSMsgType.TEXT or msg.data == "ping":
                continue
            message = orjson.loads(msg.data)
            self.received.append((request.match_info["kind"], message))
            if message.get("op") == "login":
                args = message["args"][0]
                ok = args["apiKey"] == KEY and good_sign(args["timestamp"], args["sign"])
                await ws.send_json(
                    {"event": "login", "code": "0"} if ok else {"event": "error", "code": "60009"}
                )
            elif message.get("op") == "subscribe":
                await ws.send_json({"arg": message["args"][0], "data": [{"instId": "BTC-JPY"}]})
        return ws


@pytest.fixture
async def servers() -> AsyncIterator[tuple[Servers, LocalExchange]]:
    server = Servers()
    async with LocalExchange(server.app, ["connect.okcoin.jp", "ws.okj.com"]) as exchange:
        yield server, exchange


async def test_v3_login_reply_is_inflated_and_data_reaches_json_handlers(servers: Any) -> None:
    server, exchange = servers
    got: asyncio.Queue[Any] = asyncio.Queue()
    async with exchange.client(apis=APIS) as client:
        app = client.ws_connect(
            "wss://connect.okcoin.jp:443/ws/v3",
            send_json={"op": "subscribe", "args": ["spot/order:BTC-JPY"]},
            hdlr_json=lambda m, ws: got.put_nowait(m),
        )
        async with asyncio.timeout(5):
            await app.ready()
            assert (await got.get())["event"] == "subscribe"
            assert await got.get() == ORDER
    assert [m["op"] for _, m in server.received] == ["login", "subscribe"]


async def test_v5_public_path_takes_no_login_with_credentials_loaded(servers: Any) -> None:
    server, exchange = servers
    got: asyncio.Queue[Any] = asyncio.Queue()
    sub = {"op": "subscribe", "args": [{"channel": "tickers", "instId": "BTC-JPY"}]}
    async with exchange.client(apis=APIS) as client:
        app = client.ws_connect(
            "wss://ws.okj.com:443/ws/v5/public",
            send_json=sub,
            hdlr_json=lambda m, ws: got.put_nowait(m),
        )
        async with asyncio.timeout(5):
            await app.ready()
            assert (await got.get())["arg"]["channel"] == "tickers"
    assert server.received == [("public", sub)]


async def test_v5_private_logs_in_first(servers: Any) -> None:
    server, exchange = servers
    sub = {"op": "subscribe", "args": [{"channel": "orders", "instType": "SPOT"}]}
    async with exchange.client(apis=APIS) as client:
        app = client.ws_connect("wss://ws.okj.com:443/ws/v5/private", send_json=sub)
        async with asyncio.timeout(5):
            await app.ready()
    assert [m["op"] for _, m in server.received] == ["login", "subscribe"]


def _fast_heartbeat_registry() -> Any:
    """The plugin's own hosts, with only the heartbeat interval shortened so a test sees pings."""
    hosts: list[Host] = []
    plugin.topgun_register_hosts(hosts.append)
    module = types.ModuleType("topgun_okj_fast")
    module.topgun_register_apis = plugin.topgun_register_apis  # type: ignore[attr-defined]

    @hookimpl
    def topgun_register_hosts(register: Any) -> None:
        for host in hosts:
            fast = dataclasses.replace(HEARTBEAT, interval=0.02)
            register(dataclasses.replace(host, ws_heartbeat=fast) if host.ws_heartbeat else host)

    module.topgun_register_hosts = topgun_register_hosts  # type: ignore[attr-defined]
    return build_registry([module], strict=True)


async def test_v3_ping_heartbeat_and_its_deflated_pong(servers: Any) -> None:
    """The text ``ping`` goes out; the server's deflated ``pong`` is decoded and taken quietly."""
    server, exchange = servers
    async with exchange.client(apis={}, registry=_fast_heartbeat_registry()) as client:
        app = client.ws_connect("wss://connect.okcoin.jp:443/ws/v3", hdlr_json=lambda m, ws: None)
        async with asyncio.timeout(5):
            await app.ready()
            while server.pings < 3:  # noqa: ASYNC110 - waiting on the server's count
                await asyncio.sleep(0.01)
        assert app.stats.non_json == 0
    assert server.received == []  # no credentials: no login, just pings


async def test_v3_decompression_bomb_is_dropped_and_the_stream_goes_on() -> None:
    """A raw-deflate frame opening to 64 MiB is dropped (bounded by max_msg_size), not opened."""

    async def on_open(conn: Connection) -> None:
        await conn.send(compression_bomb("deflate", 64 * 1024 * 1024))
        await conn.send(ORDER)

    got: list[Any] = []
    exchange = WebSocketExchange(["connect.okcoin.jp"], on_open=on_open, compress=deflate)
    async with exchange, exchange.client() as client:
        app = client.ws_connect(
            "wss://connect.okcoin.jp:443/ws/v3", hdlr_json=lambda m, ws: got.append(m)
        )
        await eventually(lambda: got == [ORDER])
        assert app.stats.oversized_frames == 1
        assert app.stats.connects == 1
