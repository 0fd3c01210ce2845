"""Bitget's documented push samples, shared by the store tests and the store fuzz test.

Docs (push samples): spot Tickers-Channel, Candlesticks-Channel, Depth-Channel, Account-Channel,
Order-Channel, Fill-Channel (https://www.bitget.com/api-doc/spot/websocket/public/Tickers-Channel
and the pages beside it), contract New-Trades-Channel, Positions-Channel, Plan-Order-Channel,
History-Positions-Channel (https://www.bitget.com/api-doc/contract/websocket/private/...), and
the V1 mix channels (https://bitgetlimited.github.io/apidoc/en/mix/#websocketapi).
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import signed_crc32


def push(inst_type: str, channel: str, data: Any, action: str = "snapshot", **arg: str) -> Any:
    return {
        "action": action,
        "arg": {"instType": inst_type, "channel": channel, **arg},
        "data": data,
        "ts": 1695702438029,
    }


TICKER = {
    "instId": "ETHUSDT",
    "lastPr": "2200.10",
    "open24h": "0.00",
    "high24h": "0.00",
    "low24h": "0.00",
    "change24h": "0.00",
    "bidPr": "1792",
    "askPr": "2200.1",
    "bidSz": "0.0084",
    "askSz": "19740.8811",
    "baseVolume": "0.0000",
    "quoteVolume": "0.0000",
    "openUtc": "0.00",
    "changeUtc24h": "0",
    "ts": "1695702438018",
}
ACCOUNT = {
    "coin": "USDT",
    "available": "100000",
    "frozen": "0",
    "locked": "0",
    "limitAvailable": "0",
    "uTime": "1697092295506",
}
POSITION = {
    "posId": "1244249778959294501",
    "instId": "XRPUSDT",
    "marginCoin": "USDT",
    "marginSize": "0.67098",
    "marginMode": "crossed",
    "holdSide": "long",
    "posMode": "one_way_mode",
    "total": "3",
    "available": "3",
    "frozen": "0",
    "openPriceAvg": "2.2366",
    "leverage": 10,
    "achievedProfits": "0",
    "unrealizedPL": "0.0009",
    "unrealizedPLR": "0.001341321649",
    "liquidationPrice": "-5.882918946895",
    "keepMarginRate": "0.0040",
    "marginRate": "0.001265633757",
    "autoMargin": "off",
    "breakEvenPrice": "2.238882701621",
    "deductedFee": "0.002818116",
    "totalFee": "",
    "cTime": "1732378185023",
    "uTime": "1741850543856",
}
ORDER = {
    "instId": "BTCUSDT",
    "orderId": "1",
    "clientOid": "1",
    "size": "8.0000",
    "newSize": "500.0000",
    "notional": "8.000000",
    "orderType": "market",
    "force": "gtc",
    "side": "buy",
    "fillPrice": "26256.0",
    "tradeId": "1",
    "baseVolume": "0.0003",
    "fillTime": "1695797773286",
    "fillFee": "-0.00000018",
    "fillFeeCoin": "BTC",
    "tradeScope": "T",
    "accBaseVolume": "0.0003",
    "priceAvg": "26256.0",
    "status": "partially_filled",
    "cTime": "1695797773257",
    "uTime": "1695797773326",
    "stpMode": "cancel_taker",
    "feeDetail": [{"feeCoin": "BTC", "fee": "-0.00000018"}],
    "enterPointSource": "WEB",
}
PLAN = {
    "instId": "BTCUSDT",
    "orderId": "1",
    "clientOid": "1",
    "triggerPrice": "27000.000000000",
    "triggerType": "fill_price",
    "triggerTime": "1695719197612",
    "planType": "pl",
    "price": "27000.000000000",
    "executePrice": "27000.000000000",
    "size": "0.020000000",
    "actualSize": "0.000000000",
    "orderType": "market",
    "side": "buy",
    "tradeSide": "open",
    "posSide": "long",
    "marginCoin": "USDT",
    "status": "live",
    "posMode": "hedge_mode",
    "enterPointSource": "web",
    "stopSurplusTriggerType": "fill_price",
    "stopLossTriggerType": "fill_price",
    "stpMode": "cancel_taker",
    "cTime": "1695719197612",
    "uTime": "1695719197612",
}

TRADE = {"ts": "1695716760565", "price": "27000.5", "size": "0.001", "side": "buy", "tradeId": "1"}
FILL = {"orderId": "111", "tradeId": "111", "symbol": "BTCUSDT", "side": "buy", "size": "0.0006"}

BOOK_ARG = {"instType": "SPOT", "channel": "books", "instId": "BTCUSDT"}


def _book(action: str, asks: list[list[str]], bids: list[list[str]], seq: int, pseq: int) -> Any:
    element = {"asks": asks, "bids": bids, "seq": seq, "pseq": pseq, "ts": "1695710946294"}
    return {"action": action, "arg": dict(BOOK_ARG), "data": [element], "ts": 1695710946294}


V2_SAMPLES: list[Any] = [
    push("SPOT", "ticker", [TICKER], instId="ETHUSDT"),
    push(
        "SPOT",
        "candle1m",
        [["1695672780000", "2200.1", "2200.1", "2200", "2200.1", "1", "2", "2"]],
        instId="ETHUSDT",
    ),
    _book(
        "snapshot", [["26274.9", "0.0009"], ["26275.0", "0.0500"]], [["26274.8", "0.0009"]], 123, 0
    ),
    _book("update", [["26274.9", "0"]], [["26274.7", "0.0027"]], 130, 123),
    {
        "action": "snapshot",
        "arg": {"instType": "SPOT", "channel": "books5", "instId": "ETHUSDT"},
        "data": [
            {
                "asks": [["2200.1", "1.5000"]],
                "bids": [["2200.0", "2.0000"]],
                "checksum": signed_crc32("2200.0:2.0000:2200.1:1.5000"),
                "seq": 5,
                "ts": "1",
            }
        ],
        "ts": 1,
    },
    push("USDT-FUTURES", "trade", [TRADE], instId="BTCUSDT"),
    push("SPOT", "account", [ACCOUNT], coin="default"),
    push("USDT-FUTURES", "positions", [POSITION], instId="default"),
    push("SPOT", "fill", [FILL], instId="default"),
    push("SPOT", "orders", [ORDER], instId="BTCUSDT"),
    push("USDT-FUTURES", "orders-algo", [PLAN], instId="default"),
    push(
        "USDT-FUTURES",
        "positions-history",
        [{"posId": "1", "instId": "BTCUSDT", "closeSize": "0.010"}],
        instId="default",
    ),
    {"event": "subscribe", "arg": {"instType": "SPOT", "channel": "ticker", "instId": "ETHUSDT"}},
]

V1_ARG = {"instType": "mc", "instId": "BTCUSDT"}
V1_SAMPLES: list[Any] = [
    {
        "action": "snapshot",
        "arg": {**V1_ARG, "channel": "trade"},
        "data": [["1665645128291", "18991", "0.016", "buy"]],
    },
    {
        "action": "snapshot",
        "arg": {**V1_ARG, "channel": "ticker"},
        "data": [{"instId": "BTCUSDT", "last": "44962.00"}],
    },
    {
        "action": "snapshot",
        "arg": {**V1_ARG, "channel": "candle15m"},
        "data": [["1639584480000", "8533.02", "8553.74", "8527.17", "8548.26", "45247"]],
    },
    {
        "action": "snapshot",
        "arg": {**V1_ARG, "channel": "books"},
        "data": [
            {
                "asks": [["30693.5", "0.073"]],
                "bids": [["30678.0", "12.693"]],
                "checksum": signed_crc32("30678.0:12.693:30693.5:0.073"),
                "ts": "1653935348839",
            }
        ],
    },
    {
        "action": "snapshot",
        "arg": {**V1_ARG, "channel": "account"},
        "data": [{"marginCoin": "USDT", "available": "100"}],
    },
    {
        "action": "snapshot",
        "arg": {**V1_ARG, "channel": "orders"},
        "data": [{"instId": "BTCUSDT_UMCBL", "clOrdId": "c1", "status": "new", "px": "1"}],
    },
    {
        "action": "snapshot",
        "arg": {**V1_ARG, "channel": "positions"},
        "data": [{"posId": "p1", "instId": "BTCUSDT_UMCBL", "total": "0.01"}],
    },
]
