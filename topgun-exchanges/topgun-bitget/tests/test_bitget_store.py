"""BitgetV2DataStore's stores fed with messages shaped as Bitget's V2 docs show them.

Docs (push samples): spot Tickers-Channel, Candlesticks-Channel, Depth-Channel, Account-Channel,
Order-Channel, Fill-Channel (https://www.bitget.com/api-doc/spot/websocket/public/Tickers-Channel
and the pages beside it), contract New-Trades-Channel, Positions-Channel, Plan-Order-Channel,
History-Positions-Channel (https://www.bitget.com/api-doc/contract/websocket/private/...). The
positions lifecycle is the reference library's own test (pybotters tests, BitgetV2 positions).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

import topgun
from topgun_bitget import BitgetV2DataStore

from .test_bitget_samples import ACCOUNT, ORDER, PLAN, POSITION, TICKER, push


def test_reachable_as_topgun_attribute() -> None:
    assert topgun.BitgetV2DataStore is BitgetV2DataStore
    store = topgun.BitgetV2DataStore()
    assert list(store) == [
        "ticker",
        "candle",
        "book",
        "trade",
        "account",
        "positions",
        "fill",
        "orders",
        "orders-algo",
        "positions-history",
    ]
    assert store.orders_algo is store["orders-algo"]
    assert store.positions_history is store["positions-history"]


def test_ticker() -> None:
    store = BitgetV2DataStore()
    store.onmessage(push("SPOT", "ticker", [TICKER], instId="ETHUSDT"))
    assert store.ticker.find() == [{"instType": "SPOT", **TICKER}]
    store.onmessage(push("SPOT", "ticker", [{**TICKER, "lastPr": "2201"}], instId="ETHUSDT"))
    assert store.ticker.get({"instType": "SPOT", "instId": "ETHUSDT"})["lastPr"] == "2201"  # type: ignore[index]
    assert len(store.ticker) == 1


def test_candle_snapshot_then_update() -> None:
    store = BitgetV2DataStore()
    row = ["1695672780000", "2200.1", "2200.1", "2200.1", "2200.1", "0", "0", "0"]
    store.onmessage(push("SPOT", "candle1m", [row], instId="ETHUSDT"))
    item = {
        "instType": "SPOT",
        "instId": "ETHUSDT",
        "granularity": "candle1m",
        "startTime": "1695672780000",
        "openPr": "2200.1",
        "highPr": "2200.1",
        "lowPr": "2200.1",
        "closePr": "2200.1",
        "baseVolume": "0",
        "quoteVolume": "0",
        "usdtVolume": "0",
    }
    assert store.candle.find() == [item]
    update = [*row[:2], "2210", *row[3:]]
    store.onmessage(push("SPOT", "candle1m", [update], action="update", instId="ETHUSDT"))
    assert store.candle.find() == [{**item, "highPr": "2210"}]
    store.onmessage(push("SPOT", "candle1H", [row], instId="ETHUSDT"))
    assert {c["granularity"] for c in store.candle.find()} == {"candle1m", "candle1H"}


def test_trade() -> None:
    trades = [
        {"ts": "1695716760565", "price": "27000.5", "size": "0.001", "side": "buy", "tradeId": "1"},
        {
            "ts": "1695716759514",
            "price": "27000.0",
            "size": "0.001",
            "side": "sell",
            "tradeId": "2",
        },
    ]
    store = BitgetV2DataStore()
    store.onmessage(push("USDT-FUTURES", "trade", trades, instId="BTCUSDT"))
    assert store.trade.find() == [
        {"instType": "USDT-FUTURES", "instId": "BTCUSDT", **trade} for trade in trades
    ]
    assert store.trade.maxlen == 99_999


def test_account_keeps_every_coin() -> None:
    """The reference keyed account by instType alone: a spot push of two coins kept one."""
    usdt = ACCOUNT
    btc = {**usdt, "coin": "BTC", "available": "1.5"}
    store = BitgetV2DataStore()
    store.onmessage(push("SPOT", "account", [usdt, btc], coin="default"))
    assert store.account.find({"instType": "SPOT"}) == [
        {"instType": "SPOT", **usdt},
        {"instType": "SPOT", **btc},
    ]
    store.onmessage(push("SPOT", "account", [{**btc, "available": "2"}], coin="default"))
    assert store.account.get({"instType": "SPOT", "coin": "BTC"})["available"] == "2"  # type: ignore[index]
    futures = {"marginCoin": "USDT", "frozen": "0", "available": "11.98545761", "equity": "11.98"}
    store.onmessage(push("USDT-FUTURES", "account", [futures], coin="default"))
    assert store.account.get({"instType": "USDT-FUTURES", "marginCoin": "USDT"}) == {
        "instType": "USDT-FUTURES",
        **futures,
    }
    assert len(store.account) == 3


def test_positions_lifecycle_as_the_reference_tests_it() -> None:
    store = BitgetV2DataStore()
    ws: Any = object()
    store.onmessage(
        {
            "event": "subscribe",
            "arg": {"instType": "USDT-FUTURES", "channel": "positions", "instId": "default"},
        },
        ws,
    )
    store.onmessage(push("USDT-FUTURES", "positions", [], instId="default"), ws)
    assert store.positions.find() == []
    store.onmessage(
        push("USDT-FUTURES", "positions", [copy.deepcopy(POSITION)], instId="default"), ws
    )
    assert store.positions.find() == [{"instType": "USDT-FUTURES", **POSITION}]
    bigger = {**POSITION, "marginSize": "1.34205", "total": "6", "available": "6"}
    store.onmessage(push("USDT-FUTURES", "positions", [bigger], instId="default"), ws)
    assert store.positions.find() == [{"instType": "USDT-FUTURES", **bigger}]
    store.onmessage(push("USDT-FUTURES", "positions", [], instId="default"), ws)
    assert store.positions.find() == []


def test_a_positions_snapshot_keeps_other_inst_types() -> None:
    """The reference deleted every other instType's positions on each snapshot."""
    store = BitgetV2DataStore()
    store.onmessage(push("USDT-FUTURES", "positions", [POSITION], instId="default"))
    coin = {**POSITION, "posId": "9", "instId": "BTCUSD", "marginCoin": "BTC"}
    store.onmessage(push("COIN-FUTURES", "positions", [coin], instId="default"))
    assert len(store.positions) == 2
    store.onmessage(push("COIN-FUTURES", "positions", [], instId="default"))
    assert store.positions.find() == [{"instType": "USDT-FUTURES", **POSITION}]


def test_fill() -> None:
    fill = {
        "orderId": "111",
        "tradeId": "111",
        "symbol": "BTCUSDT",
        "orderType": "limit",
        "side": "buy",
        "priceAvg": "42740.41",
        "size": "0.0006",
        "amount": "25.644246",
        "tradeScope": "marker",
        "feeDetail": [
            {
                "feeCoin": "USDT",
                "deduction": "no",
                "totalDeductionFee": "0",
                "totalFee": "0.01538655",
            }
        ],
        "cTime": "1703580202094",
        "uTime": "1703580202094",
    }
    store = BitgetV2DataStore()
    store.onmessage(push("SPOT", "fill", [fill, {**fill, "tradeId": "222"}], instId="default"))
    assert [f["tradeId"] for f in store.fill.find()] == ["111", "222"]
    assert store.fill.find()[0] == {"instType": "SPOT", **fill}


@pytest.mark.parametrize("done", ["filled", "cancelled", "canceled"])
def test_orders_open_then_done(done: str) -> None:
    store = BitgetV2DataStore()
    store.onmessage(push("SPOT", "orders", [{**ORDER, "status": "live"}], instId="BTCUSDT"))
    store.onmessage(push("SPOT", "orders", [ORDER], instId="BTCUSDT"))
    assert store.orders.find() == [{"instType": "SPOT", **ORDER}]
    store.onmessage(push("SPOT", "orders", [{**ORDER, "status": done}], instId="BTCUSDT"))
    assert store.orders.find() == []


@pytest.mark.parametrize("done", ["executed", "fail_execute", "cancelled"])
def test_orders_algo(done: str) -> None:
    store = BitgetV2DataStore()
    store.onmessage(push("USDT-FUTURES", "orders-algo", [PLAN], instId="default"))
    store.onmessage(
        push("USDT-FUTURES", "orders-algo", [{**PLAN, "status": "executing"}], instId="default")
    )
    assert store.orders_algo.find() == [{"instType": "USDT-FUTURES", **PLAN, "status": "executing"}]
    store.onmessage(
        push("USDT-FUTURES", "orders-algo", [{**PLAN, "status": done}], instId="default")
    )
    assert store.orders_algo.find() == []


def test_positions_history() -> None:
    closed = {
        "posId": "1",
        "instId": "BTCUSDT",
        "marginCoin": "USDT",
        "marginMode": "crossed",
        "holdSide": "short",
        "posMode": "one_way_mode",
        "openPriceAvg": "20000.0",
        "closePriceAvg": "26221.0",
        "openSize": "0.010",
        "closeSize": "0.010",
        "achievedProfits": "-62.21000000",
        "settleFee": "-0.02277989",
        "openFee": "-0.12000000",
        "closeFee": "-0.15732600",
        "cTime": "1696907951177",
        "uTime": "1697090609976",
    }
    store = BitgetV2DataStore()
    store.onmessage(push("USDT-FUTURES", "positions-history", [closed], instId="default"))
    assert store.positions_history.find() == [{"instType": "USDT-FUTURES", **closed}]
    assert store.positions_history.maxlen == 99_999


@pytest.mark.parametrize(
    "message",
    [
        push("SPOT", "ticker", [{"lastPr": "1"}], instId="ETHUSDT"),  # no instId
        push("SPOT", "ticker", {"instId": "ETHUSDT"}, instId="ETHUSDT"),  # data not a list
        push("SPOT", "candle1m", [["1", "2", "3"]], instId="ETHUSDT"),  # a short row
        push("SPOT", "candle1m", [["1"] * 8], action="partial", instId="ETHUSDT"),
        push("SPOT", "account", [{"available": "1"}], coin="default"),  # neither coin
        push("USDT-FUTURES", "positions", [{"instId": "X"}], instId="default"),  # no posId
        push(
            "SPOT", "orders", [ORDER, {"orderId": "2"}], instId="BTCUSDT"
        ),  # 2nd bad: none applied
        {"action": "snapshot", "arg": {"channel": "ticker"}, "data": [TICKER]},  # no instType
        {"action": "snapshot", "arg": {"instType": "SPOT", "channel": 5}, "data": []},
        [1, 2, 3],
        "pong",
        None,
    ],
)
def test_malformed_messages_never_raise_nor_half_apply(
    message: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = BitgetV2DataStore()
    with caplog.at_level(logging.WARNING, logger="topgun.store.bitget"):
        store.onmessage(message)
    assert all(len(store[name]) == 0 for name in store)
    assert caplog.records, "a skipped message is logged"


def test_unknown_channels_and_events(caplog: pytest.LogCaptureFixture) -> None:
    store = BitgetV2DataStore()
    with caplog.at_level(logging.WARNING, logger="topgun.store.bitget"):
        store.onmessage(push("USDT-FUTURES", "equity", [{"x": 1}], instId="default"))
        store.onmessage({"event": "subscribe", "arg": {"instType": "SPOT", "channel": "ticker"}})
        store.onmessage({"event": "login", "code": 0})
        store.onmessage(
            {
                "event": "error",
                "arg": {"instType": "USDT-FUTURES", "channel": "books", "instId": "NOPEUSDT"},
                "code": 30001,
                "msg": "instType:USDT-FUTURES,channel:books,instId:NOPEUSDT doesn't exist",
                "op": "subscribe",
            }
        )
    assert "no store for channel 'equity'" in caplog.text
    assert "30001" in caplog.text
    assert all(len(store[name]) == 0 for name in store)


async def test_wait_wakes_after_a_message() -> None:
    import asyncio

    store = BitgetV2DataStore()
    waiter = asyncio.ensure_future(store.wait())
    await asyncio.sleep(0)
    store.onmessage(push("SPOT", "ticker", [TICKER], instId="ETHUSDT"))
    await asyncio.wait_for(waiter, 1)
