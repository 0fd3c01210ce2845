"""Binance DataStores: routing and the market-data stores, fed the docs' example payloads.

Payloads: conftest ``DOC_MESSAGES`` (each from the official docs' examples, URLs there). Messages
arrive bare (``/ws/<stream>``) or wrapped by a combined stream (``{"stream", "data"}``,
https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams "General WSS
information").
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from unittest.mock import MagicMock

import pytest

import topgun
from topgun_binance.store import (
    BinanceCOINMDataStore,
    BinanceSpotDataStore,
    BinanceUSDSMDataStore,
)

COMMON = ["trade", "kline", "ticker", "bookticker", "orderbook", "order"]
FUTURES = [*COMMON, "markprice", "continuouskline", "liquidation", "balance", "position"]
STORES = {
    BinanceSpotDataStore: [*COMMON, "account", "ocoorder"],
    BinanceUSDSMDataStore: [*FUTURES, "compositeindex"],
    BinanceCOINMDataStore: [*FUTURES, "indexprice", "indexpricekline", "markpricekline"],
}
ALL = list(STORES)


def combined(stream: str, data: Any) -> dict[str, Any]:
    return {"stream": stream, "data": data}


def test_registered_under_the_reference_names() -> None:
    assert topgun.BinanceSpotDataStore is BinanceSpotDataStore
    assert topgun.BinanceUSDSMDataStore is BinanceUSDSMDataStore
    assert topgun.BinanceCOINMDataStore is BinanceCOINMDataStore


@pytest.mark.parametrize("cls", ALL)
def test_the_reference_stores_by_attribute_and_name(cls: Any) -> None:
    store = cls()
    assert list(store) == STORES[cls]
    for name in STORES[cls]:
        assert getattr(store, name) is store[name]
    assert store.listenkey is None


@pytest.mark.parametrize("cls", ALL)
def test_anything_at_all_never_raises(cls: Any, caplog: pytest.LogCaptureFixture) -> None:
    # The reference library's own smoke test feeds a MagicMock to every store.
    store = cls()
    for message in (
        MagicMock(),
        None,
        1,
        "pong",
        [],
        [1],
        {"stream": "x"},
        {},
        {"e": 5},
        {"e": ["depthUpdate"]},
        [{"e": {}}],
    ):
        store.onmessage(message, MagicMock())
    assert all(len(store[name]) == 0 for name in store)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("cls", ALL)
def test_trades_bare_and_combined(cls: Any, doc: Any) -> None:
    store = cls()
    store.onmessage(doc("aggTrade"))
    store.onmessage(combined("bnbbtc@trade", doc("trade")))
    assert store.trade.find() == [doc("aggTrade"), doc("trade")]
    assert store.trade.maxlen == 99_999


@pytest.mark.parametrize("cls", ALL)
def test_kline_stores_k_merged_per_open_time(cls: Any, doc: Any) -> None:
    store = cls()
    store.onmessage(doc("kline"))
    later = doc("kline")
    later["k"].update(c="0.0030", x=True)
    store.onmessage(combined("bnbbtc@kline_1m", later))
    assert store.kline.find() == [later["k"]]
    assert store.kline.get({"t": 1672515780000, "s": "BNBBTC", "i": "1m"})["c"] == "0.0030"


@pytest.mark.parametrize("cls", ALL)
def test_tickers_single_and_all_market_arrays(cls: Any, doc: Any) -> None:
    store = cls()
    store.onmessage(doc("24hrMiniTicker"))
    other = doc("24hrMiniTicker", s="ETHBTC", c="0.05")
    store.onmessage([doc("24hrMiniTicker", c="0.0030"), other])  # !miniTicker@arr on /ws
    assert store.ticker.get({"s": "BNBBTC"})["c"] == "0.0030"
    store.onmessage(combined("!miniTicker@arr", [doc("24hrMiniTicker", c="0.0040")]))
    assert store.ticker.get({"s": "BNBBTC"})["c"] == "0.0040"
    assert store.ticker.get({"s": "ETHBTC"}) == other


def test_spot_book_ticker_has_no_event_type(doc: Any) -> None:
    store = BinanceSpotDataStore()
    store.onmessage(doc("spot bookTicker"))
    store.onmessage(combined("ethusdt@bookTicker", doc("spot bookTicker", s="ETHUSDT")))
    assert store.bookticker.get({"s": "BNBUSDT"}) == doc("spot bookTicker")
    assert len(store.bookticker) == 2


@pytest.mark.parametrize("cls", [BinanceUSDSMDataStore, BinanceCOINMDataStore])
def test_futures_market_stores(cls: Any, doc: Any) -> None:
    store = cls()
    store.onmessage(doc("bookTicker"))
    store.onmessage(doc("markPriceUpdate"))
    store.onmessage(combined("!markPrice@arr", [doc("markPriceUpdate", s="ETHUSDT")]))
    store.onmessage(doc("continuous_kline"))
    store.onmessage(doc("forceOrder"))
    assert store.bookticker.get({"s": "BNBUSDT"}) == doc("bookTicker")
    assert store.markprice.get({"s": "BTCUSDT"}) == doc("markPriceUpdate")
    assert store.markprice.get({"s": "ETHUSDT"})["p"] == "11794.15000000"
    message = doc("continuous_kline")
    assert store.continuouskline.find() == [{"ps": "BTCUSDT", "ct": "PERPETUAL", **message["k"]}]
    assert store.liquidation.find() == [doc("forceOrder")["o"]]


def test_composite_index(doc: Any) -> None:
    store = BinanceUSDSMDataStore()
    store.onmessage(doc("compositeIndex"))
    message = doc("compositeIndex")
    assert store.compositeindex.find() == [
        {"s": "DEFIUSDT", "p": "554.41604065", "E": 1602310596000, "c": message["c"]}
    ]


def test_coinm_index_and_mark_price_streams(doc: Any) -> None:
    store = BinanceCOINMDataStore()
    store.onmessage(doc("indexPriceUpdate"))
    message = doc("indexPrice_kline")
    store.onmessage(message)
    store.onmessage(doc("markPrice_kline"))
    assert store.indexprice.get({"i": "BTCUSD"}) == doc("indexPriceUpdate")
    # indexPrice_kline's k.s is "0": the pair is filed as s, without touching the message.
    assert store.indexpricekline.find() == [{**doc("indexPrice_kline")["k"], "s": "BTCUSD"}]
    assert message == doc("indexPrice_kline")
    assert store.markpricekline.find() == [doc("markPrice_kline")["k"]]


@pytest.mark.parametrize("cls", ALL)
def test_replies_are_ignored_and_errors_logged(cls: Any, caplog: pytest.LogCaptureFixture) -> None:
    store = cls()
    with caplog.at_level(logging.WARNING, "topgun.store.binance"):
        store.onmessage({"result": None, "id": 1})
        store.onmessage({"code": 0, "msg": "x", "id": 2, "error": {"code": 2, "msg": "Invalid"}})
    assert [r.getMessage() for r in caplog.records] == [
        f"{store._MARKET} replied with an error (id 2): 2 Invalid"
    ]


@pytest.mark.parametrize("cls", ALL)
def test_unknown_events_warn_once_and_known_unstored_ones_are_quiet(
    cls: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = cls()
    with caplog.at_level(logging.WARNING, "topgun.store.binance"):
        for _ in range(3):
            store.onmessage({"e": "somethingNew", "E": 1})
        store.onmessage({"e": "balanceUpdate", "E": 1, "a": "BTC", "d": "100.0", "T": 1})
        store.onmessage({"e": "TRADE_LITE", "E": 1})
    assert [r.getMessage() for r in caplog.records] == [
        f"{store._MARKET}: no store for 'somethingNew' events; they are ignored"
    ]


@pytest.mark.parametrize("cls", ALL)
def test_listen_key_expired_says_what_to_do(cls: Any, caplog: pytest.LogCaptureFixture) -> None:
    store = cls()
    with caplog.at_level(logging.WARNING, "topgun.store.binance"):
        store.onmessage({"e": "listenKeyExpired", "E": 1576653824250, "listenKey": "OfYGbUzi3P"})
    (record,) = caplog.records
    assert "listen key expired" in record.getMessage()
    assert "OfYGbUzi3P" not in record.getMessage()


def test_partial_depth_streams_are_named_not_guessed(caplog: pytest.LogCaptureFixture) -> None:
    store = BinanceSpotDataStore()
    with caplog.at_level(logging.WARNING, "topgun.store.binance"):
        store.onmessage(
            combined(
                "bnbbtc@depth5",
                {"lastUpdateId": 160, "bids": [["0.0024", "10"]], "asks": [["0.0026", "100"]]},
            )
        )
    assert "partial book depth" in caplog.text
    assert len(store.orderbook) == 0


@pytest.mark.parametrize(
    ("cls", "bad"),
    [
        (BinanceSpotDataStore, {"e": "kline", "s": "BNBBTC", "k": "nope"}),
        (BinanceSpotDataStore, {"e": "kline", "s": "BNBBTC", "k": {"t": 1, "s": "X"}}),
        (BinanceSpotDataStore, {"e": "24hrTicker", "E": 1}),
        (BinanceSpotDataStore, {"e": "bookTicker", "u": 400900217}),
        (BinanceUSDSMDataStore, {"e": "forceOrder", "o": ["BTCUSDT"]}),
        (BinanceUSDSMDataStore, {"e": "continuous_kline", "ps": "BTCUSDT", "k": {"t": 1}}),
        (BinanceUSDSMDataStore, {"e": "compositeIndex", "s": "X", "p": "1", "E": 1, "c": 5}),
        (BinanceCOINMDataStore, {"e": "indexPrice_kline", "k": {"t": 1, "i": "1m"}}),
    ],
)
def test_malformed_messages_are_skipped_whole(
    cls: Any, bad: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = cls()
    with caplog.at_level(logging.WARNING, "topgun.store.binance"):
        store.onmessage(bad)
        store.onmessage(combined("x@y", bad))
    assert all(len(store[name]) == 0 for name in store)
    assert "malformed" in caplog.text
    assert "Traceback" not in caplog.text


def test_an_array_with_one_bad_ticker_changes_nothing(doc: Any) -> None:
    store = BinanceSpotDataStore()
    store.onmessage([doc("24hrMiniTicker"), {"e": "24hrMiniTicker", "c": "1"}])
    assert len(store.ticker) == 0


@pytest.mark.parametrize("cls", ALL)
async def test_wait_returns_after_each_message(cls: Any, doc: Any) -> None:
    store = cls()
    for message in (doc("aggTrade"), {"result": None, "id": 1}):
        waiter = asyncio.ensure_future(store.wait())
        await asyncio.sleep(0)
        assert not waiter.done()
        store.onmessage(message)
        await asyncio.wait_for(waiter, 1)
