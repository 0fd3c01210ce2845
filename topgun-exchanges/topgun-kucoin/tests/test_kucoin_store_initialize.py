"""``KuCoinDataStore.initialize()`` for every endpoint the reference takes (plus the two full
order books), against local api.kucoin.com / api-futures.kucoin.com that check signatures as
KuCoin documents; bodies shaped as in KuCoin's REST docs."""

from __future__ import annotations

from typing import Any

import pytest
from yarl import URL

import topgun
from topgun.plugin import InitializeError
from topgun.testing import Registry

APIS = {"kucoin": ["kucoin-test-key", "kucoin-test-secret", "kucoin-test-passphrase"]}
SPOT = "https://api.kucoin.com"
FUTURES = "https://api-futures.kucoin.com"


async def test_candles(exchange: Any, registry: Registry) -> None:
    """https://www.kucoin.com/docs-new/rest/spot-trading/market-data/get-klines (newest first)"""
    exchange.realtime.bodies["/api/v1/market/candles"] = [
        ["1566789780", "10411.5", "10401.9", "10411.5", "10396.3", "29.11357276", "302889.30"],
        ["1566789720", "10416", "10411.5", "10422.3", "10411.5", "15.61781842", "162632.60"],
    ]
    store = topgun.KuCoinDataStore()
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        await store.initialize(
            client.get(
                f"{SPOT}/api/v1/market/candles", params={"symbol": "BTC-USDT", "type": "1min"}
            )
        )
    items = store.kline.find()
    assert [i["timestamp"] for i in items] == ["1566789720", "1566789780"]  # oldest first
    assert {k: v for k, v in items[1].items() if k != "received_at"} == {
        "symbol": "BTC-USDT",
        "interval": "1min",
        "timestamp": "1566789780",
        "open": "10411.5",
        "close": "10401.9",
        "high": "10411.5",
        "low": "10396.3",
        "volume": "29.11357276",
        "amount": "302889.30",
    }
    assert isinstance(items[0]["received_at"], int)


async def test_positions_signed(exchange: Any, registry: Registry) -> None:
    """https://www.kucoin.com/docs-new/rest/futures-trading/positions/get-position-list"""
    open_position = {"symbol": "XBTUSDTM", "isOpen": True, "currentQty": 1, "avgEntryPrice": "68"}
    closed = {"symbol": "ETHUSDTM", "isOpen": False, "currentQty": 0}
    exchange.realtime.bodies["/api/v1/positions"] = [open_position, closed]
    store = topgun.KuCoinDataStore()
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        await store.initialize(client.get(f"{FUTURES}/api/v1/positions"))
    assert store.positions.find() == [{"side": "BUY", **open_position}]
    assert exchange.seen[-1]["verified"]


async def test_full_order_books(exchange: Any, registry: Registry) -> None:
    """Spot (signed) and futures (public) "Get Full OrderBook"."""
    exchange.realtime.bodies["/api/v3/market/orderbook/level2"] = {
        "sequence": "3262786978",
        "time": 1550653727731,
        "bids": [["6500.12", "0.45054140"], ["6500.11", "0.45054140"]],
        "asks": [["6500.16", "0.57753524"], ["6500.15", "0.57753524"]],
    }
    exchange.realtime.bodies["/api/v1/level2/snapshot"] = {
        "sequence": 1697895963339,
        "symbol": "XBTUSDM",
        "bids": [[66968, 2], [66964.8, 25596]],
        "asks": [[66968.1, 13501], [66968.7, 2032]],
        "ts": 1729168101216000000,
    }
    store = topgun.KuCoinDataStore()
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        await store.initialize(
            client.get(f"{SPOT}/api/v3/market/orderbook/level2", params={"symbol": "BTC-USDT"}),
            client.get(f"{FUTURES}/api/v1/level2/snapshot", params={"symbol": "XBTUSDM"}),
        )
    book = store.orderbook
    assert book.in_sync("BTC-USDT") and book.in_sync("XBTUSDM")
    assert [i["price"] for i in book.sorted({"symbol": "BTC-USDT"})["asks"]] == [
        "6500.15",
        "6500.16",
    ]
    assert book.sorted({"symbol": "XBTUSDM"}, limit=1) == {
        "asks": [{"symbol": "XBTUSDM", "side": "asks", "price": "66968.1", "size": "13501"}],
        "bids": [{"symbol": "XBTUSDM", "side": "bids", "price": "66968", "size": "2"}],
    }
    assert book._book_seq("BTC-USDT") == 3262786978
    spot = [r for r in exchange.seen if r["path"] == "/api/v3/market/orderbook/level2"]
    assert spot[0]["verified"]


@pytest.mark.parametrize("private", [False, True])
async def test_bullet_sets_the_endpoint(exchange: Any, registry: Registry, private: bool) -> None:
    """https://www.kucoin.com/docs-new/websocket-api/base-info/get-public-token-spot-margin"""
    store = topgun.KuCoinDataStore()
    with pytest.raises(RuntimeError, match="initialize"):
        store.endpoint  # noqa: B018
    kind = "private" if private else "public"
    async with topgun.Client(apis=APIS, registry=registry, **exchange.client_kwargs()) as client:
        await store.initialize(client.post(f"{FUTURES}/api/v1/bullet-{kind}"))
    url = URL(store.endpoint)
    assert (url.scheme, url.host) == ("wss", "ws-api-futures.kucoin.com")
    assert url.query["token"].startswith(f"{kind}-token-")
    assert url.query["acceptUserMessage"] == "true"
    assert len(url.query["connectId"]) == 36  # a uuid4


async def test_a_refusal_applies_nothing(exchange: Any, registry: Registry) -> None:
    """A KuCoin error code (here a missing signature: no credentials) raises and changes nothing."""
    store = topgun.KuCoinDataStore()
    async with topgun.Client(apis={}, registry=registry, **exchange.client_kwargs()) as client:
        with pytest.raises(InitializeError, match=r"401|400005"):
            await store.initialize(client.get(f"{FUTURES}/api/v1/positions"))
        exchange.realtime.bodies["/api/v1/market/candles"] = [["1", "2", "3", "4", "5", "6", "7"]]
        with pytest.raises(InitializeError, match="'type'"):
            await store.initialize(
                client.get(f"{SPOT}/api/v1/market/candles", params={"symbol": "BTC-USDT"})
            )
        with pytest.raises(InitializeError, match="does not know"):
            await store.initialize(client.get(f"{SPOT}/api/v1/timestamp"))
    assert len(store.positions) == len(store.kline) == 0
