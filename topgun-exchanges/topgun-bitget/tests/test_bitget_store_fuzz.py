"""Both Bitget DataStores through core's store fuzz kit (``topgun.testing.storefuzz``): thousands
of mutated docs-shaped messages never raise out of ``onmessage`` and never half-apply.

Samples are the docs' push samples used in ``test_bitget_store``/``_v1``/``_book`` (URLs
there), a book snapshot + update with seq/pseq and checksum included.
"""

from __future__ import annotations

from typing import Any

from topgun.plugin import signed_crc32
from topgun.testing import assert_store_fuzz
from topgun_bitget import BitgetDataStore, BitgetV2DataStore

from .test_bitget_store import ORDER, PLAN, POSITION, TICKER, push

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
    push(
        "USDT-FUTURES",
        "trade",
        [
            {
                "ts": "1695716760565",
                "price": "27000.5",
                "size": "0.001",
                "side": "buy",
                "tradeId": "1",
            }
        ],
        instId="BTCUSDT",
    ),
    push(
        "SPOT",
        "account",
        [
            {
                "coin": "USDT",
                "available": "100000",
                "frozen": "0",
                "locked": "0",
                "limitAvailable": "0",
                "uTime": "1697092295506",
            }
        ],
        coin="default",
    ),
    push("USDT-FUTURES", "positions", [POSITION], instId="default"),
    push(
        "SPOT",
        "fill",
        [
            {
                "orderId": "111",
                "tradeId": "111",
                "symbol": "BTCUSDT",
                "side": "buy",
                "size": "0.0006",
            }
        ],
        instId="default",
    ),
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


def test_v2_fuzz() -> None:
    assert_store_fuzz(BitgetV2DataStore, V2_SAMPLES)


def test_v1_fuzz() -> None:
    assert_store_fuzz(BitgetDataStore, V1_SAMPLES)
