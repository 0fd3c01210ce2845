"""KuCoinDataStore end to end: ``client.ws_connect`` (and ``topgun_kucoin.connect``) against local
KuCoin servers under their real hostnames (bullet token, welcome, subscribe ack), fed with messages
shaped as KuCoin's docs show them; the spot level-2 book recovers from the signed full order book
(https://www.kucoin.com/docs-new/rest/spot-trading/market-data/get-full-orderbook)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import topgun
from topgun import Backoff
from topgun.plugin import RecoveryPolicy
from topgun.testing import Registry
from topgun_kucoin import connect, ws_url

from .test_kucoin_samples import l2update, order_change

APIS = {"kucoin": ["kucoin-test-key", "kucoin-test-secret", "kucoin-test-passphrase"]}
FAST = Backoff(min=0.01, max=0.02, factor=1.0, initial=0.01, healthy_after=60.0)
SPOT_BOOK = "/api/v3/market/orderbook/level2"


def subscribe(topic: str, private: bool = False) -> dict[str, Any]:
    return {
        "id": 1,
        "type": "subscribe",
        "topic": topic,
        "privateChannel": private,
        "response": True,
    }


TICKER: dict[
    str, Any
] = {  # https://www.kucoin.com/docs/websocket/spot-trading/public-channels/ticker
    "type": "message",
    "topic": "/market/ticker:BTC-USDT",
    "subject": "trade.ticker",
    "data": {
        "sequence": "1545896668986",
        "price": "0.08",
        "size": "0.011",
        "bestAsk": "0.08",
        "bestAskSize": "0.18",
        "bestBid": "0.049",
        "bestBidSize": "0.036",
        "Time": 1704873323416,
    },
}
SNAPSHOT = {"sequence": "100", "time": 1, "asks": [["101", "1"]], "bids": [["99", "2"]]}


async def test_public_stream_fills_ticker_and_recovers_the_level2_book_with_a_signed_snapshot(
    eventually: Any, exchange: Any, registry: Registry
) -> None:
    exchange.realtime.bodies[SPOT_BOOK] = SNAPSHOT
    exchange.realtime.pushes["/market/ticker:BTC-USDT"] = [TICKER]
    exchange.realtime.pushes["/market/level2:BTC-USDT"] = [
        l2update(99, 101, [["101", "3", "101"]], [["98", "1", "99"]]),
        l2update(102, 102, [], [["99", "0", "102"]]),
    ]
    store = topgun.KuCoinDataStore()
    store.orderbook.recovery = RecoveryPolicy(grace=0.05, timeout=2.0)
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        await store.initialize(client.post("https://api.kucoin.com/api/v1/bullet-public"))
        app = client.ws_connect(
            store.endpoint,
            send_json=[subscribe("/market/ticker:BTC-USDT"), subscribe("/market/level2:BTC-USDT")],
            hdlr_json=store.onmessage,
        )
        async with asyncio.timeout(5):
            await app.ready()
            await store.orderbook.wait_synced("BTC-USDT", timeout=5)
        await eventually(lambda: store.orderbook.find({"price": "99"}) == [])
    assert store.ticker.get({"symbol": "BTC-USDT"}) == {"symbol": "BTC-USDT", **TICKER["data"]}
    assert store.orderbook.sorted({"symbol": "BTC-USDT"}) == {
        "asks": [{"symbol": "BTC-USDT", "side": "asks", "price": "101", "size": "3"}],
        "bids": [],
    }
    [request] = [r for r in exchange.seen if r["path"] == SPOT_BOOK]
    assert request["verified"] and request["query"] == "symbol=BTC-USDT"
    assert store.orderbook.stats.resyncs == 1 and store.orderbook.stats.gaps == 0
    connection = exchange.realtime.connections[0]
    assert connection["host"] == "ws-api-spot.kucoin.com"


async def test_without_credentials_the_spot_recovery_stops_with_a_clear_warning(
    eventually: Any, exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    exchange.realtime.pushes["/market/level2:BTC-USDT"] = [l2update(1, 1, [["1", "1", "1"]], [])]
    store = topgun.KuCoinDataStore()
    store.orderbook.recovery = RecoveryPolicy(grace=0.01)
    caplog.set_level(logging.WARNING, "topgun.store")
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        url = await ws_url(client)
        client.ws_connect(
            url, send_json=subscribe("/market/level2:BTC-USDT"), hdlr_json=store.onmessage
        )
        await eventually(lambda: store.orderbook.stats.recovery_failures == 1)
    assert "needs a signed request" in caplog.text
    assert not [r for r in exchange.seen if r["path"] == SPOT_BOOK]  # nothing sent unsigned
    assert store.orderbook.out_of_sync == {"BTC-USDT"}


ORDER_OPEN = order_change()


async def test_private_stream_fills_orders_after_the_welcome(
    eventually: Any, exchange: Any, registry: Registry
) -> None:
    exchange.realtime.pushes["/spotMarket/tradeOrders"] = [ORDER_OPEN]
    store = topgun.KuCoinDataStore()
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        await store.initialize(client.post("https://api.kucoin.com/api/v1/bullet-private"))
        assert "acceptUserMessage=true" in store.endpoint
        client.ws_connect(
            store.endpoint,
            send_json=subscribe("/spotMarket/tradeOrders", private=True),
            hdlr_json=store.onmessage,
        )
        await eventually(lambda: len(store.orders) == 1)
    assert store.orders.get({"orderId": "6720df7640e6fe0007b57696"}) == ORDER_OPEN["data"]
    assert store.orderevents.find() == [ORDER_OPEN["data"]]
    [connection] = exchange.realtime.connections
    assert connection["token"].startswith("private-token-")


async def test_the_token_refreshing_stream_feeds_the_store_across_reconnections(
    eventually: Any, exchange: Any, registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    """``topgun_kucoin.connect`` reconnects on a fresh token; the store resets its book on the
    reconnect, logs the initialize() hint, and the book recovers from a new snapshot."""
    exchange.realtime.bodies[SPOT_BOOK] = SNAPSHOT
    exchange.realtime.pushes["/market/level2:BTC-USDT"] = [
        l2update(101, 101, [], [["97", "1", "101"]])
    ]
    store = topgun.KuCoinDataStore()
    store.orderbook.recovery = RecoveryPolicy(grace=0.05, timeout=2.0)
    caplog.set_level(logging.INFO, "topgun.store")
    async with (
        topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client,
        await connect(
            client,
            send_json=subscribe("/market/level2:BTC-USDT"),
            hdlr_json=store.onmessage,
            backoff=FAST,
        ) as stream,
    ):
        await store.orderbook.wait_synced("BTC-USDT", timeout=5)
        exchange.realtime.bodies[SPOT_BOOK] = {**SNAPSHOT, "sequence": "200", "bids": [["96", "5"]]}
        exchange.realtime.pushes["/market/level2:BTC-USDT"] = [
            l2update(201, 201, [], [["95", "1", "201"]])
        ]
        await exchange.realtime.drop_all()
        await eventually(lambda: store.orderbook.stats.reconnects == 1)
        async with asyncio.timeout(5):
            await stream.app.ready()
        await eventually(lambda: bool(store.orderbook.find({"price": "95"})))
    tokens = [c["token"] for c in exchange.realtime.connections]
    assert len(set(tokens)) == len(tokens) == 2
    assert [
        (i["price"], i["size"]) for i in store.orderbook.sorted({"symbol": "BTC-USDT"})["bids"]
    ] == [
        ("96", "5"),
        ("95", "1"),
    ]
    assert "call initialize() again" in caplog.text
