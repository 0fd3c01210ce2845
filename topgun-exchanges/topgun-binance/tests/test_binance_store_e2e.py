"""Binance DataStores end to end: ``client.ws_connect`` -> ``store.onmessage`` from a local exchange.

The exchange runs on 127.0.0.1 under the real hostnames: a ``topgun.testing.HttpExchange`` for
the REST endpoints, with a ``WebSocketExchange`` mounted on the stream hosts. Market data and the
order book come from a USDⓈ-M combined stream (``wss://fstream.binance.com/stream``), whose book
the store repairs itself from ``GET /fapi/v1/depth`` after a gap and after a reconnect; user data
comes from a spot user data stream opened with the listen key that ``initialize()`` got from
``POST /api/v3/userDataStream``
(https://developers.binance.com/docs/binance-spot-api-docs/user-data-stream).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from topgun.testing import (
    FAST_BACKOFF,
    Connection,
    HttpExchange,
    WebSocketExchange,
    build_registry,
    eventually,
)
from topgun_binance import plugin
from topgun_binance.store import BinanceSpotDataStore, BinanceUSDSMDataStore

from .conftest import DOC_KEY, DOC_SECRET
from .test_binance_store_book import Market, rows

LISTEN_KEY = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1"
STREAM_HOSTS = ["fstream.binance.com", "stream.binance.com"]
REST_HOSTS = ["fapi.binance.com", "api.binance.com"]


class Exchange:
    """The stream hosts (a ``WebSocketExchange`` answering SUBSCRIBE as Binance does) and the
    REST hosts: the depth snapshot of ``market``, and a listen key."""

    def __init__(self) -> None:
        self.market = Market(futures=True, seed=7)
        self.streams = WebSocketExchange(STREAM_HOSTS, self.answer)

    def answer(self, conn: Connection, message: Any) -> list[Any]:
        # {"method": "SUBSCRIBE", ...} -> {"result": null, "id": ...}
        return [{"result": None, "id": message["id"]}] if isinstance(message, dict) else []

    async def rest(self, request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        if request.path == "/fapi/v1/depth":
            record["verified"] = "X-MBX-APIKEY" not in request.headers
            return web.json_response(self.market.snapshot())
        if request.path == "/api/v3/userDataStream":
            record["verified"] = request.headers.get("X-MBX-APIKEY") == DOC_KEY
            return web.json_response({"listenKey": LISTEN_KEY})
        return web.json_response({"code": -1, "msg": "unknown"}, status=404)

    @property
    def connections(self) -> list[Connection]:
        return self.streams.connections

    async def push(self, message: Any) -> None:
        await eventually(lambda: bool(self.connections) and not self.connections[-1].ws.closed)
        await self.connections[-1].send(message)


@pytest.fixture
async def exchange() -> AsyncIterator[tuple[Exchange, HttpExchange]]:
    feed = Exchange()
    routes = [web.get("/stream", feed.streams.serve), web.get("/ws/{key}", feed.streams.serve)]
    async with HttpExchange([*STREAM_HOSTS, *REST_HOSTS], feed.rest, routes=routes) as server:
        yield feed, server


def model_view(store: BinanceUSDSMDataStore) -> dict[str, list[tuple[str, str]]]:
    view = store.orderbook.sorted({"s": "BTCUSDT"})
    return {side: rows(levels) for side, levels in view.items()}


async def test_market_streams_and_a_book_that_repairs_itself(
    exchange: tuple[Exchange, HttpExchange], doc: Any
) -> None:
    feed, server = exchange
    market = feed.market
    store = BinanceUSDSMDataStore()
    store.orderbook.recovery = dataclasses.replace(store.orderbook.recovery, grace=0.0)
    async with server.client(registry=build_registry([plugin])) as client:
        app = client.ws_connect(
            "wss://fstream.binance.com/stream",
            send_json={"method": "SUBSCRIBE", "params": ["btcusdt@depth@100ms"], "id": 1},
            hdlr_json=store.onmessage,
            backoff=FAST_BACKOFF,
        )
        async with asyncio.timeout(5):
            await app.ready()
        await feed.push({"stream": "btcusdt@markPrice", "data": doc("markPriceUpdate")})
        await feed.push({"stream": "btcusdt@aggTrade", "data": doc("aggTrade")})
        # No initialize(): the first diffs are buffered and the store fetches the snapshot.
        for n in range(3):
            await feed.push({"stream": "btcusdt@depth", "data": market.diff([("a", n + 1, 3)])})
        await store.orderbook.wait_synced("BTCUSDT", timeout=5)
        await eventually(lambda: model_view(store) == market.sorted())
        assert store.markprice.get({"s": "BTCUSDT"}) == doc("markPriceUpdate")
        assert len(store.trade) == 1
        # A diff lost on the way: the next one shows the gap; a new snapshot repairs the book.
        market.diff([("b", 2, 5)])
        await feed.push({"stream": "btcusdt@depth", "data": market.diff([("a", 1, 0)])})
        await eventually(lambda: store.orderbook.stats.gaps == 1)
        await store.orderbook.wait_synced("BTCUSDT", timeout=5)
        assert model_view(store) == market.sorted()
        # A reconnect: the book waits for a fresh snapshot, which the store fetches again.
        await feed.connections[-1].ws.close()
        await eventually(lambda: len(feed.connections) == 2 and bool(feed.connections[1].received))
        assert not store.orderbook.in_sync("BTCUSDT")
        await feed.push({"stream": "btcusdt@depth", "data": market.diff([("b", 9, 1)])})
        await store.orderbook.wait_synced("BTCUSDT", timeout=5)
        assert model_view(store) == market.sorted()
    depth = [r for r in server.seen if r["path"] == "/fapi/v1/depth"]
    assert len(depth) == 3 and all(r["verified"] for r in depth)
    assert depth[0]["query"] == "symbol=BTCUSDT&limit=1000"
    assert store.orderbook.stats.recovered >= 2


async def test_user_data_through_the_listen_key_initialize_created(
    exchange: tuple[Exchange, HttpExchange], doc: Any
) -> None:
    feed, server = exchange
    store = BinanceSpotDataStore()
    async with (
        server.client(
            apis={"binance": [DOC_KEY, DOC_SECRET]}, registry=build_registry([plugin])
        ) as client,
        store,
    ):
        await store.initialize(client.post("https://api.binance.com/api/v3/userDataStream"))
        app = client.ws_connect(
            f"wss://stream.binance.com:9443/ws/{store.listenkey}", hdlr_json=store.onmessage
        )
        async with asyncio.timeout(5):
            await app.ready()
        await feed.push(doc("executionReport"))
        await feed.push(doc("outboundAccountPosition"))
        await feed.push(doc("listStatus"))
        await eventually(lambda: len(store.ocoorder) == 1)
        assert store.order.find() == [doc("executionReport")]
        assert store.account.find() == [{"a": "ETH", "f": "10000.000000", "l": "0.000000"}]
    assert [conn.path for conn in feed.connections] == [f"/ws/{LISTEN_KEY}"]
    assert server.seen[0]["verified"]
