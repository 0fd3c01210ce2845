"""KuCoinDataStore's stores fed with messages shaped as KuCoin's docs show them (the URL of each
is next to it), plus the reference library's own KuCoin test (orders "update"), malformed and
unknown messages."""

from __future__ import annotations

import logging
from typing import Any

import pytest

import topgun

from .test_kucoin_samples import ORDER, order_change, push


def test_ticker_symbol_and_all() -> None:
    """https://www.kucoin.com/docs/websocket/spot-trading/public-channels/ticker, .../all-tickers, futures get-ticker-v2"""
    store = topgun.KuCoinDataStore()
    data = {"sequence": "1545896668986", "price": "0.08", "bestAsk": "0.08", "bestBid": "0.049"}
    store.onmessage(push("/market/ticker:BTC-USDT", "trade.ticker", data))
    store.onmessage(push("/market/ticker:all", "ETH-USDT", {**data, "price": "1"}))
    v2 = {
        "symbol": "XBTUSDTM",
        "sequence": 1709341125226,
        "bestBidSize": 795,
        "bestBidPrice": "51976.6",
        "bestAskPrice": "51976.7",
        "bestAskSize": 9,
        "ts": 1709341125225000000,
    }
    store.onmessage(push("/contractMarket/tickerV2:XBTUSDTM", "tickerV2", v2))
    assert store.ticker.get({"symbol": "BTC-USDT"}) == {"symbol": "BTC-USDT", **data}
    assert store.ticker.get({"symbol": "ETH-USDT"})["price"] == "1"
    assert store.ticker.get({"symbol": "XBTUSDTM"}) == v2


def test_kline_stores_closed_candles_only() -> None:
    """https://www.kucoin.com/docs/websocket/spot-trading/public-channels/klines"""
    store = topgun.KuCoinDataStore()

    def candle(start: str, close: str) -> dict[str, Any]:
        data = {
            "symbol": "BTC-USDT",
            "candles": [start, "67.2", close, "67.3", "67.1", "0.01", "0.67"],
            "time": 1729842192785164840,
        }
        return push("/market/candles:BTC-USDT_1hour", "trade.candles.update", data)

    store.onmessage(candle("1729839600", "67.25"))
    store.onmessage(candle("1729839600", "67.27"))
    assert len(store.kline) == 0
    assert store.kline.latest("BTC-USDT", "1hour")["close"] == "67.27"
    store.onmessage(candle("1729843200", "67.3"))
    assert store.kline.find() == [
        {
            "symbol": "BTC-USDT",
            "interval": "1hour",
            "received_at": 1729842192785164840,
            "timestamp": "1729839600",
            "open": "67.2",
            "close": "67.27",
            "high": "67.3",
            "low": "67.1",
            "volume": "0.01",
            "amount": "0.67",
        }
    ]


def test_symbolsnapshot_execution_index_mark() -> None:
    """https://www.kucoin.com/docs/websocket/spot-trading/public-channels/symbol-snapshot, .../match-execution-data,
    margin-trading/public-channels/index-price and mark-price"""
    store = topgun.KuCoinDataStore()
    inner = {"symbol": "KCS-BTC", "buy": 0.00011, "sell": 0.00012, "lastTradedPrice": 0.00012}
    snapshot = {"sequence": "1545896669291", "data": inner}
    store.onmessage(push("/market/snapshot:KCS-BTC", "trade.snapshot", snapshot))
    match = {
        "makerOrderId": "671b5007389355000701b1d3",
        "price": "67523",
        "sequence": "11067996",
        "side": "buy",
        "size": "0.003",
        "symbol": "BTC-USDT",
        "takerOrderId": "671b50161777ff00074c168d",
        "time": "1729843222921000000",
        "tradeId": "11067996",
        "type": "match",
    }
    store.onmessage(push("/market/match:BTC-USDT", "trade.l3match", match))
    index = {"symbol": "USDT-BTC", "granularity": 5000, "timestamp": 1551770400000, "value": 0.0001}
    store.onmessage(push("/indicator/index:USDT-BTC", "tick", index))
    store.onmessage(push("/indicator/markPrice:USDT-BTC", "tick", {**index, "value": 0.0002}))
    assert store.symbolsnapshot.find() == [inner]
    assert store.execution.find() == [match]
    assert store.indexprice.find() == [index]
    assert store.markprice.find() == [{**index, "value": 0.0002}]


def test_orderbook5_and_50_replace_the_symbol() -> None:
    """https://www.kucoin.com/docs-new/3470069w0 (spot level2Depth5) and
    https://www.kucoin.com/docs-new/3470083w0 (futures level2Depth5)"""
    store = topgun.KuCoinDataStore()
    spot: dict[str, Any] = {
        "asks": [["67996.7", "1.14213262"], ["67996.8", "0.21748212"]],
        "bids": [["67996.6", "0.37969491"], ["67995.3", "0.20779746"]],
        "timestamp": 1729822226746,
    }
    store.onmessage(push("/spotMarket/level2Depth5:BTC-USDT", "level2", spot))
    assert store.orderbook5.sorted({"symbol": "BTC-USDT"}) == {
        "asks": [
            {
                "symbol": "BTC-USDT",
                "side": "asks",
                "price": p,
                "size": s,
                "timestamp": 1729822226746,
            }
            for p, s in spot["asks"]
        ],
        "bids": [
            {
                "symbol": "BTC-USDT",
                "side": "bids",
                "price": p,
                "size": s,
                "timestamp": 1729822226746,
            }
            for p, s in spot["bids"]
        ],
    }
    newer = {"asks": [["67996.8", "1"]], "bids": [["67996.6", "2"]], "timestamp": 1729822226800}
    store.onmessage(push("/spotMarket/level2Depth5:BTC-USDT", "level2", newer))
    assert [(i["price"], i["size"], i["timestamp"]) for i in store.orderbook5] == [
        ("67996.8", "1", 1729822226800),
        ("67996.6", "2", 1729822226800),
    ]
    futures = {
        "bids": [["89720.9", 513], ["89720.8", 12]],
        "sequence": 1709294294670,
        "timestamp": 1731680019100,
        "ts": 1731680019100,
        "asks": [["89721", 906], ["89721.1", 203]],
    }
    store.onmessage(push("/contractMarket/level2Depth50:XBTUSDTM", "level2", futures))
    assert store.orderbook50.sorted({"symbol": "XBTUSDTM"}, limit=1) == {
        "asks": [
            {
                "symbol": "XBTUSDTM",
                "side": "asks",
                "price": "89721",
                "size": 906,
                "timestamp": 1731680019100,
            }
        ],
        "bids": [
            {
                "symbol": "XBTUSDTM",
                "side": "bids",
                "price": "89720.9",
                "size": 513,
                "timestamp": 1731680019100,
            }
        ],
    }
    assert len(store.orderbook5) == 2  # the stores are separate


def test_orders_update_regression_of_the_reference() -> None:
    """The reference's test_kucoin_orders_update: an "update" event updates the stored order."""
    store = topgun.KuCoinDataStore()
    store.onmessage(order_change())
    assert store.orders.get({"orderId": ORDER["orderId"]})["size"] == "0.00002"
    store.onmessage(
        order_change(
            canceledSize="0.00001",
            oldSize="0.00002",
            remainSize="0.00001",
            size="0.00001",
            ts=1730207616617000000,
            type="update",
        )
    )
    updated = store.orders.get({"orderId": ORDER["orderId"]})
    assert updated is not None
    assert (updated["size"], updated["canceledSize"], updated["remainSize"]) == (
        "0.00001",
        "0.00001",
        "0.00001",
    )


def test_order_lifecycle_and_orderevents() -> None:
    store = topgun.KuCoinDataStore()
    store.onmessage(order_change(type="match", status="match"))  # never seen open: ignored
    assert len(store.orders) == 0 and len(store.orderevents) == 1
    store.onmessage(order_change())
    store.onmessage(order_change(type="match", status="match", filledSize="0.00001"))
    assert store.orders.get(ORDER)["filledSize"] == "0"  # match leaves it
    store.onmessage(order_change(type="filled", status="done"))
    assert len(store.orders) == 0
    assert store.orderevents.find() == [{**ORDER, "type": "filled", "status": "done"}]
    store.onmessage(order_change(orderId="another"))
    store.onmessage(order_change(orderId="another", type="canceled", status="done"))
    assert len(store.orders) == 0


def test_unknown_order_type_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    store = topgun.KuCoinDataStore()
    store.onmessage(order_change())
    with caplog.at_level(logging.WARNING, "topgun.store"):
        store.onmessage(order_change(type="mystery"))
    assert "unknown type 'mystery'" in caplog.text
    assert len(store.orders) == 1


def test_balance_and_margin_stores() -> None:
    """https://www.kucoin.com/docs/websocket/spot-trading/private-channels/account-balance-change and margin-trading private
    channels (cross-margin-position-event, margin-trade-order-event)"""
    store = topgun.KuCoinDataStore()
    balance = {
        "accountId": "548674591753",
        "available": "22.018203",
        "availableChange": "-0.0002",
        "currency": "USDT",
        "hold": "0",
        "holdChange": "0",
        "relationContext": {"symbol": "BTC-USDT", "orderId": "6721d0632db25b0007071fdc"},
        "relationEvent": "trade.hold",
        "relationEventId": "354689988084000",
        "time": "1730269283892",
        "total": "22.018203",
    }
    store.onmessage(push("/account/balance", "account.balance", balance))
    store.onmessage(push("/account/balance", "account.balance", {**balance, "available": "1"}))
    assert store.balance.find() == [{**balance, "available": "1"}]
    position = {"debtRatio": 0, "totalAsset": 0.00052431772284080000000, "timestamp": 1730172311}
    store.onmessage(push("/margin/position", "debt.ratio", position))
    store.onmessage(push("/margin/position", "debt.ratio", {**position, "debtRatio": 0.1}))
    assert store.marginpositions.find() == [{**position, "debtRatio": 0.1}]
    assert len(store.marginpositionevents) == 2
    loan = {
        "currency": "BTC",
        "orderId": "ac928c66ca53498f9c13a127a60e8",
        "ts": 1553846081210004941,
    }
    store.onmessage(push("/margin/loan:BTC", "order.open", loan))
    assert store.marginorders.find() == [loan]
    store.onmessage(push("/margin/loan:BTC", "order.update", {**loan, "filledSize": 1}))
    assert store.marginorders.find() == [{**loan, "filledSize": 1}]
    store.onmessage(push("/margin/loan:BTC", "order.done", loan))
    assert store.marginorders.find() == []
    assert store.marginorderevents.find()[0] == {
        "subject": "order.open",
        **push("/margin/loan:BTC", "order.open", loan),
    }
    funding = {"sequence": 1000000, "currency": "BTC", "dailyIntRate": 0.00007, "size": 1.3}
    store.onmessage(push("/margin/fundingBook:BTC", "funding.update", funding))
    assert store.marginfundingbook.find() == [funding]


def test_futures_public_and_wallet_stores() -> None:
    """https://www.kucoin.com/docs/websocket/futures-trading/public-channels/contract-market-data, funding-fee-settlement,
    transaction-statistics-timer-event and private-channels/account-balance-events"""
    store = topgun.KuCoinDataStore()
    mark = {
        "granularity": 1000,
        "indexPrice": 4000.23,
        "markPrice": 4010.52,
        "timestamp": 1551770400000,
    }
    store.onmessage(push("/contract/instrument:XBTUSDM", "mark.index.price", mark))
    funding = {
        "symbol": "XBTUSDM",
        "fundingTime": 1551770400000,
        "fundingRate": -0.002966,
        "timestamp": 1551770410000,
    }
    store.onmessage(push("/contract/announcement", "funding.begin", funding))
    stats = {
        "volume": 30449670,
        "turnover": 845169919063,
        "lastPrice": 3551,
        "ts": 1547697294838004923,
    }
    store.onmessage(push("/contractMarket/snapshot:XBTUSDM", "snapshot.24h", stats))
    wallet = {"orderMargin": 5923, "currency": "USDT", "timestamp": 1553842862614}
    store.onmessage(push("/contractAccount/wallet", "orderMargin.change", wallet))
    assert store.instrument.find() == [{"symbol": "XBTUSDM", "subject": "mark.index.price", **mark}]
    assert store.announcements.find() == [{"subject": "funding.begin", **funding}]
    assert store.transactionstats.find() == [
        {"subject": "snapshot.24h", "symbol": "XBTUSDM", **stats}
    ]
    assert store.balanceevents.find() == [
        {"subject": "orderMargin.change", "symbol": "/contractAccount/wallet", **wallet}
    ]


def test_positions_open_mark_price_and_close() -> None:
    """https://www.kucoin.com/docs/websocket/futures-trading/private-channels/position-change-events"""
    store = topgun.KuCoinDataStore()
    topic = "/contract/position:XBTUSDM"
    position = {
        "realisedGrossPnl": 0e-8,
        "symbol": "XBTUSDM",
        "crossMode": False,
        "liquidationPrice": 1000000.0,
        "posLoss": 0e-8,
        "avgEntryPrice": 7508.22,
        "unrealisedPnl": -0.00014735,
        "markPrice": 7947.83,
        "posMargin": 0.00266779,
        "autoDeposit": False,
        "riskLimit": 100000,
        "unrealisedCost": 0.00266375,
        "currentQty": -20,
        "isOpen": True,
        "changeReason": "positionChange",
        "currentTimestamp": 1558599927158,
    }
    store.onmessage(push(topic, "position.change", position))
    assert store.positions.find() == [{**position, "side": "SELL"}]
    mark = {
        "markPrice": 7947.83,
        "markValue": 0.00251640,
        "unrealisedPnl": -0.00014735,
        "currentTimestamp": 1558087175068,
        "symbol": "XBTUSDM",
        "changeReason": "markPriceChange",
    }
    store.onmessage(push(topic, "position.change", mark))
    assert store.positions.get({"symbol": "XBTUSDM"})["markValue"] == 0.00251640
    store.onmessage(push(topic, "position.change", {**position, "isOpen": False, "currentQty": 0}))
    assert store.positions.find() == []
    store.onmessage(push(topic, "position.change", mark))  # no position: nothing to merge into
    assert store.positions.find() == []


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        [1, 2],
        {"topic": 5, "data": {}},
        push("/market/ticker:BTC-USDT", "trade.ticker", ["not", "an", "object"]),
        push("/market/candles:BTC-USDT_1hour", "trade.candles.update", {"candles": [1, 2]}),
        push("/spotMarket/level2Depth5:BTC-USDT", "level2", {"asks": [["x", "1"]], "bids": []}),
        push("/spotMarket/level2Depth5:BTC-USDT", "level2", {"asks": [[True, "1"]], "bids": []}),
        push("/spotMarket/tradeOrders", "orderChange", {"noOrderId": 1}),
        push("/contract/position:XBTUSDM", "position.change", {"symbol": "X", "isOpen": True}),
        push("/margin/loan:BTC", "order.open", {"currency": "BTC"}),
        push("/market/snapshot:BTC", "trade.snapshot", {"data": [{"no": "symbol"}]}),
    ],
)
def test_malformed_messages_never_raise_nor_half_apply(
    message: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = topgun.KuCoinDataStore()
    with caplog.at_level(logging.WARNING, "topgun.store"):
        store.onmessage(message)
    assert all(len(store[name]) == 0 for name in store)
    assert caplog.records


def test_unknown_topics_and_control_frames(caplog: pytest.LogCaptureFixture) -> None:
    store = topgun.KuCoinDataStore()
    with caplog.at_level(logging.WARNING, "topgun.store"):
        store.onmessage({"id": "hQvf8jkno", "type": "welcome"})
        store.onmessage({"id": "1", "type": "ack"})
        store.onmessage({"id": "1", "type": "pong"})
        assert not caplog.records
        store.onmessage(push("/spotMarket/level2Depth20:BTC-USDT", "level2", {}))
        store.onmessage({"id": "1", "type": "error", "code": 404, "data": "topic not found"})
    assert "no store for topic '/spotMarket/level2Depth20:BTC-USDT'" in caplog.text
    assert "topic not found" in caplog.text
