"""The Binance DataStores through the store fuzz kit (``topgun.testing.storefuzz``).

Samples are the docs' example payloads (conftest ``DOC_MESSAGES``, URLs there), bare and in
combined-stream form; thousands of mutations of them must never raise out of ``onmessage``, and a
message reported as skipped must change nothing.
"""

from __future__ import annotations

from typing import Any

from topgun.testing import assert_store_fuzz
from topgun_binance.store import BinanceCOINMDataStore, BinanceSpotDataStore, BinanceUSDSMDataStore

from .conftest import doc_message

COMMON = ["aggTrade", "trade", "kline", "24hrMiniTicker"]
SAMPLES: dict[type[Any], list[str]] = {
    BinanceSpotDataStore: [
        *COMMON,
        "spot bookTicker",
        "spot depthUpdate",
        "executionReport",
        "outboundAccountPosition",
        "listStatus",
    ],
    BinanceUSDSMDataStore: [
        *COMMON,
        "bookTicker",
        "depthUpdate",
        "markPriceUpdate",
        "continuous_kline",
        "forceOrder",
        "compositeIndex",
        "ACCOUNT_UPDATE",
        "ORDER_TRADE_UPDATE",
    ],
    BinanceCOINMDataStore: [
        *COMMON,
        "bookTicker",
        "depthUpdate",
        "markPriceUpdate",
        "indexPriceUpdate",
        "indexPrice_kline",
        "markPrice_kline",
        "ACCOUNT_UPDATE",
        "ORDER_TRADE_UPDATE",
    ],
}


def samples(cls: type[Any]) -> list[Any]:
    kinds = SAMPLES[cls]
    bare = [doc_message(kind) for kind in kinds]
    return bare + [{"stream": "x@y", "data": doc_message(kind)} for kind in kinds[:4]]


def test_spot_fuzz() -> None:
    report = assert_store_fuzz(BinanceSpotDataStore, samples(BinanceSpotDataStore))
    assert report.skipped > 0 and report.applied > 0


def test_usdsm_fuzz() -> None:
    report = assert_store_fuzz(BinanceUSDSMDataStore, samples(BinanceUSDSMDataStore))
    assert report.skipped > 0 and report.applied > 0


def test_coinm_fuzz() -> None:
    report = assert_store_fuzz(BinanceCOINMDataStore, samples(BinanceCOINMDataStore))
    assert report.skipped > 0 and report.applied > 0
