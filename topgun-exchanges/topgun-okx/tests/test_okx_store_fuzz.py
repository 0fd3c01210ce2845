"""OKXDataStore through the store fuzz kit (topgun.testing.storefuzz): thousands of mutated pushes
never raise, and every push it skips changes nothing.

Samples are in the shape of the docs' push examples (https://www.okx.com/docs-v5/en/, the
tickers, candlesticks, trades, order book, account, positions, balance and position, order and
algo order channels).
"""

from __future__ import annotations

from typing import Any

from topgun.testing import assert_store_fuzz
from topgun_okx.store import OKXDataStore

INST = "BTC-USDT"
UID = "614488474791936"


def book(action: str | None, channel: str, seq: int, prev: int, **sides: Any) -> dict[str, Any]:
    data = {"asks": [], "bids": [], "ts": "1597026383085", "checksum": 0, "seqId": seq, **sides}
    if prev:
        data["prevSeqId"] = prev
    message: dict[str, Any] = {"arg": {"channel": channel, "instId": INST}, "data": [data]}
    if action is not None:
        message["action"] = action
    return message


SAMPLES: list[Any] = [
    {
        "arg": {"channel": "tickers", "instId": INST},
        "data": [{"instType": "SPOT", "instId": INST, "last": "9999.99", "ts": "1597026383085"}],
    },
    {
        "arg": {"channel": "candle1m", "instId": INST},
        "data": [
            [
                "1597026383085",
                "8533.02",
                "8553.74",
                "8527.17",
                "8548.26",
                "45247",
                "529.5",
                "5.2",
                "0",
            ]
        ],
    },
    {
        "arg": {"channel": "mark-price-candle1D", "instId": INST},
        "data": [["1597026383085", "3.721", "3.743", "3.677", "3.708", "0"]],
    },
    {
        "arg": {"channel": "trades", "instId": INST},
        "data": [
            {
                "instId": INST,
                "tradeId": "130639474",
                "px": "42219.9",
                "sz": "0.12",
                "side": "buy",
                "ts": "1630048897897",
            }
        ],
    },
    book(
        "snapshot",
        "books",
        10,
        -1,
        asks=[["8476.98", "415", "0", "13"], ["8477", "7", "0", "2"]],
        bids=[["8476.97", "256", "0", "12"], ["8475.55", "101", "0", "1"]],
    ),
    book(
        "update",
        "books",
        15,
        10,
        asks=[["8476.98", "0", "0", "0"]],
        bids=[["8476.5", "3", "0", "1"]],
    ),
    book(
        None,
        "books5",
        7,
        0,
        asks=[["8476.98", "415", "0", "13"]],
        bids=[["8476.97", "256", "0", "12"]],
    ),
    book(
        None,
        "bbo-tbt",
        8,
        0,
        asks=[["8476.98", "415", "0", "13"]],
        bids=[["8476.97", "256", "0", "12"]],
    ),
    {
        "arg": {"channel": "account", "uid": UID},
        "data": [{"uTime": "1597026383085", "totalEq": "41624.32", "details": [{"ccy": "BTC"}]}],
    },
    {
        "arg": {"channel": "positions", "uid": UID, "instType": "ANY"},
        "data": [{"instId": "BTC-USD-210430", "mgnMode": "cross", "posSide": "long", "pos": "1"}],
    },
    {
        "arg": {"channel": "balance_and_position", "uid": UID},
        "data": [
            {
                "pTime": "1597026383085",
                "eventType": "snapshot",
                "balData": [{"ccy": "BTC", "cashBal": "1", "uTime": "1597026383085"}],
                "posData": [
                    {"instId": "BTC-USD-191018", "mgnMode": "cross", "posSide": "long", "pos": "10"}
                ],
            }
        ],
    },
    {
        "arg": {"channel": "orders", "instType": "ANY", "uid": UID},
        "data": [
            {
                "instId": INST,
                "ordId": "312269865356374016",
                "state": "live",
                "px": "30000",
                "sz": "0.01",
            }
        ],
    },
    {
        "arg": {"channel": "orders-algo", "instType": "ANY", "uid": UID},
        "data": [{"instId": INST, "algoId": "7", "ordType": "conditional", "state": "live"}],
    },
    {
        "arg": {"channel": "algo-advance", "instType": "ANY", "uid": UID},
        "data": [{"instId": INST, "algoId": "9", "ordType": "iceberg", "state": "live"}],
    },
]


def test_okx_datastore_survives_the_fuzz_kit() -> None:
    report = assert_store_fuzz(OKXDataStore, SAMPLES)
    assert report.skipped > 0 and report.applied > 0
