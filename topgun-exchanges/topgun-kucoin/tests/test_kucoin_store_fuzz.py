"""KuCoinDataStore through ``topgun.testing.storefuzz``: thousands of mutated docs-shaped messages
never raise out of ``onmessage`` and a skipped one never changes a store."""

from __future__ import annotations

from typing import Any

from topgun.testing import assert_store_fuzz
from topgun_kucoin.store import KuCoinDataStore


def push(topic: str, subject: str, data: Any) -> dict[str, Any]:
    return {"topic": topic, "type": "message", "subject": subject, "data": data}


ORDER = {  # https://www.kucoin.com/docs/websocket/spot-trading/private-channels/private-order-change
    "orderId": "6720df7640e6fe0007b57696",
    "orderType": "limit",
    "price": "50000",
    "side": "buy",
    "size": "0.00002",
    "status": "open",
    "symbol": "BTC-USDT",
    "ts": 1730207606878000000,
    "type": "open",
}

SAMPLES: list[Any] = [
    push(
        "/market/ticker:BTC-USDT",
        "trade.ticker",
        {"sequence": "1545896668986", "price": "0.08", "bestAsk": "0.08", "bestBid": "0.049"},
    ),
    push(
        "/market/candles:BTC-USDT_1hour",
        "trade.candles.update",
        {
            "symbol": "BTC-USDT",
            "candles": ["1729839600", "67.2", "67.25", "67.3", "67.1", "0.01", "0.67"],
            "time": 1729842192785164840,
        },
    ),
    push(
        "/market/candles:BTC-USDT_1hour",
        "trade.candles.update",
        {
            "symbol": "BTC-USDT",
            "candles": ["1729843200", "67.2", "67.25", "67.3", "67.1", "0.01", "0.67"],
            "time": 1729842192785164841,
        },
    ),
    push(
        "/market/snapshot:KCS-BTC",
        "trade.snapshot",
        {"sequence": "1545896669291", "data": {"symbol": "KCS-BTC", "buy": 0.00011}},
    ),
    push(
        "/spotMarket/level2Depth5:BTC-USDT",
        "level2",
        {
            "asks": [["67996.7", "1.14213262"], ["67996.8", "0.21748212"]],
            "bids": [["67996.6", "0.37969491"], ["67995.3", "0.20779746"]],
            "timestamp": 1729822226746,
        },
    ),
    push(
        "/contractMarket/level2Depth50:XBTUSDTM",
        "level2",
        {
            "bids": [["89720.9", 513]],
            "sequence": 1709294294670,
            "timestamp": 1731680019100,
            "asks": [["89721", 906]],
        },
    ),
    push(  # https://www.kucoin.com/docs-new/3470068w0
        "/market/level2:BTC-USDT",
        "trade.l2update",
        {
            "changes": {"asks": [["3988.59", "3", "16"]], "bids": [["3988.50", "44", "18"]]},
            "sequenceEnd": 18,
            "sequenceStart": 16,
            "symbol": "BTC-USDT",
            "time": 1729816425625,
        },
    ),
    push(  # https://www.kucoin.com/docs-new/3470082w0
        "/contractMarket/level2:XBTUSDTM",
        "level2",
        {"sequence": 17, "change": "3988.50,buy,44", "timestamp": 1731897467182},
    ),
    push(
        "/market/match:BTC-USDT",
        "trade.l3match",
        {"price": "67523", "side": "buy", "size": "0.003", "symbol": "BTC-USDT", "tradeId": "1"},
    ),
    push("/indicator/index:USDT-BTC", "tick", {"symbol": "USDT-BTC", "value": 0.0001}),
    push("/indicator/markPrice:USDT-BTC", "tick", {"symbol": "USDT-BTC", "value": 0.0002}),
    push("/spotMarket/tradeOrders", "orderChange", ORDER),
    push("/spotMarket/tradeOrders", "orderChange", {**ORDER, "type": "update", "size": "1"}),
    push("/account/balance", "account.balance", {"accountId": "548674591753", "total": "1"}),
    push("/margin/position", "debt.ratio", {"debtRatio": 0, "timestamp": 1730172311}),
    push("/margin/loan:BTC", "order.open", {"currency": "BTC", "orderId": "ac92"}),
    push("/margin/fundingBook:BTC", "funding.update", {"currency": "BTC", "size": 1.3}),
    push("/contract/instrument:XBTUSDM", "mark.index.price", {"markPrice": 4010.52}),
    push("/contract/announcement", "funding.begin", {"symbol": "XBTUSDM", "fundingRate": -0.002}),
    push("/contractMarket/snapshot:XBTUSDM", "snapshot.24h", {"volume": 30449670}),
    push("/contractAccount/wallet", "orderMargin.change", {"orderMargin": 5923}),
    push(
        "/contract/position:XBTUSDM",
        "position.change",
        {"symbol": "XBTUSDM", "currentQty": -20, "isOpen": True, "changeReason": "positionChange"},
    ),
    push(
        "/contract/position:XBTUSDM",
        "position.change",
        {"symbol": "XBTUSDM", "markPrice": 7947.83, "changeReason": "markPriceChange"},
    ),
]


def test_fuzz() -> None:
    assert_store_fuzz(KuCoinDataStore, SAMPLES)
