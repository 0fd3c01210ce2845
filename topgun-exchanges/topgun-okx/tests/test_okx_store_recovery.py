"""OKX books recover end to end through ``client.ws_connect``: by resubscription when the channel
sends a snapshot on subscribe, by REST snapshot (``GET /api/v5/market/books``) when it does not.

Exchange behaviour as documented: https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
(subscribe/unsubscribe, snapshot then updates chained by seqId/prevSeqId) and
https://www.okx.com/docs-v5/log_en ("How to manage a local order book correctly": no initial
snapshot, REST snapshot with its seqId); REST shape of
https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-order-book.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import pathlib
from typing import Any

import orjson
from aiohttp import WSMsgType, web

import topgun
from topgun.testing import HttpExchange, build_registry
from topgun_okx import plugin
from topgun_okx.store import OKXDataStore

INST = "BTC-USDT"
ARG = {"channel": "books", "instId": INST}
PUBLIC = "wss://ws.okx.com:8443/ws/v5/public"


def _books_tests() -> Any:
    """The model of test_okx_store_books (loaded by path: test modules are not a package)."""
    path = pathlib.Path(__file__).with_name("test_okx_store_books.py")
    spec = importlib.util.spec_from_file_location("okx_books_model", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


books_tests = _books_tests()
Model = books_tests.Model
levels = books_tests.levels


async def test_a_gap_is_repaired_by_resubscribing(
    ws_exchange: Any, okx_ws: Any, eventually: Any
) -> None:
    model = Model()
    model.asks, model.bids = {"101": "1", "102": "2"}, {"99": "1", "98": "3"}

    def pushes(conn: Any, arg: dict[str, Any]) -> list[Any]:
        count = conn.state["subscriptions"] = conn.state.get("subscriptions", 0) + 1
        if count > 1:
            return [model.snapshot(crc=True)]  # the resubscription's fresh snapshot
        sent = [model.snapshot(), model.update({"101": "0"}, {"97": "1"})]
        model.update({"103": "1"}, {})  # never sent: the next update shows the gap
        sent.append(model.update({}, {"98": "0"}))
        return sent

    server = await ws_exchange(["ws.okx.com"], okx_ws(pushes))
    store = OKXDataStore()
    registry = build_registry([plugin], strict=True)
    async with topgun.Client(registry=registry, **server.client_kwargs()) as client:
        client.ws_connect(
            PUBLIC, send_json={"op": "subscribe", "args": [ARG]}, hdlr_json=store.onmessage
        )
        await eventually(lambda: store.books.stats.recovered == 1)
        await store.books.wait_synced(INST, timeout=5)
        assert levels(store) == (model.asks, model.bids)
    received = [(m["op"], m["args"]) for m in server.connections[0].received]
    assert received == [("subscribe", [ARG]), ("unsubscribe", [ARG]), ("subscribe", [ARG])]
    stats = store.books.stats
    assert (stats.gaps, stats.resyncs, stats.checksum_failures) == (1, 1, 0)


def _local_okx(
    model: Any,
    rest_hits: list[str],
    sockets: list[Any],
    ws_host: str = "ws.okx.com",
    demo_headers: list[str | None] | None = None,
) -> HttpExchange:
    """www.okx.com and ``ws_host`` as one local exchange: the channel sends no snapshot on
    subscribe, only updates; GET /api/v5/market/books answers the model's book and seqId."""

    async def websocket(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        sockets.append(ws)
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT or msg.data == "ping":
                continue
            message = orjson.loads(msg.data)
            for arg in message.get("args", ()):
                await ws.send_json({"event": message["op"], "arg": arg, "connId": "a1"})
                if message["op"] == "subscribe":
                    await ws.send_json(model.update({"104": "1"}, {}))
                    await ws.send_json(model.update({}, {"96": "2"}))
        return ws

    async def rest(request: web.Request, body: bytes, record: dict[str, Any]) -> web.Response:
        rest_hits.append(request.raw_path)
        if demo_headers is not None:
            demo_headers.append(request.headers.get("x-simulated-trading"))
        return web.json_response(model.rest())

    return HttpExchange(
        ["www.okx.com", ws_host], rest, routes=[web.get("/ws/v5/public", websocket)]
    )


async def test_without_a_snapshot_on_subscribe_the_store_uses_the_rest_snapshot(
    eventually: Any,
) -> None:
    model = Model()
    model.asks, model.bids = {"101": "1", "102": "2"}, {"99": "1"}
    rest_hits: list[str] = []
    sockets: list[Any] = []
    registry = build_registry([plugin], strict=True)
    async with _local_okx(model, rest_hits, sockets) as server:
        store = OKXDataStore()
        store.books.recovery = dataclasses.replace(store.books.recovery, grace=0.05)
        async with topgun.Client(registry=registry, **server.client_kwargs()) as client:
            client.ws_connect(
                PUBLIC, send_json={"op": "subscribe", "args": [ARG]}, hdlr_json=store.onmessage
            )
            await store.books.wait_synced((INST, "books"), timeout=5)
            assert levels(store) == (model.asks, model.bids)
            # Updates after the snapshot chain on from its seqId.
            await sockets[0].send_json(model.update({"101": "0"}, {"95": "1"}))
            await sockets[0].send_json(model.update({"105": "5"}, {}))
            await eventually(lambda: levels(store) == (model.asks, model.bids))
            assert store.books.in_sync(INST)
    assert rest_hits == [f"/api/v5/market/books?instId={INST}&sz=400"]
    stats = store.books.stats
    assert (stats.resyncs, stats.gaps, stats.recovery_failures) == (1, 0, 0)


async def test_rest_mode_through_initialize(eventually: Any) -> None:
    """The user's initialize() with the REST snapshot starts the book (before the store's own
    request, which waits ``recovery.grace``) and replays the updates buffered meanwhile."""
    model = Model()
    model.asks, model.bids = {"101": "1"}, {"99": "1"}
    rest_hits: list[str] = []
    sockets: list[Any] = []
    registry = build_registry([plugin], strict=True)
    async with _local_okx(model, rest_hits, sockets) as server:
        store = OKXDataStore()
        store.books.recovery = dataclasses.replace(store.books.recovery, grace=60.0)
        pushes: list[Any] = []
        async with topgun.Client(registry=registry, **server.client_kwargs()) as client:
            client.ws_connect(
                PUBLIC,
                send_json={"op": "subscribe", "args": [ARG]},
                hdlr_json=[store.onmessage, lambda m, ws: "data" in m and pushes.append(m)],
            )
            key = (INST, "books")
            await eventually(lambda: len(pushes) == 2)
            assert key in store.books.out_of_sync and len(store.books) == 0
            await store.initialize(
                client.get(
                    "https://www.okx.com/api/v5/market/books", params={"instId": INST, "sz": "400"}
                )
            )
            assert store.books.in_sync(INST) and levels(store) == (model.asks, model.bids)
            await sockets[0].send_json(model.update({"102": "2"}, {}))
            await eventually(lambda: levels(store) == (model.asks, model.bids))
    assert len(rest_hits) == 1


async def test_a_demo_trading_book_is_recovered_from_the_demo_snapshot() -> None:
    """Demo trading shares www.okx.com with live trading: the snapshot of a book streamed from a
    demo WebSocket host is asked for with ``x-simulated-trading: 1``, or it would be the live
    market's book (https://www.okx.com/docs-v5/en/#overview-demo-trading-services)."""
    model = Model()
    model.asks, model.bids = {"101": "1"}, {"99": "1"}
    rest_hits: list[str] = []
    headers: list[str | None] = []
    registry = build_registry([plugin], strict=True)
    async with _local_okx(model, rest_hits, [], "wspap.okx.com", headers) as server:
        store = OKXDataStore()
        store.books.recovery = dataclasses.replace(store.books.recovery, grace=0.05)
        async with topgun.Client(registry=registry, **server.client_kwargs()) as client:
            client.ws_connect(
                "wss://wspap.okx.com:8443/ws/v5/public",
                send_json={"op": "subscribe", "args": [ARG]},
                hdlr_json=store.onmessage,
            )
            await store.books.wait_synced((INST, "books"), timeout=5)
            assert levels(store) == (model.asks, model.bids)
    assert rest_hits == [f"/api/v5/market/books?instId={INST}&sz=400"]
    assert headers == ["1"]
