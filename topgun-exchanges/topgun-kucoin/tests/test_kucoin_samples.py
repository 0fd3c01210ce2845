"""KuCoin's documented messages, shared by the store tests and the store fuzz test (the URL of
each is next to it): push envelopes, the spot order change, the spot level-2 update, and one
valid message per channel for the fuzz kit."""

from __future__ import annotations

from typing import Any


def push(topic: str, subject: str, data: Any, **extra: Any) -> dict[str, Any]:
    return {"topic": topic, "type": "message", "subject": subject, "data": data, **extra}


ORDER = {  # https://www.kucoin.com/docs/websocket/spot-trading/private-channels/private-order-change
    "canceledSize": "0",
    "clientOid": "5c52e11203aa677f33e493fb",
    "filledSize": "0",
    "orderId": "6720df7640e6fe0007b57696",
    "orderTime": 1730207606848,
    "orderType": "limit",
    "originSize": "0.00002",
    "price": "50000",
    "remainSize": "0.00002",
    "side": "buy",
    "size": "0.00002",
    "status": "open",
    "symbol": "BTC-USDT",
    "ts": 1730207606878000000,
    "type": "open",
}


def order_change(**changes: Any) -> dict[str, Any]:
    """https://www.kucoin.com/docs/websocket/spot-trading/private-channels/private-order-change"""
    return push(
        "/spotMarket/tradeOrders",
        "orderChange",
        {**ORDER, **changes},
        userId="633559791e1cbc0001f319bc",
        channelType="private",
    )


def l2update(
    start: int, end: int, asks: list[Any], bids: list[Any], symbol: str = "BTC-USDT"
) -> dict[str, Any]:
    """A spot level-2 update, https://www.kucoin.com/docs-new/3470068w0"""
    data = {
        "changes": {"asks": asks, "bids": bids},
        "sequenceEnd": end,
        "sequenceStart": start,
        "symbol": symbol,
        "time": 1729816425625,
    }
    return push(f"/market/level2:{symbol}", "trade.l2update", data)


SAMPLES: list[Any] = [  # one valid message per channel, in an order that builds state
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
    l2update(16, 18, [["3988.59", "3", "16"]], [["3988.50", "44", "18"]]),
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
    order_change(),
    order_change(type="update", size="1"),
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
