"""Coincheck's messages, shared by the store tests and the store fuzz test.

Shapes: https://coincheck.com/documents/exchange/api — #websocket-trades, #websocket-order-book
(``[pair, {"bids", "asks", "last_update_at"}]``), #order-book (``GET /api/order_books``),
#websocket-order-events, #websocket-execution-events, #order-opens
(``GET /api/exchange/orders/opens``), #order-new (the POST reply ``feed_response`` takes).
The limit-range payloads (``[pair]-limit-range-orderbook``, ``/api/order_books?version=1.0``)
are undocumented; their shape comes from the reference library's public tests (pybotters PR
#562, tests/test_datastore.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TRADES = [
    ["1663318663", "2357062", "btc_jpy", "2820896.0", "5.0", "sell", "1193401", "2078767"],
    ["1663318663", "2357068", "btc_jpy", "2820357.0", "0.7828", "sell", "4456814", "4456630"],
]
ORDERBOOK_DIFF = [
    "btc_jpy",
    {
        "bids": [["148634.0", "0"], ["148633.0", "0.0574"]],
        "asks": [["148834.0", "0"], ["148833.0", "0.0574"]],
        "last_update_at": "1659321701",
    },
]
REST_BOOK = {
    "asks": [[27330, "2.25"], [27340, "0.45"]],
    "bids": [[27240, "1.1543"], [26800, "1.2226"]],
}

# The reference's undocumented snapshots, by the sequence they stand at.
RANGED_SNAPSHOTS = {
    "101": {
        "upper": [
            {"rate": "100.0", "ask_amount": "1.0", "bid_amount": "0.0"},
            {"rate": "101.0", "ask_amount": "2.0", "bid_amount": "0.0"},
        ],
        "lower": [{"rate": "99.0", "ask_amount": "0.0", "bid_amount": "3.0"}],
        "last_update_at": "1010",
    },
    "104": {
        "upper": [
            {"rate": "101.0", "ask_amount": "2.0", "bid_amount": "0.0"},
            {"rate": "102.0", "ask_amount": "5.0", "bid_amount": "0.0"},
        ],
        "lower": [
            {"rate": "99.0", "ask_amount": "0.0", "bid_amount": "3.0"},
            {"rate": "98.0", "ask_amount": "0.0", "bid_amount": "4.0"},
        ],
        "last_update_at": "1040",
    },
}
LEGACY_SNAPSHOT = {"asks": [["100.0", "0.5"]], "bids": [["99.0", "1.5"]]}

ORDER_REPLY = {
    "success": True,
    "id": 8173686428,
    "amount": "0.0064",
    "rate": "16998705.0",
    "order_type": "buy",
    "pair": "btc_jpy",
    "created_at": "2025-09-29T14:50:21.000Z",
    "market_buy_amount": None,
    "time_in_force": "good_til_cancelled",
    "stop_loss_rate": None,
}
ORDER_EVENT = {
    "channel": "order-events",
    "id": 8173686428,
    "pair": "btc_jpy",
    "order_event": "PARTIALLY_FILL",
    "order_type": "buy",
    "rate": "16998705.0",
    "stop_loss_rate": None,
    "maker_fee_rate": "0.0",
    "taker_fee_rate": "0.0",
    "amount": "0.0064",
    "market_buy_amount": None,
    "latest_executed_amount": "0.001",
    "latest_executed_market_buy_amount": None,
    "expired_type": None,
    "prevented_match_id": None,
    "expired_amount": None,
    "expired_market_buy_amount": None,
    "time_in_force": "good_til_cancelled",
    "event_time": "2025-09-29T14:50:24.000Z",
}
EXECUTION_EVENT = {
    "channel": "execution-events",
    "id": 583710515,
    "order_id": 8047158658,
    "event_time": "2025-08-24T04:52:25.000Z",
    "funds": {"btc": "0.005", "jpy": "-84628.36"},
    "pair": "btc_jpy",
    "rate": "16925672.0",
    "fee_currency": None,
    "fee": "0.0",
    "liquidity": "T",
    "side": "buy",
}
OPENS = {
    "success": True,
    "orders": [
        {
            "id": 202835,
            "order_type": "buy",
            "rate": 26890,
            "pair": "btc_jpy",
            "pending_amount": "0.5527",
            "pending_market_buy_amount": None,
            "stop_loss_rate": None,
            "created_at": "2015-01-10T05:55:38.000Z",
        }
    ],
}


def ranged(
    seq: str,
    upper: Iterable[Any] = (),
    lower: Iterable[Any] = (),
    at: str = "1",
    pair: str = "btc_jpy",
) -> list[Any]:
    """A limit-range update as the reference's tests write it."""
    data = {
        "upper": list(upper),
        "lower": list(lower),
        "sequence_number": seq,
        "last_update_at": at,
    }
    return [pair, data]


def ask(rate: str, amount: str) -> dict[str, str]:
    return {"rate": rate, "ask_amount": amount, "bid_amount": "0.0"}


def bid(rate: str, amount: str) -> dict[str, str]:
    return {"rate": rate, "ask_amount": "0.0", "bid_amount": amount}
