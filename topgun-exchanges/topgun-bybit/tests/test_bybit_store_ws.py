"""BybitDataStore end to end: ``client.ws_connect`` to a local server reached as
stream.bybit.com, which logs the private stream in the way Bybit documents and pushes the docs'
example messages (conftest's SAMPLES) for the topics subscribed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import topgun
from topgun.testing import Registry
from topgun_bybit import BybitDataStore

PUBLIC = {
    "publicTrade.BTCUSDT": ["trade"],
    "tickers.BTCUSDT": ["ticker_snapshot", "ticker_delta"],
    "kline.5.BTCUSDT": ["kline"],
    "allLiquidation.ROSEUSDT": ["all_liquidation"],
    "liquidation.GALAUSDT": ["liquidation"],
}
PRIVATE = {
    "position": ["position"],
    "execution": ["execution"],
    "order": ["order"],
    "wallet": ["wallet"],
    "greeks": ["greeks"],
}


async def test_public_and_private_topics(
    ws_exchange: Any,
    stream_exchange: Any,
    registry: Registry,
    bybit_keys: dict[str, tuple[str, str]],
    sample: Any,
    eventually: Any,
) -> None:
    new_order = sample("order", orderId="o-open", orderStatus="New")
    pushes = {
        topic: [sample(name) for name in names] for topic, names in {**PUBLIC, **PRIVATE}.items()
    }
    pushes["order"].insert(0, new_order)
    server = await ws_exchange(["stream.bybit.com"], stream_exchange(pushes))
    store = BybitDataStore()
    apis = {"bybit": list(bybit_keys["bybit"])}
    async with topgun.Client(apis=apis, registry=registry, **server.client_kwargs()) as client:
        public = client.ws_connect(
            "wss://stream.bybit.com/v5/public/linear",
            send_json={"op": "subscribe", "args": list(PUBLIC)},
            hdlr_json=store.onmessage,
        )
        private = client.ws_connect(
            "wss://stream.bybit.com/v5/private",
            send_json={"op": "subscribe", "args": list(PRIVATE)},
            hdlr_json=store.onmessage,
        )
        async with asyncio.timeout(5):
            await public.ready()
            await private.ready()
        await eventually(lambda: len(store.greek) == 1 and len(store.liquidation) == 1)
    (login,) = [c for c in server.connections if c.path == "/v5/private"]
    assert login.state["authed"] is True and login.received[0]["op"] == "auth"
    assert store.trade.find() == sample("trade")["data"]
    assert store.ticker.get({"symbol": "BTCUSDT"})["markPrice"] == "17218.01"  # type: ignore[index]
    assert store.kline.find()[0]["symbol"] == "BTCUSDT"
    assert len(store.all_liquidation) == 1
    assert store.position.find() == sample("position")["data"]
    assert store.execution.find() == sample("execution")["data"]
    assert [o["orderId"] for o in store.order] == ["o-open"]  # the docs' example is Filled
    assert store.wallet.find() == sample("wallet")["data"]
    assert store.greek.find() == sample("greeks")["data"]


async def test_a_reconnect_hints_to_initialize_again(
    ws_exchange: Any,
    stream_exchange: Any,
    registry: Registry,
    bybit_keys: dict[str, tuple[str, str]],
    sample: Any,
    eventually: Any,
    fast_backoff: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="topgun.store.bybit")
    server = await ws_exchange(
        ["stream.bybit.com"], stream_exchange({"position": [sample("position")]})
    )
    store = BybitDataStore()
    apis = {"bybit": list(bybit_keys["bybit"])}
    async with topgun.Client(apis=apis, registry=registry, **server.client_kwargs()) as client:
        app = client.ws_connect(
            "wss://stream.bybit.com/v5/private",
            send_json={"op": "subscribe", "args": ["position"]},
            hdlr_json=store.onmessage,
            backoff=fast_backoff,
        )
        await eventually(lambda: len(store.position) == 1)
        await server.connections[0].ws.close()
        await eventually(lambda: len(server.connections) == 2 and app.stats.reconnects >= 1)
        await eventually(lambda: "call initialize() again" in caplog.text)


def orderbook(kind: str, u: int, asks: Any = (), bids: Any = (), depth: int = 50) -> Any:
    """An ``orderbook`` push shaped as
    https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook shows it."""
    return {
        "topic": f"orderbook.{depth}.BTCUSDT",
        "type": kind,
        "ts": 1672304484978,
        "data": {
            "s": "BTCUSDT",
            "b": [list(level) for level in bids],
            "a": [list(level) for level in asks],
            "u": u,
            "seq": 7961638724,
        },
        "cts": 1672304484976,
    }


async def test_a_gap_is_repaired_by_resubscribing_that_topic(
    ws_exchange: Any, stream_exchange: Any, registry: Registry, eventually: Any
) -> None:
    topic = "orderbook.50.BTCUSDT"
    true_book = {"asks": [("101.5", "2")], "bids": [("99", "4"), ("98.5", "1")]}

    def pushes(conn: Any) -> list[Any]:
        conn.state["subscribes"] = conn.state.get("subscribes", 0) + 1
        if conn.state["subscribes"] == 1:
            return [
                orderbook("snapshot", 100, asks=[("101", "1")], bids=[("99", "1")]),
                orderbook("delta", 101, asks=[("101", "0"), ("101.5", "2")]),
                orderbook("delta", 103, bids=[("99", "4")]),  # 102 never came
            ]
        return [orderbook("snapshot", 640, true_book["asks"], true_book["bids"])]

    server = await ws_exchange(
        ["stream.bybit.com"], stream_exchange({topic: pushes, "orderbook.1.BTCUSDT": []})
    )
    store = BybitDataStore()
    async with topgun.Client(registry=registry, **server.client_kwargs()) as client:
        client.ws_connect(
            "wss://stream.bybit.com/v5/public/linear",
            send_json={"op": "subscribe", "args": [topic, "orderbook.1.BTCUSDT"]},
            hdlr_json=store.onmessage,
        )
        await eventually(lambda: store.orderbook.stats.recovered == 1)
        await store.orderbook.wait_synced("BTCUSDT", timeout=5)
        book = store.orderbook.sorted({"s": "BTCUSDT"})
    assert [(x["p"], x["v"]) for x in book["a"]] == true_book["asks"]
    assert [(x["p"], x["v"]) for x in book["b"]] == true_book["bids"]
    sent = server.connections[0].received
    assert sent[1:] == [
        {"op": "unsubscribe", "args": [topic]},
        {"op": "subscribe", "args": [topic]},
    ]
    assert store.orderbook.stats.gaps == 1 and store.orderbook.stats.resyncs == 1


async def test_books_resync_after_a_reconnect(
    ws_exchange: Any, stream_exchange: Any, registry: Registry, eventually: Any, fast_backoff: Any
) -> None:
    topic = "orderbook.200.BTCUSDT"

    def pushes(conn: Any) -> list[Any]:
        first = len(server.connections) == 1
        return [
            orderbook(
                "snapshot", 10 if first else 900, asks=[("101" if first else "105", "1")], depth=200
            )
        ]

    server = await ws_exchange(["stream.bybit.com"], stream_exchange({topic: pushes}))
    store = BybitDataStore()
    async with topgun.Client(registry=registry, **server.client_kwargs()) as client:
        app = client.ws_connect(
            "wss://stream.bybit.com/v5/public/spot",
            send_json={"op": "subscribe", "args": [topic]},
            hdlr_json=store.onmessage,
            backoff=fast_backoff,
        )
        await eventually(lambda: len(store.orderbook) == 1)
        await server.connections[0].ws.close()
        await eventually(lambda: app.stats.reconnects >= 1)
        await store.orderbook.wait_synced("BTCUSDT", timeout=5)
        assert [x["p"] for x in store.orderbook.sorted()["a"]] == ["105"]
    assert store.orderbook.stats.reconnects == 1 and store.orderbook.stats.gaps == 0
