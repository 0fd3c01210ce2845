"""BitgetDataStore (V1) fed with V1-shaped pushes, and ``initialize()`` against a local
api.bitget.com that checks the request's signature.

V1 docs: https://bitgetlimited.github.io/apidoc/en/mix/#websocketapi (public channels: Tickers,
Candlesticks, Order Book, Trades; private: Account, Positions, Order) and
https://bitgetlimited.github.io/apidoc/en/mix/#get-open-order (``/api/mix/v1/order/current``).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

import topgun
from topgun.plugin import InitializeError
from topgun.testing import HttpExchange
from topgun_bitget import BitgetDataStore


def push(channel: str, data: Any, inst_id: str = "BTCUSDT", inst_type: str = "mc") -> Any:
    return {
        "action": "snapshot",
        "arg": {"instType": inst_type, "channel": channel, "instId": inst_id},
        "data": data,
    }


def test_reachable_as_topgun_attribute() -> None:
    assert topgun.BitgetDataStore is BitgetDataStore
    assert list(BitgetDataStore()) == [
        "trade",
        "orderbook",
        "ticker",
        "candlesticks",
        "account",
        "orders",
        "positions",
    ]


def test_trade() -> None:
    store = BitgetDataStore()
    store.onmessage(
        push(
            "trade",
            [["1665645128291", "18991", "0.016", "buy"], ["1665645128292", "18990", "1", "sell"]],
        )
    )
    assert store.trade.find() == [
        {"instId": "BTCUSDT", "ts": "1665645128291", "px": "18991", "sz": "0.016", "side": "buy"},
        {"instId": "BTCUSDT", "ts": "1665645128292", "px": "18990", "sz": "1", "side": "sell"},
    ]


def test_ticker() -> None:
    ticker = {"instId": "BTCUSDT", "last": "44962.00", "bestAsk": "44962", "bestBid": "44961.5"}
    store = BitgetDataStore()
    store.onmessage(push("ticker", [ticker]))
    store.onmessage(push("ticker", [{**ticker, "last": "44963"}]))
    assert store.ticker.find() == [{**ticker, "last": "44963"}]


@pytest.mark.parametrize(
    ("channel", "interval"),
    [
        ("candle1m", "1m"),
        ("candle5m", "5m"),
        ("candle15m", "15m"),
        ("candle1H", "1H"),
        ("candle1W", "1W"),
    ],
)
def test_every_candle_channel(channel: str, interval: str) -> None:
    """The reference routed only candle1m (and took the channel's last two characters)."""
    row = ["1639584480000", "8533.02", "8553.74", "8527.17", "8548.26", "45247"]
    store = BitgetDataStore()
    store.onmessage(push(channel, [row]))
    assert store.candlesticks.find() == [
        {
            "instId": "BTCUSDT",
            "interval": interval,
            "ts": "1639584480000",
            "o": "8533.02",
            "h": "8553.74",
            "l": "8527.17",
            "c": "8548.26",
            "baseVol": "45247",
        }
    ]


def test_orderbook_snapshot_update_and_sorted() -> None:
    """A V1 ``books`` push as Bitget sent it (checksum included); size "0" deletes."""
    store = BitgetDataStore()
    message = {
        "action": "update",
        "arg": {"instType": "mc", "channel": "books", "instId": "BTCUSD"},
        "data": [
            {
                "asks": [["30693.5", "0.073"], ["30694.0", "0.064"], ["30695.0", "18.601"]],
                "bids": [["30678.0", "12.693"], ["30675.5", "0.091"], ["30674.0", "22.504"]],
                "checksum": 1033568482,
                "ts": "1653935348839",
            }
        ],
    }
    store.onmessage(message)  # an update before any snapshot is not served
    assert store.orderbook.find() == [] and "BTCUSD" in store.orderbook.out_of_sync
    element = dict(message["data"][0])  # type: ignore[index]
    element.pop("checksum")
    store.onmessage({**message, "action": "snapshot", "data": [element]})
    assert store.orderbook.sorted({"instId": "BTCUSD"}, limit=1) == {
        "asks": [{"instId": "BTCUSD", "side": "asks", "px": "30693.5", "sz": "0.073"}],
        "bids": [{"instId": "BTCUSD", "side": "bids", "px": "30678.0", "sz": "12.693"}],
    }
    store.onmessage(
        {
            **message,
            "data": [{"asks": [["30693.5", "0"]], "bids": [], "ts": "1653935348900"}],
        }
    )
    assert store.orderbook.sorted({"instId": "BTCUSD"}, limit=1)["asks"][0]["px"] == "30694.0"
    assert store.orderbook.timestamp == "1653935348900"


def test_account_orders_positions() -> None:
    store = BitgetDataStore()
    account = {"marginCoin": "USDT", "locked": "0", "available": "100", "equity": "100"}
    store.onmessage(push("account", [account], inst_id="default", inst_type="UMCBL"))
    assert store.account.find() == [account]

    order = {
        "instId": "BTCUSDT_UMCBL",
        "ordId": "900",
        "clOrdId": "c1",
        "px": "20000",
        "sz": "1",
        "accFillSz": "0",
        "side": "buy",
        "status": "new",
    }
    store.onmessage(push("orders", [order], inst_id="default", inst_type="UMCBL"))
    assert store.orders.find() == [order]
    partial = {**order, "status": "partial-fill", "accFillSz": "0.4"}
    store.onmessage(push("orders", [partial], inst_id="default", inst_type="UMCBL"))
    assert store.orders.find() == [partial]
    store.onmessage(push("orders", [{**order, "status": "full-fill"}], inst_id="default"))
    assert store.orders.find() == []
    store.onmessage(push("orders", [order], inst_id="default"))
    store.onmessage(push("orders", [{**order, "status": "cancelled"}], inst_id="default"))
    assert store.orders.find() == []

    position = {"posId": "p1", "instId": "BTCUSDT_UMCBL", "total": "0.01", "holdSide": "long"}
    store.onmessage(push("positions", [position], inst_id="default"))
    assert store.positions.find() == [position]
    store.onmessage(push("positions", [{**position, "total": "0"}], inst_id="default"))
    assert store.positions.find() == []
    store.onmessage(push("positions", [position], inst_id="default"))
    store.onmessage(push("positions", [{**position, "total": 0}], inst_id="default"))
    assert store.positions.find() == []


@pytest.mark.parametrize(
    "message",
    [
        push("trade", [["1", "2", "3"]]),
        push("candle1m", [["1", "2"]]),
        push("ticker", [{"last": "1"}]),
        push("account", [{"available": "1"}]),
        push("orders", [{"instId": "X", "clOrdId": "1"}]),
        push("positions", [{"posId": "1", "instId": "X", "total": True}]),
        push("books", [{"asks": [["1", "x"]], "bids": []}]),
        {"arg": {"channel": "trade"}, "data": [["1", "2", "3", "buy"]]},
        "pong",
    ],
)
def test_malformed_messages_are_skipped(message: Any, caplog: pytest.LogCaptureFixture) -> None:
    store = BitgetDataStore()
    with caplog.at_level(logging.WARNING, logger="topgun.store.bitget"):
        store.onmessage(message)
    assert all(len(store[name]) == 0 for name in store)
    assert caplog.records


# -- initialize() ------------------------------------------------------------------------------

REST_ORDER = {
    "symbol": "BTCUSDT_UMCBL",
    "size": 1,
    "orderId": "802382049422487552",
    "clientOid": "RFIut#1633574434049",
    "filledQty": 0,
    "fee": 0,
    "price": 23999.3,
    "state": "new",
    "side": "open_long",
    "timeInForce": "normal",
    "totalProfits": 0,
    "posSide": "long",
    "marginCoin": "USDT",
    "orderType": "limit",
    "cTime": "1627028708807",
    "uTime": "1627028717807",
}


async def test_initialize_orders_current(
    bitget_account: tuple[str, str, str], answering_exchange: tuple[HttpExchange, list[Any]]
) -> None:
    """GET /api/mix/v1/order/current: REST fields renamed to the WebSocket's; with a symbol,
    that symbol's orders missing from the answer are removed."""
    server, answers = answering_exchange
    answers += [
        {"code": "00000", "msg": "success", "data": [REST_ORDER]},
        {"code": "00000", "msg": "success", "data": []},
    ]
    url = "https://api.bitget.com/api/mix/v1/order/current"
    async with server.client(apis={"bitget": list(bitget_account)}) as client:
        store = BitgetDataStore()
        await store.initialize(client.get(url, params={"symbol": "BTCUSDT_UMCBL"}))
        assert store.orders.find() == [
            {
                "accFillSz": "0",
                "cTime": 1627028708807,
                "clOrdId": "RFIut#1633574434049",
                "force": "normal",
                "instId": "BTCUSDT_UMCBL",
                "ordId": "802382049422487552",
                "ordType": "limit",
                "posSide": "long",
                "px": "23999.3",
                "side": "buy",
                "status": "new",
                "sz": "1",
                "tgtCcy": "USDT",
                "uTime": 1627028717807,
            }
        ]
        assert server.seen[0]["verified"]
        await store.initialize(client.get(url, params={"symbol": "BTCUSDT_UMCBL"}))
        assert store.orders.find() == []


async def test_initialize_refuses_an_error_code(
    bitget_account: tuple[str, str, str], answering_exchange: tuple[HttpExchange, list[Any]]
) -> None:
    server, answers = answering_exchange
    answers += [{"code": "40034", "msg": "Parameter does not exist", "data": None}]
    url = "https://api.bitget.com/api/mix/v1/order/current"
    async with server.client(apis={"bitget": list(bitget_account)}) as client:
        store = BitgetDataStore()
        with pytest.raises(InitializeError, match="40034"):
            await store.initialize(client.get(url, params={"symbol": "BTCUSDT_UMCBL"}))
        assert store.orders.find() == []


async def test_initialize_refuses_a_malformed_order(
    bitget_account: tuple[str, str, str], answering_exchange: tuple[HttpExchange, list[Any]]
) -> None:
    broken = {k: v for k, v in REST_ORDER.items() if k != "clientOid"}
    server, answers = answering_exchange
    answers += [{"code": "00000", "msg": "success", "data": [REST_ORDER, broken]}]
    url = "https://api.bitget.com/api/mix/v1/order/current"
    async with server.client(apis={"bitget": list(bitget_account)}) as client:
        store = BitgetDataStore()
        with pytest.raises(InitializeError, match="malformed"):
            await store.initialize(client.get(url, params={"symbol": "BTCUSDT_UMCBL"}))
        assert store.orders.find() == []
