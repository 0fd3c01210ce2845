"""BitgetV2DataStore and BitgetDataStore end to end: ``client.ws_connect`` to a local server
reached as ws.bitget.com (TLS under the real hostname), which logs private streams in the way
Bitget documents and pushes the docs' message shapes.

Docs: https://www.bitget.com/api-doc/common/websocket-intro (login, subscribe acks),
https://www.bitget.com/api-doc/spot/websocket/public/Depth-Channel,
https://www.bitget.com/api-doc/spot/websocket/private/Order-Channel,
https://www.bitget.com/api-doc/contract/websocket/private/Positions-Channel.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

import topgun
from topgun.plugin import signed_crc32
from topgun.testing import Registry
from topgun_bitget import BitgetDataStore, BitgetV2DataStore

from .test_bitget_ws_live import APIS, HOSTS
from .test_bitget_ws_live import bitget as documented

BOOK_ARG = {"instType": "SPOT", "channel": "books", "instId": "BTCUSDT"}
ORDERS_ARG = {"instType": "SPOT", "channel": "orders", "instId": "BTCUSDT"}
POSITIONS_ARG = {"instType": "USDT-FUTURES", "channel": "positions", "instId": "default"}

ASKS = [["26274.9", "0.0009"], ["26275.0", "0.0500"]]
BIDS = [["26274.8", "0.0009"], ["26274.7", "0.0027"]]
SNAPSHOT = {
    "action": "snapshot",
    "arg": BOOK_ARG,
    "data": [
        {
            "asks": ASKS,
            "bids": BIDS,
            "checksum": signed_crc32("26274.8:0.0009:26274.9:0.0009:26274.7:0.0027:26275.0:0.0500"),
            "seq": 123,
            "ts": "1695710946294",
        }
    ],
    "ts": 1695710946294,
}
ORDER = {
    "instId": "BTCUSDT",
    "orderId": "1",
    "clientOid": "1",
    "price": "26000",
    "size": "0.0010",
    "orderType": "limit",
    "force": "gtc",
    "side": "buy",
    "status": "live",
    "cTime": "1695797773257",
    "uTime": "1695797773257",
}
POSITION = {
    "posId": "1",
    "instId": "BTCUSDT",
    "marginCoin": "USDT",
    "holdSide": "long",
    "total": "0.010",
    "openPriceAvg": "26000",
}


def bitget(conn: Any, message: Any) -> list[Any]:
    """Bitget's side: login checked independently, acks, and a push per subscription."""
    if message == "ping":
        return ["pong"]
    if not isinstance(message, dict):
        return []
    if message.get("op") == "login":
        return documented(conn, message)
    if message.get("op") != "subscribe":
        return []
    replies: list[Any] = []
    for arg in message["args"]:
        if conn.path.endswith("/private") and not conn.state.get("authed"):
            return [{"event": "error", "code": 30004, "msg": "User not logged in"}]
        replies.append({"event": "subscribe", "arg": arg})
        if arg == BOOK_ARG:
            replies.append(SNAPSHOT)
        elif arg == ORDERS_ARG:
            replies.append({"action": "snapshot", "arg": arg, "data": [ORDER], "ts": 1})
        elif arg == POSITIONS_ARG:
            replies.append({"action": "snapshot", "arg": arg, "data": [POSITION], "ts": 2})
    return replies


async def test_v2_public_book_and_private_channels(
    ws_exchange: Any, registry: Registry, eventually: Any
) -> None:
    server = await ws_exchange(HOSTS, bitget)
    store = BitgetV2DataStore()
    async with topgun.Client(apis=APIS, registry=registry, **server.client_kwargs()) as client:
        public = client.ws_connect(
            "wss://ws.bitget.com/v2/ws/public",
            send_json={"op": "subscribe", "args": [BOOK_ARG]},
            hdlr_json=store.onmessage,
        )
        private = client.ws_connect(
            "wss://ws.bitget.com/v2/ws/private",
            send_json={"op": "subscribe", "args": [ORDERS_ARG, POSITIONS_ARG]},
            hdlr_json=store.onmessage,
        )
        await public.ready()
        await private.ready()
        await store.book.wait_synced(("SPOT", "BTCUSDT"), timeout=5)
        book = store.book.sorted({"instType": "SPOT", "instId": "BTCUSDT"})
        assert [(level["price"], level["amount"]) for level in book["asks"]] == [
            tuple(row) for row in ASKS
        ]
        assert [(level["price"], level["amount"]) for level in book["bids"]] == [
            tuple(row) for row in BIDS
        ]
        await eventually(lambda: len(store.orders) == 1 and len(store.positions) == 1)
        assert store.orders.find() == [{"instType": "SPOT", **ORDER}]
        assert store.positions.find() == [{"instType": "USDT-FUTURES", **POSITION}]
        # an update pushed by the exchange, checksum and all
        public_conn = next(c for c in server.connections if c.path == "/v2/ws/public")
        await public_conn.send(
            {
                "action": "update",
                "arg": BOOK_ARG,
                "data": [
                    {
                        "asks": [["26274.9", "0"]],
                        "bids": [],
                        "checksum": signed_crc32("26274.8:0.0009:26275.0:0.0500:26274.7:0.0027"),
                        "seq": 130,
                        "ts": "1695710946394",
                    }
                ],
                "ts": 1695710946394,
            }
        )
        await eventually(
            lambda: (
                store.book.sorted({"instId": "BTCUSDT"}, limit=1)["asks"][0]["price"] == "26275.0"
            )
        )
        assert store.book.in_sync(("SPOT", "BTCUSDT"))
    private_conn = next(c for c in server.connections if c.path == "/v2/ws/private")
    assert private_conn.state["authed"] is True
    assert [m["op"] for m in private_conn.received if isinstance(m, dict)] == ["login", "subscribe"]


async def test_v2_reconnect_resyncs_the_book_and_hints_at_orders(
    ws_exchange: Any,
    registry: Registry,
    eventually: Any,
    fast_backoff: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = await ws_exchange(HOSTS, bitget)
    store = BitgetV2DataStore()
    caplog.set_level(logging.INFO, logger="topgun.store")
    async with topgun.Client(apis=APIS, registry=registry, **server.client_kwargs()) as client:
        app = client.ws_connect(
            "wss://ws.bitget.com/v2/ws/private",
            send_json={"op": "subscribe", "args": [ORDERS_ARG, BOOK_ARG]},
            hdlr_json=store.onmessage,
            backoff=fast_backoff,
        )
        await app.ready()
        await store.book.wait_synced(("SPOT", "BTCUSDT"), timeout=5)
        await eventually(lambda: len(store.orders) == 1)
        await server.connections[0].ws.close()
        await eventually(lambda: len(server.connections) == 2)
        await app.ready()
        await store.book.wait_synced(("SPOT", "BTCUSDT"), timeout=5)
    assert store.book.stats.reconnects == 1
    assert "orders-pending" in caplog.text


async def test_v1_stream(ws_exchange: Any, registry: Registry, eventually: Any) -> None:
    """V1 pushes (https://bitgetlimited.github.io/apidoc/en/mix/#websocketapi) over the wire."""
    arg = {"instType": "mc", "channel": "books", "instId": "BTCUSDT"}

    def v1(conn: Any, message: Any) -> list[Any]:
        if isinstance(message, dict) and message.get("op") == "subscribe":
            element = {"asks": [["20001", "1.0"]], "bids": [["20000", "2.0"]], "ts": "1"}
            element["checksum"] = signed_crc32("20000:2.0:20001:1.0")
            return [
                {"event": "subscribe", "arg": arg},
                {"action": "snapshot", "arg": arg, "data": [element]},
                {
                    "action": "snapshot",
                    "arg": {**arg, "channel": "candle15m"},
                    "data": [["1", "2", "3", "1", "2", "9"]],
                },
            ]
        return []

    server = await ws_exchange(HOSTS, v1)
    store = BitgetDataStore()
    async with topgun.Client(registry=registry, **server.client_kwargs()) as client:
        app = client.ws_connect(
            "wss://ws.bitget.com/mix/v1/stream",
            send_json={"op": "subscribe", "args": [arg]},
            hdlr_json=store.onmessage,
        )
        await app.ready()
        await store.orderbook.wait_synced("BTCUSDT", timeout=5)
        await eventually(lambda: len(store.candlesticks) == 1)
    assert store.orderbook.sorted({"instId": "BTCUSDT"}) == {
        "asks": [{"instId": "BTCUSDT", "side": "asks", "px": "20001", "sz": "1.0"}],
        "bids": [{"instId": "BTCUSDT", "side": "bids", "px": "20000", "sz": "2.0"}],
    }
    assert store.candlesticks.find()[0]["interval"] == "15m"


async def test_v1_stream_logs_in_for_private_channels(
    ws_exchange: Any, registry: Registry, eventually: Any
) -> None:
    """V1 serves public and private channels on one URL: with credentials, topgun logs in first
    (https://bitgetlimited.github.io/apidoc/en/mix/#login), then the orders channel pushes."""
    arg = {"instType": "UMCBL", "channel": "orders", "instId": "default"}
    order = {"instId": "BTCUSDT_UMCBL", "clOrdId": "c1", "ordId": "9", "status": "new", "px": "1"}

    def v1(conn: Any, message: Any) -> list[Any]:
        if isinstance(message, dict) and message.get("op") == "login":
            return documented(conn, message)
        if isinstance(message, dict) and message.get("op") == "subscribe":
            if not conn.state.get("authed"):
                return [{"event": "error", "code": 30004, "msg": "User not logged in"}]
            return [
                {"event": "subscribe", "arg": arg},
                {"action": "snapshot", "arg": arg, "data": [order]},
            ]
        return []

    server = await ws_exchange(HOSTS, v1)
    store = BitgetDataStore()
    async with topgun.Client(apis=APIS, registry=registry, **server.client_kwargs()) as client:
        app = client.ws_connect(
            "wss://ws.bitget.com/mix/v1/stream",
            send_json={"op": "subscribe", "args": [arg]},
            hdlr_json=store.onmessage,
        )
        await app.ready()
        await eventually(lambda: len(store.orders) == 1)
    assert store.orders.find() == [order]
    assert [m["op"] for m in server.connections[0].received] == ["login", "subscribe"]
